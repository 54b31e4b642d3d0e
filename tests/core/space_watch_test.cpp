// The rules that find spaces that lie, through the engine: strikes of guided cars that parked
// elsewhere, a space free all night in a full lot, a car that never moves, a flapping sensor;
// the suspect state they put a space in, and how each alert ends. Time is handed in.
#include "core/space_watch.h"

#include <gtest/gtest.h>

#include <map>

#include "core/engine.h"
#include "support/test_lots.h"

namespace parkd {
namespace space_watch_test {  // named, not anonymous: unity builds put several tests in one file

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kHour = 60 * kMinute;
constexpr TimeMs kDay = 24 * kHour;

LotSpec watched_spec(bool night_rule = false) {
  LotSpec spec = test::small_lot_spec("tiny");
  if (night_rule) spec.alert_rules.night_free_ms = 3 * 3'600'000;
  spec.timing.debounce_ms = 0;                       // a report's change counts at once
  spec.timing.stale_after_ms = 40u * 86'400'000u;    // sensors stay known across the days these tests span
  return spec;
}

// One lot (N1..N4, S1..S3; the gate sends cars to S first) and what the engine tells its sink.
struct Rig {
  explicit Rig(LotSpec spec = watched_spec()) : engine(lots(std::move(spec)), sink) {}
  static std::vector<Lot> lots(LotSpec spec) {
    std::vector<Lot> out;
    out.push_back(std::move(*Lot::build(spec).lot));
    return out;
  }
  void report(const std::string& space, bool occupied, TimeMs at) {
    const std::string sensor = "s-" + space;
    engine.on_sensor_report(test::reading("tiny", sensor, space, occupied, ++seq[space]), at);
  }
  void all_free(TimeMs at) {
    for (const char* s : {"N1", "N2", "N3", "N4", "S1", "S2", "S3"}) report(s, false, at);
  }
  std::string guide(const std::string& plate, TimeMs at) {
    const Allocation a = engine.allocate(AllocationRequest{"tiny", "g", plate, true, "b2", SpaceNeed::Ordinary}, at);
    return a.status == AllocationStatus::Assigned ? a.space_id : std::string();
  }
  // A car guided to the gate's first choice parks on `instead`, then leaves it again later.
  void parks_elsewhere(const std::string& plate, const std::string& instead, TimeMs at) {
    guide(plate, at);
    report(instead, true, at + kMinute);
    report(instead, false, at + 2 * kHour);
  }
  SpaceState state(const std::string& space) const {
    return engine.occupancy(0).state(*engine.lot(0).find_space(space));
  }
  std::vector<Alert> raised() const {
    std::vector<Alert> out;
    for (const Alert& a : sink.alerts) {
      if (a.active()) out.push_back(a);
    }
    return out;
  }
  std::vector<Alert> cleared() const {
    std::vector<Alert> out;
    for (const Alert& a : sink.alerts) {
      if (!a.active()) out.push_back(a);
    }
    return out;
  }

  test::RecordingSink sink;
  Engine engine;
  std::map<std::string, std::uint64_t> seq;
};

const TimeMs t0 = test::kNoonShanghai;

TEST(SpaceWatch, ThreeGuidedCarsThatParkedElsewhereMakeTheSpaceSuspectAndItIsOfferedNoMore) {
  Rig rig;
  rig.all_free(t0);
  ASSERT_EQ(rig.guide("沪A00001", t0 + kMinute), "S1");
  rig.engine.release_hold("tiny", "沪A00001", t0 + 2 * kMinute);  // that car left: not a strike
  EXPECT_TRUE(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).empty());

  rig.parks_elsewhere("沪A00002", "S2", t0 + 1 * kHour);
  rig.parks_elsewhere("沪A00003", "S3", t0 + 20 * kHour);
  EXPECT_TRUE(rig.raised().empty());
  EXPECT_EQ(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).size(), 2u);
  ASSERT_FALSE(rig.sink.strikes.empty());
  EXPECT_EQ(rig.sink.strikes.back().first, "S1");
  EXPECT_EQ(rig.sink.strikes.back().second.size(), 2u);
  const std::uint32_t free_before = rig.engine.occupancy(0).lot_counts().free();

