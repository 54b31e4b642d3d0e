// The rounds of SessionStoreKeeper: names of parkd's nodes, the streams' leaders, a step-down.
#include "session_store_keeper.h"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>

#include "config/broker_uris.h"
#include "log.h"
#include "nats_monitor_json.h"

namespace parkd {

struct SessionStoreKeeper::Round {
  std::vector<const BrokerSettings::NatsMonitor*> nodes;  // the ones parkd is connected to
  std::vector<bool> subscribing;                          // a session on that node is not online yet
  std::vector<std::string> names;                         // their server_names, in that order
  bool asked_the_leader = false;                          // /jsz asked of a second node this round
};

SessionStoreKeeper::SessionStoreKeeper(Settings settings, boost::asio::any_io_executor executor,
                                       ConnectedBrokers connected, SendThrough send, Fetch fetch)
    : settings_(std::move(settings)),
      executor_(executor),
      connected_(std::move(connected)),
      send_(std::move(send)),
      fetch_(std::move(fetch)),
      timer_(executor) {
  if (!fetch_) {
    fetch_ = [this](const std::string& monitor, const std::string& target, std::function<void(HttpFetched)> done) {
      const BrokerAddress at = broker_address(std::string_view(monitor).substr(std::string_view("http://").size()));
      http_fetch(executor_, at.host, at.port, target, settings_.request_deadline, std::move(done));
    };
  }
}

void SessionStoreKeeper::start() {
  Log::info("broker", "keeping the leader of the NATS stream {} off the nodes parkd is on (account {}, every {} ms)",
            kNatsSessionStream, settings_.account, settings_.interval.count());
  check_soon();
}

void SessionStoreKeeper::check_soon() {
  boost::asio::post(executor_, [this] {
    // The round under way may have seen the session before it came online (and held a step-down
    // for it): another at its end.
    if (round_under_way_) {
      check_again_ = true;
      return;
    }
    timer_.cancel();
    round();
  });
}

SessionStoreKeeper::Figures SessionStoreKeeper::figures() const {
  std::lock_guard lock(figures_mutex_);
  return figures_;
}

void SessionStoreKeeper::schedule() {
  round_under_way_ = false;
  if (std::exchange(check_again_, false)) {
    boost::asio::post(executor_, [this] {
      if (!round_under_way_) round();  // else one check_soon() began ends with schedule() too
    });
    return;
  }
  timer_.expires_after(settings_.interval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !round_under_way_) round();  // a wait check_soon() cancelled may have completed already
  });
}

const BrokerSettings::NatsMonitor* SessionStoreKeeper::monitor_of(const std::string& broker) const {
  const auto it = std::find_if(settings_.monitors.begin(), settings_.monitors.end(),
                               [&broker](const BrokerSettings::NatsMonitor& m) { return m.broker == broker; });
  return it == settings_.monitors.end() ? nullptr : &*it;
}

void SessionStoreKeeper::round() {
  round_under_way_ = true;
  auto r = std::make_shared<Round>();
  for (const Connection& c : connected_()) {
    const BrokerSettings::NatsMonitor* m = monitor_of(c.broker);
    if (m == nullptr) continue;
    const auto at = std::find(r->nodes.begin(), r->nodes.end(), m);
    if (at == r->nodes.end()) {
      r->nodes.push_back(m);
      r->subscribing.push_back(!c.online);
    } else if (!c.online) {
      r->subscribing[static_cast<std::size_t>(at - r->nodes.begin())] = true;
    }
  }
  // Not connected (the sessions' own loops deal with that), or to brokers without a monitor.
  if (r->nodes.empty()) return schedule();
  learn_names(std::move(r), 0);
}

void SessionStoreKeeper::learn_names(std::shared_ptr<Round> r, std::size_t i) {
  if (i == r->nodes.size()) return ask_leaders(std::move(r), 0);
  const BrokerSettings::NatsMonitor& m = *r->nodes[i];
  fetch_(m.monitor, "/varz", [this, r, i, &m](HttpFetched answer) {
    if (answer.error || answer.status != 200) {
      return failed(m.monitor + "/varz: " + (answer.error ? answer.error.message() : "HTTP " + std::to_string(answer.status)));
    }
    ServerName name = read_server_name(answer.body);
    if (!name.error.empty()) return failed(m.monitor + "/varz: " + name.error);
    r->names.push_back(std::move(name.name));
    learn_names(r, i + 1);
  });
}

