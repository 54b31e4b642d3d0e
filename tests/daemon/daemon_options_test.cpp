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
  EXPECT_EQ(p.options->broker_uri, "tcp://127.0.0.1:1999");
  EXPECT_TRUE(p.options->sim_clock);
  EXPECT_TRUE(p.options->check_config);
}

TEST(DaemonOptions, RejectsWhatItDoesNotKnow) {
  EXPECT_EQ(parse_daemon_options({"--frobnicate"}).error, "unknown argument '--frobnicate'");
  EXPECT_EQ(parse_daemon_options({"--config"}).error, "--config needs a file");
  EXPECT_EQ(parse_daemon_options({"--broker", "--sim-clock"}).error,
            "--broker needs a URI such as tcp://127.0.0.1:1883");
  EXPECT_NE(parse_daemon_options({"--broker", "127.0.0.1:1883"}).error.find("is not a tcp://"), std::string::npos);
}

}  // namespace
}  // namespace parkd
