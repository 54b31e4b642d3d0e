// parksim's drivers at the barriers: how far the play may run ahead of undecided gate events.
#include "parksim/barrier_wait.h"

#include <gtest/gtest.h>

namespace parkd::sim {
namespace {

using namespace std::chrono_literals;

const BarrierWait::WallClock::time_point t0{};
bool online(const std::string&) { return true; }

TEST(BarrierWait, NothingSentLimitsNothing) {
  BarrierWait w(30'000, 2s);
  EXPECT_EQ(w.limit(t0, online), kNever);
  EXPECT_TRUE(w.empty());
}

TEST(BarrierWait, TheOldestUndecidedEventHoldsThePlayUntilItsDecision) {
  BarrierWait w(30'000, 2s);
  w.sent({"xj5", "north", 7}, 1'000'000, t0);
  w.sent({"xj5", "south", 3}, 1'020'000, t0);
  EXPECT_EQ(w.limit(t0 + 10ms, online), 1'030'000);
  EXPECT_EQ(w.decided({"xj5", "north", 7}, 1'010'000), 1'000'000);
  EXPECT_EQ(w.limit(t0 + 10ms, online), 1'050'000);
  w.decided({"xj5", "south", 3}, 1'045'000);
  EXPECT_EQ(w.limit(t0 + 10ms, online), kNever);
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.lags(), (std::vector<TimeMs>{10'000, 25'000}));
  EXPECT_EQ(w.decided({"xj5", "south", 3}, 2'000'000), std::nullopt);  // published again: seen once already
  EXPECT_EQ(w.lags().size(), 2u);
}

TEST(BarrierWait, AnEventOfALotWhoseParkdIsOfflineIsNotWaitedFor) {
  BarrierWait w(30'000, 2s);
  w.sent({"xj5", "north", 7}, 1'000'000, t0);
  w.sent({"xj6", "north", 1}, 2'000'000, t0);
  EXPECT_EQ(w.limit(t0, [](const std::string& lot) { return lot != "xj5"; }), 2'030'000);
  EXPECT_EQ(w.limit(t0, [](const std::string&) { return false; }), kNever);
  // Online again before the patience ran out: waited for again.
  EXPECT_EQ(w.limit(t0 + 1s, online), 1'030'000);
}

TEST(BarrierWait, AfterItsPatienceAnEventIsNoLongerWaitedForButStaysUndecided) {
  BarrierWait w(30'000, 2s);
  w.sent({"xj5", "north", 7}, 1'000'000, t0);
  w.sent({"xj5", "north", 8}, 1'100'000, t0 + 1s);
  EXPECT_EQ(w.limit(t0 + 1999ms, online), 1'030'000);
  EXPECT_EQ(w.limit(t0 + 2s, online), 1'130'000);
  EXPECT_EQ(w.limit(t0 + 3s, online), kNever);
  EXPECT_EQ(w.limit(t0, online), kNever) << "given up for good";
  EXPECT_FALSE(w.empty());
  EXPECT_EQ(w.undecided("xj5"), 2u);
  EXPECT_EQ(w.undecided("xj6"), 0u);
  w.decided({"xj5", "north", 7}, 9'000'000);  // a late decision still counts
  EXPECT_EQ(w.undecided("xj5"), 1u);
  EXPECT_EQ(w.lags(), std::vector<TimeMs>{8'000'000});
}

}  // namespace
}  // namespace parkd::sim
