// The spaces held against the gates' record of the cars inside, through the engine: more spaces
// occupied than cars came in (OCCUPIED_WITHOUT_ENTRY), more cars inside than spaces occupied
// (MISSED_EXITS), a visitor who stays too long (VISITOR_OVERSTAY); the record's cars from before
// it began, its changes for the store, restarts, dismissal. Time is handed in.
#include "core/inside_watch.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "core/engine.h"
#include "core/gate_desk.h"
#include "support/test_lots.h"

namespace parkd {
namespace inside_watch_test {  // named, not anonymous: unity builds put several tests in one file

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kHour = 60 * kMinute;
constexpr TimeMs kDay = 24 * kHour;
const TimeMs t0 = test::kNoonShanghai;
const char* const kSpaces[] = {"N1", "N2", "N3", "N4", "S1", "S2", "S3"};

LotSpec record_spec() {
  LotSpec spec = test::small_lot_spec("tiny");
  spec.timing.debounce_ms = 0;
  spec.timing.stale_after_ms = 40u * 86'400'000u;
  // The tiny lot has 7 spaces: thresholds it can reach, the defaults' times.
  spec.alert_rules.missed_exits_excess = 6;
  spec.alert_rules.missed_exits_clear_excess = 2;
  return spec;
}

struct Rig {
  explicit Rig(LotSpec spec = record_spec()) : engine(lots(std::move(spec)), sink) {}
  static std::vector<Lot> lots(LotSpec spec) {
    std::vector<Lot> out;
    out.push_back(std::move(*Lot::build(spec).lot));
    return out;
  }
  void report(const std::string& space, bool occupied, TimeMs at) {
    engine.on_sensor_report(test::reading("tiny", "s-" + space, space, occupied, ++seq[space]), at);
  }
  void all_free(TimeMs at) {
    for (const char* s : kSpaces) report(s, false, at);
  }
  void enter(const std::string& plate, TimeMs at, bool visitor = false) {
    engine.car_entered("tiny", CarInside{plate, at, "g", visitor, visitor ? at + kDay : 0}, at);
  }
  void leave(const std::string& plate, TimeMs at) { engine.car_left("tiny", plate, at, "left"); }
  std::vector<Alert> of(AlertKind kind, bool active) const {
    std::vector<Alert> out;
    for (const Alert& a : sink.alerts) {
      if (a.kind == kind && a.active() == active) out.push_back(a);
    }
    return out;
  }
  std::uint32_t inside() const { return engine.cars_inside(0).count(); }

  test::RecordingSink sink;
  Engine engine;
  std::map<std::string, std::uint64_t> seq;
};

TEST(InsideWatch, SpacesOccupiedWithNoCarComingInRaiseTheLotAfterThreeHoursAndClearAnHourAfterBalance) {
  Rig rig;
  rig.all_free(t0);
  rig.enter("沪A10001", t0);  // the record begins: nothing was parked, nothing unnamed
  rig.report("N1", true, t0 + 5 * kMinute);
  // Five more spaces taken with no car through the gate: tricycles, cones, a car round the barrier.
  for (const char* s : {"N2", "N3", "N4", "S1"}) rig.report(s, true, t0 + kHour);
  rig.engine.advance(t0 + 10 * kHour);
  EXPECT_TRUE(rig.of(AlertKind::OccupiedWithoutEntry, true).empty()) << "an excess of 4 is below 5";
  rig.report("S2", true, t0 + 10 * kHour);  // excess 5 from here
  rig.engine.advance(t0 + 13 * kHour - 1);
  EXPECT_TRUE(rig.of(AlertKind::OccupiedWithoutEntry, true).empty());
  EXPECT_EQ(rig.engine.next_wake(), t0 + 13 * kHour);
  rig.engine.advance(t0 + 13 * kHour);
  const auto raised = rig.of(AlertKind::OccupiedWithoutEntry, true);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].raised_at, t0 + 13 * kHour);
  EXPECT_EQ(raised[0].space_id, "");
  EXPECT_EQ(raised[0].alert_id, "tiny-occupied_without_entry-" + std::to_string(t0 + 13 * kHour));
  EXPECT_EQ(raised[0].detail_en,
            "tiny: 6 spaces occupied but the gates' record has 1 cars inside, for 3 h — look for tricycles, objects on "
            "spaces, or cars that came in past the barrier");
  EXPECT_NE(raised[0].detail_zh.find("6个车位有车，闸口记录场内只有1辆车"), std::string::npos) << raised[0].detail_zh;
  EXPECT_EQ(rig.engine.active_alerts(0).size(), 1u);
  std::array<std::size_t, kAlertKindCount> one_of_it{};
  one_of_it[static_cast<std::size_t>(AlertKind::OccupiedWithoutEntry)] = 1;
  EXPECT_EQ(rig.engine.active_alert_counts(0), one_of_it);

