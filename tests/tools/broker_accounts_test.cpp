// Accounts and ACL derived from the lot: every device has its own account, limited to its topics.
#include "broker_accounts.h"

#include <gtest/gtest.h>

#include "config/config_loader.h"

namespace parkd {
namespace {

const std::vector<Lot>& xj5() {
  static const LoadedConfig config = *load_config_file(std::string(PARKD_SOURCE_DIR) + "/config/parkd.textproto").config;
  return config.lots;
}

TEST(BrokerAccounts, OneAccountPerDeviceAndParkd) {
  const auto accounts = broker_accounts(xj5(), {});
  // parkd, 185 sensors, 2 cameras, 2 barriers, 2 signs; no simulator unless asked.
  EXPECT_EQ(accounts.size(), 1u + 185u + 2u + 2u + 2u);
  EXPECT_EQ(accounts.front().username, "parkd");
  EXPECT_EQ(broker_accounts(xj5(), {"parkd", true}).back().username, "parksim");
}

TEST(BrokerAccounts, TheAclGrantsEachOnlyItsOwnTopics) {
  const std::string acl = mosquitto_acl(broker_accounts(xj5(), {}));
  EXPECT_NE(acl.find("user xj5-sensor-A01\ntopic write parking/xj5/sensors/sensor-A01/report\n\n"), std::string::npos) << acl;
  EXPECT_NE(acl.find("user xj5-camera-north\ntopic write parking/xj5/gates/north/event\n"), std::string::npos);
  EXPECT_NE(acl.find("user xj5-barrier-north\ntopic read parking/xj5/gates/north/decision\n"), std::string::npos);
  EXPECT_NE(acl.find("user xj5-sign-east\ntopic read parking/xj5/displays/east/frame\n"), std::string::npos);
  EXPECT_NE(acl.find("user parkd\ntopic read parking/xj5/sensors/+/report\ntopic read parking/xj5/gates/+/event\n"
                     "topic readwrite parking/xj5/engine/status\ntopic readwrite parking/xj5/engine/tick\n"
                     "topic readwrite parking/xj5/sensors/parkd-probe/probe\ntopic readwrite parking/xj5/gates/parkd-probe/event\n"
                     "topic readwrite parking/xj5/alerts/+\n"
                     "topic write parking/xj5/gates/+/decision\ntopic write parking/xj5/displays/+/frame\n"),
            std::string::npos)
      << acl;
  EXPECT_EQ(acl.find("parking/sim/clock"), std::string::npos);  // no simulated clock in production
  EXPECT_EQ(acl.find("#\n"), std::string::npos);                 // no account may use everything
}

}  // namespace
}  // namespace parkd
