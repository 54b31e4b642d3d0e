// A real NATS JetStream cluster with MQTT on loopback for the cluster tests: Debian's
// nats-server, each node on free ports with a generated configuration, killed and started
// again by the test.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/processes.h"

namespace parkd::test {

class NatsCluster {
 public:
  // `nodes` servers named n1..nN in one cluster, each with JetStream under `dir` and an MQTT
  // listener; MQTT's streams are replicated to every node (`stream_replicas`: NATS's default
  // follows the routes and can give fewer).
  NatsCluster(const std::filesystem::path& dir, int nodes = 3);
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // Starts every node and waits until each accepts an MQTT session (JetStream has a leader and
  // MQTT's streams exist): throws when that takes longer than a minute.
  void start();
  void start_node(int i);  // again after a kill, with its store; waits for its MQTT port
  void kill_node(int i);   // SIGKILL: no goodbye, no will sent by that node
  bool running(int i);
  std::size_t size() const { return nodes_.size(); }

  std::string mqtt_uri(int i) const;
  // Every node's MQTT URI from `first` on, in turn: a client's failover list.
  std::string uris_from(int first) const;
  int node_of_port(int mqtt_port) const;  // -1: none
  std::string log(int i) const;
  pid_t pid(int i) const;  // of a running node (for its CPU time)
  // What node i's monitoring endpoint says of the MQTT message stream's consumers (one per QoS 1
  // subscription): each one's filter, and its messages delivered and not acknowledged, waiting,
  // and redelivered. For a test that finds a subscriber that hears nothing.
  std::string consumers(int i) const;
  const std::string& name(int i) const { return nodes_.at(static_cast<std::size_t>(i)).name; }
  std::string monitor_url(int i) const;  // http://127.0.0.1:PORT
  // Which node (its name) leads `stream` of the default account, as node i's monitoring endpoint
  // says; "" when it names none.
  std::string stream_leader(int i, const std::string& stream) const;
  // Whether node i's monitoring endpoint lists an MQTT connection of `client_id` (GET /connz).
  bool has_mqtt_client(int i, const std::string& client_id) const;
  // Asks `stream`'s leader to step down, through an MQTT client on node i; Raft elects another.
  // False when the client could not connect: while the session stream elects (after the last
  // step-down) a node drops new connections; ask again later.
  bool step_down(int i, const std::string& stream);

 private:
  struct Node {
    std::string name;
    int client_port;
    int route_port;
    int mqtt_port;
    int monitor_port;
    std::filesystem::path config;
    std::unique_ptr<ChildProcess> process;
  };
  std::filesystem::path dir_;
  std::vector<Node> nodes_;
};

}  // namespace parkd::test