  // Three taken away: an excess of 2, which must hold an hour.
  for (const char* s : {"N2", "N3", "N4"}) rig.report(s, false, t0 + 14 * kHour);
  rig.engine.advance(t0 + 15 * kHour - 1);
  EXPECT_TRUE(rig.of(AlertKind::OccupiedWithoutEntry, false).empty());
  rig.engine.advance(t0 + 15 * kHour);
  const auto cleared = rig.of(AlertKind::OccupiedWithoutEntry, false);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].cleared_at, t0 + 15 * kHour);
  EXPECT_EQ(cleared[0].cleared_by, "balanced");
  EXPECT_TRUE(rig.engine.active_alerts(0).empty());
  EXPECT_EQ(rig.engine.active_alert_counts(0), (std::array<std::size_t, kAlertKindCount>{}));
}

TEST(InsideWatch, ADipShorterThanACarsTransitKeepsTheTimeAndALongerOneStartsItAgain) {
  Rig rig;  // the tiny lot's hold: 5 minutes, the time a car is given to reach its space
  rig.all_free(t0);
  rig.enter("沪A10001", t0);
  for (const char* s : {"N1", "N2", "N3", "N4", "S1"}) rig.report(s, true, t0 + kMinute);  // excess 4
  rig.report("S2", true, t0 + kHour);                                                      // 5
  rig.enter("沪A10002", t0 + 2 * kHour);                      // 4: a car on its way to its space...
  rig.report("S3", true, t0 + 2 * kHour + 5 * kMinute - 1);   // ...parks just inside the transit
  rig.engine.advance(t0 + 4 * kHour - 1);
  EXPECT_TRUE(rig.of(AlertKind::OccupiedWithoutEntry, true).empty());
  rig.engine.advance(t0 + 4 * kHour);
  ASSERT_EQ(rig.of(AlertKind::OccupiedWithoutEntry, true).size(), 1u) << "three hours from the first 5";

  Rig again;
  again.all_free(t0);
  again.enter("沪A10001", t0);
  for (const char* s : {"N1", "N2", "N3", "N4", "S1"}) again.report(s, true, t0 + kMinute);
  again.report("S2", true, t0 + kHour);                     // 5
  again.enter("沪A10002", t0 + 2 * kHour);                  // 4 for the whole transit
  again.report("S3", true, t0 + 2 * kHour + 5 * kMinute);   // 5 again, a new run
  again.engine.advance(t0 + 5 * kHour + 5 * kMinute - 1);
  EXPECT_TRUE(again.of(AlertKind::OccupiedWithoutEntry, true).empty());
  again.engine.advance(t0 + 5 * kHour + 5 * kMinute);
  EXPECT_EQ(again.of(AlertKind::OccupiedWithoutEntry, true).size(), 1u);
}

TEST(InsideWatch, CarsAlreadyParkedWhenTheRecordBeginsAreCountedAndTheirExitsTakeThemOff) {
  Rig rig;
  rig.all_free(t0);
  for (const char* s : {"N1", "N2", "N3", "N4", "S1", "S2"}) rig.report(s, true, t0);  // parked before parkd knew
  EXPECT_FALSE(rig.engine.cars_inside(0).begun());
  rig.engine.advance(t0 + 5 * kHour);
  EXPECT_TRUE(rig.sink.alerts.empty()) << "no record, nothing to hold the spaces against";
  rig.leave("沪A20001", t0 + 5 * kHour);  // a car the record never saw come in
  EXPECT_TRUE(rig.engine.cars_inside(0).begun());
  EXPECT_EQ(rig.engine.cars_inside(0).unnamed(), 5u) << "six were parked; one of them left";
  rig.report("N1", false, t0 + 5 * kHour + kMinute);
  rig.engine.advance(t0 + 20 * kHour);
  EXPECT_TRUE(rig.sink.alerts.empty());
  std::vector<InsideChange> changes;
  rig.engine.take_inside_changes(changes);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0], (InsideChange{"tiny", CarInside{}, false, 6})) << "the record began";
  EXPECT_EQ(changes[1], (InsideChange{"tiny", CarInside{"沪A20001", 0, "", false, 0}, false, 5}));
}

