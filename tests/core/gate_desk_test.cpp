// Decisions at the gate: residents, tenants past their limit or lease, visitors by day and at
// night, a full lot, invalid plates, and visitor sessions with their fees.
#include "core/gate_desk.h"

#include <gtest/gtest.h>

#include "support/test_lots.h"
#include "support/test_data.h"

namespace parkd {
namespace {

using test::kMinute;
using test::kHour;

std::vector<Lot> tiny() {
  std::vector<Lot> lots;
  lots.push_back(test::small_lot());
  return lots;
}

Registry registry() {
  const CivilDay jan1 = *parse_civil_day("2026-01-01");
  std::vector<Household> households = {{"HO", "1", "101", HouseholdType::Owner, std::nullopt, std::nullopt},
                                       {"HT", "2", "202", HouseholdType::Tenant, *parse_civil_day("2026-12-31"), std::nullopt},
                                       {"HX", "2", "203", HouseholdType::Tenant, *parse_civil_day("2026-10-31"), std::nullopt}};
  // Buildings of the tiny lot are "b1" and "b2".
  households[0].building = "b1";
  households[1].building = "b2";
  households[2].building = "b2";
  std::vector<Vehicle> vehicles = {{"沪A11111", "HO", jan1, std::nullopt, 1},
                                   {"沪B22221", "HT", jan1, std::nullopt, 2},
                                   {"沪B22222", "HT", jan1 + 1, std::nullopt, 3},
                                   {"沪B22223", "HT", jan1 + 2, std::nullopt, 4},  // a tenant's third car
                                   {"沪C33333", "HX", jan1, std::nullopt, 5}};     // lease ended in October
  return Registry(std::move(households), std::move(vehicles));
}

class GateDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    desk.set_registry(registry());
    all_free();
  }
  void all_free() {
    for (auto [sensor, space] : {std::pair{"s-N1", "N1"}, {"s-N2", "N2"}, {"s-N3", "N3"}, {"s-N4", "N4"},
                                 {"s-S1", "S1"}, {"s-S2", "S2"}, {"s-S3", "S3"}}) {
      engine.on_sensor_report(test::reading("tiny", sensor, space, false, ++seq), t);
    }
  }
  // Time passes; the sensors keep beating (nothing parks in these tests unless it says so).
  void later(TimeMs ms) {
    t += ms;
    all_free();
  }
  // A car parks on `space` a minute from now, and stays until the next later().
  void a_car_parks_on(const char* space) {
    t += kMinute;
    all_free();
    engine.on_sensor_report(test::reading("tiny", std::string("s-") + space, space, true, ++seq), t);
  }
  GateDecisionOut at_gate(const std::string& plate, bool entry) {
    return desk.decide(GateEventIn{"tiny", "g", ++gate_seq, plate, entry}, t);
  }
  // An event stamped by the camera's clock (`camera_at`), decided at parkd's time t.
  GateDecisionOut stamped(const std::string& plate, bool entry, TimeMs camera_at) {
    return desk.decide(GateEventIn{"tiny", "g", ++gate_seq, plate, entry, camera_at}, t);
  }

  test::RecordingSink sink;
  Engine engine{tiny(), sink};
  GateDesk desk{engine, {PactVersion{"2026-01", *parse_civil_day("2026-01-01"), PactTerms{}}}};
  TimeMs t = test::kNoonShanghai;  // 2026-11-02 12:00 in Shanghai
  std::uint64_t seq = 0;
  std::uint64_t gate_seq = 0;
};

TEST_F(GateDeskTest, AnInvalidPlateIsNotAdmitted) {
  const auto d = at_gate("沪A1234", true);
  EXPECT_FALSE(d.admit);
  EXPECT_EQ(d.reason, "INVALID_PLATE");
  EXPECT_EQ(d.plate, "沪A1234");
  EXPECT_NE(d.message_en.find("has 4 characters"), std::string::npos);
}

