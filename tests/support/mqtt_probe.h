// A test's own MQTT client (Paho): publishes like a device and records what it receives.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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
  // Throws when the broker refuses the connection (or nothing answers within 10 s). `uri` may
  // be a comma-separated list (a cluster's nodes): the probe then behaves as a device that fails
  // over, with a persistent session; when the connection is lost it connects again from the
  // first URI that answers (Paho's own reconnect keeps to the last URI, paho.mqtt.c#1661), what
  // it publishes meanwhile is buffered, unacknowledged QoS 1 messages are sent again, and its
  // subscriptions are made again when the broker kept no session.
  MqttProbe(const std::string& uri, const std::string& client_id, const ProbeLogin& login = {});
  ~MqttProbe();

  void subscribe(const std::string& filter, int qos = 1);
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
  // Failing over: how often the connection was lost and made again, and the URI it is on.
  int reconnections();
  std::string connected_uri();

 private:
  void reconnect_loop();
  // Connects to the first of uris_ that answers; false when none did.
  bool connect_to_one(bool* session_kept = nullptr);
  // Waits for a publish's PUBACK; failing over, sends it again until one comes.
  void acknowledged(mqtt::delivery_token_ptr token, const mqtt::const_message_ptr& message);

  mqtt::async_client client_;
  mqtt::connect_options options_;
  bool fails_over_ = false;
  std::vector<std::string> uris_;
  std::vector<std::pair<std::string, int>> filters_;  // with their QoS
  std::thread reconnector_;
  bool lost_ = false;
  bool closing_ = false;
  int reconnections_ = 0;
  int attempts_ = 0;  // connect() calls, on the constructor's thread and then the reconnector's
  std::string connected_uri_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Received> received_;
  std::deque<std::pair<mqtt::delivery_token_ptr, mqtt::const_message_ptr>> outstanding_;
};

}  // namespace parkd::test