TEST(InsideWatch, TheRecordBeginsOnlyOnceEverySpaceWasHeardFromOrAStalenessPeriodPassed) {
  Rig rig;  // the tiny lot: sensors are stale after 40 days in these tests
  for (const char* s : {"N1", "N2", "N3"}) rig.report(s, true, t0);  // four spaces not heard from yet
  rig.enter("沪A10001", t0 + kMinute);
  EXPECT_FALSE(rig.engine.cars_inside(0).begun()) << "what is parked is not known yet";
  EXPECT_NE(rig.engine.cars_inside(0).find("沪A10001"), nullptr) << "cars are named all the same";
  for (const char* s : {"N4", "S1", "S2"}) rig.report(s, false, t0 + 2 * kMinute);
  rig.report("S3", true, t0 + 3 * kMinute);  // 沪A10001 parked
  rig.leave("沪A99999", t0 + 4 * kMinute);
  ASSERT_TRUE(rig.engine.cars_inside(0).begun());
  EXPECT_EQ(rig.engine.cars_inside(0).unnamed(), 2u) << "4 parked, one of them named, one unnamed left";

  // A sensor that never speaks: the record begins a staleness period after the start.
  LotSpec spec = record_spec();
  spec.timing.stale_after_ms = 3 * 60'000;
  Rig silent(spec);
  for (const char* s : {"N1", "N2", "N3", "N4", "S1", "S2"}) silent.report(s, true, t0);
  for (const char* s : {"N1", "N2", "N3", "N4", "S1", "S2"}) silent.report(s, true, t0 + 2 * kMinute);  // heartbeats
  silent.enter("沪A10001", t0 + 3 * kMinute - 1);
  EXPECT_FALSE(silent.engine.cars_inside(0).begun());
  silent.enter("沪A10002", t0 + 3 * kMinute);
  ASSERT_TRUE(silent.engine.cars_inside(0).begun());
  EXPECT_EQ(silent.engine.cars_inside(0).unnamed(), 5u) << "six parked, one of them named";
}

TEST(InsideWatch, CarsInsideMoreThanSpacesOccupiedForADayAreMissedExitsNamingTheLongestInside) {
  Rig rig;
  rig.all_free(t0);
  // Eight cars came in, one parked; seven exits missed (a camera fault).
  for (int i = 0; i < 8; ++i) rig.enter("沪A3000" + std::to_string(i), t0 + i * kMinute);
  rig.report("N1", true, t0 + 10 * kMinute);  // the excess reached 6 at the sixth entry, and stays
  rig.engine.advance(t0 + 5 * kMinute + kDay - 1);
  EXPECT_TRUE(rig.of(AlertKind::MissedExits, true).empty());
  rig.engine.advance(t0 + 5 * kMinute + kDay);
  const auto raised = rig.of(AlertKind::MissedExits, true);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].detail_en,
            "tiny: the gates' record has 8 cars inside but only 1 spaces are occupied, for 24 h — an exit camera may be "
            "missing cars; inside longest: 沪A30000 (since 11-02 12:00), 沪A30001 (since 11-02 12:01), 沪A30002 (since "
            "11-02 12:02), 沪A30003 (since 11-02 12:03), 沪A30004 (since 11-02 12:04)");
  EXPECT_NE(raised[0].detail_zh.find("在场最久的车：沪A30000（11-02 12:00起）"), std::string::npos) << raised[0].detail_zh;
  // A car whose exit was missed comes back: the record counts it once.
  rig.enter("沪A30000", t0 + 2 * kDay);
  EXPECT_EQ(rig.inside(), 8u);
  for (int i = 1; i < 6; ++i) rig.leave("沪A3000" + std::to_string(i), t0 + 2 * kDay + kMinute);  // 3 inside, 1 parked
  rig.engine.advance(t0 + 2 * kDay + kHour);
  EXPECT_TRUE(rig.of(AlertKind::MissedExits, false).empty());
  rig.engine.advance(t0 + 2 * kDay + kMinute + kHour);
  ASSERT_EQ(rig.of(AlertKind::MissedExits, false).size(), 1u);
}

