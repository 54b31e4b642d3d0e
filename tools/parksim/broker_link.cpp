// parksim's MQTT connection (libmosquitto) and its failover over the brokers in order.
#include "broker_link.h"

#include <mosquitto.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "config/broker_uris.h"

namespace parkd::sim {

using namespace std::chrono_literals;

namespace {

std::once_flag library_initialised;

std::string client_id(const std::vector<std::string>& lots) {
  return lots.size() == 1 ? "parksim-" + lots.at(0) : "parksim-" + lots.at(0) + "-" + std::to_string(lots.size()) + "-lots";
}

}  // namespace

BrokerLink::BrokerLink(std::vector<std::string> uris, const std::vector<std::string>& lots) {
  for (const std::string& uri : uris) {
    BrokerAddress address = broker_address(uri);
    if (address.tls) throw std::runtime_error("parksim connects over plain TCP only, not " + uri);
    brokers_.push_back(Endpoint{uri, std::move(address.host), address.port});
  }
  broker_list_ = join_broker_uris(uris);
  const std::string lot = lots.size() == 1 ? lots.front() : "+";
  topics_ = {"parking/" + lot + "/displays/+/frame", "parking/" + lot + "/gates/+/decision", "parking/" + lot + "/engine/status"};

  std::call_once(library_initialised, [] { mosquitto_lib_init(); });
  // A clean session, subscribed again on every connection (a new broker or a restarted one has
  // no subscriptions); unacknowledged publishes are sent again by libmosquitto all the same.
  client_ = mosquitto_new(client_id(lots).c_str(), true, this);
  if (client_ == nullptr) throw std::runtime_error("cannot create an MQTT client");
  mosquitto_int_option(client_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  // Our window is the limit; libmosquitto's own (20 by default) would queue behind it.
  mosquitto_max_inflight_messages_set(client_, static_cast<unsigned>(kWindow));
  // The network thread is ours (it cycles the brokers), and publish() runs on the main thread.
  mosquitto_threaded_set(client_, true);
  mosquitto_connect_callback_set(client_, &BrokerLink::on_connect);
  mosquitto_subscribe_callback_set(client_, &BrokerLink::on_subscribe);
  mosquitto_publish_callback_set(client_, &BrokerLink::on_publish);
  mosquitto_message_callback_set(client_, &BrokerLink::on_message);

  network_ = std::thread([this] { network_loop(); });
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return first_round_done_; });
  if (!first_round_connected_) {
    lock.unlock();
    stop_network();
    mosquitto_destroy(client_);
    throw std::runtime_error("cannot connect to the broker at " + broker_list_);
  }
  changed_.wait_for(lock, 10s, [this] { return subscribed_ >= topics_.size(); });
}

BrokerLink::~BrokerLink() {
  stop_network();
  mosquitto_destroy(client_);
}

void BrokerLink::stop_network() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    changed_.notify_all();
  }
  if (network_.joinable()) network_.join();
}

bool BrokerLink::connect_to_one() {
  for (const Endpoint& b : brokers_) {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return false;
      connection_ = Connection::Waiting;
      subscribed_ = 0;
      subscribing_.clear();
      refused_.clear();
    }
    // Blocking TCP connect; the CONNECT goes out in the loop below.
    if (mosquitto_connect(client_, b.host.c_str(), b.port, 60) != MOSQ_ERR_SUCCESS) continue;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        if (connection_ == Connection::Up) {
          std::printf("parksim: connected to %s\n", b.uri.c_str());
          std::fflush(stdout);
          return true;
        }
        if (connection_ == Connection::Refused || closing_) break;
      }
      if (mosquitto_loop(client_, 100, 1) != MOSQ_ERR_SUCCESS) break;
    }
  }
  std::lock_guard lock(mutex_);
  connection_ = Connection::Down;
  return false;
}

void BrokerLink::network_loop() {
  const bool connected = connect_to_one();
  {
    std::lock_guard lock(mutex_);
    first_round_done_ = true;
    first_round_connected_ = connected;
    changed_.notify_all();
  }
  if (!connected) return;
  auto pause = 250ms;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (closing_) break;
      if (connection_ != Connection::Up) {
        lock.unlock();
        if (connect_to_one()) {
          ++reconnections_;
          pause = 250ms;
          continue;
        }
        lock.lock();
        // None answered: again after a pause, longer each time.
        if (changed_.wait_for(lock, pause, [this] { return closing_; })) break;
        pause = std::min<std::chrono::milliseconds>(pause * 2, 5s);
        continue;
      }
    }
    std::vector<std::string> again;
    {
      std::lock_guard lock(mutex_);
      if (!refused_.empty() && std::chrono::steady_clock::now() >= resubscribe_at_) again.swap(refused_);
    }
    subscribe(again);
    if (mosquitto_loop(client_, 100, 1) != MOSQ_ERR_SUCCESS) {
      std::printf("parksim: lost the broker; trying %s from the first\n", broker_list_.c_str());
      std::fflush(stdout);
      std::lock_guard lock(mutex_);
      connection_ = Connection::Down;
    }
  }
  // Closing: a DISCONNECT, written by the loop, after which the broker closes the connection.
  if (mosquitto_disconnect(client_) == MOSQ_ERR_SUCCESS) {
    for (int i = 0; i < 20 && mosquitto_loop(client_, 50, 1) == MOSQ_ERR_SUCCESS; ++i) {
    }
  }
}