TEST_F(GateDeskTest, AnOwnerIsSentToASpaceNearHome) {
  const auto d = at_gate("沪a·11111", true);
  EXPECT_TRUE(d.admit);
  EXPECT_EQ(d.vehicle_class, VehicleClass::Owner);
  EXPECT_EQ(d.reason, "RESIDENT");
  EXPECT_EQ(d.plate, "沪A11111");
  EXPECT_EQ(d.assigned_zone, "N");  // building b1's nearest zone
  EXPECT_EQ(d.assigned_space, "N1");
  EXPECT_EQ(d.message_zh, "欢迎回家，请前往N区 N1 车位");
  EXPECT_EQ(engine.occupancy(0).state(0), SpaceState::Held);
}

TEST_F(GateDeskTest, ATenantsThirdCarAndACarWhoseLeaseEndedAreVisitors) {
  EXPECT_EQ(at_gate("沪B22222", true).vehicle_class, VehicleClass::Tenant);
  const auto third = at_gate("沪B22223", true);
  EXPECT_EQ(third.vehicle_class, VehicleClass::Visitor);
  EXPECT_EQ(third.reason, "VISITOR_ADMITTED");
  const auto ended = at_gate("沪C33333", true);
  EXPECT_EQ(ended.vehicle_class, VehicleClass::Visitor);
  EXPECT_EQ(desk.open_sessions().size(), 2u);
}

TEST_F(GateDeskTest, AVisitorPaysOnTheWayOut) {
  const auto in = at_gate("苏E12345", true);
  ASSERT_TRUE(in.admit);
  EXPECT_EQ(in.assigned_zone, "S");  // the gate's nearest zone
  later(2 * kHour + 31 * kMinute);
  const auto out = at_gate("苏E12345", false);
  EXPECT_TRUE(out.admit);
  EXPECT_EQ(out.reason, "VISITOR_EXIT");
  EXPECT_EQ(out.fee_due_fen, 1'500);
  EXPECT_EQ(out.message_zh, "请缴停车费 15.00 元");
  const auto closed = desk.take_closed_sessions();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].fee_fen, 1'500);
  EXPECT_EQ(*closed[0].left_at - closed[0].entered_at, 2 * kHour + 31 * kMinute);
  EXPECT_TRUE(desk.open_sessions().empty());
}

TEST_F(GateDeskTest, ASecondEntryWithinTheFreeHalfHourKeepsTheFirstAndAnExitWithoutEntryIsRecorded) {
  at_gate("苏E12345", true);
  later(10 * kMinute);  // read twice, or straight back
  EXPECT_TRUE(at_gate("苏E12345", true).admit);
  later(2 * kHour + 21 * kMinute);
  EXPECT_EQ(at_gate("苏E12345", false).fee_due_fen, 1'500);  // 2 h 31 min, counted from the first entry
  const auto stray = at_gate("苏E99999", false);
  EXPECT_TRUE(stray.admit);
  EXPECT_EQ(stray.reason, "EXIT_WITHOUT_ENTRY");
  const auto closed = desk.take_closed_sessions();
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].note, "entered again without leaving");
  EXPECT_EQ(closed[1].note, "exit without entry");
}

