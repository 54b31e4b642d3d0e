// Allocation: nearest zones, holds and how they end, the night reserve, special spaces.
#include "core/allocation.h"

#include <gtest/gtest.h>

#include <set>

#include "core/engine.h"
#include "support/test_lots.h"

namespace parkd {
namespace {

std::vector<Lot> lots_with_kinds() {
  LotSpec spec = test::small_lot_spec();
  spec.zones[0].spaces[0].kind = SpaceKind::Accessible;  // N1
  spec.zones[0].spaces[1].kind = SpaceKind::EvCharging;  // N2
  std::vector<Lot> lots;
  lots.push_back(std::move(*Lot::build(spec).lot));
  return lots;
}

class AllocationTest : public ::testing::Test {
 protected:
  void SetUp() override { all_free(); }
  void report(std::string_view sensor, std::string_view space, bool occupied) {
    engine.on_sensor_report(test::reading("tiny", sensor, space, occupied, ++seq), t);
  }
  void all_free() {
    for (auto [sensor, space] : kSpaces) report(sensor, space, false);
  }
  Allocation resident(std::string_view plate, std::string_view building, SpaceNeed need = SpaceNeed::Ordinary) {
    return engine.allocate(AllocationRequest{"tiny", "g", plate, true, building, need}, t);
  }
  Allocation visitor(std::string_view plate) {
    return engine.allocate(AllocationRequest{"tiny", "g", plate, false, "", SpaceNeed::Ordinary}, t);
  }
  SpaceState state(std::string_view space) const {
    return engine.occupancy(0).state(*engine.lot(0).find_space(space));
  }

