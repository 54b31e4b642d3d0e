// The pact's arithmetic against the figures the spec states.
#include "core/fees.h"

#include <gtest/gtest.h>
#include "support/test_data.h"

namespace parkd {
namespace {

using test::kMinute;
using test::kHour;
const PactTerms kXj5;

Fen visitor(TimeMs stay) { return visitor_fee(kXj5, 1'000'000, 1'000'000 + stay).amount; }

TEST(Fees, OwnerFeesRiseWithTheNumberOfCars) {
  EXPECT_EQ(monthly_fee(kXj5, HouseholdType::Owner, 1), 15'000);
  EXPECT_EQ(monthly_fee(kXj5, HouseholdType::Owner, 2), 30'000);
  EXPECT_EQ(monthly_fee(kXj5, HouseholdType::Owner, 3), 60'000);
  EXPECT_EQ(monthly_fee(kXj5, HouseholdType::Owner, 7), 60'000);  // 3rd and each further car
  EXPECT_FALSE(monthly_fee(kXj5, HouseholdType::Owner, 0));
}

TEST(Fees, TenantsHaveTwoCarsAtMost) {
  EXPECT_EQ(monthly_fee(kXj5, HouseholdType::Tenant, 1), 20'000);
  EXPECT_EQ(monthly_fee(kXj5, HouseholdType::Tenant, 2), 40'000);
  EXPECT_FALSE(monthly_fee(kXj5, HouseholdType::Tenant, 3));  // treated as a visitor
}

TEST(Fees, ProRataRoundsHalfUpInFen) {
  EXPECT_EQ(pro_rata(15'000, 30, 30), 15'000);
  EXPECT_EQ(pro_rata(15'000, 10, 30), 5'000);
  EXPECT_EQ(pro_rata(15'000, 1, 31), 484);     // 483.87
  EXPECT_EQ(pro_rata(30'000, 17, 31), 16'452);  // 16451.6
  EXPECT_EQ(pro_rata(100, 1, 8), 13);           // 12.5 rounds up
  EXPECT_EQ(pro_rata(60'000, 0, 30), 0);
}

TEST(Fees, DaysInMonthKnowsLeapYears) {
  EXPECT_EQ(days_in_month(2026, 2), 28);
  EXPECT_EQ(days_in_month(2028, 2), 29);
  EXPECT_EQ(days_in_month(2100, 2), 28);
  EXPECT_EQ(days_in_month(2000, 2), 29);
  EXPECT_EQ(days_in_month(2026, 10), 31);
  EXPECT_EQ(days_in_month(2026, 11), 30);
}

TEST(Fees, VisitorsStayThirtyMinutesFree) {
  EXPECT_EQ(visitor(0), 0);
  EXPECT_EQ(visitor(30 * kMinute), 0);
  EXPECT_EQ(visitor(30 * kMinute + 1), 500);  // every started hour of the whole stay
  EXPECT_EQ(visitor(kHour), 500);
  EXPECT_EQ(visitor(kHour + 1), 1'000);
}

TEST(Fees, TheSpecsOwnExamples) {
  EXPECT_EQ(visitor(2 * kHour + 31 * kMinute), 1'500);  // 2 h 31 min pays 15.00
  EXPECT_EQ(visitor(30 * kHour), 7'000);                 // 30 h pays 40.00 + 30.00
}

TEST(Fees, EachTwentyFourHoursFromEntryCostsAtMostTheCap) {
  EXPECT_EQ(visitor(8 * kHour), 4'000);
  EXPECT_EQ(visitor(24 * kHour), 4'000);
  EXPECT_EQ(visitor(24 * kHour + 1), 4'500);
  EXPECT_EQ(visitor(48 * kHour), 8'000);
  EXPECT_EQ(visitor(72 * kHour + 20 * kHour), 16'000);
  const VisitorFee f = visitor_fee(kXj5, 0, 30 * kHour);
  EXPECT_EQ(f.whole_days, 1);
  EXPECT_EQ(f.started_hours, 6);
  EXPECT_TRUE(f.overstay);
  EXPECT_FALSE(visitor_fee(kXj5, 0, 24 * kHour).overstay);
}

TEST(Fees, AnExitBeforeTheEntryCostsNothing) { EXPECT_EQ(visitor_fee(kXj5, 5'000, 1'000).amount, 0); }

}  // namespace
}  // namespace parkd
