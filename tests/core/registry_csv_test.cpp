// Importing households and vehicles from CSV: the spec's columns, every error with its line and
// column, nothing taken when anything is wrong.
#include "core/registry_csv.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

std::string issues(const std::vector<CsvIssue>& list) {
  std::string out;
  for (const auto& i : list) out += i.to_string() + "\n";
  return out;
}

TEST(RegistryCsv, ReadsHouseholdsWithQuotesBomAndCrlf) {
  const auto r = parse_households_csv(
      "\xEF\xBB\xBFhousehold_id,building,room,household_type,lease_end\r\n"
      "H1,3,101,owner,\r\n"
      "\"H2\",7,\"5,02\",tenant,2027-06-30\r\n"
      "\r\n");
  ASSERT_TRUE(r.issues.empty()) << issues(r.issues);
  ASSERT_EQ(r.households.size(), 2u);
  EXPECT_EQ(r.households[1].room, "5,02");
  EXPECT_EQ(r.households[1].type, HouseholdType::Tenant);
  EXPECT_EQ(format_civil_day(*r.households[1].lease_end), "2027-06-30");
}

TEST(RegistryCsv, EveryHouseholdErrorIsReportedAndNothingIsTaken) {
  const auto r = parse_households_csv(
      "household_id,building,room,household_type,lease_end\n"
      "H1,3,101,owner,\n"
      "H1,3,102,owner,\n"             // line 3: duplicate
      "H3,3,103,landlord,\n"          // line 4: bad type
      "H4,3,104,tenant,\n"            // line 5: tenant without lease
      "H5,3,105,tenant,2027-02-30\n"  // line 6: no such day
      "H6,3,106,owner,2027-01-01\n"   // line 7: owner with a lease
      "H7,3\n");                      // line 8: too few fields
  EXPECT_TRUE(r.households.empty());
  const std::string all = issues(r.issues);
  EXPECT_NE(all.find("line 3, column 1: household 'H1' is listed twice (first on line 2)"), std::string::npos) << all;
  EXPECT_NE(all.find("line 4, column 4: household_type 'landlord' is neither owner nor tenant"), std::string::npos) << all;
  EXPECT_NE(all.find("line 5, column 5: a tenant household needs lease_end"), std::string::npos) << all;
  EXPECT_NE(all.find("line 6, column 5: lease_end '2027-02-30' is not a date YYYY-MM-DD"), std::string::npos) << all;
  EXPECT_NE(all.find("line 7, column 5: an owner household has no lease_end"), std::string::npos) << all;
  EXPECT_NE(all.find("line 8: expected 5 fields, found 2"), std::string::npos) << all;
}

TEST(RegistryCsv, AWrongHeaderOrAnOpenQuoteStopsAtOnce) {
  EXPECT_EQ(parse_households_csv("id,building\nH1,3\n").issues.at(0).to_string(),
            "line 1: the header must be household_id,building,room,household_type,lease_end");
  EXPECT_EQ(parse_households_csv("").issues.size(), 1u);
  EXPECT_EQ(parse_households_csv("household_id,building,room,household_type,lease_end\n\"H1,3,1,owner,\n").issues.at(0).message,
            "line 2: a quoted field is never closed");
}

TEST(RegistryCsv, ReadsVehiclesNormalisingPlates) {
  const auto r = parse_vehicles_csv("plate,household_id,registered_on\n沪a·12345,H1,2026-10-16\n沪AD12345,H1,2026-10-17\n", {"H1"});
  ASSERT_TRUE(r.issues.empty()) << issues(r.issues);
  ASSERT_EQ(r.vehicles.size(), 2u);
  EXPECT_EQ(r.vehicles[0].plate, "沪A12345");
  EXPECT_EQ(format_civil_day(r.vehicles[0].registered_on), "2026-10-16");
  EXPECT_LT(r.vehicles[0].registration_order, r.vehicles[1].registration_order);
}

TEST(RegistryCsv, EveryVehicleErrorIsReportedAndNothingIsTaken) {
  const auto r = parse_vehicles_csv(
      "plate,household_id,registered_on\n"
      "沪A12345,H1,2026-10-16\n"
      "沪A 12345,H1,2026-10-17\n"  // line 3: the same plate once normalised
      "沪A1234,H1,2026-10-17\n"    // line 4: too short
      "沪A54321,H9,2026-10-17\n"   // line 5: unknown household
      "沪A55555,H1,16/10/2026\n",  // line 6: bad date
      {"H1"});
  EXPECT_TRUE(r.vehicles.empty());
  const std::string all = issues(r.issues);
  EXPECT_NE(all.find("line 3, column 1: plate '沪A12345' is listed twice (first on line 2)"), std::string::npos) << all;
  EXPECT_NE(all.find("line 4, column 1: plate: '沪A1234' has 4 characters"), std::string::npos) << all;
  EXPECT_NE(all.find("line 5, column 2: household 'H9' is not registered"), std::string::npos) << all;
  EXPECT_NE(all.find("line 6, column 3: registered_on '16/10/2026' is not a date YYYY-MM-DD"), std::string::npos) << all;
}

TEST(RegistryCsv, LineNumbersCountLineBreaksInsideQuotes) {
  const auto r = parse_households_csv(
      "household_id,building,room,household_type,lease_end\n"
      "H1,3,\"1\n01\",owner,\n"
      "H2,3,102,duke,\n");
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].line, 4);
}

}  // namespace
}  // namespace parkd
