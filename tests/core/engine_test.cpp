// The engine across lots: routing, one wake-up schedule for all, independence of lots.
#include "core/engine.h"

#include <gtest/gtest.h>

#include <set>

#include "support/test_lots.h"

namespace parkd {
namespace {

std::vector<Lot> two_lots() {
  std::vector<Lot> lots;
  lots.push_back(test::small_lot("east-court"));
  LotSpec other = test::small_lot_spec("west-court");
  other.timing.debounce_ms = 5'000;
  other.timing.frame_interval_ms = 0;
  lots.push_back(std::move(*Lot::build(other).lot));
  return lots;
}

TEST(Engine, HoldsSeveralLotsWithTheirOwnRules) {
  test::RecordingSink sink;
  Engine engine(two_lots(), sink);
  const TimeMs t = test::kNoonShanghai;
  ASSERT_EQ(engine.lot_count(), 2u);
  const std::size_t east = *engine.find_lot("east-court");
  const std::size_t west = *engine.find_lot("west-court");

  engine.on_sensor_report(test::reading("east-court", "s-N1", "N1", false, 1), t);
  engine.on_sensor_report(test::reading("west-court", "s-N1", "N1", false, 1), t);
  engine.on_sensor_report(test::reading("east-court", "s-N1", "N1", true, 2), t);
  engine.on_sensor_report(test::reading("west-court", "s-N1", "N1", true, 2), t);
  EXPECT_GE(sink.frames.size(), 2u);  // the first event puts a frame on every sign at once
  engine.advance(t + 2'000);
  EXPECT_EQ(engine.occupancy(east).state(0), SpaceState::Occupied);
  EXPECT_EQ(engine.occupancy(west).state(0), SpaceState::Free);  // 5 s debounce there
  engine.advance(t + 5'000);
  EXPECT_EQ(engine.occupancy(west).state(0), SpaceState::Occupied);

  std::set<std::string> lots_with_frames;
  for (const auto& f : sink.frames) lots_with_frames.insert(f.lot_id);
  EXPECT_EQ(lots_with_frames, (std::set<std::string>{"east-court", "west-court"}));
}

TEST(Engine, AJumpFiresEveryWakeUpInsideItInOrder) {
  test::RecordingSink sink;
  Engine engine(two_lots(), sink);
  const TimeMs t = test::kNoonShanghai;
  engine.on_sensor_report(test::reading("east-court", "s-N1", "N1", false, 1), t);
  engine.on_sensor_report(test::reading("east-court", "s-N1", "N1", true, 2), t + 100);   // due t+2100
  engine.on_sensor_report(test::reading("west-court", "s-N2", "N2", false, 1), t + 200);
  engine.on_sensor_report(test::reading("west-court", "s-N2", "N2", true, 2), t + 300);   // due t+5300
  sink.changes.clear();
  engine.advance(t + 400'000);  // past both debounces and both sensors' silence
  ASSERT_EQ(sink.changes.size(), 4u);
  EXPECT_EQ(sink.changes[0].at, t + 2'100);
  EXPECT_EQ(sink.changes[0].to, SpaceState::Occupied);
  EXPECT_EQ(sink.changes[1].at, t + 5'300);
  EXPECT_EQ(sink.changes[2].at, t + 100 + 180'000);  // east N1 went silent
  EXPECT_EQ(sink.changes[2].to, SpaceState::Unknown);
  EXPECT_EQ(sink.changes[3].at, t + 300 + 180'000);
}

TEST(Engine, NextWakeIsNeverWhenNothingIsPendingButTheReserveSwitch) {
  test::RecordingSink sink;
  Engine engine(two_lots(), sink);
  engine.advance(test::kNoonShanghai);
  // Only the evening switch of the visitor reserve remains: 18:00 Shanghai.
  EXPECT_EQ(engine.next_wake(), test::kNoonShanghai + 6 * 3'600'000);
}

}  // namespace
}  // namespace parkd
