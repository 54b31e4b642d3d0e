// parksim's MQTT connection and its failover over the brokers in order.
#include "broker_link.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "config/broker_uris.h"

namespace parkd::sim {

namespace {

std::string client_id(const std::vector<std::string>& lots) {
  return lots.size() == 1 ? "parksim-" + lots.at(0) : "parksim-" + lots.at(0) + "-" + std::to_string(lots.size()) + "-lots";
}

}  // namespace

BrokerLink::BrokerLink(std::vector<std::string> uris, const std::vector<std::string>& lots)
    : uris_(std::move(uris)),
      client_(uris_.at(0), client_id(lots), mqtt::create_options(MQTTVERSION_3_1_1, 65'000), nullptr) {
  const std::string lot = lots.size() == 1 ? lots.front() : "+";
  topics_ = {"parking/" + lot + "/displays/+/frame", "parking/" + lot + "/gates/+/decision", "parking/" + lot + "/engine/status"};
  client_.set_message_callback([this](mqtt::const_message_ptr m) {
    std::lock_guard lock(mutex_);
    inbox_.emplace_back(m->get_topic(), m->get_payload_str());
  });
  // A clean session, subscribed again on every connection (a new broker or a restarted one has
  // no subscriptions). A persistent session would keep decisions for parksim while it
  // reconnects, but Paho C 1.3 then left some publishes in flight for good after a broker
  // restart, and parksim stalled on them: a simulator must not hang on its own client library.
  options_ = mqtt::connect_options_builder().mqtt_version(MQTTVERSION_3_1_1).clean_session(true).finalize();
  client_.set_connected_handler([this](const std::string&) {
    for (const std::string& t : topics_) client_.subscribe(t, 1);
  });
  client_.set_connection_lost_handler([this](const std::string&) {
    std::lock_guard lock(mutex_);
    lost_ = true;
    changed_.notify_all();
  });
  if (!connect_to_one()) throw std::runtime_error("cannot connect to the broker at " + join_broker_uris(uris_));
  for (const std::string& t : topics_) client_.subscribe(t, 1)->wait_for(std::chrono::seconds(10));
  reconnector_ = std::thread([this] { reconnect_loop(); });
}

BrokerLink::~BrokerLink() { stop_reconnecting(); }

void BrokerLink::stop_reconnecting() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    changed_.notify_all();
  }
  if (reconnector_.joinable()) reconnector_.join();
}

bool BrokerLink::connect_to_one() {
  for (const std::string& uri : uris_) {
    mqtt::connect_options options = options_;
    options.set_servers(mqtt::string_collection::create({uri}));
    try {
      if (client_.connect(options)->wait_for(std::chrono::seconds(5)) && client_.is_connected()) {
        std::printf("parksim: connected to %s\n", uri.c_str());
        std::fflush(stdout);
        return true;
      }
    } catch (const mqtt::exception&) {  // refused or unreachable: the next one
    }
  }
  return false;
}

void BrokerLink::reconnect_loop() {
  std::unique_lock lock(mutex_);
  auto pause = std::chrono::milliseconds(250);
  for (;;) {
    changed_.wait(lock, [this] { return lost_ || closing_; });
    if (closing_) return;
    lost_ = false;  // before the attempt: a connection lost again right after it is seen
    lock.unlock();
    std::printf("parksim: lost the broker; trying %s from the first\n", join_broker_uris(uris_).c_str());
    std::fflush(stdout);
    const bool connected = connect_to_one();
    lock.lock();
    if (connected) {
      ++reconnections_;
      pause = std::chrono::milliseconds(250);
    } else if (changed_.wait_for(lock, pause, [this] { return closing_; })) {
      return;
    } else {
      lost_ = true;  // none answered: again, after the pause
      pause = std::min(pause * 2, std::chrono::milliseconds(5'000));
    }
  }
}

void BrokerLink::publish(const std::string& topic, const std::string& payload, std::optional<Key> key) {
  while (true) {
    try {
      in_flight_.emplace_back(client_.publish(mqtt::make_message(topic, payload, 1, false)), std::move(key));
      break;
    } catch (const mqtt::exception&) {
      drain(0);  // buffer full or reconnecting: wait for what is out, then try again
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  drain(kWindow);
}

std::deque<std::pair<std::string, std::string>> BrokerLink::take_inbox() {
  std::lock_guard lock(mutex_);
  return std::exchange(inbox_, {});
}

void BrokerLink::close() {
  drain(0);
  stop_reconnecting();
  try {
    client_.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception&) {
  }
}

void BrokerLink::drain(std::size_t keep) {
  while (in_flight_.size() > keep) {
    auto& [token, key] = in_flight_.front();
    try {
      if (token->wait_for(std::chrono::seconds(10)) && key) acknowledged_.push_back(std::move(*key));
    } catch (const mqtt::exception&) {  // lost with a connection: the broker never had it
    }
    in_flight_.pop_front();
  }
}

}  // namespace parkd::sim
