// The test client: a plain Paho async client with a recorded inbox.
#include "support/mqtt_probe.h"

#include "support/processes.h"

namespace parkd::test {

MqttProbe::MqttProbe(const std::string& uri, const std::string& client_id, const ProbeLogin& login)
    : client_(uri, client_id, mqtt::create_options(MQTTVERSION_3_1_1), nullptr) {
  client_.set_message_callback([this](mqtt::const_message_ptr m) {
    std::lock_guard lock(mutex_);
    received_.push_back(Received{m->get_topic(), m->get_payload_str(), m->is_retained()});
    changed_.notify_all();
  });
  auto builder = mqtt::connect_options_builder().mqtt_version(MQTTVERSION_3_1_1).clean_session(!login.persistent_session);
  if (!login.username.empty()) builder.user_name(login.username).password(login.password);
  if (!login.ca_file.empty()) {
    builder.ssl(mqtt::ssl_options_builder().trust_store(login.ca_file).verify(true).enable_server_cert_auth(true).finalize());
  } else if (uri.rfind("ssl://", 0) == 0) {
    builder.ssl(mqtt::ssl_options_builder().verify(true).enable_server_cert_auth(true).finalize());  // the system's CAs only
  }
  try {
    client_.connect(builder.finalize())->wait_for(std::chrono::seconds(10));
  } catch (const mqtt::exception& e) {
    throw std::runtime_error("test client cannot connect to " + uri + ": " + e.what());
  }
  if (!client_.is_connected()) throw std::runtime_error("test client cannot connect to " + uri);
}

MqttProbe::~MqttProbe() {
  try {
    client_.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception&) {
  }
}

void MqttProbe::subscribe(const std::string& filter) { client_.subscribe(filter, 1)->wait_for(std::chrono::seconds(10)); }

void MqttProbe::publish(const std::string& topic, const std::string& payload, bool retained) {
  client_.publish(mqtt::make_message(topic, payload, 1, retained))->wait_for(std::chrono::seconds(10));
}

void MqttProbe::publish_windowed(const std::string& topic, const std::string& payload, std::size_t window) {
  while (outstanding_.size() >= window) {
    outstanding_.front()->wait_for(std::chrono::seconds(10));
    outstanding_.pop_front();
  }
  outstanding_.push_back(client_.publish(mqtt::make_message(topic, payload, 1, false)));
}

void MqttProbe::flush() {
  for (auto& token : outstanding_) token->wait_for(std::chrono::seconds(10));
  outstanding_.clear();
}

std::optional<Received> MqttProbe::wait_for(const std::function<bool(const Received&)>& match,
                                            std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::size_t checked = 0;
  const auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
  for (;;) {
    for (; checked < received_.size(); ++checked) {
      if (match(received_[checked])) return received_[checked];
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && checked == received_.size()) return std::nullopt;
  }
}

std::vector<Received> MqttProbe::received() {
  std::lock_guard lock(mutex_);
  return received_;
}

void MqttProbe::clear() {
  std::lock_guard lock(mutex_);
  received_.clear();
}

}  // namespace parkd::test
