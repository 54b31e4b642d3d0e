// Local-time arithmetic for the night reserve.
#include "core/time_ms.h"

#include <gtest/gtest.h>

#include "support/test_lots.h"

namespace parkd {
namespace {

TEST(TimeMs, LocalMinuteOfDayUsesTheOffset) {
  EXPECT_EQ(local_minute_of_day(test::kNoonShanghai, 480), 12 * 60);
  EXPECT_EQ(local_minute_of_day(test::kNoonShanghai, 0), 4 * 60);
  EXPECT_EQ(local_minute_of_day(test::kNightShanghai, 480), 22 * 60);
  EXPECT_EQ(local_minute_of_day(-1, 0), 24 * 60 - 1);  // one ms before the epoch is 23:59
}

TEST(TimeMs, NextLocalMinuteIsStrictlyLater) {
  const TimeMs six_pm = test::kNoonShanghai + 6 * 3'600'000;
  EXPECT_EQ(next_local_minute(test::kNoonShanghai, 18 * 60, 480), six_pm);
  // At 18:00 exactly, the next 18:00 is tomorrow's.
  EXPECT_EQ(next_local_minute(six_pm, 18 * 60, 480), six_pm + kMsPerDay);
  // 07:00 after 22:00 is the next morning.
  EXPECT_EQ(next_local_minute(test::kNightShanghai, 7 * 60, 480), test::kNightShanghai + 9 * 3'600'000);
}

TEST(TimeMs, WindowsMayWrapMidnight) {
  EXPECT_TRUE(in_local_window(23 * 60, 18 * 60, 7 * 60));
  EXPECT_TRUE(in_local_window(0, 18 * 60, 7 * 60));
  EXPECT_TRUE(in_local_window(18 * 60, 18 * 60, 7 * 60));
  EXPECT_FALSE(in_local_window(7 * 60, 18 * 60, 7 * 60));
  EXPECT_FALSE(in_local_window(12 * 60, 18 * 60, 7 * 60));
  EXPECT_TRUE(in_local_window(10 * 60, 9 * 60, 17 * 60));
  EXPECT_FALSE(in_local_window(10 * 60, 9 * 60, 9 * 60));
}

}  // namespace
}  // namespace parkd