TEST(InsideWatch, AVisitorInsidePastThePactsOverstayIsRaisedByPlateAndClearedWhenItLeaves) {
  Rig rig;
  rig.all_free(t0);
  rig.enter("沪B40001", t0, true);
  rig.enter("沪B40002", t0 + kHour, true);
  rig.leave("沪B40002", t0 + 23 * kHour);
  rig.engine.advance(t0 + kDay - 1);
  EXPECT_TRUE(rig.of(AlertKind::VisitorOverstay, true).empty());
  rig.engine.advance(t0 + 2 * kDay);
  const auto raised = rig.of(AlertKind::VisitorOverstay, true);
  ASSERT_EQ(raised.size(), 1u) << "the one that left is not raised";
  EXPECT_EQ(raised[0].plate, "沪B40001");
  EXPECT_EQ(raised[0].raised_at, t0 + kDay);
  EXPECT_EQ(raised[0].alert_id, "tiny-visitor_overstay-" + std::to_string(t0 + kDay)) << "no plate in an id";
  EXPECT_EQ(raised[0].detail_en,
            "沪B40001: a visitor's car inside since 11-02 12:00, longer than the pact's 24 h — contact its driver or "
            "the household it visited");
  rig.leave("沪B40001", t0 + 2 * kDay + kHour);
  const auto cleared = rig.of(AlertKind::VisitorOverstay, false);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].cleared_by, "left");
  EXPECT_EQ(cleared[0].cleared_at, t0 + 2 * kDay + kHour);
}

TEST(InsideWatch, AVisitorBackInAfterAMissedExitEndsTheOldStaysAlertAndIsTimedAfresh) {
  Rig rig;
  rig.all_free(t0);
  rig.enter("沪B40001", t0, true);
  rig.engine.advance(t0 + kDay);
  ASSERT_EQ(rig.of(AlertKind::VisitorOverstay, true).size(), 1u);
  rig.enter("沪B40001", t0 + 3 * kDay, true);
  const auto cleared = rig.of(AlertKind::VisitorOverstay, false);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].cleared_by, "entered again");
  rig.engine.advance(t0 + 4 * kDay - 1);
  EXPECT_EQ(rig.of(AlertKind::VisitorOverstay, true).size(), 1u);
  rig.engine.advance(t0 + 4 * kDay);
  EXPECT_EQ(rig.of(AlertKind::VisitorOverstay, true).size(), 2u);
}

TEST(InsideWatch, TheRecordAndItsAlertsComeBackAfterARestart) {
  Rig before;
  before.all_free(t0);
  before.enter("沪B40001", t0, true);
  before.enter("沪B40002", t0, true);
  before.engine.advance(t0 + kDay);
  ASSERT_EQ(before.of(AlertKind::VisitorOverstay, true).size(), 2u);
  EXPECT_EQ(before.of(AlertKind::VisitorOverstay, true)[1].alert_id,
            "tiny-visitor_overstay-" + std::to_string(t0 + kDay) + "-2") << "raised at the same time, told apart";
  std::vector<InsideChange> changes;
  before.engine.take_inside_changes(changes);
  ASSERT_EQ(changes.size(), 3u);  // the record began, then two cars came in
  EXPECT_EQ(changes[1].car, (CarInside{"沪B40001", t0, "g", true, t0 + kDay}));

  // What the store kept: the record, and both alerts; 沪B40002 left while parkd was down (its
  // exit was decided from the inbox after the restore, so here it is simply not in the record).
  Rig after;
  after.all_free(t0 + kDay + kHour);
  ASSERT_EQ(after.engine.restore_inside("tiny", 0, {changes[1].car}, t0 + kDay + kHour), SpaceCommandOutcome::Done);
  EXPECT_EQ(after.engine.restore_alert(before.of(AlertKind::VisitorOverstay, true)[0]), SpaceCommandOutcome::Done);
  EXPECT_EQ(after.engine.restore_alert(before.of(AlertKind::VisitorOverstay, true)[1]),
            SpaceCommandOutcome::AlreadyThere);
  EXPECT_EQ(after.engine.active_alerts(0).size(), 1u);
  EXPECT_EQ(after.inside(), 1u);
  after.leave("沪B40001", t0 + kDay + 2 * kHour);
  EXPECT_TRUE(after.engine.active_alerts(0).empty());
  EXPECT_EQ(after.of(AlertKind::VisitorOverstay, false).size(), 1u);
}

