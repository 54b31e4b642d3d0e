// The registry's import diff: each row new, changed from the latest version, or unchanged, in
// time linear in the file and the registry.
#include "core/registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include "support/test_data.h"

namespace parkd {
namespace {

Household owner(std::string id, std::string room, std::optional<CivilDay> from = std::nullopt) {
  return Household{std::move(id), "7", std::move(room), HouseholdType::Owner, std::nullopt, from};
}

TEST(HouseholdImportDiff, RowsAreNewChangedFromTheLatestVersionOrUnchanged) {
  // H1 moved from 101 to 102 on 2026-10-01: its latest version is 102.
  Registry registry({owner("H1", "101"), owner("H2", "201"), owner("H1", "102", parse_civil_day("2026-10-01"))}, {});
  const std::vector<Household> rows = {owner("H1", "102"), owner("H2", "202"), owner("H3", "301")};
  const HouseholdImportDiff diff = diff_households(registry, rows);
  EXPECT_EQ(diff.unchanged, 1u);  // H1 as it is now
  ASSERT_EQ(diff.changes.size(), 2u);
  EXPECT_EQ(diff.changes[0].after.household_id, "H2");
  ASSERT_NE(diff.changes[0].before, nullptr);
  EXPECT_EQ(diff.changes[0].before->room, "201");
  EXPECT_EQ(diff.changes[1].after.household_id, "H3");
  EXPECT_EQ(diff.changes[1].before, nullptr);
}

TEST(HouseholdImportDiff, ALargeFileAgainstALargeRegistryIsLinear) {
  std::vector<Household> on_record;
  std::vector<Household> rows;
  for (int i = 0; i < 40'000; ++i) {
    on_record.push_back(owner("H" + std::to_string(i), "1"));
    rows.push_back(owner("H" + std::to_string(i), i % 2 == 0 ? "1" : "2"));
  }
  Registry registry(std::move(on_record), {});
  const HouseholdImportDiff diff = diff_households(registry, rows);
  EXPECT_EQ(diff.unchanged, 20'000u);
  EXPECT_EQ(diff.changes.size(), 20'000u);
}

using test::day;

Household tenant(std::string id, const char* lease_end, std::optional<CivilDay> from = std::nullopt) {
  return Household{std::move(id), "7", "701", HouseholdType::Tenant, day(lease_end), from};
}

TEST(HouseholdImportDiff, ALateRenewalRunsOnFromTheOldEndWithoutAGap) {
  // Issue #17 case 6. H7's lease ended 2026-11-30; the renewal is typed in on 12-05. Release 1
  // made the new version start on 12-05: 12-01..12-04 without a permit (a visitor at night,
  // charged) and not billed. With 7 grace days it runs on from 12-01.
  const Registry registry({tenant("H7", "2026-11-30")}, {{"沪B70001", "H7", day("2026-01-01"), std::nullopt, 1}});
  HouseholdImportDiff diff = diff_households(registry, {tenant("H7", "2027-11-30")}, day("2026-12-05"), 7);
  ASSERT_EQ(diff.changes.size(), 1u);
  EXPECT_EQ(diff.changes[0].after.valid_from, day("2026-12-01"));
  EXPECT_FALSE(diff.changes[0].after.starts_history);
  // Stored so, December bills all 31 days: 200.00.
  std::vector<Household> households = registry.households();
  households.push_back(diff.changes[0].after);
  const auto lines = monthly_bill(2026, 12, households, registry.vehicles(), {PactVersion{"p", 0, {}}});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].days_billed, 31);
  EXPECT_EQ(lines[0].amount, 200'00);
  // Typed before the lease ended, a change is a change from that day, as before.
  diff = diff_households(registry, {tenant("H7", "2027-11-30")}, day("2026-11-20"), 7);
  EXPECT_FALSE(diff.changes[0].after.valid_from.has_value());
}

TEST(HouseholdImportDiff, ANewLeaseLongAfterTheOldOneIsANewHouseholdsHistory) {
  // H7's id is given to a new tenant on 2027-03-01, three months after the old lease lapsed.
  // Release 1 revived the old tenant's car as rank 1 and the new tenant's first car paid rank 2.
  const Registry registry({tenant("H7", "2026-11-30")}, {{"沪B70001", "H7", day("2026-01-01"), std::nullopt, 1}});
  const HouseholdImportDiff diff = diff_households(registry, {tenant("H7", "2028-02-29")}, day("2027-03-01"), 7);
  ASSERT_EQ(diff.changes.size(), 1u);
  EXPECT_TRUE(diff.changes[0].after.starts_history);
  Household version = diff.changes[0].after;
  version.valid_from = day("2027-03-01");  // as the store keeps it: from the day of the change
  const Registry after({tenant("H7", "2026-11-30"), version},
                       {{"沪B70001", "H7", day("2026-01-01"), std::nullopt, 1}, {"沪B70002", "H7", day("2027-03-01"), std::nullopt, 2}});
  const PactTerms terms;
  EXPECT_FALSE(after.permit("沪B70001", day("2027-03-02"), terms)) << "the old tenant's car";
  const auto permit = after.permit("沪B70002", day("2027-03-02"), terms);
  ASSERT_TRUE(permit);
  EXPECT_EQ(permit->rank, 1u);
}

TEST(Registry, ALapsedLeasesCarsKeepTheirPermitForTheGraceDaysOnly) {
  const Registry registry({tenant("H7", "2026-11-30")}, {{"沪B70001", "H7", day("2026-01-01"), std::nullopt, 1},
                                                         {"沪B70002", "H7", day("2026-01-01"), day("2026-11-15"), 2}});
  PactTerms terms;
  terms.lease_grace_days = 7;
  const auto in_grace = registry.permit("沪B70001", day("2026-12-07"), terms);
  ASSERT_TRUE(in_grace);
  EXPECT_EQ(in_grace->lease_ended, day("2026-11-30"));
  EXPECT_EQ(in_grace->rank, 1u);
  EXPECT_FALSE(registry.permit("沪B70001", day("2026-12-08"), terms)) << "after the grace days";
  EXPECT_FALSE(registry.permit("沪B70002", day("2026-12-01"), terms)) << "a car removed before the lease ended";
  terms.lease_grace_days = 0;
  EXPECT_FALSE(registry.permit("沪B70001", day("2026-12-01"), terms));
  // The grace days are not billed: December has no line unless the lease is renewed.
  EXPECT_TRUE(monthly_bill(2026, 12, registry.households(), registry.vehicles(), {PactVersion{"p", 0, terms}}).empty());
}

}  // namespace
}  // namespace parkd
