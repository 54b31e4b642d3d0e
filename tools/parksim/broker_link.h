// parksim's one MQTT connection: QoS 1 publishes in a window, what parkd sends to the devices
// in an inbox, and failover over a list of brokers (a cluster's nodes) in order.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "gate_event_key.h"

struct mosquitto;
struct mosquitto_message;

namespace parkd::sim {

// On libmosquitto, not Paho: parksim stands for 185 sensors and the cameras on one connection,
// and Paho C's per-publish path (a token, a command list scanned per message id, a hand-over
// to its send thread) cost it ~100-125 us of CPU a report against ~8 us here (measured with
// mosquitto_pub -q 1 on this machine), which made the simulator, not parkd, the soak's largest
// process.
class BrokerLink {
 public:
  // Connects to the first of `uris` that answers (throws when none does) and subscribes to the
  // lots' frames, decisions and parkd's status (with several lots, one wildcard subscription of
  // each kind: on a NATS cluster every QoS 1 subscription is a JetStream consumer). When the
  // connection goes, its network thread tries the brokers again from the first, subscribes
  // again and sends again what was not acknowledged (libmosquitto keeps unacknowledged QoS 1
  // publishes across a reconnection, also with a clean session).
  BrokerLink(std::vector<std::string> uris, const std::vector<std::string>& lots);
  ~BrokerLink();
  BrokerLink(const BrokerLink&) = delete;
  BrokerLink& operator=(const BrokerLink&) = delete;

  // QoS 1, with at most kWindow publishes unacknowledged: beyond it, publish waits (also while
  // the link reconnects, so the simulation slows instead of piling messages up). With a `key`
  // (a gate event's lot, gate and seq), the broker's acknowledgement is remembered:
  // acknowledged().
  using Key = GateEventKey;
  void publish(const std::string& topic, const std::string& payload, std::optional<Key> key = std::nullopt);
  // Waits until every publish is acknowledged, or no acknowledgement came for 10 s (a broker
  // gone for good): those stay unacknowledged.
  void flush();
  // Gate events the broker acknowledged (so parkd must decide them), in the order acknowledged.
  std::vector<Key> acknowledged() const;
  std::deque<std::pair<std::string, std::string>> take_inbox();
  int reconnections() const { return reconnections_.load(); }
  void close();

 private:
  static constexpr std::size_t kWindow = 100;
  struct Endpoint {
    std::string uri, host;
    int port = 0;
  };
  enum class Connection { Down, Waiting, Up, Refused };

  bool connect_to_one();  // the brokers in order, on the network thread; true once one took it
  void network_loop();
  void stop_network();

  // On the network thread: each topic's SUBSCRIBE, its message id remembered for the SUBACK.
  void subscribe(const std::vector<std::string>& topics);
  static void on_connect(mosquitto* m, void* self, int rc);
  static void on_subscribe(mosquitto* m, void* self, int mid, int count, const int* granted);
  static void on_publish(mosquitto* m, void* self, int mid);
  static void on_message(mosquitto* m, void* self, const mosquitto_message* message);

  std::vector<Endpoint> brokers_;
  std::string broker_list_;  // for messages: "tcp://a:1883, tcp://b:1883"
  std::vector<std::string> topics_;
  mosquitto* client_ = nullptr;

  mutable std::mutex mutex_;  // guards everything below but the atomics
  std::condition_variable changed_;
  Connection connection_ = Connection::Down;
  std::size_t subscribed_ = 0;  // subscriptions granted on this connection
  std::unordered_map<int, std::string> subscribing_;  // SUBSCRIBEs sent, by message id
  std::vector<std::string> refused_;                  // asked again at resubscribe_at_
  std::chrono::steady_clock::time_point resubscribe_at_;
  bool first_round_done_ = false;
  bool first_round_connected_ = false;
  bool closing_ = false;
  std::size_t unacknowledged_ = 0;
  std::chrono::steady_clock::time_point last_ack_;
  // Publishes whose message id libmosquitto has given, until their PUBACK; a PUBACK can come
  // before publish() has recorded its id: acknowledged_early_ holds it until then.
  std::unordered_map<int, std::optional<Key>> unacknowledged_ids_;
  std::unordered_set<int> acknowledged_early_;
  std::vector<Key> acknowledged_;
  std::deque<std::pair<std::string, std::string>> inbox_;
  std::atomic<int> reconnections_{0};
  std::thread network_;
};

}  // namespace parkd::sim
