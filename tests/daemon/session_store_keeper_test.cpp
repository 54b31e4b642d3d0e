// SessionStoreKeeper with monitors answered by the test: a step-down of the session stream
// only when one of parkd's nodes leads it, at most once per gap (doubling while the leadership
// keeps coming back), never of the other streams, and nothing asked while parkd is not connected.
#include "daemon/session_store_keeper.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace parkd {
namespace {

using namespace std::chrono_literals;

const std::string kA = "tcp://127.0.0.1:4101";  // n1's MQTT
const std::string kB = "tcp://127.0.0.1:4102";  // n2's

// A replica of the session stream as its leader reports it: heard from `active_ms` ago.
std::string replica(const std::string& name, bool current, long long active_ms) {
  return R"({"name": ")" + name + R"(", "current": )" + (current ? "true" : "false") +
         R"(, "active": )" + std::to_string(active_ms * 1'000'000) + "}";
}

// The answer of any node: the session stream led by `sessions`, with `replicas` besides the
// answering node (by default: both others in touch, as a healthy three-node cluster's leader says).
std::string jsz(const std::string& sessions, const std::string& messages = "n3",
                const std::string& replicas = replica("nx", true, 200) + ", " + replica("ny", true, 400)) {
  return R"({"account_details": [{"name": "$G", "stream_detail": [{"name": "$MQTT_sess", "cluster": {"leader": ")" +
         sessions + R"(", "replicas": [)" + replicas + R"(]}}, {"name": "$MQTT_msgs", "cluster": {"leader": ")" + messages +
         R"("}}, {"name": "$MQTT_rmsgs", "cluster": {"leader": ")" + messages + R"("}}]}]})";
}

class SessionStoreKeeperTest : public ::testing::Test {
 protected:
  SessionStoreKeeperTest() {
    settings.monitors = {{kA, "http://127.0.0.1:8101"}, {kB, "http://127.0.0.1:8102"}};
    settings.interval = 1h;  // rounds only when the test asks (check_soon)
    settings.now = [this] { return now; };
  }

  SessionStoreKeeper& keeper() {
    if (!keeper_) {
      keeper_ = std::make_unique<SessionStoreKeeper>(
          settings, io.get_executor(), [this] { return connected; },
          [this](const std::string& broker, const std::string& topic) {
            sent.push_back(broker + " " + topic);
            return true;
          },
          [this](const std::string& monitor, const std::string& target, std::function<void(HttpFetched)> done) {
            asked.push_back(monitor + target);
            if (during_fetch) std::exchange(during_fetch, {})();
            HttpFetched answer;
            if (monitor_down) {
              answer.error = boost::asio::error::connection_refused;
            } else if (target == "/varz") {
              answer.status = 200;
              answer.body = monitor == "http://127.0.0.1:8101" ? R"({"server_name": "n1"})" : R"({"server_name": "n2"})";
            } else {
              answer.status = 200;
              answer.body = leaders_by_monitor.contains(monitor) ? leaders_by_monitor.at(monitor) : leaders;
            }
            boost::asio::post(io, [done = std::move(done), answer = std::move(answer)] { done(answer); });
          });
    }
    return *keeper_;
  }
  // One round, to its end.
  void check() {
    keeper().check_soon();
    io.restart();
    while (io.poll() > 0) {  // the round's steps are posted one after the other; the next round is an hour away
    }
  }

  boost::asio::io_context io;
  SessionStoreKeeper::Settings settings;
  std::chrono::steady_clock::time_point now{};
  std::vector<SessionStoreKeeper::Connection> connected = {kA};
  std::string leaders = jsz("n2");
  std::map<std::string, std::string> leaders_by_monitor;  // where a node answers otherwise than `leaders`
  bool monitor_down = false;
  std::function<void()> during_fetch;  // once, as the next request goes out (a round under way)
  std::vector<std::string> asked;
  std::vector<std::string> sent;

 private:
  std::unique_ptr<SessionStoreKeeper> keeper_;
};