// Issue #17's case: 1 hour on Monday with its exit missed, then 20 minutes on Saturday. Before,
// the Saturday exit paid for the whole stay since Monday, capped per 24 h: 205.00. Now Monday's
// session ends at Saturday's entry with no fee ("exit missed", for the office), and Saturday's
// 20 minutes are free.
// A broker cluster that lost a node redelivers what the node had not seen acknowledged after
// newer events: a visitor's entry can reach parkd after its exit. By the cameras' clocks it is
// older than the exit: no stay opens (it would never close), the car is not inside; a visitor who
// really comes back after leaving (a later camera time) is a new arrival.
TEST_F(GateDeskTest, AnEntryThatArrivesAfterItsCarsExitOpensNoStay) {
  const TimeMs cam = t - 40'000;
  EXPECT_EQ(stamped("苏E12345", false, cam + 6'000).reason, "EXIT_WITHOUT_ENTRY");
  later(30'000);
  const auto late = stamped("苏E12345", true, cam);
  EXPECT_TRUE(late.admit);
  EXPECT_EQ(late.reason, "ENTRY_AFTER_EXIT");
  EXPECT_TRUE(late.assigned_space.empty());
  EXPECT_TRUE(desk.open_sessions().empty());
  EXPECT_EQ(engine.cars_inside(0).find("苏E12345"), nullptr);
  EXPECT_EQ(desk.take_closed_sessions().size(), 1u) << "the exit's record only";

  // The same car comes back: a camera time after the exit's is an arrival, paired or not.
  later(60'000);
  EXPECT_EQ(stamped("苏E12345", true, cam + 100'000).reason, "VISITOR_ADMITTED");
  EXPECT_EQ(desk.open_sessions().size(), 1u);
  later(60'000);
  EXPECT_EQ(stamped("苏E12345", false, cam + 160'000).reason, "VISITOR_EXIT");
  // An old entry of it after the window: parkd no longer knows the exit; it is decided as an arrival.
  later(GateDesk::kLateEntryWindow + 1);
  EXPECT_EQ(stamped("苏E12345", true, cam + 150'000).reason, "VISITOR_ADMITTED");
  // Without the cameras' time nothing is paired.
  EXPECT_EQ(stamped("苏E99999", false, 0).reason, "EXIT_WITHOUT_ENTRY");
  EXPECT_EQ(stamped("苏E99999", true, 0).reason, "VISITOR_ADMITTED");
}

// parkd restarted between a car's exit and its entry's late delivery: the desk is told the
// decisions of the last minutes again, and the late entry is still history.
TEST_F(GateDeskTest, AnExitDecidedBeforeARestartStillMakesItsLateEntryHistory) {
  const TimeMs cam = t - 40'000;
  desk.restore_decided(GateEventIn{"tiny", "g", 7, "苏e 12345", false, cam + 6'000}, t - 20'000);
  desk.restore_decided(GateEventIn{"tiny", "g", 8, "苏E55555", true, cam + 7'000}, t - 19'000);  // an entry: nothing
  desk.restore_decided(GateEventIn{"tiny", "g", 9, "苏E77777", false, cam + 8'000}, t - GateDesk::kLateEntryWindow - 1);
  EXPECT_EQ(stamped("苏E12345", true, cam).reason, "ENTRY_AFTER_EXIT") << "the plate as the desk writes it";
  EXPECT_EQ(stamped("苏E55555", true, cam).reason, "VISITOR_ADMITTED");
  EXPECT_EQ(stamped("苏E77777", true, cam).reason, "VISITOR_ADMITTED") << "an exit older than the window is forgotten";
  EXPECT_EQ(desk.open_sessions().size(), 2u);
}

// parkd was away for 20 minutes; the entries kept meanwhile (the inbox, the broker's queue) are
// decided when it is back. Their drivers were let in by the barrier's own rules and never saw
// the guidance: each is decided as before, its space held, but its hold counts no strike.
TEST_F(GateDeskTest, AnEntryKeptThroughAnOutageIsDecidedLateAndItsHoldCountsNoStrike) {
  const TimeMs behind = -5 * kMinute;  // the camera's clock is five minutes behind parkd's
  EXPECT_EQ(stamped("苏E00001", true, t + behind).late_by, 0);
  later(kMinute);
  const GateDecisionOut on_time = stamped("苏E00002", true, t + behind - 40);  // 40 ms of network
  EXPECT_EQ(on_time.late_by, 0);
  const TimeMs came = t + kMinute;
  later(20 * kMinute);
  const GateDecisionOut kept = stamped("苏E00003", true, came + behind);
  EXPECT_EQ(kept.late_by, 19 * kMinute);
  EXPECT_EQ(kept.reason, "VISITOR_ADMITTED");
  ASSERT_FALSE(kept.assigned_space.empty());
  const SpaceIndex held = *engine.lot(0).find_space(kept.assigned_space);
  EXPECT_EQ(engine.occupancy(0).state(held), SpaceState::Held);
  a_car_parks_on("N4");  // cars park meanwhile
  for (int minute = 0; minute < 11; ++minute) later(kMinute);
  EXPECT_TRUE(engine.strikes(0, held).empty());

  // Live again: an on-time car guided there that parks elsewhere counts, as always.
  const GateDecisionOut live = stamped("苏E00004", true, t + behind + 50);
  EXPECT_EQ(live.late_by, 0);
  const SpaceIndex guided = *engine.lot(0).find_space(live.assigned_space);
  a_car_parks_on("N4");
  for (int minute = 0; minute < 11; ++minute) later(kMinute);  // the sensors beat every minute
  EXPECT_EQ(engine.strikes(0, guided).size(), 1u);
}

// The pact applies when the car was at the gate: a visitor who left while parkd was away pays
// until the exit by the camera's clock, not until parkd came back (SPEC: "bad input ... nothing
// accepted is lost"; docs/pact.md). An entry kept through the outage starts its stay then too.
TEST_F(GateDeskTest, AVisitorWhoLeftDuringAnOutagePaysUntilTheExitNotUntilParkdCameBack) {
  const TimeMs ahead = 90'000;  // the camera's clock is a minute and a half ahead
  ASSERT_EQ(stamped("苏E40000", true, t + ahead).reason, "VISITOR_ADMITTED");
  const TimeMs entered = t;
  later(50 * kMinute);
  EXPECT_EQ(stamped("苏E40001", true, t + ahead - 30).late_by, 0);  // another car, on time (30 ms on the way)
  const TimeMs left = t + 20 * kMinute;  // 1 h 10 min after the entry; parkd went away meanwhile
  later(3 * kHour);
  const GateDecisionOut out = stamped("苏E40000", false, left + ahead);
  EXPECT_EQ(out.late_by, t - left);
  EXPECT_EQ(out.fee_due_fen, 1'000) << "two started hours, not four";
  const std::vector<VisitorSession> closed = desk.take_closed_sessions();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].entered_at, entered);
  EXPECT_EQ(*closed[0].left_at, left);
  // A car that came during the outage and is decided now: its stay began when it came.
  const GateDecisionOut in = stamped("苏E40002", true, left + 5 * kMinute + ahead);
  EXPECT_GT(in.late_by, 0);
  ASSERT_NE(desk.open_session("tiny", "苏E40002"), nullptr);
  EXPECT_EQ(desk.open_session("tiny", "苏E40002")->entered_at, left + 5 * kMinute);
}

// After a restart the desk is told each gate's last decisions, so the first events kept through
// the outage are judged against the camera's clock as it was.
TEST_F(GateDeskTest, AGatesLastDecisionsBeforeARestartTellItsCamerasClock) {
  const TimeMs ahead = 2 * kMinute;
  for (int i = 0; i < 3; ++i) {
    const TimeMs at = t - (30 - i) * kMinute;
    desk.restore_camera_clock(GateEventIn{"tiny", "g", static_cast<std::uint64_t>(i + 1), "苏E1000" + std::to_string(i),
                                          true, at + ahead},
                              at + 25);
  }
  const TimeMs came = t - 10 * kMinute;  // parkd went away at t - 27 min; this car came meanwhile
  EXPECT_EQ(stamped("苏E20000", true, came + ahead).late_by, 10 * kMinute - 25);
  EXPECT_EQ(desk.camera_clocks().clocks_moved(), 0u);
  desk.restore_camera_clock(GateEventIn{"tiny", "nowhere", 1, "苏E30000", true, t}, t);  // no such gate: ignored
  EXPECT_EQ(stamped("苏E20001", true, t + ahead + 30).late_by, 0);
}

TEST_F(GateDeskTest, AMissedExitIsNeverBilledIntoTheNextVisit) {
  ASSERT_TRUE(at_gate("苏E12345", true).admit);  // Monday 12:00
  later(kHour);
  desk.take_closed_sessions();
  // The exit camera missed it. Saturday 12:00:
  later(5 * 24 * kHour - kHour);
  const auto saturday = at_gate("苏E12345", true);
  EXPECT_TRUE(saturday.admit);
  const auto missed = desk.take_closed_sessions();
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(missed[0].fee_fen, 0);
  EXPECT_EQ(missed[0].note, "exit missed: closed at the next entry, no fee");
  EXPECT_EQ(*missed[0].left_at, t);
  later(20 * kMinute);
  const auto out = at_gate("苏E12345", false);
  EXPECT_EQ(out.reason, "VISITOR_EXIT");
  EXPECT_EQ(out.fee_due_fen, 0) << "20 minutes on Saturday, not 205.00";
}

TEST_F(GateDeskTest, AnExitWhosePlateCannotBeReadOpensTheBarrierAndLeavesTheSessionOpen) {
  ASSERT_TRUE(at_gate("苏E12345", true).admit);
  later(kHour);
  const auto unread = at_gate("苏E1?345", false);
  EXPECT_TRUE(unread.admit) << "nobody is kept in by a misread";
  EXPECT_EQ(unread.reason, "EXIT_PLATE_UNREAD");
  EXPECT_EQ(unread.fee_due_fen, 0);
  EXPECT_TRUE(desk.take_closed_sessions().empty());
  EXPECT_EQ(desk.open_sessions().size(), 1u) << "for the guard to settle";
  // An unreadable plate at the entry is still refused: nobody knows who came in.
  EXPECT_FALSE(at_gate("苏E1?345", true).admit);
}

TEST_F(GateDeskTest, TheGuardSettlesAnOpenSessionAtTheTimeTheCarLeftOrWaivesIt) {
  // Release 1 had no way to close a session whose exit was missed or unread.
  ASSERT_TRUE(at_gate("苏E12345", true).admit);
  const TimeMs entered = t;
  later(3 * kHour);
  EXPECT_FALSE(desk.settle_visitor("tiny", "苏E12345", entered - kMinute, false, "x", t).session) << "before the entry";
  EXPECT_FALSE(desk.settle_visitor("tiny", "苏E12345", t + kMinute, false, "x", t).session) << "in the future";
  EXPECT_EQ(desk.settle_visitor("tiny", "苏E99999", t, false, "x", t).error, "no visitor session is open for 苏E99999 in tiny");
  // It left 1 h 10 min after entering, as the guard's notes say: 2 started hours, 10.00.
  const GateDesk::Settled closed = desk.settle_visitor("tiny", "苏E12345", entered + 70 * kMinute, false, "closed by clerk", t);
  ASSERT_TRUE(closed.session);
  EXPECT_EQ(closed.session->fee_fen, 10'00);
  EXPECT_EQ(*closed.session->left_at, entered + 70 * kMinute);
  EXPECT_EQ(closed.session->note, "closed by clerk");
  EXPECT_EQ(desk.take_closed_sessions().size(), 1u);
  EXPECT_TRUE(desk.open_sessions().empty());
  // A waiver closes now with no fee.
  ASSERT_TRUE(at_gate("苏E12346", true).admit);
  later(5 * kHour);
  const GateDesk::Settled waived = desk.settle_visitor("tiny", "苏E12346", t, true, "fee waived", t);
  ASSERT_TRUE(waived.session);
  EXPECT_EQ(waived.session->fee_fen, 0);
}

TEST_F(GateDeskTest, ServiceVehiclesAndPlatesWithAPassAreAdmittedFreeAtAnyHour) {
  // Release 1: 沪A1234警 was INVALID_PLATE in and out. Now in at 03:00 with the lot's reserve
  // irrelevant, no space taken, no session, out with no fee.
  later(15 * kHour);  // 03:00
  const std::uint32_t free_before = engine.occupancy(0).lot_counts().free();
  for (const char* plate : {"沪A1234警", "川A1234应急", "沪A1234领", "VA12345"}) {
    const auto in = at_gate(plate, true);
    EXPECT_TRUE(in.admit) << plate;
    EXPECT_EQ(in.reason, "SERVICE_VEHICLE") << plate;
    EXPECT_EQ(in.vehicle_class, VehicleClass::Service);
    EXPECT_TRUE(in.assigned_space.empty());
    const auto out = at_gate(plate, false);
    EXPECT_EQ(out.reason, "SERVICE_VEHICLE_EXIT");
    EXPECT_EQ(out.fee_due_fen, 0);
  }
  EXPECT_EQ(engine.occupancy(0).lot_counts().free(), free_before);
  EXPECT_TRUE(desk.open_sessions().empty());
  EXPECT_TRUE(desk.take_closed_sessions().empty());
  // An ambulance on civil plates, with a pass until tomorrow; a learner car is a visitor.
  const CivilDay today = local_day(t, 8 * 60);
  desk.set_special_passes(SpecialPasses({SpecialPass{1, "沪A55555", "ambulance, Tongren hospital", today + 1, "clerk", 0, std::nullopt}}));
  EXPECT_EQ(at_gate("沪A55555", true).reason, "SPECIAL_PASS");
  EXPECT_EQ(at_gate("沪A55555", false).reason, "SPECIAL_PASS_EXIT");
  EXPECT_EQ(at_gate("沪A1234学", true).vehicle_class, VehicleClass::Visitor) << "a learner car is a visitor";
  later(2 * 24 * kHour);
  EXPECT_EQ(at_gate("沪A55555", true).vehicle_class, VehicleClass::Visitor) << "the pass ended";
}

TEST_F(GateDeskTest, ACarOfALapsedLeaseComesInWithinTheGraceDaysAndIsToldToRenew) {
  // HX's lease ended 2026-10-31; it is 11-02. Release 1: a visitor (charged, refused at night).
  PactTerms terms;
  terms.lease_grace_days = 7;
  desk.set_pact({PactVersion{"2026-01", *parse_civil_day("2026-01-01"), terms}});
  const auto in = at_gate("沪C33333", true);
  EXPECT_TRUE(in.admit);
  EXPECT_EQ(in.reason, "RESIDENT_IN_GRACE");
  EXPECT_EQ(in.vehicle_class, VehicleClass::Tenant);
  EXPECT_NE(in.message_en.find("The lease ended on 2026-10-31: renew at the office by 2026-11-07"), std::string::npos)
      << in.message_en;
  EXPECT_TRUE(desk.open_sessions().empty()) << "no visitor session";
  EXPECT_EQ(at_gate("沪C33333", false).reason, "RESIDENT_EXIT") << "not an exit without entry";
  later(6 * 24 * kHour);  // 11-08
  EXPECT_EQ(at_gate("沪C33333", true).vehicle_class, VehicleClass::Visitor);
}

TEST_F(GateDeskTest, BeforeTheFirstPactVersionTheGatesDecideWithIt) {
  // The office's pact starts next year and charges 6.00 an hour; a visitor today is decided with
  // it, not with the built-in defaults (5.00).
  PactTerms terms;
  terms.visitor_per_started_hour = 600;
  desk.set_pact({PactVersion{"2027-01", *parse_civil_day("2027-01-01"), terms}});
  ASSERT_TRUE(at_gate("苏E12345", true).admit);
  later(70 * kMinute);
  EXPECT_EQ(at_gate("苏E12345", false).fee_due_fen, 2 * 600);
}

TEST_F(GateDeskTest, AGuardOpensABarrierOfAKnownGateOnly) {
  const auto opened = desk.open_by_guard("tiny", "g", "沪A12345", t);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->admit);
  EXPECT_EQ(opened->reason, "OPENED_BY_GUARD");
  EXPECT_EQ(opened->event_seq, 0u);
  EXPECT_EQ(opened->gate_id, "g");
  EXPECT_FALSE(desk.open_by_guard("tiny", "nowhere", "", t));
  EXPECT_FALSE(desk.open_by_guard("elsewhere", "g", "", t));
}

TEST_F(GateDeskTest, ACarThatLeavesBeforeParkingGivesItsHeldSpaceBack) {
  ASSERT_EQ(at_gate("苏E12345", true).assigned_space, "S1");
  EXPECT_EQ(engine.occupancy(0).lot_counts()[SpaceState::Held], 1u);
  at_gate("苏E12345", false);
  EXPECT_EQ(engine.occupancy(0).lot_counts()[SpaceState::Held], 0u);
  EXPECT_EQ(at_gate("苏E54321", true).assigned_space, "S1");
}

TEST_F(GateDeskTest, AResidentLeavesFreely) {
  const auto d = at_gate("沪A11111", false);
  EXPECT_TRUE(d.admit);
  EXPECT_EQ(d.reason, "RESIDENT_EXIT");
  EXPECT_EQ(d.fee_due_fen, 0);
}

TEST_F(GateDeskTest, AtNightVisitorsLeaveTheReserveToResidents) {
  t = test::kNightShanghai;
  all_free();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(at_gate("苏E1000" + std::to_string(i), true).admit) << i;
  const auto refused = at_gate("苏E20000", true);
  EXPECT_FALSE(refused.admit);
  EXPECT_EQ(refused.reason, "RESERVE_FOR_RESIDENTS");
  EXPECT_TRUE(at_gate("沪A11111", true).admit);
}

TEST_F(GateDeskTest, WhenTheLotIsFullResidentsStillComeInAndVisitorsDoNot) {
  for (auto [sensor, space] : {std::pair{"s-N1", "N1"}, {"s-N2", "N2"}, {"s-N3", "N3"}, {"s-N4", "N4"},
                               {"s-S1", "S1"}, {"s-S2", "S2"}, {"s-S3", "S3"}}) {
    engine.on_sensor_report(test::reading("tiny", sensor, space, true, ++seq), t);
  }
  t += 3'000;
  const auto resident = at_gate("沪A11111", true);
  EXPECT_TRUE(resident.admit);
  EXPECT_EQ(resident.reason, "LOT_FULL");
  EXPECT_TRUE(resident.assigned_space.empty());
  const auto visitor = at_gate("苏E12345", true);
  EXPECT_FALSE(visitor.admit);
  EXPECT_EQ(visitor.reason, "LOT_FULL");
  EXPECT_TRUE(desk.open_sessions().empty());
}

}  // namespace
}  // namespace parkd

namespace parkd {
namespace {

TEST_F(GateDeskTest, TheVisitorFeeFollowsThePactVersionInForce) {
  PactTerms dearer;
  dearer.visitor_per_started_hour = 1'000;
  dearer.visitor_cap_per_24h = 8'000;
  desk.set_pact({PactVersion{"2026-01", *parse_civil_day("2026-01-01"), PactTerms{}},
                 PactVersion{"2026-11", *parse_civil_day("2026-11-02"), dearer}});  // from today on
  at_gate("苏E12345", true);
  later(2 * kHour + 31 * kMinute);
  EXPECT_EQ(at_gate("苏E12345", false).fee_due_fen, 3'000);
}

}  // namespace
}  // namespace parkd