  rig.parks_elsewhere("沪A00004", "S2", t0 + 40 * kHour);  // the third, 39 h after the first
  const auto raised = rig.raised();
  ASSERT_EQ(raised.size(), 1u);
  const Alert& a = raised.front();
  EXPECT_EQ(a.kind, AlertKind::BlockedSuspect);
  EXPECT_EQ(a.lot_id, "tiny");
  EXPECT_EQ(a.space_id, "S1");
  EXPECT_EQ(a.raised_at, t0 + 40 * kHour + 6 * kMinute) << "confirmed when its hold's grace (5 min) had passed";
  EXPECT_EQ(a.alert_id, "S1-blocked_suspect-" + std::to_string(a.raised_at));
  EXPECT_EQ(a.detail_en, "S1: 3 cars guided here in 39 h parked elsewhere — check for a ground lock or an object on the space");
  EXPECT_EQ(a.detail_zh, "S1：39小时内3辆被引导至此的车停在了别处——请检查地锁或车位上的物品");
  EXPECT_EQ(rig.state("S1"), SpaceState::Suspect);
  EXPECT_EQ(rig.engine.occupancy(0).lot_counts()[SpaceState::Suspect], 1u);
  // S2 left again at +42 h; S1 no longer counts as free and is never offered.
  rig.engine.advance(t0 + 43 * kHour);
  EXPECT_EQ(free_before, 7u);
  EXPECT_EQ(rig.engine.occupancy(0).lot_counts().free(), 6u);
  EXPECT_EQ(rig.guide("沪A00005", t0 + 43 * kHour), "S2");
  EXPECT_EQ(rig.guide("沪A00006", t0 + 43 * kHour), "S3");
  EXPECT_EQ(rig.guide("沪A00007", t0 + 43 * kHour), "N1") << "the gate's zone has nothing left but the suspect";
  ASSERT_EQ(rig.engine.active_alerts(0).size(), 1u);

  // Its sensor says occupied: the alert clears, the space counts again.
  rig.report("S1", true, t0 + 44 * kHour);
  EXPECT_EQ(rig.state("S1"), SpaceState::Occupied);
  ASSERT_EQ(rig.cleared().size(), 1u);
  EXPECT_EQ(rig.cleared().front().alert_id, a.alert_id);
  EXPECT_EQ(rig.cleared().front().cleared_at, t0 + 44 * kHour);
  EXPECT_EQ(rig.cleared().front().cleared_by, "occupied");
  EXPECT_TRUE(rig.engine.active_alerts(0).empty());
  EXPECT_TRUE(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).empty());
  rig.report("S1", false, t0 + 45 * kHour);
  EXPECT_EQ(rig.state("S1"), SpaceState::Free);
}

TEST(SpaceWatch, AnOccupationBetweenStrikesStartsTheCountAgain) {
  Rig rig;
  rig.all_free(t0);
  rig.parks_elsewhere("沪A00002", "S2", t0 + 1 * kHour);
  rig.parks_elsewhere("沪A00003", "S2", t0 + 4 * kHour);
  rig.report("S1", true, t0 + 7 * kHour);  // someone did park on S1: it is not blocked
  rig.report("S1", false, t0 + 8 * kHour);
  rig.parks_elsewhere("沪A00004", "S2", t0 + 9 * kHour);
  EXPECT_TRUE(rig.raised().empty());
  EXPECT_EQ(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).size(), 1u);
}

TEST(SpaceWatch, AGuidedCarThatStillComesAfterAnotherTookItsHoldIsNoStrike) {
  Rig rig;
  rig.all_free(t0);
  ASSERT_EQ(rig.guide("沪A00001", t0), "S1");
  rig.report("S2", true, t0 + kMinute);  // another car parks in S: the oldest hold there ends
  EXPECT_EQ(rig.state("S1"), SpaceState::Free);
  rig.report("S1", true, t0 + 3 * kMinute);  // the guided car arrives after all
  rig.engine.advance(t0 + kHour);
  EXPECT_TRUE(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).empty());
  EXPECT_TRUE(rig.sink.strikes.empty());
}

TEST(SpaceWatch, StrikesOlderThanTheWindowDoNotCount) {
  Rig rig;
  rig.all_free(t0);
  rig.parks_elsewhere("沪A00002", "S2", t0);
  rig.parks_elsewhere("沪A00003", "S2", t0 + 40 * kHour);
  // The first strike was at t0 + 1 min; 72 h later it is out of the window.
  rig.parks_elsewhere("沪A00004", "S2", t0 + 72 * kHour);
  EXPECT_TRUE(rig.raised().empty());
  EXPECT_EQ(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).size(), 2u);
  rig.parks_elsewhere("沪A00005", "S2", t0 + 73 * kHour);
  ASSERT_EQ(rig.raised().size(), 1u);
  EXPECT_NE(rig.raised().front().detail_en.find("3 cars guided here in 34 h"), std::string::npos)
      << rig.raised().front().detail_en;
}

