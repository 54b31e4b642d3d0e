// DrainPacer: when the engine's strand holds the queue of arrivals, judged on time given by the test.
#include "daemon/drain_pacer.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

using namespace std::chrono_literals;
using Clock = DrainPacer::Clock;

// Takes `per_take` messages every `every` for `how_long` from `from`; returns the time after.
Clock::time_point feed(DrainPacer& pacer, Clock::time_point from, std::chrono::microseconds every, std::size_t per_take,
                       std::chrono::milliseconds how_long) {
  Clock::time_point t = from;
  for (; t < from + how_long; t += every) pacer.taken(per_take, t);
  return t;
}

// Held drains of `per_take` messages every 2 ms from `t` (moved on) until holding ends; at most 1,000.
int held_drains_until_let_go(DrainPacer& pacer, Clock::time_point& t, std::size_t per_take) {
  int drains = 0;
  while (pacer.holding() && drains < 1000) {
    pacer.taken(per_take, t);
    t += 2ms;
    ++drains;
  }
  return drains;
}

TEST(DrainPacer, QuietTrafficIsNeverHeld) {
  DrainPacer pacer({5'000, 2ms});
  const Clock::time_point t0{};
  feed(pacer, t0, 1ms, 1, 1'000ms);  // 1,000/s, each arrival its own take
  EXPECT_FALSE(pacer.holding());
  EXPECT_EQ(pacer.holds_started(), 0u);
  EXPECT_EQ(pacer.held_drains(), 0u);
}

TEST(DrainPacer, AStreamAboveTheThresholdIsHeldAfterOnePeriod) {
  DrainPacer pacer({5'000, 2ms});
  Clock::time_point t{};
  // 10,000/s: two messages at each take, one take every 200 us.
  t = feed(pacer, t, 200us, 2, DrainPacer::kPeriod - 1ms);
  EXPECT_FALSE(pacer.holding()) << "judged only once a period has passed";
  t = feed(pacer, t, 200us, 2, 2ms);
  EXPECT_TRUE(pacer.holding());
  EXPECT_EQ(pacer.holds_started(), 1u);
  EXPECT_EQ(pacer.window(), 2ms);
  // Held: one take per window, with everything that came in it.
  const std::uint64_t held_before = pacer.held_drains();
  feed(pacer, t, 2ms, 20, 100ms);
  EXPECT_TRUE(pacer.holding());
  EXPECT_EQ(pacer.holds_started(), 1u);
  EXPECT_EQ(pacer.held_drains() - held_before, 50u);
}

TEST(DrainPacer, HoldingEndsOnlyBelowHalfTheThreshold) {
  DrainPacer pacer({5'000, 2ms});
  Clock::time_point t = feed(pacer, Clock::time_point{}, 2ms, 20, 2 * DrainPacer::kPeriod);  // 10,000/s
  ASSERT_TRUE(pacer.holding());
  t = feed(pacer, t, 2ms, 6, 5 * DrainPacer::kPeriod);  // 3,000/s: under the threshold, over half of it
  EXPECT_TRUE(pacer.holding());
  t = feed(pacer, t, 2ms, 4, 3 * DrainPacer::kPeriod);  // 2,000/s
  EXPECT_FALSE(pacer.holding());
  // And back above it: held again, counted as a second start.
  feed(pacer, t, 200us, 2, 3 * DrainPacer::kPeriod);
  EXPECT_TRUE(pacer.holding());
  EXPECT_EQ(pacer.holds_started(), 2u);
}

TEST(DrainPacer, AStreamThatStopsIsLetGoAfterTwoEmptyDrains) {
  DrainPacer pacer({5'000, 2ms});
  Clock::time_point t = feed(pacer, Clock::time_point{}, 2ms, 40, 2 * DrainPacer::kPeriod);
  ASSERT_TRUE(pacer.holding());
  // Not the rest of the period in progress: two windows without a message are enough.
  EXPECT_EQ(held_drains_until_let_go(pacer, t, 0), 2);
  EXPECT_FALSE(pacer.holding());
}

TEST(DrainPacer, AStreamThatSlowsToALotsPaceIsLetGoWithinTwoWindows) {
  DrainPacer pacer({5'000, 2ms});
  Clock::time_point t = feed(pacer, Clock::time_point{}, 2ms, 40, 2 * DrainPacer::kPeriod);  // 20,000/s
  ASSERT_TRUE(pacer.holding());
  // 1,000/s, a report a millisecond: two in each held window.
  EXPECT_EQ(held_drains_until_let_go(pacer, t, 2), 2);
  EXPECT_FALSE(pacer.holding());
  // Then taken up as it comes: a report each time, never held again at this pace.
  feed(pacer, t, 1ms, 1, 10 * DrainPacer::kPeriod);
  EXPECT_FALSE(pacer.holding());
  EXPECT_EQ(pacer.holds_started(), 1u);
}

TEST(DrainPacer, AFewThinWindowsOfAFastStreamDoNotLetItGo) {
  DrainPacer pacer({5'000, 2ms});
  Clock::time_point t = feed(pacer, Clock::time_point{}, 2ms, 20, 2 * DrainPacer::kPeriod);  // 10,000/s
  ASSERT_TRUE(pacer.holding());
  // One window nearly empty (Paho's thread held up), the next with its backlog: 21 in 4 ms.
  pacer.taken(1, t);
  pacer.taken(20, t + 2ms);
  pacer.taken(20, t + 4ms);
  EXPECT_TRUE(pacer.holding());
  // Two windows of 2 in a row (1,000/s): 4 in 4 ms, under a quarter of the threshold's 20: let go.
  pacer.taken(2, t + 6ms);
  pacer.taken(2, t + 8ms);
  EXPECT_FALSE(pacer.holding());
}

TEST(DrainPacer, ALongSilenceDoesNotCountAsPartOfTheNextBurst) {
  DrainPacer pacer({5'000, 2ms});
  Clock::time_point t{};
  pacer.taken(1, t);
  t += 10s;
  // The first take after the silence closes the old period (a low rate) and starts a new one.
  t = feed(pacer, t, 100us, 1, DrainPacer::kPeriod + 2ms);  // 10,000/s
  EXPECT_TRUE(pacer.holding());
}

TEST(DrainPacer, AStallsBacklogHandedOverAtOnceIsNotLoad) {
  DrainPacer pacer({5'000, 2ms});
  Clock::time_point t = feed(pacer, Clock::time_point{}, 1ms, 1, 200ms);  // 1,000/s
  // Paho's thread was held up for 60 ms: sixty reports at once, then the stream as before.
  pacer.taken(60, t);
  feed(pacer, t + 1ms, 1ms, 1, 200ms);
  EXPECT_EQ(pacer.holds_started(), 0u);
}

TEST(DrainPacer, AThresholdOfZeroNeverHolds) {
  DrainPacer pacer({0, 2ms});
  feed(pacer, Clock::time_point{}, 10us, 100, 100ms);  // 10 M/s
  EXPECT_FALSE(pacer.holding());
}

}  // namespace
}  // namespace parkd