void BrokerLink::on_connect(mosquitto*, void* self, int rc) {
  auto* link = static_cast<BrokerLink*>(self);
  {
    std::lock_guard lock(link->mutex_);
    link->connection_ = rc == 0 ? Connection::Up : Connection::Refused;
    link->changed_.notify_all();
  }
  if (rc != 0) return;
  link->subscribe(link->topics_);
}

void BrokerLink::subscribe(const std::vector<std::string>& topics) {
  for (const std::string& t : topics) {
    int mid = 0;
    if (mosquitto_subscribe(client_, &mid, t.c_str(), 1) != MOSQ_ERR_SUCCESS) continue;  // the connection went
    std::lock_guard lock(mutex_);
    subscribing_[mid] = t;
  }
}

void BrokerLink::on_subscribe(mosquitto*, void* self, int mid, int count, const int* granted) {
  auto* link = static_cast<BrokerLink*>(self);
  std::lock_guard lock(link->mutex_);
  const auto it = link->subscribing_.find(mid);
  if (it == link->subscribing_.end()) return;  // a SUBACK of an earlier connection
  // A SUBACK may refuse (0x80): a NATS node that could not make the subscription's consumer in
  // time, an ACL. Not subscribed then: asked again a second later.
  if (count >= 1 && granted[0] < 0x80) {
    ++link->subscribed_;
    link->changed_.notify_all();
  } else {
    std::printf("parksim: the broker refused the subscription to %s; asking again in 1 s\n", it->second.c_str());
    std::fflush(stdout);
    link->refused_.push_back(it->second);
    link->resubscribe_at_ = std::chrono::steady_clock::now() + 1s;
  }
  link->subscribing_.erase(it);
}

void BrokerLink::on_publish(mosquitto*, void* self, int mid) {
  auto* link = static_cast<BrokerLink*>(self);
  std::lock_guard lock(link->mutex_);
  link->last_ack_ = std::chrono::steady_clock::now();
  if (link->unacknowledged_ > 0) --link->unacknowledged_;
  if (const auto it = link->unacknowledged_ids_.find(mid); it != link->unacknowledged_ids_.end()) {
    if (it->second) link->acknowledged_.push_back(std::move(*it->second));
    link->unacknowledged_ids_.erase(it);
  } else {
    link->acknowledged_early_.insert(mid);
  }
  // The publisher waits for half the window back, and flush() for all of it: a wake-up per
  // PUBACK would cost a thread switch per message.
  if (link->unacknowledged_ == kWindow / 2 || link->unacknowledged_ == 0) link->changed_.notify_all();
}

void BrokerLink::on_message(mosquitto*, void* self, const mosquitto_message* message) {
  auto* link = static_cast<BrokerLink*>(self);
  std::lock_guard lock(link->mutex_);
  link->inbox_.emplace_back(message->topic, std::string(static_cast<const char*>(message->payload),
                                                        static_cast<std::size_t>(message->payloadlen)));
}

void BrokerLink::publish(const std::string& topic, const std::string& payload, std::optional<Key> key) {
  {
    std::unique_lock lock(mutex_);
    if (unacknowledged_ >= kWindow) changed_.wait(lock, [this] { return unacknowledged_ <= kWindow / 2; });
    ++unacknowledged_;
  }
  int mid = 0;
  const int rc = mosquitto_publish(client_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false);
  std::lock_guard lock(mutex_);
  // Without a connection libmosquitto keeps the message and sends it once connected again.
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
    --unacknowledged_;
    throw std::runtime_error("cannot publish on " + topic + ": " + mosquitto_strerror(rc));
  }
  if (acknowledged_early_.erase(mid) > 0) {
    if (key) acknowledged_.push_back(std::move(*key));
  } else {
    unacknowledged_ids_.emplace(mid, std::move(key));
  }
}

std::vector<BrokerLink::Key> BrokerLink::acknowledged() const {
  std::lock_guard lock(mutex_);
  return acknowledged_;
}

std::deque<std::pair<std::string, std::string>> BrokerLink::take_inbox() {
  std::lock_guard lock(mutex_);
  return std::exchange(inbox_, {});
}

void BrokerLink::close() {
  flush();
  stop_network();
}

void BrokerLink::flush() {
  std::unique_lock lock(mutex_);
  const auto started = std::chrono::steady_clock::now();
  while (unacknowledged_ > 0) {
    if (changed_.wait_for(lock, 1s) == std::cv_status::timeout &&
        std::chrono::steady_clock::now() - std::max(started, last_ack_) > 10s) {
      return;  // a broker gone for good: what is left stays unacknowledged
    }
  }
}

}  // namespace parkd::sim