TEST(SpaceWatch, AHoldThatRunsOutCountsOnlyWhenOtherCarsWereParkingMeanwhile) {
  Rig rig;
  rig.all_free(t0);
  ASSERT_EQ(rig.guide("沪A00001", t0), "S1");
  rig.engine.advance(t0 + 6 * kMinute);  // ran out; nobody parked anywhere
  EXPECT_EQ(rig.state("S1"), SpaceState::Free);
  EXPECT_TRUE(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).empty());

  ASSERT_EQ(rig.guide("沪A00002", t0 + 1 * kHour), "S1");
  rig.report("N3", true, t0 + 1 * kHour + kMinute);  // a car parked in another zone meanwhile
  rig.engine.advance(t0 + 1 * kHour + 10 * kMinute - 1);
  EXPECT_TRUE(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).empty()) << "within the grace after it ran out";
  rig.engine.advance(t0 + 1 * kHour + 10 * kMinute);
  EXPECT_EQ(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).size(), 1u);
}

// A hold of a decision made after its car had come (the outage's backlog, CameraClocks): the
// driver never saw it, so its running out unused says nothing about the space.
TEST(SpaceWatch, AHoldOfALateDecisionCountsNoStrike) {
  Rig rig;
  rig.all_free(t0);
  const Allocation a =
      rig.engine.allocate(AllocationRequest{"tiny", "g", "沪A00001", true, "b2", SpaceNeed::Ordinary, /*late=*/true}, t0);
  ASSERT_EQ(a.space_id, "S1");
  EXPECT_EQ(rig.state("S1"), SpaceState::Held) << "the space is still kept for the car";
  rig.report("N3", true, t0 + kMinute);  // cars park meanwhile
  rig.engine.advance(t0 + 11 * kMinute);
  EXPECT_TRUE(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).empty());
  rig.parks_elsewhere("沪A00002", "S2", t0 + 20 * kMinute);  // an on-time decision still counts
  EXPECT_EQ(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).size(), 1u);
}

TEST(SpaceWatch, StrikesSurviveARestartAndTheThirdAfterItRaises) {
  std::vector<TimeMs> kept;
  {
    Rig before;
    before.all_free(t0);
    before.parks_elsewhere("沪A00002", "S2", t0 + 1 * kHour);
    before.parks_elsewhere("沪A00003", "S2", t0 + 5 * kHour);
    ASSERT_EQ(before.sink.strikes.back().first, "S1");
    kept = before.sink.strikes.back().second;
  }
  ASSERT_EQ(kept.size(), 2u);
  Rig after;
  EXPECT_EQ(after.engine.restore_space("tiny", "S1", SpaceState::Free, t0 + 8 * kHour), SpaceCommandOutcome::Done);
  EXPECT_EQ(after.engine.restore_strikes("tiny", "S1", kept), SpaceCommandOutcome::Done);
  EXPECT_EQ(after.engine.restore_strikes("tiny", "Q9", kept), SpaceCommandOutcome::UnknownSpace);
  after.all_free(t0 + 8 * kHour);
  after.parks_elsewhere("沪A00004", "S2", t0 + 9 * kHour);
  ASSERT_EQ(after.raised().size(), 1u);
  EXPECT_EQ(after.raised().front().space_id, "S1");
}