// "Not raised again for the same stay" holds across a restart: the dismissed alert, read back
// from the history, keeps its stay quiet; a later stay of the same car is timed afresh.
TEST(InsideWatch, ADismissedOverstayStaysDismissedAcrossARestartForTheSameStay) {
  Rig before;
  before.all_free(t0);
  before.enter("沪B40001", t0, true);
  before.engine.advance(t0 + kDay);
  const auto raised = before.of(AlertKind::VisitorOverstay, true);
  ASSERT_EQ(raised.size(), 1u);
  Alert dismissed;
  ASSERT_EQ(before.engine.dismiss_alert("tiny", raised[0].alert_id, "her mother is ill, agreed with the office",
                                        t0 + kDay + kHour, &dismissed),
            SpaceCommandOutcome::Done);
  const CarInside car{"沪B40001", t0, "g", true, t0 + kDay};

  const auto restart = [&](bool with_history) {
    auto after = std::make_unique<Rig>();
    after->all_free(t0 + kDay + 2 * kHour);
    EXPECT_EQ(after->engine.restore_inside("tiny", 0, {car}, t0 + kDay + 2 * kHour), SpaceCommandOutcome::Done);
    if (with_history) {
      after->engine.restore_ended_alert(raised[0]);  // an active one's record: ignored here
      after->engine.restore_ended_alert(dismissed);
    }
    after->engine.advance(t0 + kDay + 3 * kHour);
    return after;
  };
  EXPECT_EQ(restart(false)->of(AlertKind::VisitorOverstay, true).size(), 1u) << "without the history it comes back";
  auto after = restart(true);
  EXPECT_TRUE(after->of(AlertKind::VisitorOverstay, true).empty());
  // The car leaves unseen and comes in again: a new stay, a new overstay.
  after->enter("沪B40001", t0 + 2 * kDay, true);
  after->engine.advance(t0 + 3 * kDay);
  EXPECT_EQ(after->of(AlertKind::VisitorOverstay, true).size(), 1u);
}

// A restart is the engine's first moment: the record comes back before any sensor has spoken
// again, so it disagrees with the spaces; that disagreement is timed from the restart (it was a
// MISSED_EXITS dated the day after 1970, found by the package test's restore).
TEST(InsideWatch, ARestoredRecordIsHeldAgainstTheSpacesFromTheRestartOn) {
  const auto restarted = [] {
    auto rig = std::make_unique<Rig>();  // nothing observed yet
    std::vector<CarInside> cars;
    for (const char* plate : {"沪A20001", "沪A20002", "沪A20003", "沪A20004", "沪A20005", "沪A20006", "沪A20007"}) {
      cars.push_back(CarInside{plate, t0 - kDay, "g", false, 0});
    }
    EXPECT_EQ(rig->engine.restore_inside("tiny", 0, std::move(cars), t0), SpaceCommandOutcome::Done);
    return rig;
  };
  auto heard = restarted();
  heard->engine.advance(t0 + kMinute);
  EXPECT_TRUE(heard->of(AlertKind::MissedExits, true).empty());
  for (const char* s : kSpaces) heard->report(s, true, t0 + 2 * kMinute);  // the sensors confirm: all parked
  heard->engine.advance(t0 + 3 * kDay);
  EXPECT_TRUE(heard->sink.alerts.empty()) << heard->sink.alerts.size() << " alert(s), the first "
                                           << (heard->sink.alerts.empty() ? "" : heard->sink.alerts[0].alert_id);

  // Sensors that stay silent leave 7 cars against no space: raised a full day after the restart.
  auto silent = restarted();
  silent->engine.advance(t0 + kDay - 1);
  EXPECT_TRUE(silent->of(AlertKind::MissedExits, true).empty());
  silent->engine.advance(t0 + kDay);
  const auto raised = silent->of(AlertKind::MissedExits, true);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].raised_at, t0 + kDay);
}

TEST(InsideWatch, AVisitorRestoredBeforeItsOverstayIsStillTimed) {
  Rig rig;
  rig.all_free(t0 + kHour);
  ASSERT_EQ(rig.engine.restore_inside("tiny", 2, {CarInside{"沪B40001", t0, "g", true, t0 + kDay}}, t0 + kHour),
            SpaceCommandOutcome::Done);
  EXPECT_EQ(rig.inside(), 3u);
  rig.engine.advance(t0 + kDay);
  EXPECT_EQ(rig.of(AlertKind::VisitorOverstay, true).size(), 1u);
}

