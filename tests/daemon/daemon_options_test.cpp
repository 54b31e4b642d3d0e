// parkd's command line: defaults, flags and clear errors.
#include "daemon/daemon_options.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

TEST(DaemonOptions, DefaultsToTheShippedConfiguration) {
  const auto p = parse_daemon_options({});
  ASSERT_TRUE(p.options);
  EXPECT_EQ(p.options->config_path, "config/parkd.textproto");
  EXPECT_FALSE(p.options->config_given);
  EXPECT_FALSE(p.options->sim_clock);
}

TEST(DaemonOptions, ReadsEveryFlag) {
  const auto p = parse_daemon_options({"--config", "x.textproto", "--broker", "tcp://127.0.0.1:1999", "--sim-clock",
                                       "--check-config"});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->config_path, "x.textproto");
  EXPECT_EQ(p.options->broker_uris, (std::vector<std::string>{"tcp://127.0.0.1:1999"}));
  EXPECT_TRUE(p.options->sim_clock);
  EXPECT_TRUE(p.options->check_config);
}

TEST(DaemonOptions, RejectsWhatItDoesNotKnow) {
  EXPECT_EQ(parse_daemon_options({"--frobnicate"}).error, "unknown argument '--frobnicate'");
  EXPECT_EQ(parse_daemon_options({"--config"}).error, "--config needs a file");
  EXPECT_EQ(parse_daemon_options({"--broker", "--sim-clock"}).error,
            "--broker needs a URI such as tcp://127.0.0.1:1883");
  EXPECT_NE(parse_daemon_options({"--broker", "127.0.0.1:1883"}).error.find("is not a tcp://"), std::string::npos);
  EXPECT_EQ(parse_daemon_options({"--broker", "tcp://127.0.0.1:1,"}).error,
            "--broker: an empty broker URI in 'tcp://127.0.0.1:1,'");
}

TEST(DaemonOptions, BrokerTakesAListInTheOrderToTryThem) {
  const auto p = parse_daemon_options({"--broker", "tcp://127.0.0.1:4222, tcp://127.0.0.1:4223,tcp://127.0.0.1:4224"});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->broker_uris,
            (std::vector<std::string>{"tcp://127.0.0.1:4222", "tcp://127.0.0.1:4223", "tcp://127.0.0.1:4224"}));
}

}  // namespace
}  // namespace parkd

#include "daemon/http_server.h"

namespace parkd {
namespace {

TEST(DaemonOptions, HttpAndDbTakeTheirValues) {
  const auto p = parse_daemon_options({"--db", "/tmp/x.db", "--http", "127.0.0.1:9000"});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->db_path, "/tmp/x.db");
  EXPECT_EQ(p.options->http_listen, "127.0.0.1:9000");
  EXPECT_EQ(parse_daemon_options({"--http"}).error, "--http needs HOST:PORT, such as 127.0.0.1:8080");
}

TEST(ListenAddress, ParsesLoopbackAddressesAndRejectsTheRest) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:8080").port(), 8080);
  EXPECT_TRUE(parse_listen_address("localhost:1").address().is_loopback());
  EXPECT_TRUE(parse_listen_address("[::1]:8080").address().is_v6());
  EXPECT_THROW(parse_listen_address("8080"), std::runtime_error);
  EXPECT_THROW(parse_listen_address("example:80"), std::runtime_error);
  EXPECT_THROW(parse_listen_address("127.0.0.1:99999"), std::runtime_error);
  EXPECT_THROW(parse_listen_address("127.0.0.1:http"), std::runtime_error);
}

}  // namespace
}  // namespace parkd