TEST(SpaceWatch, ClosingOpeningOrDismissingEndsASuspicion) {
  for (const std::string how : {"closed", "opened", "dismissed"}) {
    Rig rig;
    rig.all_free(t0);
    for (int i = 0; i < 3; ++i) rig.parks_elsewhere("沪A0000" + std::to_string(i), "S2", t0 + i * 3 * kHour);
    ASSERT_EQ(rig.state("S1"), SpaceState::Suspect) << how;
    const std::string id = rig.engine.active_alerts(0).at(0).alert_id;
    const TimeMs at = t0 + 10 * kHour;
    if (how == "closed") {
      EXPECT_EQ(rig.engine.close_space("tiny", "S1", at, "ground lock found, key with the office"), SpaceCommandOutcome::Done);
      EXPECT_EQ(rig.state("S1"), SpaceState::Closed);
      EXPECT_EQ(rig.engine.open_space("tiny", "S1", at + kHour), SpaceCommandOutcome::Done);
    } else if (how == "opened") {
      EXPECT_EQ(rig.engine.open_space("tiny", "S1", at), SpaceCommandOutcome::Done);
    } else {
      EXPECT_EQ(rig.engine.dismiss_alert("tiny", "no-such-alert", "x", at), SpaceCommandOutcome::UnknownAlert);
      EXPECT_EQ(rig.engine.dismiss_alert("tiny", id, "checked: nothing there", at), SpaceCommandOutcome::Done);
    }
    EXPECT_EQ(rig.state("S1"), SpaceState::Free) << how;
    EXPECT_TRUE(rig.engine.active_alerts(0).empty()) << how;
    ASSERT_EQ(rig.cleared().size(), 1u) << how;
    EXPECT_EQ(rig.cleared().front().cleared_by, how == "dismissed" ? "dismissed: checked: nothing there" : how);
    EXPECT_EQ(rig.cleared().front().cleared_at, at);
    EXPECT_TRUE(rig.engine.strikes(0, *rig.engine.lot(0).find_space("S1")).empty()) << how;
    EXPECT_EQ(rig.guide("沪A00009", at + 2 * kHour), "S1") << how << ": offered again";
  }
}

TEST(SpaceWatch, ARestoredSuspicionHoldsUnlessItsSpaceWasTakenMeanwhile) {
  Rig before;
  before.all_free(t0);
  for (int i = 0; i < 3; ++i) before.parks_elsewhere("沪A0000" + std::to_string(i), "S2", t0 + i * 3 * kHour);
  const Alert kept = before.engine.active_alerts(0).at(0);

  Rig after;
  after.engine.restore_space("tiny", "S1", SpaceState::Free, t0 + 10 * kHour);
  EXPECT_EQ(after.engine.restore_alert(kept), SpaceCommandOutcome::Done);
  EXPECT_EQ(after.state("S1"), SpaceState::Suspect);
  EXPECT_EQ(after.engine.active_alerts(0).size(), 1u);
  EXPECT_TRUE(after.sink.alerts.empty()) << "restoring raises nothing new";

  Rig taken;
  taken.engine.restore_space("tiny", "S1", SpaceState::Occupied, t0 + 10 * kHour);
  EXPECT_EQ(taken.engine.restore_alert(kept), SpaceCommandOutcome::AlreadyThere);
  EXPECT_TRUE(taken.engine.active_alerts(0).empty());
}

TEST(SpaceWatch, ACarThatNeverMovesIsRaisedAtFourteenDaysAcrossAClockJump) {
  Rig rig;
  rig.all_free(t0);
  rig.report("N2", true, t0 + kHour);
  rig.engine.advance(t0 + kHour + 14 * kDay - 1);
  EXPECT_TRUE(rig.raised().empty());
  rig.engine.advance(t0 + kHour + 20 * kDay);  // one jump far past the threshold
  ASSERT_EQ(rig.raised().size(), 1u);
  const Alert a = rig.raised().front();
  EXPECT_EQ(a.kind, AlertKind::LongOccupancy);
  EXPECT_EQ(a.space_id, "N2");
  EXPECT_EQ(a.raised_at, t0 + kHour + 14 * kDay) << "raised when it was due, not when time was handed in";
  EXPECT_EQ(a.detail_en, "N2: occupied without a break for 14 days — check for an abandoned car and contact its owner");
  EXPECT_EQ(rig.state("N2"), SpaceState::Occupied) << "a long occupation is not a suspect space";
  rig.report("N2", false, t0 + 21 * kDay);
  ASSERT_EQ(rig.cleared().size(), 1u);
  EXPECT_EQ(rig.cleared().front().cleared_by, "freed");
}

TEST(SpaceWatch, AnOccupationWithABreakStartsItsFourteenDaysAgain) {
  Rig rig;
  rig.all_free(t0);
  rig.report("N2", true, t0);
  rig.report("N2", false, t0 + 10 * kDay);
  rig.report("N2", true, t0 + 10 * kDay + kHour);
  rig.engine.advance(t0 + 20 * kDay);
  EXPECT_TRUE(rig.raised().empty());
  rig.engine.advance(t0 + 24 * kDay + kHour);
  ASSERT_EQ(rig.raised().size(), 1u);
  EXPECT_EQ(rig.raised().front().raised_at, t0 + 24 * kDay + kHour);
}