void SessionStoreKeeper::ask_leaders(std::shared_ptr<Round> r, std::size_t node) {
  const BrokerSettings::NatsMonitor& m = *r->nodes[node];
  fetch_(m.monitor, "/jsz?acc=" + settings_.account + "&streams=true", [this, r, node, &m](HttpFetched answer) {
    if (answer.error || answer.status != 200) {
      return failed(m.monitor + "/jsz: " + (answer.error ? answer.error.message() : "HTTP " + std::to_string(answer.status)));
    }
    StreamLeaders found = read_mqtt_stream_leaders(answer.body, settings_.account);
    if (!found.error.empty()) return failed(m.monitor + "/jsz: " + found.error);
    // Only the leader's answer says which replicas it hears from: ask its node when it is
    // another of parkd's (a round's first answer comes from the first of them).
    const std::string& session_leader = found.leader_of.at(std::string(kNatsSessionStream));
    const auto leaders_node = std::find(r->names.begin(), r->names.end(), session_leader);
    if (!session_leader.empty() && leaders_node != r->names.end() && r->names[node] != session_leader &&
        !r->asked_the_leader) {
      r->asked_the_leader = true;
      return ask_leaders(r, static_cast<std::size_t>(leaders_node - r->names.begin()));
    }
    if (!last_failure_.empty()) {
      Log::info("broker", "the NATS monitors say again which node leads {}", kNatsSessionStream);
      last_failure_.clear();
    }
    std::map<std::string, StreamFigures> streams;
    for (const auto& [stream, leader] : found.leader_of) {
      StreamFigures& f = streams[stream];
      f.leader = leader;
      const auto here = std::find(r->names.begin(), r->names.end(), leader);
      f.leader_on_parkds_node = !leader.empty() && here != r->names.end();
      if (stream != kNatsSessionStream) continue;
      if (!f.leader_on_parkds_node) {
        if (!leader.empty()) stepdowns_in_a_row_ = 0;
        continue;
      }
      // The leader's node answered (asked above), so the replicas are as the leader hears them;
      // unless the leadership moved between the round's two answers: the next round sees.
      const auto leader_at = static_cast<std::size_t>(here - r->names.begin());
      if (leader_at != node) continue;
      consider_step_down(*r, leader_at, found.replicas_of[stream], f);
    }
    {
      std::lock_guard lock(figures_mutex_);
      ++figures_.checks;
      for (auto& [stream, f] : streams) {
        const StreamFigures& before = figures_.streams[stream];
        f.stepdowns += before.stepdowns;
        f.held_replicas_out_of_touch += before.held_replicas_out_of_touch;
        f.held_session_subscribing += before.held_session_subscribing;
        figures_.streams[stream] = f;
      }
    }
    schedule();
  });
}

void SessionStoreKeeper::consider_step_down(const Round& r, std::size_t node, const OtherReplicas& replicas,
                                            StreamFigures& f) {
  const std::string& leader = r.names[node];
  const std::string& broker = r.nodes[node]->broker;
  // A majority of the stream's replicas (the leader's among them) must remain once parkd's node
  // is gone, or no other node could lead the stream then anyway.
  const std::size_t majority = (replicas.count + 1) / 2 + 1;
  if (replicas.in_touch < majority) {
    ++f.held_replicas_out_of_touch;
    return say_held(fmt::format(
        "{} (at {}), which parkd is connected to, leads the NATS stream {}, but only {} of its {} other replicas "
        "are in touch with it: without that node the others could not elect a leader, so it is left where it is",
        leader, broker, kNatsSessionStream, replicas.in_touch, replicas.count));
  }
  if (r.subscribing[node]) {
    ++f.held_session_subscribing;
    return say_held(fmt::format("{} (at {}) leads the NATS stream {}: a session of parkd's there is subscribing, "
                                "which a step-down now would fail; asked once it is online",
                                leader, broker, kNatsSessionStream));
  }
  const auto now = settings_.now();
  if (last_stepdown_ && now - *last_stepdown_ < gap_after(stepdowns_in_a_row_)) return;
  if (!send_(broker, step_down_topic(kNatsSessionStream))) return;
  last_held_.clear();
  last_stepdown_ = now;
  ++stepdowns_in_a_row_;
  f.stepdowns = 1;
  Log::info("broker",
            "{} (at {}), which parkd is connected to, leads the NATS stream {}: asked it to step down, so that "
            "losing that node does not hold parkd's reconnection for an election",
            leader, broker, kNatsSessionStream);
  if (stepdowns_in_a_row_ == 3) {
    Log::warn("broker",
              "the leadership of {} keeps coming back to parkd's nodes: other parkd processes on the other nodes "
              "hand it back? Give every parkd of the cluster the same broker order; step-downs now at most every {} s",
              kNatsSessionStream, std::chrono::duration_cast<std::chrono::seconds>(gap_after(stepdowns_in_a_row_)).count());
  }
}

void SessionStoreKeeper::say_held(const std::string& why) {
  if (why == last_held_) return;
  Log::info("broker", "{}", why);
  last_held_ = why;
}

std::chrono::milliseconds SessionStoreKeeper::gap_after(int stepdowns_in_a_row) const {
  if (stepdowns_in_a_row <= 0) return settings_.min_gap;
  const auto doubled = settings_.min_gap * (std::int64_t{1} << std::min(stepdowns_in_a_row - 1, 16));
  return std::min<std::chrono::milliseconds>(doubled, settings_.max_gap);
}

void SessionStoreKeeper::failed(const std::string& why) {
  if (why != last_failure_) {
    Log::warn("broker", "cannot tell which NATS node leads {}: {}", kNatsSessionStream, why);
    last_failure_ = why;
  }
  {
    std::lock_guard lock(figures_mutex_);
    ++figures_.checks_failed;
  }
  schedule();
}

}  // namespace parkd
