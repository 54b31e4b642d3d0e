// CameraClocks: an event's lateness against its own camera's usual offset, whatever that
// camera's clock says; a backlog of any length stays late; a clock set back is learnt again.
#include "core/camera_clocks.h"

#include <gtest/gtest.h>

namespace parkd {
namespace camera_clocks_test {  // named, not anonymous: unity builds put several tests in one file

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs t0 = 1'793'592'000'000;  // parkd's time of the first event

TEST(CameraClocks, ACameraMinutesOffIsOnTimeWhenItsEventsComeAtOnce) {
  CameraClocks clocks;
  const TimeMs off = -7 * kMinute;  // the camera's clock is 7 minutes behind parkd's
  for (int i = 0; i < 10; ++i) {
    const TimeMs at = t0 + i * kMinute;
    EXPECT_EQ(clocks.observe("x", "north", at + off, at + 40 * (i % 3)).late_by, 0) << i;  // 0-80 ms of network
  }
}

TEST(CameraClocks, WhatWaitedThroughAnOutageIsLateByItsWaitAndABacklogDoesNotMoveTheClock) {
  CameraClocks clocks;
  const TimeMs off = 3 * kMinute;  // ahead of parkd's
  clocks.observe("x", "north", t0 + off, t0 + 20);
  clocks.observe("x", "north", t0 + kMinute + off, t0 + kMinute + 10);
  // parkd away from t0 + 2 min to t0 + 60 min: 100 events kept, decided together at the restart.
  const TimeMs restart = t0 + 60 * kMinute;
  for (int i = 0; i < 100; ++i) {
    const TimeMs came = t0 + 2 * kMinute + i * 20'000;  // every 20 s
    EXPECT_EQ(clocks.observe("x", "north", came + off, restart + i).late_by, restart + i - came - 10) << i;
  }
  // Live again: on time, and the offset is still the one of before.
  EXPECT_EQ(clocks.observe("x", "north", restart + kMinute + off, restart + kMinute + 15).late_by, 0);
  EXPECT_EQ(clocks.observe("x", "north", restart + 2 * kMinute + off, restart + 2 * kMinute + 70'010).late_by,
            70'000);
}

TEST(CameraClocks, AMinuteOfQueueingIsNotLate) {
  CameraClocks clocks;
  clocks.observe("x", "north", t0, t0);
  EXPECT_EQ(clocks.observe("x", "north", t0 + kMinute, t0 + 2 * kMinute).late_by, 0) << "60 s: the driver may still wait";
  EXPECT_EQ(clocks.observe("x", "north", t0 + 3 * kMinute, t0 + 4 * kMinute + 1).late_by, kMinute + 1);
}

TEST(CameraClocks, EachGateHasItsOwnClockAndAGateWithoutSamplesJudgesNothingLate) {
  CameraClocks clocks;
  clocks.observe("x", "north", t0, t0);
  EXPECT_EQ(clocks.observe("x", "east", t0 - 30 * kMinute, t0 + 10).late_by, 0) << "east's first: nothing to judge by";
  EXPECT_EQ(clocks.observe("x", "east", t0 - 29 * kMinute, t0 + kMinute + 10).late_by, 0) << "east is 30 min behind";
  EXPECT_EQ(clocks.observe("y", "north", t0 - 30 * kMinute, t0 + 10).late_by, 0) << "another lot's gate of the same name";
  EXPECT_EQ(clocks.observe("x", "north", t0 + kMinute, t0 + 31 * kMinute + 20).late_by, 30 * kMinute + 20);
  EXPECT_EQ(clocks.observe("x", "north", 0, t0 + 20).late_by, 0) << "no camera time";
}

TEST(CameraClocks, ACameraWhoseClockWasSetBackIsLearntAgainAfterTenMinutesOfLateEvents) {
  CameraClocks clocks;
  for (int i = 0; i < 5; ++i) clocks.observe("x", "north", t0 + i * kMinute, t0 + i * kMinute);
  const TimeMs back = 20 * kMinute;  // from now on the camera says 20 minutes earlier, an event a minute
  TimeMs t = t0 + 5 * kMinute;
  for (; t - back <= t0 + 4 * kMinute; t += kMinute) {
    const CameraClocks::Judgement j = clocks.observe("x", "north", t - back, t);
    EXPECT_EQ(j.late_by, 0) << "before the camera's last time: not judged";
    EXPECT_EQ(j.came_at, t);
  }
  const TimeMs first_late = t;
  for (; t < first_late + 10 * kMinute; t += kMinute) {
    const CameraClocks::Judgement j = clocks.observe("x", "north", t - back, t);
    EXPECT_EQ(j.late_by, back) << (t - t0) / kMinute;
    EXPECT_EQ(j.came_at, first_late - kMinute) << "never before the gate's last event judged on time";
  }
  EXPECT_EQ(clocks.observe("x", "north", t - back, t).late_by, 0) << "ten minutes of nothing but late: the clock moved";
  EXPECT_EQ(clocks.clocks_moved(), 1u);
  EXPECT_EQ(clocks.observe("x", "north", t + kMinute - back, t + kMinute + 30).late_by, 0);
}

// A camera whose clock stands still (or went back to 1970 at a reboot) says nothing: its events
// are on time, so a visitor's stay is never taken back by a broken clock.
TEST(CameraClocks, ACameraTimeNotAfterTheGatesLastIsNotJudged) {
  CameraClocks clocks;
  clocks.observe("x", "north", 1, t0);
  const CameraClocks::Judgement frozen = clocks.observe("x", "north", 1, t0 + 3 * 60 * kMinute);
  EXPECT_EQ(frozen.late_by, 0);
  EXPECT_EQ(frozen.came_at, t0 + 3 * 60 * kMinute);
  clocks.observe("x", "north", t0, t0 + 4 * 60 * kMinute);  // a real clock again: after 1, a sample
  EXPECT_EQ(clocks.observe("x", "north", t0 - kMinute, t0 + 5 * 60 * kMinute).late_by, 0) << "older than the last";
  EXPECT_EQ(clocks.observe("x", "north", t0 + kMinute, t0 + 4 * 60 * kMinute + kMinute + 10).late_by, 0);
}

TEST(CameraClocks, TheOffsetIsTheSmallestOfTheLastSamples) {
  CameraClocks clocks;
  clocks.observe("x", "north", t0, t0);  // the fastest ever: 0 ms
  for (std::size_t i = 1; i <= CameraClocks::kSamples; ++i) {
    const TimeMs at = t0 + static_cast<TimeMs>(i) * kMinute;
    clocks.observe("x", "north", at, at + 30'000);  // 30 s each: within kLate
  }
  // The 0 ms sample has gone: 30 s is the offset now, so 30 s + 61 s is 61 s late.
  const TimeMs at = t0 + 100 * kMinute;
  EXPECT_EQ(clocks.observe("x", "north", at, at + 91'000).late_by, 61'000);
}

}  // namespace camera_clocks_test
}  // namespace parkd