TEST(SpaceWatch, ASilentSensorPausesTheCheckAndTheCarKeepsItsStart) {
  LotSpec spec = watched_spec();
  spec.timing.stale_after_ms = 3'600'000;
  Rig rig(spec);
  rig.report("N2", true, t0);
  rig.engine.advance(t0 + 15 * kDay);  // silent after an hour: unknown, so nothing is claimed
  EXPECT_EQ(rig.state("N2"), SpaceState::Unknown);
  EXPECT_TRUE(rig.raised().empty());
  rig.report("N2", true, t0 + 15 * kDay);  // it speaks again: the same car, 15 days on
  EXPECT_EQ(rig.engine.next_wake(), t0 + 15 * kDay) << "due at once";
  rig.engine.advance(t0 + 15 * kDay);
  ASSERT_EQ(rig.raised().size(), 1u);
  EXPECT_EQ(rig.raised().front().raised_at, t0 + 15 * kDay);
  EXPECT_NE(rig.raised().front().detail_en.find("for 15 days"), std::string::npos) << rig.raised().front().detail_en;
}

TEST(SpaceWatch, AnOccupationKeepsItsStartAcrossARestart) {
  Rig rig;
  EXPECT_EQ(rig.engine.restore_space("tiny", "N2", SpaceState::Occupied, t0 + 10 * kDay, "", t0),
            SpaceCommandOutcome::Done);
  rig.engine.advance(t0 + 14 * kDay);
  ASSERT_EQ(rig.raised().size(), 1u);
  EXPECT_EQ(rig.raised().front().raised_at, t0 + 14 * kDay);
}

TEST(SpaceWatch, AFlappingSensorIsRaisedAtItsTwentiethChangeInAnHourAndClearsAfterAQuietHour) {
  Rig rig;
  rig.all_free(t0);
  TimeMs at = t0 + kHour;
  for (int i = 1; i <= 19; ++i) rig.report("N4", i % 2 == 1, at + i * 2 * kMinute);  // 19 changes in 38 min
  EXPECT_TRUE(rig.raised().empty());
  rig.report("N4", false, at + 39 * kMinute);  // 19 was occupied; the 20th change
  ASSERT_EQ(rig.raised().size(), 1u);
  EXPECT_EQ(rig.raised().front().kind, AlertKind::FlappingSensor);
  EXPECT_EQ(rig.raised().front().detail_en, "N4: its sensor changed 20 times within 60 minutes — check or replace the sensor");
  const TimeMs raised_at = at + 39 * kMinute;
  // The next hour still has 6 changes: it stays.
  for (int i = 1; i <= 6; ++i) rig.report("N4", i % 2 == 1, raised_at + i * 5 * kMinute);
  rig.engine.advance(raised_at + kHour);
  EXPECT_TRUE(rig.cleared().empty());
  // The hour after has 4: quiet enough.
  for (int i = 1; i <= 4; ++i) rig.report("N4", i % 2 == 1, raised_at + kHour + i * 5 * kMinute);
  rig.engine.advance(raised_at + 2 * kHour - 1);
  EXPECT_TRUE(rig.cleared().empty());
  rig.engine.advance(raised_at + 2 * kHour);
  ASSERT_EQ(rig.cleared().size(), 1u);
  EXPECT_EQ(rig.cleared().front().cleared_by, "quiet");
  EXPECT_EQ(rig.cleared().front().cleared_at, raised_at + 2 * kHour);
}

TEST(SpaceWatch, NineteenChangesAnHourForeverRaiseNothing) {
  Rig rig;
  rig.all_free(t0);
  bool occupied = false;
  for (TimeMs at = t0 + kMinute; at < t0 + 5 * kHour; at += kHour / 19 + 1000) {
    occupied = !occupied;
    rig.report("N4", occupied, at);
  }
  EXPECT_TRUE(rig.raised().empty());
}

