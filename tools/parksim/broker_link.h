// parksim's one MQTT connection: QoS 1 publishes in a window, what parkd sends to the devices
// in an inbox, and failover over a list of brokers (a cluster's nodes) in order.
#pragma once

#include <atomic>
#include <compare>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <mqtt/async_client.h>

namespace parkd::sim {

class BrokerLink {
 public:
  // Connects to the first of `uris` that answers (throws when none does) and subscribes to the
  // lots' frames, decisions and parkd's status (with several lots, one wildcard subscription of
  // each kind: on a NATS cluster every QoS 1 subscription is a JetStream consumer). When the connection goes, a thread of its own
  // tries the brokers again from the first (Paho's automatic reconnect keeps to the last URI
  // that worked, paho.mqtt.c#1661) and subscribes again.
  BrokerLink(std::vector<std::string> uris, const std::vector<std::string>& lots);
  ~BrokerLink();
  BrokerLink(const BrokerLink&) = delete;
  BrokerLink& operator=(const BrokerLink&) = delete;

  // QoS 1, with at most kWindow publishes in flight (Paho buffers only so many, also while it
  // reconnects). With a `key` (a gate event's lot, gate and seq), the broker's acknowledgement
  // is remembered: acknowledged().
  struct Key {
    std::string lot, gate;
    std::uint64_t seq = 0;
    auto operator<=>(const Key&) const = default;
  };
  void publish(const std::string& topic, const std::string& payload, std::optional<Key> key = std::nullopt);
  void flush() { drain(0); }
  // Gate events the broker acknowledged (so parkd must decide them), in the order sent.
  const std::vector<Key>& acknowledged() const { return acknowledged_; }
  std::deque<std::pair<std::string, std::string>> take_inbox();
  int reconnections() const { return reconnections_.load(); }
  void close();

 private:
  static constexpr std::size_t kWindow = 2'000;
  bool connect_to_one();  // the brokers in order; true once one took the connection
  void reconnect_loop();
  void stop_reconnecting();  // ends reconnect_loop and joins its thread
  void drain(std::size_t keep);

  std::vector<std::string> uris_;
  std::vector<std::string> topics_;
  mqtt::async_client client_;
  mqtt::connect_options options_;
  std::deque<std::pair<mqtt::delivery_token_ptr, std::optional<Key>>> in_flight_;
  std::vector<Key> acknowledged_;
  std::mutex mutex_;  // guards inbox_, lost_, closing_
  std::condition_variable changed_;
  std::deque<std::pair<std::string, std::string>> inbox_;
  bool lost_ = false;
  bool closing_ = false;
  std::atomic<int> reconnections_{0};
  std::thread reconnector_;
};

}  // namespace parkd::sim
