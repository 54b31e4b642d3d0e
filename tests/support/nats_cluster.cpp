// Generated nats-server configurations and the cluster's start-up wait.
#include "support/nats_cluster.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/mqtt_probe.h"

namespace parkd::test {

NatsCluster::NatsCluster(const std::filesystem::path& dir, int nodes) : dir_(dir) {
  for (int i = 0; i < nodes; ++i) {
    Node n;
    n.name = "n" + std::to_string(i + 1);
    n.client_port = free_loopback_port();
    n.route_port = free_loopback_port();
    n.mqtt_port = free_loopback_port();
    n.monitor_port = free_loopback_port();
    n.process = std::make_unique<ChildProcess>();
    nodes_.push_back(std::move(n));
  }
  std::string routes;
  for (const Node& n : nodes_) {
    routes += (routes.empty() ? "" : ", ") + std::string("nats://127.0.0.1:") + std::to_string(n.route_port);
  }
  for (Node& n : nodes_) {
    const std::filesystem::path home = dir_ / n.name;
    std::filesystem::create_directories(home / "jetstream");
    n.config = home / "nats.conf";
    std::ofstream conf(n.config);
    // server_name and the cluster's name: JetStream in a cluster refuses to start without them.
    conf << "server_name: " << n.name << "\n"
         << "listen: 127.0.0.1:" << n.client_port << "\n"
         << "http: 127.0.0.1:" << n.monitor_port << "\n"
         << "jetstream { store_dir: \"" << (home / "jetstream").string() << "\" }\n"
         << "cluster { name: parkd-test, listen: 127.0.0.1:" << n.route_port << ", routes: [" << routes << "] }\n"
         // ack_wait: what a consumer delivered towards a node that died is sent again after it,
         // and a consumer at its max_ack_pending sends nothing new meanwhile (30 s by default).
         << "mqtt { listen: 127.0.0.1:" << n.mqtt_port << ", stream_replicas: " << nodes << ", ack_wait: \"5s\" }\n";
  }
}

NatsCluster::~NatsCluster() {
  for (Node& n : nodes_) n.process->stop(std::chrono::seconds(5));
}

void NatsCluster::start_node(int i) {
  Node& n = nodes_.at(static_cast<std::size_t>(i));
  n.process->start({"nats-server", "-c", n.config.string()}, dir_ / n.name / "nats.log");
  if (!wait_for_port(n.mqtt_port, std::chrono::seconds(10))) {
    throw std::runtime_error("nats-server " + n.name + " did not open its MQTT port: " + log(i));
  }
}

void NatsCluster::start() {
  for (std::size_t i = 0; i < nodes_.size(); ++i) start_node(static_cast<int>(i));
  // A node's MQTT port opens before the cluster has a JetStream leader; a session can be made
  // only once MQTT's replicated streams exist.
  const auto deadline = std::chrono::steady_clock::now() + scaled(std::chrono::seconds(60));
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    for (;;) {
      try {
        MqttProbe probe(mqtt_uri(static_cast<int>(i)), "cluster-ready-" + nodes_[i].name);
        break;
      } catch (const std::exception& e) {
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error("the NATS cluster never took an MQTT session on " + nodes_[i].name + ": " + e.what());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  }
}

std::string NatsCluster::consumers(int i) const {
  const Node& n = nodes_.at(static_cast<std::size_t>(i));
  const HttpResult r = http_get(n.monitor_port, "/jsz?accounts=true&streams=true&consumers=true&config=true");
  if (r.status != 200) return n.name + ": no answer from its monitoring port\n";
  // The JSON's consumers as lines; nats-server writes each field on a line of its own.
  std::string out;
  std::string line;
  std::istringstream in(r.body);
  std::string entry;
  while (std::getline(in, line)) {
    const auto field = [&](const char* key) { return line.find(std::string("\"") + key + "\":") != std::string::npos; };
    const auto value = [&] {
      const auto colon = line.find(':');
      std::string v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(' '));
      if (!v.empty() && v.back() == ',') v.pop_back();
      return v;
    };
    if (field("stream_name")) entry = "stream " + value();
    if (field("filter_subject")) entry += " filter " + value();
    if (field("ack_wait")) entry += " ack_wait_ns " + value();
    if (field("num_ack_pending")) entry += " ack_pending " + value();
    if (field("num_redelivered")) entry += " redelivered " + value();
    if (field("num_waiting")) entry += " waiting " + value();
    if (field("num_pending")) {
      out += n.name + ": " + entry + " pending " + value() + "\n";
      entry.clear();
    }
  }
  return out.empty() ? n.name + ": no consumers\n" : out;
}

std::string NatsCluster::monitor_url(int i) const {
  return "http://127.0.0.1:" + std::to_string(nodes_.at(static_cast<std::size_t>(i)).monitor_port);
}

std::string NatsCluster::stream_leader(int i, const std::string& stream) const {
  const HttpResult r = http_get(nodes_.at(static_cast<std::size_t>(i)).monitor_port, "/jsz?acc=$G&streams=true");
  if (r.status != 200) return {};
  // nats-server writes "name": "<stream>" and, in the stream's cluster block after it, "leader".
  const std::size_t at = r.body.find("\"name\": \"" + stream + "\"");
  if (at == std::string::npos) return {};
  const std::string key = "\"leader\": \"";
  const std::size_t leader = r.body.find(key, at);
  const std::size_t next_stream = r.body.find("\"created\"", r.body.find("\"created\"", at) + 1);
  if (leader == std::string::npos || (next_stream != std::string::npos && leader > next_stream)) return {};
  const std::size_t from = leader + key.size();
  return r.body.substr(from, r.body.find('"', from) - from);
}

bool NatsCluster::has_mqtt_client(int i, const std::string& client_id) const {
  const HttpResult r = http_get(nodes_.at(static_cast<std::size_t>(i)).monitor_port, "/connz");
  return r.status == 200 && r.body.find("\"mqtt_client\": \"" + client_id + "\"") != std::string::npos;
}

bool NatsCluster::step_down(int i, const std::string& stream) {
  try {
    MqttProbe client(mqtt_uri(i), "step-down-" + nodes_.at(static_cast<std::size_t>(i)).name);
    client.publish("$JS/API/STREAM/LEADER/STEPDOWN/" + stream, "");
    return true;
  } catch (const std::runtime_error&) {  // MqttProbe's "cannot connect"
    return false;
  }
}

pid_t NatsCluster::pid(int i) const { return nodes_.at(static_cast<std::size_t>(i)).process->pid(); }

void NatsCluster::kill_node(int i) {
  ChildProcess& p = *nodes_.at(static_cast<std::size_t>(i)).process;
  p.signal(SIGKILL);
  p.wait(std::chrono::seconds(5));
}

bool NatsCluster::running(int i) { return nodes_.at(static_cast<std::size_t>(i)).process->running(); }

std::string NatsCluster::mqtt_uri(int i) const {
  return "tcp://127.0.0.1:" + std::to_string(nodes_.at(static_cast<std::size_t>(i)).mqtt_port);
}

std::string NatsCluster::uris_from(int first) const {
  std::string out;
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    out += (out.empty() ? "" : ",") + mqtt_uri(static_cast<int>((static_cast<std::size_t>(first) + k) % nodes_.size()));
  }
  return out;
}

int NatsCluster::node_of_port(int mqtt_port) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].mqtt_port == mqtt_port) return static_cast<int>(i);
  }
  return -1;
}

std::string NatsCluster::log(int i) const {
  return read_file(dir_ / nodes_.at(static_cast<std::size_t>(i)).name / "nats.log");
}

}  // namespace parkd::test