// The night rule: 20:00-06:00, the lot at or below its night reserve (2 here) of free spaces.
TEST(SpaceWatch, ASpaceFreeForThreeHoursOfANightInAFullLotIsSuspect) {
  const TimeMs evening = test::kNoonShanghai + 8 * kHour;  // 20:00 Shanghai
  Rig rig(watched_spec(true));
  rig.all_free(evening - 4 * kHour);
  for (const char* s : {"N1", "N2", "N3", "S1", "S2", "S3"}) rig.report(s, true, evening - 3 * kHour);
  // N4 is the only free space from 17:00: full all evening.
  rig.engine.advance(evening + 3 * kHour - 1);
  EXPECT_TRUE(rig.raised().empty()) << "the night began at 20:00; three hours of it end at 23:00";
  rig.engine.advance(evening + 3 * kHour);
  ASSERT_EQ(rig.raised().size(), 1u);
  const Alert a = rig.raised().front();
  EXPECT_EQ(a.kind, AlertKind::BlockedSuspect);
  EXPECT_EQ(a.space_id, "N4");
  EXPECT_EQ(a.raised_at, evening + 3 * kHour);
  EXPECT_EQ(a.detail_en, "N4: free for 3 h at night while the lot was full — check for a ground lock or an object on the space");
  EXPECT_EQ(rig.state("N4"), SpaceState::Suspect);
}

TEST(SpaceWatch, ANightFreeSpaceIsNotSuspectWhenTheLotHadRoomOrItWasDay) {
  const TimeMs evening = test::kNoonShanghai + 8 * kHour;
  {
    Rig rig;  // the rule is off unless the lot turns it on
    rig.all_free(evening - 4 * kHour);
    for (const char* s : {"N1", "N2", "N3", "S1", "S2", "S3"}) rig.report(s, true, evening - 3 * kHour);
    rig.engine.advance(evening + 11 * kHour);
    EXPECT_TRUE(rig.raised().empty());
  }
  {
    Rig rig(watched_spec(true));  // three free: more than the reserve of 2
    rig.all_free(evening - 4 * kHour);
    for (const char* s : {"N1", "N2", "S1", "S2"}) rig.report(s, true, evening - 3 * kHour);
    rig.engine.advance(evening + 11 * kHour);
    EXPECT_TRUE(rig.raised().empty());
  }
  {
    Rig rig(watched_spec(true));  // full from 07:00 to 19:00: day
    rig.all_free(t0 - 5 * kHour);
    for (const char* s : {"N1", "N2", "N3", "S1", "S2", "S3"}) rig.report(s, true, t0 - 5 * kHour);
    rig.report("S3", false, t0 + 7 * kHour);
    rig.engine.advance(t0 + 7 * kHour + kMinute);
    EXPECT_TRUE(rig.raised().empty());
  }
  {
    Rig rig(watched_spec(true));  // full at night, but the free space was taken and freed again within the three hours
    rig.all_free(evening - 4 * kHour);
    for (const char* s : {"N1", "N2", "N3", "S1", "S2", "S3"}) rig.report(s, true, evening - 3 * kHour);
    rig.report("N4", true, evening + 2 * kHour);
    rig.report("N4", false, evening + 2 * kHour + 30 * kMinute);
    rig.engine.advance(evening + 5 * kHour);
    EXPECT_TRUE(rig.raised().empty());
    rig.engine.advance(evening + 5 * kHour + 30 * kMinute);
    EXPECT_EQ(rig.raised().size(), 1u) << "three hours after it was freed";
  }
}

TEST(SpaceWatch, EveryThresholdComesFromTheLotAndIsChecked) {
  LotSpec spec = watched_spec();
  spec.alert_rules.blocked_strikes = 2;
  Rig rig(spec);
  rig.all_free(t0);
  rig.parks_elsewhere("沪A00002", "S2", t0 + 1 * kHour);
  rig.parks_elsewhere("沪A00003", "S2", t0 + 3 * kHour);
  ASSERT_EQ(rig.raised().size(), 1u);
  EXPECT_NE(rig.raised().front().detail_en.find("2 cars guided here"), std::string::npos);

  LotSpec bad = watched_spec();
  bad.alert_rules.blocked_strikes = 0;
  bad.alert_rules.flapping_quiet_changes = 30;
  bad.alert_rules.night_start_minute = 24 * 60;
  const LotBuild built = Lot::build(bad);
  EXPECT_FALSE(built.lot);
  std::string all;
  for (const auto& i : built.issues) all += i.to_string() + "\n";
  EXPECT_NE(all.find("blocked_strikes 0 is outside 1..100"), std::string::npos) << all;
  EXPECT_NE(all.find("flapping_quiet_changes must be at least 1 and below flapping_changes"), std::string::npos) << all;
  EXPECT_NE(all.find("alerts night time 1440 is not a minute of the day"), std::string::npos) << all;
}

}  // namespace space_watch_test
}  // namespace parkd
