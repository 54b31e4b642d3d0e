// A test's own MQTT client (Paho): publishes like a device and records what it receives.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <mqtt/async_client.h>

namespace parkd::test {

struct Received {
  std::string topic;
  std::string payload;
  bool retained = false;
};

// How a probe logs in: as a device with its own credentials, over TLS with a CA, or anonymously.
struct ProbeLogin {
  std::string username;
  std::string password;
  std::string ca_file;  // set: TLS (uri ssl://...)
  // A barrier's way: the broker keeps the subscriptions and what is not yet delivered while the
  // probe is away (clean_session=false).
  bool persistent_session = false;
};

class MqttProbe {
 public:
  // Throws when the broker refuses the connection (or nothing answers within 10 s).
  MqttProbe(const std::string& uri, const std::string& client_id, const ProbeLogin& login = {});
  ~MqttProbe();

  void subscribe(const std::string& filter);
  void publish(const std::string& topic, const std::string& payload, bool retained = false);
  // QoS 1 without waiting for each acknowledgement: at most `window` publishes outstanding (a
  // camera's pace, not a round trip's). flush() waits for all of them.
  void publish_windowed(const std::string& topic, const std::string& payload, std::size_t window);
  void flush();
  // Returns the first message received so far or within `timeout` that satisfies `match`.
  std::optional<Received> wait_for(const std::function<bool(const Received&)>& match,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::vector<Received> received();
  void clear();

 private:
  mqtt::async_client client_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Received> received_;
  std::deque<mqtt::delivery_token_ptr> outstanding_;
};

}  // namespace parkd::test
