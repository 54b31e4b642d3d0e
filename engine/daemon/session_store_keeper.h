// Keeps the leader of a NATS cluster's MQTT session stream off the nodes parkd is connected to.
//
// Why: nats-server answers an MQTT CONNECT with a persistent session only once the leader of
// `$MQTT_sess` has loaded the session's record. When the node parkd is on dies *and* led that
// stream, every surviving node holds parkd's reconnection until they have elected a new leader,
// which nats-server's Raft starts 4-9 s after the last heartbeat (constants, not configurable):
// the failover took 5-12 s instead of ~1.4 s (docs/scaling.md). A leader elsewhere is unaffected
// by the death of parkd's node. So every `interval` this asks the monitoring endpoint of each
// node parkd is connected to for its name, and one of them which nodes lead the MQTT streams;
// when one of parkd's nodes leads the session stream, it asks that leader to step down (a
// JetStream API request, published at QoS 0 over MQTT: nats-server maps the topic to the subject
// $JS.API.STREAM.LEADER.STEPDOWN.$MQTT_sess). Raft hands the leadership to a follower, on another
// node, within about a second; meanwhile only CONNECTs and subscription changes wait, and one in
// flight at that moment can fail (its client tries again: every device must anyway).
//
// A step-down is held (and counted) in two cases where it would cost more than it saves:
// - The stream's other replicas could not elect a leader without parkd's node: fewer than a
//   majority of the stream's replicas are in touch with the leader besides itself (a node is down
//   already, as in the minutes after a failover in a three-node cluster). Losing parkd's node then
//   stops the stream wherever its leader is, and the step-down's election would only add to the
//   surviving nodes' load. The leader's own answer says which replicas it hears from, so /jsz is
//   asked of the leader's node when it is not the first of parkd's nodes.
// - A session of parkd's on the leader's node is still subscribing: its SUBSCRIBE waits on that
//   leader, and a step-down under it can fail it, and the node close the connection (seen in CI:
//   a step-down as parkd's session awaited its SUBACK, the connection closed a second later).
//   The round that follows the session's coming online asks instead.
//
// Not the other two streams, though their leaders are reported too: a node stores every QoS 1
// publish in `$MQTT_msgs` (and a retained one in `$MQTT_rmsgs`) before acknowledging it, and a
// step-down loses the stores in flight; the node then closes the publisher's connection after
// 4 s (measured: a camera-like publisher at 200 messages/s dropped in 2 of 4 step-downs). So
// after parkd's node died with one of those leaders, parkd's first publishes can still wait
// for an election, and the node may close the new connection once (docs/scaling.md).
// Everything here runs on the io thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/config_loader.h"
#include "http_fetch.h"
#include "nats_monitor_json.h"

namespace parkd {

class SessionStoreKeeper {
 public:
  struct Settings {
    std::vector<BrokerSettings::NatsMonitor> monitors;  // by broker URI
    std::string account = "$G";  // as the configuration checked it: safe in a URL's query
    std::chrono::milliseconds interval{5'000};
    // Between two step-downs: a new leader needs a moment to be seen by every node's monitor.
    // Doubled, up to max_gap, for each step-down that finds the leader on parkd's nodes again
    // without a check in between that found it elsewhere: parkd processes connected to every
    // node of the cluster would otherwise hand the leadership round for ever.
    std::chrono::milliseconds min_gap{10'000};
    std::chrono::milliseconds max_gap{600'000};
    std::chrono::milliseconds request_deadline{2'000};
    std::function<std::chrono::steady_clock::time_point()> now = [] { return std::chrono::steady_clock::now(); };
  };
  // A session of parkd's connected to `broker`; `online` once every subscription was granted.
  struct Connection {
    Connection(std::string broker_uri, bool is_online = true) : broker(std::move(broker_uri)), online(is_online) {}  // NOLINT: implicit from a URI
    std::string broker;
    bool online;
  };
  // parkd's sessions that are connected now.
  using ConnectedBrokers = std::function<std::vector<Connection>()>;
  // Sends an empty QoS 0 message to `topic` through a session connected to `broker`; false when
  // none is connected there.
  using SendThrough = std::function<bool(const std::string& broker, const std::string& topic)>;

  // GETs `target` from the monitoring endpoint `monitor` ("http://HOST:PORT") and calls `done`
  // on the executor; http_fetch unless a test gives its own.
  using Fetch = std::function<void(const std::string& monitor, const std::string& target, std::function<void(HttpFetched)> done)>;

  struct StreamFigures {
    std::string leader;                  // server_name at the last check ("" between leaders)
    bool leader_on_parkds_node = false;  // at the last check
    std::uint64_t stepdowns = 0;         // asked for (the session stream only)
    // Rounds that found the session stream's leader on parkd's node and left it there: the other
    // replicas could not have elected one without that node, or a session was subscribing there.
    std::uint64_t held_replicas_out_of_touch = 0;
    std::uint64_t held_session_subscribing = 0;
  };
  struct Figures {
    std::uint64_t checks = 0;         // rounds that learnt where the leaders are
    std::uint64_t checks_failed = 0;  // rounds whose monitors did not say (see the log)
    std::map<std::string, StreamFigures> streams;  // by stream name
  };

  static std::string step_down_topic(std::string_view stream) {
    return "$JS/API/STREAM/LEADER/STEPDOWN/" + std::string(stream);
  }

  SessionStoreKeeper(Settings settings, boost::asio::any_io_executor executor, ConnectedBrokers connected,
                     SendThrough send, Fetch fetch = {});
  SessionStoreKeeper(const SessionStoreKeeper&) = delete;
  SessionStoreKeeper& operator=(const SessionStoreKeeper&) = delete;

  void start();  // the first round at once
  // A session went online (any thread): a round now rather than at the next interval (or at the
  // end of the one under way), so a failover onto the leader's node is not exposed for an interval.
  void check_soon();
  Figures figures() const;

 private:
  struct Round;
  void round();
  void schedule();
  void learn_names(std::shared_ptr<Round> r, std::size_t i);
  // Asks the monitor of r->nodes[node] which nodes lead the streams; the leader's own node once
  // more when the session stream's leader is another of parkd's nodes.
  void ask_leaders(std::shared_ptr<Round> r, std::size_t node);
  // A step-down of the session stream's leader, on r->nodes[node], unless held (see the top).
  void consider_step_down(const Round& r, std::size_t node, const OtherReplicas& replicas, StreamFigures& f);
  void say_held(const std::string& why);
  void failed(const std::string& why);
  // The least time from one step-down to the next after this many in a row.
  std::chrono::milliseconds gap_after(int stepdowns_in_a_row) const;
  const BrokerSettings::NatsMonitor* monitor_of(const std::string& broker) const;

  Settings settings_;
  boost::asio::any_io_executor executor_;
  ConnectedBrokers connected_;
  SendThrough send_;
  Fetch fetch_;
  boost::asio::steady_timer timer_;
  std::optional<std::chrono::steady_clock::time_point> last_stepdown_;
  int stepdowns_in_a_row_ = 0;  // since a check last found the leader on none of parkd's nodes
  bool round_under_way_ = false;  // from round() until schedule()
  bool check_again_ = false;      // check_soon() during a round: another once it ends
  std::string last_failure_;      // logged once until a round succeeds
  std::string last_held_;         // why the last step-down was held: logged once until it changes
  mutable std::mutex figures_mutex_;
  Figures figures_;
};

}  // namespace parkd
