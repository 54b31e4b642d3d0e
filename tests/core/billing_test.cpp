// The monthly bill against a month computed by hand (tests/data/golden/bill-2026-10.csv):
// a car registered mid-month, one removed mid-month (the other re-ranked from that day), a
// tenant whose lease ends mid-month with a third car treated as a visitor, three cars in one
// household.
#include "core/billing.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/civil_day.h"
#include "support/test_data.h"

namespace parkd {
namespace {

using test::day;

std::vector<Household> households() {
  return {{"H1", "3", "101", HouseholdType::Owner, std::nullopt, std::nullopt},
          {"H2", "7", "502", HouseholdType::Owner, std::nullopt, std::nullopt},
          {"H3", "12", "303", HouseholdType::Owner, std::nullopt, std::nullopt},
          {"H4", "20", "204", HouseholdType::Tenant, day("2026-10-20"), std::nullopt}};
}

std::vector<Vehicle> vehicles() {
  return {{"沪A10001", "H1", day("2026-09-01"), std::nullopt, 1},
          {"沪A10002", "H1", day("2026-10-16"), std::nullopt, 2},
          {"沪B20001", "H2", day("2025-01-01"), std::nullopt, 3},
          {"沪B20002", "H2", day("2025-06-01"), std::nullopt, 4},
          {"沪B20003", "H2", day("2026-03-01"), std::nullopt, 5},
          {"沪C30001", "H3", day("2024-05-05"), day("2026-10-11"), 6},
          {"沪C30002", "H3", day("2025-02-02"), std::nullopt, 7},
          {"苏E40001", "H4", day("2026-01-01"), std::nullopt, 8},
          {"苏E40002", "H4", day("2026-02-01"), std::nullopt, 9},
          {"苏E40003", "H4", day("2026-03-01"), std::nullopt, 10}};
}

std::vector<PactVersion> pact() { return {PactVersion{"2026-01", day("2026-01-01"), PactTerms{}}}; }

std::string golden(const char* name) {
  std::ifstream in(std::string(PARKD_SOURCE_DIR) + "/tests/data/golden/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Billing, OctoberMatchesTheHandComputedBillToTheFen) {
  const auto lines = monthly_bill(2026, 10, households(), vehicles(), pact());
  EXPECT_EQ(bill_csv(lines), golden("bill-2026-10.csv"));
  Fen total = 0;
  for (const auto& l : lines) total += l.amount;
  EXPECT_EQ(total, 15'000 + 15'484 + 15'000 + 30'000 + 60'000 + 4'839 + 9'677 + 10'161 + 12'903 + 25'806);
}

TEST(Billing, APastMonthComesOutTheSameAfterLaterChanges) {
  const auto before = bill_csv(monthly_bill(2026, 10, households(), vehicles(), pact()));
  auto later = vehicles();
  later[2].removed_on = day("2026-11-05");                              // removed in November
  later.push_back({"沪A10003", "H1", day("2026-11-02"), std::nullopt, 11});  // added in November
  EXPECT_EQ(bill_csv(monthly_bill(2026, 10, households(), later, pact())), before);
}

TEST(Billing, ANewPactVersionAppliesFromItsDayAndTheLinesSaySo) {
  auto versions = pact();
  PactTerms dearer;
  dearer.owner_monthly = {18'000, 36'000, 72'000};
  versions.push_back(PactVersion{"2026-10b", day("2026-10-16"), dearer});
  const auto lines = monthly_bill(2026, 10, {households()[1]}, vehicles(), versions);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].plate, "沪B20001");
  EXPECT_EQ(lines[0].pact_version, "2026-01");
  EXPECT_EQ(lines[0].days_billed, 15);
  EXPECT_EQ(lines[0].amount, 7'258);  // 150.00 x 15 / 31
  EXPECT_EQ(lines[1].pact_version, "2026-10b");
  EXPECT_EQ(lines[1].days_billed, 16);
  EXPECT_EQ(lines[1].amount, 9'290);  // 180.00 x 16 / 31
}

// A household that turns from owner to tenant on 10-16 (a new version of it from that day):
// owner's rank 1 for 15 days, tenant's rank 1 for 16, on two lines.
//   15,000 x 15 / 31 = 7,258.06 -> 7,258 fen; 20,000 x 16 / 31 = 10,322.58 -> 10,323 fen; 175.81 yuan.
// (Grouped without the type, it came out as one owner's line of 31 days: 150.00.)
TEST(Billing, ATypeChangeMidMonthBillsEachTypesDaysAtItsFee) {
  const std::vector<Household> h = {{"H9", "9", "901", HouseholdType::Owner, std::nullopt, std::nullopt},
                                    {"H9", "9", "901", HouseholdType::Tenant, day("2027-10-15"), day("2026-10-16")}};
  const std::vector<Vehicle> v = {{"沪A90001", "H9", day("2026-01-01"), std::nullopt, 1}};
  const std::vector<BillLine> lines = monthly_bill(2026, 10, h, v, pact());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].type, HouseholdType::Owner);
  EXPECT_EQ(lines[0].days_billed, 15);
  EXPECT_EQ(lines[0].amount, 7'258);
  EXPECT_EQ(lines[1].type, HouseholdType::Tenant);
  EXPECT_EQ(lines[1].days_billed, 16);
  EXPECT_EQ(lines[1].monthly_fee, 20'000);
  EXPECT_EQ(lines[1].amount, 10'323);
  EXPECT_EQ(lines[0].amount + lines[1].amount, 17'581);
}

TEST(Billing, CsvQuotesFieldsThatNeedItAndCanCarryABom) {
  BillLine l;
  l.month = "2026-10";
  l.household_id = "H,5";
  l.room = "2\"A";
  l.plate = "沪A12345";
  const std::string csv = bill_csv({l}, /*excel_bom=*/true);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find(",\"H,5\",,\"2\"\"A\","), std::string::npos) << csv;
  EXPECT_EQ(yuan(5), "0.05");
  EXPECT_EQ(yuan(123'456), "1234.56");
}

TEST(CivilDay, ParsesOnlyRealDates) {
  EXPECT_EQ(format_civil_day(day("2026-10-31")), "2026-10-31");
  EXPECT_EQ(day("2026-11-01") - day("2026-10-31"), 1);
  EXPECT_FALSE(parse_civil_day("2026-02-29"));
  EXPECT_TRUE(parse_civil_day("2028-02-29"));
  EXPECT_FALSE(parse_civil_day("2026-13-01"));
  EXPECT_FALSE(parse_civil_day("2026-1-01"));
  EXPECT_FALSE(parse_civil_day("20261001"));
}

}  // namespace
}  // namespace parkd
