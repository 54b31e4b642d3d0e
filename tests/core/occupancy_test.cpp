// The sensor rules of the spec: ordering, debounce, staleness, battery, closures and counts.
#include "core/occupancy.h"

#include <gtest/gtest.h>

#include "core/engine.h"
#include "support/test_lots.h"

namespace parkd {
namespace {

class OccupancyTest : public ::testing::Test {
 protected:
  ReportOutcome report(std::string_view sensor, std::string_view space, bool occupied, std::uint64_t seq,
                       std::uint32_t boot = 1, std::uint32_t battery = 3000) {
    return engine.on_sensor_report(test::reading("tiny", sensor, space, occupied, seq, boot, battery), t);
  }
  void at(TimeMs when) {
    t = when;
    engine.advance(t);
  }
  SpaceState state(std::string_view space) const {
    return occ().state(*engine.lot(0).find_space(space));
  }
  const Occupancy& occ() const { return engine.occupancy(0); }

  test::RecordingSink sink;
  Engine engine{test::small_lots(), sink};
  TimeMs t = test::kNoonShanghai;
};

TEST_F(OccupancyTest, EverySpaceStartsUnknownAndNoneCountsAsFree) {
  EXPECT_EQ(occ().lot_counts()[SpaceState::Unknown], 7u);
  EXPECT_EQ(occ().lot_counts().free(), 0u);
}

TEST_F(OccupancyTest, FirstReportCountsAtOnce) {
  EXPECT_EQ(report("s-N1", "N1", false, 1), ReportOutcome::Accepted);
  EXPECT_EQ(state("N1"), SpaceState::Free);
  EXPECT_EQ(occ().zone_counts(0).free(), 1u);
  ASSERT_EQ(sink.changes.size(), 1u);
  EXPECT_EQ(sink.changes[0].from, SpaceState::Unknown);
  EXPECT_EQ(sink.changes[0].to, SpaceState::Free);
}

TEST_F(OccupancyTest, ChangeTakesEffectOnlyAfterTheDebounceWindow) {
  report("s-N1", "N1", false, 1);
  at(t + 1'000);  // the signs have shown it; nothing else is pending
  const TimeMs changed_at = t;
  report("s-N1", "N1", true, 2);
  EXPECT_EQ(state("N1"), SpaceState::Free);
  EXPECT_TRUE(occ().sensor_status(0).change_pending);
  EXPECT_EQ(engine.next_wake(), changed_at + 2'000);
  at(changed_at + 1'999);
  EXPECT_EQ(state("N1"), SpaceState::Free);
  at(changed_at + 2'000);
  EXPECT_EQ(state("N1"), SpaceState::Occupied);
  EXPECT_EQ(sink.changes.back().at, changed_at + 2'000);
}

TEST_F(OccupancyTest, RevertInsideTheWindowCancelsTheChange) {
  report("s-N1", "N1", false, 1);
  report("s-N1", "N1", true, 2);
  at(t + 1'000);
  report("s-N1", "N1", false, 3);  // the car only manoeuvred
  at(t + 5'000);
  EXPECT_EQ(state("N1"), SpaceState::Free);
  EXPECT_EQ(sink.changes.size(), 1u);  // only unknown -> free
}

TEST_F(OccupancyTest, ARepeatedReportDoesNotRestartTheWindow) {
  report("s-N1", "N1", false, 1);
  report("s-N1", "N1", true, 2);
  at(t + 1'500);
  report("s-N1", "N1", true, 3);
  at(test::kNoonShanghai + 2'000);
  EXPECT_EQ(state("N1"), SpaceState::Occupied);
}

TEST_F(OccupancyTest, DuplicatesAndLateReportsAreIgnoredAndCounted) {
  report("s-N1", "N1", false, 5);
  EXPECT_EQ(report("s-N1", "N1", true, 5), ReportOutcome::Duplicate);
  EXPECT_EQ(report("s-N1", "N1", true, 4), ReportOutcome::OutOfOrder);
  at(t + 10'000);
  EXPECT_EQ(state("N1"), SpaceState::Free);
  EXPECT_EQ(engine.report_counters()[ReportOutcome::Duplicate], 1u);
  EXPECT_EQ(engine.report_counters()[ReportOutcome::OutOfOrder], 1u);
  EXPECT_EQ(engine.report_counters()[ReportOutcome::Accepted], 1u);
}

TEST_F(OccupancyTest, ANewBootStartsANewSequenceAndTheOldBootIsLate) {
  report("s-N1", "N1", false, 900, /*boot=*/7);
  EXPECT_EQ(report("s-N1", "N1", false, 1, /*boot=*/8), ReportOutcome::Accepted);
  EXPECT_EQ(occ().sensor_status(0).boot_id, 8u);
  EXPECT_EQ(report("s-N1", "N1", true, 901, /*boot=*/7), ReportOutcome::OutOfOrder);
  EXPECT_EQ(report("s-N1", "N1", true, 2, /*boot=*/8), ReportOutcome::Accepted);
}

TEST_F(OccupancyTest, UnknownSensorAndWrongSpaceAreRejectedWithoutChange) {
  EXPECT_EQ(report("s-Z9", "N1", true, 1), ReportOutcome::UnknownSensor);
  EXPECT_EQ(report("s-N1", "N2", true, 1), ReportOutcome::SpaceMismatch);
  EXPECT_EQ(engine.on_sensor_report(test::reading("elsewhere", "s-N1", "N1", true, 1), t), ReportOutcome::UnknownLot);
  EXPECT_EQ(state("N1"), SpaceState::Unknown);
  EXPECT_EQ(state("N2"), SpaceState::Unknown);
  EXPECT_TRUE(sink.changes.empty());
  EXPECT_EQ(engine.report_counters()[ReportOutcome::UnknownSensor], 1u);
  EXPECT_EQ(engine.report_counters()[ReportOutcome::SpaceMismatch], 1u);
  EXPECT_EQ(engine.report_counters()[ReportOutcome::UnknownLot], 1u);
}

TEST_F(OccupancyTest, SilenceMakesASpaceUnknownUntilItsSensorReportsAgain) {
  report("s-N1", "N1", true, 1);
  report("s-N2", "N2", false, 1);
  at(t + 60'000);
  report("s-N2", "N2", false, 2);  // heartbeat keeps N2 alive
  at(test::kNoonShanghai + 180'000 - 1);
  EXPECT_EQ(state("N1"), SpaceState::Occupied);
  at(test::kNoonShanghai + 180'000);
  EXPECT_EQ(state("N1"), SpaceState::Unknown);
  EXPECT_EQ(state("N2"), SpaceState::Free);
  EXPECT_TRUE(occ().sensor_status(0).stale);
  EXPECT_EQ(occ().stale_sensors(), 1u);
  report("s-N1", "N1", false, 2);
  EXPECT_EQ(state("N1"), SpaceState::Free);  // back at once, no debounce from unknown
  EXPECT_EQ(occ().stale_sensors(), 0u);
}

TEST_F(OccupancyTest, LowBatteryIsFlaggedAndClearedAndUnknownKeepsTheLastValue) {
  report("s-N1", "N1", false, 1, 1, 2'400);
  EXPECT_TRUE(occ().sensor_status(0).low_battery);
  EXPECT_EQ(occ().low_battery_sensors(), 1u);
  report("s-N1", "N1", false, 2, 1, 0);  // 0 = not measured
  EXPECT_TRUE(occ().sensor_status(0).low_battery);
  report("s-N1", "N1", false, 3, 1, 3'100);  // battery replaced
  EXPECT_FALSE(occ().sensor_status(0).low_battery);
  EXPECT_EQ(occ().low_battery_sensors(), 0u);
  EXPECT_EQ(occ().sensor_status(0).battery_mv, 3'100u);
}

TEST_F(OccupancyTest, AClosedSpaceNeverCountsAsFree) {
  report("s-N1", "N1", false, 1);
  EXPECT_EQ(engine.close_space("tiny", "N1", t), SpaceCommandOutcome::Done);
  EXPECT_EQ(state("N1"), SpaceState::Closed);
  EXPECT_EQ(occ().lot_counts().free(), 0u);
  EXPECT_EQ(engine.close_space("tiny", "N1", t), SpaceCommandOutcome::AlreadyThere);
  report("s-N1", "N1", true, 2);
  at(t + 3'000);
  EXPECT_EQ(state("N1"), SpaceState::Closed);
  report("s-N1", "N1", false, 3);
  at(t + 3'000);
  EXPECT_EQ(engine.open_space("tiny", "N1", t), SpaceCommandOutcome::Done);
  EXPECT_EQ(state("N1"), SpaceState::Free);
  EXPECT_EQ(engine.open_space("tiny", "N9", t), SpaceCommandOutcome::UnknownSpace);
  EXPECT_EQ(engine.open_space("nope", "N1", t), SpaceCommandOutcome::UnknownLot);
}

TEST_F(OccupancyTest, CountsFollowEveryTransition) {
  report("s-N1", "N1", false, 1);
  report("s-N2", "N2", true, 1);
  report("s-S1", "S1", false, 1);
  const StateCounts& lot = occ().lot_counts();
  EXPECT_EQ(lot.free(), 2u);
  EXPECT_EQ(lot[SpaceState::Occupied], 1u);
  EXPECT_EQ(lot[SpaceState::Unknown], 4u);
  EXPECT_EQ(lot.total(), 7u);
  EXPECT_EQ(occ().zone_counts(0).free(), 1u);
  EXPECT_EQ(occ().zone_counts(1).free(), 1u);
}

TEST_F(OccupancyTest, TimeNeverRunsBackwards) {
  report("s-N1", "N1", false, 1);
  at(t + 1'000);
  report("s-N1", "N1", true, 2);
  const TimeMs due = engine.next_wake();
  engine.advance(t - 60'000);  // a clock that jumps back is held at the latest time
  EXPECT_EQ(engine.now(), t);
  EXPECT_EQ(engine.next_wake(), due);
}

}  // namespace
}  // namespace parkd

namespace parkd {
namespace {

TEST_F(OccupancyTest, RestoredStatesCountAtOnceAndWaitForTheirSensors) {
  EXPECT_EQ(engine.restore_space("tiny", "N1", SpaceState::Occupied, t), SpaceCommandOutcome::Done);
  EXPECT_EQ(engine.restore_space("tiny", "N2", SpaceState::Free, t), SpaceCommandOutcome::Done);
  EXPECT_EQ(engine.restore_space("tiny", "N3", SpaceState::Closed, t), SpaceCommandOutcome::Done);
  EXPECT_EQ(engine.restore_space("tiny", "N4", SpaceState::Unknown, t), SpaceCommandOutcome::AlreadyThere);
  EXPECT_EQ(engine.restore_space("tiny", "Q1", SpaceState::Free, t), SpaceCommandOutcome::UnknownSpace);
  EXPECT_EQ(state("N1"), SpaceState::Occupied);
  EXPECT_EQ(state("N2"), SpaceState::Free);
  EXPECT_EQ(state("N3"), SpaceState::Closed);
  EXPECT_EQ(state("N4"), SpaceState::Unknown);
  // The sensor's next report is taken whatever its boot and sequence; a confirmed state stays.
  EXPECT_EQ(report("s-N1", "N1", true, 1, /*boot=*/99), ReportOutcome::Accepted);
  at(t + 179'000);
  report("s-N1", "N1", true, 2, 99);
  // N2's sensor never spoke again: after stale_after the restored state is no longer trusted.
  at(test::kNoonShanghai + 180'000);
  EXPECT_EQ(state("N2"), SpaceState::Unknown);
  EXPECT_EQ(state("N1"), SpaceState::Occupied);
  EXPECT_EQ(state("N3"), SpaceState::Closed);  // an operator's closure survives the restart
}

}  // namespace
}  // namespace parkd
