// Issue #17 case 1, as golden cases: one plate in force twice was billed twice. Each case gives
// the input, release 1's wrong bill (computed by hand in the comment) and what parkd does now.
#include "core/permit_change.h"

#include <gtest/gtest.h>

#include "core/civil_day.h"
#include "support/test_data.h"

namespace parkd {
namespace {

using test::day;

const std::vector<PactVersion> kPact = {PactVersion{"2026-01", day("2026-01-01"), {}}};

std::vector<Household> owners() {
  return {{"H1", "3", "101", HouseholdType::Owner, std::nullopt, std::nullopt},
          {"H2", "7", "502", HouseholdType::Owner, std::nullopt, std::nullopt}};
}

// The registry after a plan is applied the way the store applies it.
Registry applied(const Registry& before, const PermitPlan& plan) {
  std::vector<Vehicle> vehicles = before.vehicles();
  for (const Vehicle& v : plan.rewritten) {
    for (Vehicle& stored : vehicles) {
      if (stored.registration_order == v.registration_order) stored = v;
    }
  }
  std::uint64_t next = vehicles.size() + 1;
  for (Vehicle v : plan.added) {
    v.registration_order = next++;
    vehicles.push_back(std::move(v));
  }
  return Registry(before.households(), std::move(vehicles));
}

Fen billed(const Registry& r, const std::string& plate, int year, int month) {
  Fen total = 0;
  for (const BillLine& l : monthly_bill(year, month, r.households(), r.vehicles(), kPact)) {
    if (l.plate == plate) total += l.amount;
  }
  return total;
}

TEST(PermitChange, AWrongRegistrationDayIsCorrectedNotRegisteredTwice) {
  // 沪A10001 was typed in as registered on 2026-10-16; it has been H1's car since 10-01. H1 also
  // has 沪A10002 from 10-05. Release 1: the clerk removed it (removed_on today, 10-20) and added
  // it again from 10-01, so two permits were in force 10-16..10-19 and October billed the car
  // 150.00 at rank 1 and again 600 × 4/31 = 77.42 at rank 3. Now the second add is refused, and
  // a correction of the days bills the car once.
  const Registry before(owners(), {{"沪A10001", "H1", day("2026-10-16"), std::nullopt, 1},
                                   {"沪A10002", "H1", day("2026-10-05"), std::nullopt, 2}});
  const PermitPlan again = plan_add_permit(before, {"沪A10001", "H1", day("2026-10-01"), std::nullopt, 0});
  EXPECT_EQ(again.rejection, PermitRejection::Overlap);
  EXPECT_NE(again.message.find("permit 1"), std::string::npos) << again.message;

  const PermitPlan fix = plan_correct_permit(before, "沪A10001", 0, day("2026-10-01"), std::nullopt);
  ASSERT_TRUE(fix.ok()) << fix.message;
  ASSERT_EQ(fix.rewritten.size(), 1u);
  EXPECT_EQ(fix.rewritten[0].registration_order, 1u);
  EXPECT_TRUE(fix.added.empty());
  const Registry after = applied(before, fix);
  EXPECT_EQ(billed(after, "沪A10001", 2026, 10), 150'00);  // rank 1 all month
  // 沪A10002: rank 2 from 10-05, 27 days: 300 × 27 / 31 = 261.29.
  EXPECT_EQ(billed(after, "沪A10002", 2026, 10), 261'29);
}

TEST(PermitChange, ACarMovingBetweenHouseholdsIsBilledByOneOfThemADay) {
  // 沪B20001, H1's since 2025, goes to H2 (a son's household) on 2026-11-16. Release 1: removed
  // from H1 with removed_on 11-20 (typed wrong) and added to H2 from 11-16: November billed
  // 150 × 19/30 = 95.00 to H1 and 150 × 15/30 = 75.00 to H2: 170.00 for 30 days. Now the
  // overlapping add is refused and a move bills 75.00 + 75.00.
  const Registry before(owners(), {{"沪B20001", "H1", day("2025-03-01"), day("2026-11-20"), 1}});
  EXPECT_EQ(plan_add_permit(before, {"沪B20001", "H2", day("2026-11-16"), std::nullopt, 0}).rejection,
            PermitRejection::Overlap);
  const PermitPlan move = plan_move_permit(before, "沪B20001", "H2", day("2026-11-16"));
  ASSERT_TRUE(move.ok()) << move.message;
  ASSERT_EQ(move.added.size(), 1u);
  EXPECT_EQ(move.added[0].registered_on, day("2026-11-16"));
  EXPECT_EQ(move.added[0].removed_on, day("2026-11-20"));  // it keeps the end that was set
  const Registry after = applied(before, move);
  EXPECT_EQ(billed(after, "沪B20001", 2026, 11), 75'00 + 20'00);  // H1 15 days, H2 11-16..11-19: 150 × 4/30
  EXPECT_EQ(plan_move_permit(after, "沪B20001", "H2", day("2026-11-17")).rejection, PermitRejection::SameHousehold);
  EXPECT_EQ(plan_move_permit(before, "沪B20001", "H3", day("2026-11-16")).rejection, PermitRejection::UnknownHousehold);
}

TEST(PermitChange, ARemovalSetForLaterCanBeBroughtForwardOrPutBack) {
  // Release 1: "vehicle remove" looked only for a permit without removed_on, so a removal
  // typed for 12-31 could not be corrected to 12-01 ("not registered").
  const Registry before(owners(), {{"沪C30001", "H1", day("2026-01-01"), day("2026-12-31"), 1}});
  const PermitPlan sooner = plan_end_permit(before, "沪C30001", day("2026-12-01"));
  ASSERT_TRUE(sooner.ok()) << sooner.message;
  EXPECT_EQ(sooner.rewritten[0].removed_on, day("2026-12-01"));
  const PermitPlan undo = plan_correct_permit(before, "沪C30001", 1, day("2026-01-01"), std::nullopt);
  ASSERT_TRUE(undo.ok());
  EXPECT_FALSE(undo.rewritten[0].removed_on.has_value());
  // A day after the permit ended has nothing to end.
  const PermitPlan late = plan_end_permit(before, "沪C30001", day("2027-02-01"));
  EXPECT_EQ(late.rejection, PermitRejection::NotRegistered);
  EXPECT_NE(late.message.find("from 2026-01-01 to 2026-12-30"), std::string::npos) << late.message;
}

TEST(PermitChange, AMistakenRegistrationEndsOnItsFirstDayAndHoldsNoDay) {
  const Registry before(owners(), {{"沪D40001", "H1", day("2026-11-10"), std::nullopt, 1}});
  const PermitPlan undo = plan_end_permit(before, "沪D40001", day("2026-11-10"));
  ASSERT_TRUE(undo.ok()) << undo.message;
  const Registry after = applied(before, undo);
  EXPECT_EQ(billed(after, "沪D40001", 2026, 11), 0);
  // The plate is free for another household from that very day.
  EXPECT_TRUE(plan_add_permit(after, {"沪D40001", "H2", day("2026-11-10"), std::nullopt, 0}).ok());
}

TEST(PermitChange, PermitsThatAlreadyOverlapAreFoundSoTheOfficeCanSetThemRight) {
  // What release 1 let in: 沪A10001 removed on 10-20 and added again from 10-01.
  const Registry r(owners(), {{"沪A10001", "H1", day("2026-10-16"), day("2026-10-20"), 1},
                              {"沪A10002", "H1", day("2026-10-05"), std::nullopt, 2},
                              {"沪A10001", "H1", day("2026-10-01"), std::nullopt, 3}});
  const std::vector<std::string> found = overlapping_permits(r);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], "plate 沪A10001: permit 1 (household H1, from 2026-10-16 to 2026-10-19) and permit 3 (household H1, "
                      "from 2026-10-01) share days and are both billed; set one right with parkctl vehicle correct");
  const PermitPlan fix = plan_correct_permit(r, "沪A10001", 1, day("2026-10-16"), day("2026-10-16"));
  ASSERT_TRUE(fix.ok()) << fix.message;
  EXPECT_TRUE(overlapping_permits(applied(r, fix)).empty());
}

TEST(PermitChange, RangesThatOnlyTouchDoNotOverlapAndBadRangesAreRefused) {
  const Registry r(owners(), {{"沪E50001", "H1", day("2026-01-01"), day("2026-06-01"), 1},
                              {"沪E50001", "H2", day("2026-09-01"), std::nullopt, 2}});
  EXPECT_TRUE(plan_add_permit(r, {"沪E50001", "H2", day("2026-06-01"), day("2026-09-01"), 0}).ok());
  EXPECT_EQ(plan_add_permit(r, {"沪E50001", "H2", day("2026-05-31"), day("2026-07-01"), 0}).rejection,
            PermitRejection::Overlap);
  EXPECT_EQ(plan_add_permit(r, {"沪E50001", "H2", day("2026-08-31"), day("2026-09-02"), 0}).rejection,
            PermitRejection::Overlap);
  EXPECT_EQ(plan_add_permit(r, {"沪E50002", "H2", day("2026-08-31"), day("2026-08-30"), 0}).rejection,
            PermitRejection::BadRange);
  // Correcting permit 2 to start earlier runs into permit 1.
  EXPECT_EQ(plan_correct_permit(r, "沪E50001", 2, day("2026-05-01"), std::nullopt).rejection, PermitRejection::Overlap);
  EXPECT_TRUE(plan_correct_permit(r, "沪E50001", 2, day("2026-06-01"), std::nullopt).ok());
  EXPECT_EQ(plan_correct_permit(r, "沪E50001", 7, day("2026-06-01"), std::nullopt).rejection, PermitRejection::NotRegistered);
}

}  // namespace
}  // namespace parkd