TEST_F(SessionStoreKeeperTest, ALeaderOnAnotherNodeIsLeftWhereItIs) {
  check();
  EXPECT_EQ(asked, (std::vector<std::string>{"http://127.0.0.1:8101/varz", "http://127.0.0.1:8101/jsz?acc=$G&streams=true"}));
  EXPECT_TRUE(sent.empty());
  const auto f = keeper().figures();
  EXPECT_EQ(f.checks, 1u);
  EXPECT_EQ(f.streams.at("$MQTT_sess").leader, "n2");
  EXPECT_FALSE(f.streams.at("$MQTT_sess").leader_on_parkds_node);
}

TEST_F(SessionStoreKeeperTest, TheSessionStreamLedFromParkdsNodeIsAskedToStepDownThroughThatNode) {
  leaders = jsz("n1");
  check();
  EXPECT_EQ(sent, (std::vector<std::string>{kA + " $JS/API/STREAM/LEADER/STEPDOWN/$MQTT_sess"}));
  const auto f = keeper().figures();
  EXPECT_EQ(f.streams.at("$MQTT_sess").stepdowns, 1u);
  EXPECT_TRUE(f.streams.at("$MQTT_sess").leader_on_parkds_node);
}

TEST_F(SessionStoreKeeperTest, AnyNodeParkdIsOnCountsAndEachIsNamedByItsOwnMonitor) {
  connected = {kA, kB, kA};  // three lots' sessions, two nodes
  // n1 reports the replicas as a follower does (long unheard of); n2, the leader, hears from both.
  leaders = jsz("n2", "n3", replica("n2", true, 300) + ", " + replica("n3", false, 89'000));
  leaders_by_monitor["http://127.0.0.1:8102"] = jsz("n2");
  check();
  EXPECT_EQ(asked, (std::vector<std::string>{"http://127.0.0.1:8101/varz", "http://127.0.0.1:8102/varz",
                                             "http://127.0.0.1:8101/jsz?acc=$G&streams=true",
                                             "http://127.0.0.1:8102/jsz?acc=$G&streams=true"}))
      << "the leader's node asked which replicas it hears from";
  EXPECT_EQ(sent, (std::vector<std::string>{kB + " $JS/API/STREAM/LEADER/STEPDOWN/$MQTT_sess"}));
}

TEST_F(SessionStoreKeeperTest, ALeaderWhoseOtherReplicasCouldNotElectAnotherWithoutItIsLeftThere) {
  // A node of three died a few seconds ago: nats-server still says it is current, but the leader
  // has not heard from it for 4 s. A step-down would gain nothing: without parkd's node, the one
  // replica left could not lead alone.
  leaders = jsz("n1", "n3", replica("n2", true, 400) + ", " + replica("n3", true, 4'000));
  check();
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(keeper().figures().streams.at("$MQTT_sess").held_replicas_out_of_touch, 1u);
  leaders = jsz("n1", "n3", replica("n2", true, 400) + ", " + replica("n3", false, 14'000));  // later: not current
  check();
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(keeper().figures().streams.at("$MQTT_sess").held_replicas_out_of_touch, 2u);
  // A stream of one replica has nowhere to go.
  leaders = jsz("n1", "n3", "");
  check();
  EXPECT_TRUE(sent.empty());
  // Back in touch: asked.
  leaders = jsz("n1", "n3", replica("n2", true, 400) + ", " + replica("n3", true, 900));
  check();
  EXPECT_EQ(sent, (std::vector<std::string>{kA + " $JS/API/STREAM/LEADER/STEPDOWN/$MQTT_sess"}));
  // Five replicas with one silent: the three others still make a majority without parkd's node.
  leaders = jsz("n1", "n3",
                replica("n2", true, 100) + ", " + replica("n3", true, 100) + ", " + replica("n4", true, 100) + ", " +
                    replica("n5", true, 60'000));
  now += 10s;
  check();
  EXPECT_EQ(sent.size(), 2u);
}

TEST_F(SessionStoreKeeperTest, NoStepDownWhileASessionOnTheLeadersNodeIsSubscribing) {
  // Its SUBSCRIBE waits on that leader; a step-down under it fails it, and the node drops the
  // connection. Once the session is online, the round it asks for steps the leader down.
  leaders = jsz("n1");
  connected = {{kA, true}, {kA, false}};  // two lots on n1, the second still subscribing
  check();
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(keeper().figures().streams.at("$MQTT_sess").held_session_subscribing, 1u);
  connected = {{kA, true}, {kB, false}};  // one subscribing elsewhere holds nothing here
  check();
  EXPECT_EQ(sent, (std::vector<std::string>{kA + " $JS/API/STREAM/LEADER/STEPDOWN/$MQTT_sess"}));
}

TEST_F(SessionStoreKeeperTest, ASessionComingOnlineDuringARoundGetsARoundOfItsOwnAtItsEnd) {
  // The round under way saw the session subscribing and holds the step-down; the session's
  // check_soon() comes meanwhile. Without a round at the end, the next would be an hour away here.
  leaders = jsz("n1");
  connected = {{kA, false}};
  during_fetch = [this] {
    connected = {{kA, true}};
    keeper().check_soon();
  };
  check();
  EXPECT_EQ(keeper().figures().streams.at("$MQTT_sess").held_session_subscribing, 1u);
  EXPECT_EQ(sent, (std::vector<std::string>{kA + " $JS/API/STREAM/LEADER/STEPDOWN/$MQTT_sess"}));
  EXPECT_EQ(keeper().figures().checks, 2u);
}

TEST_F(SessionStoreKeeperTest, TheMessageStreamsAreReportedButNeverSteppedDown) {
  // A step-down of those loses the stores in flight, and the node drops their publishers.
  leaders = jsz("n2", "n1");
  check();
  EXPECT_TRUE(sent.empty());
  const auto f = keeper().figures();
  EXPECT_TRUE(f.streams.at("$MQTT_msgs").leader_on_parkds_node);
  EXPECT_TRUE(f.streams.at("$MQTT_rmsgs").leader_on_parkds_node);
  EXPECT_EQ(f.streams.at("$MQTT_msgs").stepdowns, 0u);
}

TEST_F(SessionStoreKeeperTest, StepDownsAreSpacedAndTheGapDoublesWhileTheLeadershipKeepsComingBack) {
  leaders = jsz("n1");
  check();
  ASSERT_EQ(sent.size(), 1u);
  now += 9s;
  check();
  EXPECT_EQ(sent.size(), 1u) << "within the first gap (10 s)";
  now += 1s;
  check();
  EXPECT_EQ(sent.size(), 2u) << "after 10 s";
  now += 19s;
  check();
  EXPECT_EQ(sent.size(), 2u) << "the second in a row: 20 s";
  now += 1s;
  check();
  EXPECT_EQ(sent.size(), 3u);
  leaders = jsz("n2");  // it stayed away for a check: back to the first gap
  now += 1s;
  check();
  leaders = jsz("n1");
  now += 8s;  // 9 s after the last step-down
  check();
  EXPECT_EQ(sent.size(), 3u);
  now += 1s;
  check();
  EXPECT_EQ(sent.size(), 4u);
  EXPECT_EQ(keeper().figures().streams.at("$MQTT_sess").stepdowns, 4u);
}

TEST_F(SessionStoreKeeperTest, NothingIsAskedWhileParkdIsNotConnectedOrOnABrokerWithoutAMonitor) {
  connected = {};
  check();
  connected = {{"tcp://127.0.0.1:4199", true}};
  check();
  EXPECT_TRUE(asked.empty());
  EXPECT_EQ(keeper().figures().checks, 0u);
  EXPECT_EQ(keeper().figures().checks_failed, 0u);
}

TEST_F(SessionStoreKeeperTest, AMonitorThatDoesNotAnswerIsCountedAndTheNextRoundTriesAgain) {
  leaders = jsz("n1");
  monitor_down = true;
  check();
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(keeper().figures().checks_failed, 1u);
  monitor_down = false;
  check();
  EXPECT_EQ(sent.size(), 1u);
  EXPECT_EQ(keeper().figures().checks, 1u);
}

TEST_F(SessionStoreKeeperTest, AnotherAccountIsAskedForByItsName) {
  settings.account = "district-7";
  leaders = R"({"account_details": [{"name": "district-7", "stream_detail": [{"name": "$MQTT_sess", "cluster": {"leader": "n1", "replicas": [)" +
            replica("n2", true, 100) + ", " + replica("n3", true, 100) + "]}}]}]}";
  check();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[1], "http://127.0.0.1:8101/jsz?acc=district-7&streams=true");
  EXPECT_EQ(sent.size(), 1u);
}

}  // namespace
}  // namespace parkd