TEST(InsideWatch, ADismissedCountAlertIsRaisedAgainOnlyAfterItsConditionHeldItsFullTimeAgain) {
  Rig rig;
  rig.all_free(t0);
  rig.enter("沪A10001", t0);
  for (const char* s : {"N1", "N2", "N3", "N4", "S1", "S2"}) rig.report(s, true, t0 + kMinute);  // excess 5
  rig.engine.advance(t0 + kMinute + 3 * kHour);
  const auto raised = rig.of(AlertKind::OccupiedWithoutEntry, true);
  ASSERT_EQ(raised.size(), 1u);
  Alert ended;
  EXPECT_EQ(rig.engine.dismiss_alert("tiny", raised[0].alert_id, "bikes of the residents' club, agreed",
                                     t0 + 4 * kHour, &ended),
            SpaceCommandOutcome::Done);
  EXPECT_EQ(ended.alert_id, raised[0].alert_id);
  EXPECT_EQ(ended.cleared_at, t0 + 4 * kHour) << "the alert as it ended, for the operator's reply";
  EXPECT_EQ(ended, rig.sink.alerts.back());
  EXPECT_EQ(rig.of(AlertKind::OccupiedWithoutEntry, false).at(0).cleared_by,
            "dismissed: bikes of the residents' club, agreed");
  rig.engine.advance(t0 + 7 * kHour - 1);
  EXPECT_EQ(rig.of(AlertKind::OccupiedWithoutEntry, true).size(), 1u);
  rig.engine.advance(t0 + 7 * kHour);
  EXPECT_EQ(rig.of(AlertKind::OccupiedWithoutEntry, true).size(), 2u);
}

TEST(InsideWatch, TheGateDeskKeepsTheRecordFromItsDecisions) {
  test::RecordingSink sink;
  Engine engine(Rig::lots(record_spec()), sink);
  GateDesk desk(engine, {});
  std::uint64_t seq = 0;
  for (const char* s : kSpaces) engine.on_sensor_report(test::reading("tiny", std::string("s-") + s, s, false, ++seq), t0);
  std::uint64_t gate_seq = 0;
  const auto gate = [&](const std::string& plate, bool entry, TimeMs at) {
    return desk.decide(GateEventIn{"tiny", "g", ++gate_seq, plate, entry}, at);
  };
  ASSERT_TRUE(gate("沪B50001", true, t0).admit);          // a visitor
  ASSERT_TRUE(gate("沪A1234警", true, t0 + kMinute).admit);  // the police
  const CarsInside& inside = engine.cars_inside(0);
  ASSERT_NE(inside.find("沪B50001"), nullptr);
  EXPECT_TRUE(inside.find("沪B50001")->visitor);
  EXPECT_EQ(inside.find("沪B50001")->overstay_at, t0 + kDay) << "the pact's default overstay";
  ASSERT_NE(inside.find("沪A1234警"), nullptr);
  EXPECT_FALSE(inside.find("沪A1234警")->visitor);
  gate("沪B50002", false, t0 + kHour);  // an exit the record never saw come in
  EXPECT_EQ(inside.count(), 2u);
  gate("沪A1234警", false, t0 + kHour);
  EXPECT_EQ(inside.find("沪A1234警"), nullptr);
  EXPECT_EQ(inside.count(), 1u);
  const auto settled = desk.settle_visitor("tiny", "沪B50001", t0 + 2 * kHour, false, "paid at the office", t0 + 3 * kHour);
  ASSERT_TRUE(settled.session);
  EXPECT_EQ(inside.count(), 0u) << "a stay the office settled is no longer inside";
}

TEST(InsideWatch, ThresholdsAreValidated) {
  LotSpec bad = record_spec();
  bad.alert_rules.unentered_clear_excess = 5;
  bad.alert_rules.missed_exits_excess = 0;
  bad.alert_rules.missed_exits_ms = 0;
  bad.alert_rules.record_clear_ms = 0;
  const LotBuild built = Lot::build(bad);
  ASSERT_FALSE(built.lot);
  std::string all;
  for (const auto& issue : built.issues) all += issue.to_string() + "\n";
  for (const char* want : {"alerts.unentered_clear_excess must be below unentered_excess",
                           "alerts.missed_exits_excess 0 is outside 1..10000", "alerts.missed_exits_hours must be 1..720",
                           "alerts.record_clear_minutes must be 1..1440"}) {
    EXPECT_NE(all.find(want), std::string::npos) << want << " in\n" << all;
  }
}

}  // namespace inside_watch_test
}  // namespace parkd
