// Token buckets per device: bursts, sustained rates, and a bounded memory of devices.
#include "sensors/device_throttle.h"

#include <gtest/gtest.h>

#include <string>

namespace parkd {
namespace {

TEST(DeviceThrottle, ABurstPassesThenTheRateHolds) {
  DeviceThrottle t(ThrottleLimits{5, 20});
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += t.admit("xj5/sensor-A01", 0) ? 1 : 0;
  EXPECT_EQ(admitted, 20);
  EXPECT_TRUE(t.admit("xj5/sensor-A02", 0));  // another device has its own bucket
  admitted = 0;
  for (std::int64_t ms = 0; ms < 10'000; ms += 10) admitted += t.admit("xj5/sensor-A01", ms) ? 1 : 0;
  EXPECT_NEAR(admitted, 50, 1);  // 5 per second for 10 seconds
  EXPECT_EQ(t.dropped(), 80u + (1'000u - static_cast<unsigned>(admitted)));
}

// "d" and the number, appended: GCC 12 at -O3 warns falsely (-Wrestrict) on "d" + std::string.
std::string device(int i) {
  std::string id = "d";
  id += std::to_string(i);
  return id;
}

TEST(DeviceThrottle, NewDevicesBeyondTheCapShareOneBucket) {
  DeviceThrottle t(ThrottleLimits{1, 3}, 10);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(t.admit(device(i), 0));
  int admitted = 0;
  for (int i = 10; i < 1'000; ++i) admitted += t.admit(device(i), 0) ? 1 : 0;
  EXPECT_EQ(admitted, 3);  // the overflow bucket's burst
  EXPECT_EQ(t.devices(), 10u);
}

}  // namespace
}  // namespace parkd