  static constexpr std::pair<const char*, const char*> kSpaces[] = {
      {"s-N1", "N1"}, {"s-N2", "N2"}, {"s-N3", "N3"}, {"s-N4", "N4"}, {"s-S1", "S1"}, {"s-S2", "S2"}, {"s-S3", "S3"}};
  test::RecordingSink sink;
  Engine engine{lots_with_kinds(), sink};
  TimeMs t = test::kNoonShanghai;
  std::uint64_t seq = 0;
};

TEST_F(AllocationTest, AResidentGoesToItsBuildingsNearestZoneAndTheSpaceIsHeld) {
  const Allocation a = resident("沪A12345", "b1");
  ASSERT_EQ(a.status, AllocationStatus::Assigned);
  EXPECT_EQ(a.zone_id, "N");
  EXPECT_EQ(a.space_id, "N3");  // N1 is accessible, N2 is EV charging: ordinary first
  EXPECT_EQ(a.held_until, t + 300'000);
  EXPECT_EQ(state("N3"), SpaceState::Held);
  EXPECT_EQ(engine.occupancy(0).lot_counts().free(), 6u);
}

TEST_F(AllocationTest, NeverOneSpaceToTwoCars) {
  std::set<std::string> given;
  for (int i = 0; i < 5; ++i) {
    const Allocation a = resident("沪A1000" + std::to_string(i), "b2");
    ASSERT_EQ(a.status, AllocationStatus::Assigned) << i;
    EXPECT_TRUE(given.insert(a.space_id).second) << a.space_id << " given twice";
  }
  // b2 prefers S (3 spaces), then any zone: N3, N4 (ordinary) before the EV space.
  EXPECT_EQ(given, (std::set<std::string>{"S1", "S2", "S3", "N3", "N4"}));
  EXPECT_EQ(resident("沪A20000", "b2").space_id, "N2");  // EV space only when nothing else
  EXPECT_EQ(resident("沪A20001", "b2").status, AllocationStatus::LotFull);  // N1 is accessible only
}

TEST_F(AllocationTest, ACarThatAlreadyHoldsASpaceKeepsIt) {
  const Allocation first = resident("沪A12345", "b1");
  const Allocation again = resident("沪A12345", "b1");
  EXPECT_EQ(again.space_id, first.space_id);
  EXPECT_EQ(engine.occupancy(0).lot_counts()[SpaceState::Held], 1u);
}

TEST_F(AllocationTest, AccessibleSpacesGoToCarsThatNeedThem) {
  EXPECT_EQ(resident("沪A12345", "b1", SpaceNeed::Accessible).space_id, "N1");
  EXPECT_EQ(resident("沪B12345", "b1", SpaceNeed::EvCharging).space_id, "N2");
}

TEST_F(AllocationTest, AnElectricCarGetsAChargerAZoneFurtherAway) {
  // Issue #17 case 4. b2's nearest zone is S (ordinary only); the charger is N2. Release 1 sent
  // an electric car from b2 to S1.
  EXPECT_EQ(resident("沪AD12345", "b2", SpaceNeed::EvCharging).space_id, "N2");
}

TEST_F(AllocationTest, OtherCarsAvoidChargersWhileOrdinarySpacesRemainAndNeverTakeAccessibleOnes) {
  // b1 looks in N first: N1 is accessible (never for it), N2 the charger: so N3, N4, then S.
  // Release 1 gave the charger N2 before S1.
  for (const char* want : {"N3", "N4", "S1", "S2", "S3"}) {
    EXPECT_EQ(resident(std::string("沪A1") + want, "b1").space_id, want);
  }
  EXPECT_EQ(resident("沪A19999", "b1").space_id, "N2") << "the charger only once nothing ordinary is left";
  EXPECT_EQ(resident("沪A19998", "b1").status, AllocationStatus::LotFull) << "the accessible space is not for it";
  EXPECT_EQ(resident("沪A19997", "b1", SpaceNeed::Accessible).space_id, "N1");
}

TEST_F(AllocationTest, AHoldEndsWhenItsCarParksThere) {
  const Allocation a = resident("沪A12345", "b2");
  ASSERT_EQ(a.space_id, "S1");
  report("s-S1", "S1", true);
  t += 2'000;
  engine.advance(t);
  EXPECT_EQ(state("S1"), SpaceState::Occupied);
  EXPECT_FALSE(engine.occupancy(0).hold_info(*engine.lot(0).find_space("S1")));
  report("s-S1", "S1", false);  // the car leaves again: the space is free, not held
  t += 2'000;
  engine.advance(t);
  EXPECT_EQ(state("S1"), SpaceState::Free);
}

TEST_F(AllocationTest, AHoldExpires) {
  resident("沪A12345", "b2");
  // Keep the sensors alive while the hold runs out.
  for (int minute = 1; minute <= 5; ++minute) {
    t = test::kNoonShanghai + minute * 60'000;
    all_free();
    engine.advance(t);
  }
  EXPECT_EQ(state("S1"), SpaceState::Free);
  EXPECT_EQ(engine.occupancy(0).lot_counts()[SpaceState::Held], 0u);
}

TEST_F(AllocationTest, ACarParkedElsewhereInTheZoneEndsTheOldestHoldThere) {
  const Allocation first = resident("沪A11111", "b2");   // S1
  const Allocation second = resident("沪A22222", "b2");  // S2
  ASSERT_EQ(first.space_id, "S1");
  ASSERT_EQ(second.space_id, "S2");
  report("s-S3", "S3", true);  // someone parks on S3 instead
  t += 2'000;
  engine.advance(t);
  EXPECT_EQ(state("S3"), SpaceState::Occupied);
  EXPECT_EQ(state("S1"), SpaceState::Free);  // the oldest hold ended
  EXPECT_EQ(state("S2"), SpaceState::Held);
}

TEST_F(AllocationTest, VisitorsGoToTheZonesNearestTheGate) {
  const Allocation a = visitor("苏E12345");
  ASSERT_EQ(a.status, AllocationStatus::Assigned);
  EXPECT_EQ(a.zone_id, "S");
}

TEST_F(AllocationTest, AtNightAVisitorIsRefusedWhenTheReserveWouldBeBroken) {
  t = test::kNightShanghai;
  all_free();
  // 7 free, but one is the accessible space, kept for those who need it: 6 anybody may take;
  // reserve 2: four visitors fit, the fifth would leave only 1 for residents. (Release 1 counted
  // the accessible space in the reserve and let a fifth in.)
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(visitor("苏E1000" + std::to_string(i)).status, AllocationStatus::Assigned) << i;
  }
  EXPECT_EQ(visitor("苏E20000").status, AllocationStatus::ReserveForResidents);
  EXPECT_EQ(resident("沪A12345", "b1").status, AllocationStatus::Assigned);  // residents still get in
}

TEST_F(AllocationTest, ByDayVisitorsMayTakeTheLastSpace) {
  for (int i = 0; i < 5; ++i) visitor("苏E1000" + std::to_string(i));
  EXPECT_EQ(visitor("苏E20000").status, AllocationStatus::Assigned);  // the EV space
  EXPECT_EQ(visitor("苏E20001").status, AllocationStatus::LotFull);   // only the accessible one is left
}

TEST_F(AllocationTest, UnknownLotAndGateAreReported) {
  EXPECT_EQ(engine.allocate(AllocationRequest{"nope", "g", "沪A12345", true, "b1", SpaceNeed::Ordinary}, t).status,
            AllocationStatus::UnknownLot);
  EXPECT_EQ(engine.allocate(AllocationRequest{"tiny", "west", "沪A12345", true, "b1", SpaceNeed::Ordinary}, t).status,
            AllocationStatus::UnknownGate);
}

TEST_F(AllocationTest, AResidentWithAnUnknownBuildingIsSentLikeAVisitor) {
  EXPECT_EQ(resident("沪A12345", "no-such-building").zone_id, "S");
}

}  // namespace
}  // namespace parkd
