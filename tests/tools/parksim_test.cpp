// parksim end to end on two real Mosquitto brokers (a cluster's nodes, as parksim sees them):
// the first that answers, failover to the other when it goes, and the run played to its end.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "parking/v1/messages.pb.h"
#include "support/mqtt_probe.h"
#include "support/processes.h"

namespace parkd {
namespace {

using namespace std::chrono_literals;

// How often `what` is in `text`.
std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// parkd on xj5 with --sim-clock on `brokers`, until it says online on `status_uri` (subscribed
// before parksim's first SimClock).
void start_parkd_online(test::ChildProcess& parkd, const std::filesystem::path& dir, const std::string& brokers,
                        const std::string& status_uri, int http_port) {
  parkd.start({(test::binary_dir() / "bin/parkd").string(), "--config", (test::source_dir() / "config/parkd.textproto").string(),
               "--broker", brokers, "--db", (dir / "parkd.db").string(), "--http", "127.0.0.1:" + std::to_string(http_port),
               "--sim-clock"},
              dir / "parkd.log");
  ASSERT_TRUE(test::wait_for_port(http_port, 10s)) << test::read_file(dir / "parkd.log");
  test::MqttProbe status(status_uri, "status");
  status.subscribe("parking/xj5/engine/status");
  ASSERT_TRUE(status.wait_for([](const test::Received& r) {
    parking::v1::EngineStatus s;
    return s.ParseFromString(r.payload) && s.online();
  }, 15s)) << test::read_file(dir / "parkd.log");
}

TEST(Parksim, WithSeveralBrokersItTakesTheFirstThatAnswersAndFailsOverWhenItIsLost) {
  test::TempDir dir;
  test::Broker first(dir.path() / "first");
  test::Broker second(dir.path() / "second");
  second.start();  // the first of the list is down at the start
  const std::string brokers = first.uri() + "," + second.uri();
  const int http_port = test::free_loopback_port();
  test::ChildProcess parkd;
  start_parkd_online(parkd, dir.path(), brokers, second.uri(), http_port);
  if (HasFatalFailure()) return;

  test::ChildProcess parksim;
  const auto out = dir.path() / "parksim.out";
  parksim.start({(test::binary_dir() / "bin/parksim").string(), "--config",
                 (test::source_dir() / "config/parkd.textproto").string(), "--broker", brokers, "--speed", "1200", "--days", "0.15",
                 "--truth", (dir.path() / "truth.txt").string()},
                out);
  const auto output = [&] { return test::read_file(out); };
  const auto deadline = std::chrono::steady_clock::now() + test::scaled(15s);
  while (output().find("connected to " + second.uri()) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(output().find("parksim: connected to " + second.uri()), std::string::npos) << output();
  std::this_thread::sleep_for(2s);  // playing on the second broker
  ASSERT_TRUE(parksim.running()) << output();
  first.start();
  second.stop();

  const int code = parksim.wait(test::scaled(120s));
  const std::string said = output();
  EXPECT_EQ(code, 0) << said;
  EXPECT_NE(said.find("parksim: lost the broker; trying " + first.uri() + ", " + second.uri() + " from the first"),
            std::string::npos) << said;
  EXPECT_EQ(occurrences(said, "parksim: connected to " + first.uri()), 1u) << said;
  EXPECT_NE(said.find("parksim: played 0.15 simulated days"), std::string::npos) << said;
  // It began once parkd had taken its first SimClock (a sign frame made at that time).
  EXPECT_EQ(said.find("no sign frame at the first SimClock"), std::string::npos) << said;
  // parkd, on the same list, followed: its clock reached the last SimClock parksim sent, which
  // went out after the failover.
  const std::string truth = test::read_file(dir.path() / "truth.txt");
  const auto clock_at = truth.find("clock ");
  ASSERT_NE(clock_at, std::string::npos) << truth;
  const std::string last_clock = truth.substr(clock_at + 6, truth.find('\n', clock_at) - clock_at - 6);
  std::string status;
  const auto settled = std::chrono::steady_clock::now() + test::scaled(15s);
  while (std::chrono::steady_clock::now() < settled) {
    status = test::http_get(http_port, "/v1/status").body;
    if (status.find("\"now_ms\":\"" + last_clock + "\"") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(status.find("\"now_ms\":\"" + last_clock + "\""), std::string::npos)
      << status << test::read_file(dir.path() / "parkd.log");
  EXPECT_EQ(parkd.stop(), 0);
}

// A SUBACK that refuses (0x80: an ACL, a NATS node that could not make the consumer in time) is
// not a subscription: parksim says so and asks again each second until the broker grants it.
TEST(Parksim, ASubscriptionTheBrokerRefusesIsAskedForAgainUntilGranted) {
  test::TempDir dir;
  test::RefusingBroker broker(dir.path() / "broker", "parking/xj5/gates/+/decision");
  broker.start();
  const int http_port = test::free_loopback_port();
  test::ChildProcess parkd;
  start_parkd_online(parkd, dir.path(), broker.uri(), broker.uri(), http_port);
  if (HasFatalFailure()) return;
  test::ChildProcess parksim;
  const auto out = dir.path() / "parksim.out";
  parksim.start({(test::binary_dir() / "bin/parksim").string(), "--config",
                 (test::source_dir() / "config/parkd.textproto").string(), "--broker", broker.uri(), "--speed", "600",
                 "--days", "0.05"},
                out);
  const auto output = [&] { return test::read_file(out); };
  const std::string refusal = "parksim: the broker refused the subscription to parking/xj5/gates/+/decision; asking again in 1 s";
  const auto deadline = std::chrono::steady_clock::now() + test::scaled(15s);
  while (occurrences(output(), refusal) < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_GE(occurrences(output(), refusal), 2u) << output();

  broker.grant();  // the plugin disconnects parksim; it connects again and is granted
  const int code = parksim.wait(test::scaled(120s));
  const std::string said = output();
  EXPECT_EQ(code, 0) << said;
  EXPECT_NE(said.find("parksim: played 0.05 simulated days"), std::string::npos) << said;
  const std::size_t refused = occurrences(said, refusal);
  // Still playing after the grant: no refusal after its reconnection.
  const auto reconnected = said.rfind("parksim: connected to " + broker.uri());
  ASSERT_NE(reconnected, std::string::npos) << said;
  EXPECT_EQ(said.find(refusal, reconnected), std::string::npos) << said;
  EXPECT_GE(refused, 2u);
  EXPECT_EQ(parkd.stop(), 0);
}

}  // namespace
}  // namespace parkd
