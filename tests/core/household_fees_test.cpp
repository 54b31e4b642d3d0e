// A household's monthly fees on a day: ranks by registration, a removed car out, a tenant's
// third car treated as a visitor's (spec: 150/300/600 for owners, 200/400 and two cars at most
// for tenants).
#include "core/household_fees.h"

#include <gtest/gtest.h>
#include "support/test_data.h"

namespace parkd {
namespace {

using test::day;

TEST(HouseholdFees, RanksFeesAndTheTotalOnADay) {
  Registry registry({{"H1", "1", "101", HouseholdType::Owner, std::nullopt, std::nullopt},
                     {"T1", "2", "201", HouseholdType::Tenant, day("2027-06-30"), std::nullopt}},
                    {{"沪A00001", "H1", day("2026-01-05"), std::nullopt, 1},
                     {"沪A00002", "H1", day("2026-02-01"), day("2026-10-01"), 2},  // removed before the day
                     {"沪A00003", "H1", day("2026-03-01"), std::nullopt, 3},
                     {"沪A00004", "H1", day("2026-04-01"), std::nullopt, 4},
                     {"沪B00001", "T1", day("2026-01-01"), std::nullopt, 5},
                     {"沪B00002", "T1", day("2026-01-02"), std::nullopt, 6},
                     {"沪B00003", "T1", day("2026-01-03"), std::nullopt, 7}});
  const PactTerms terms;
  const HouseholdFees owner = household_fees_on(registry, "H1", day("2026-11-15"), terms);
  ASSERT_EQ(owner.cars.size(), 4u);
  EXPECT_EQ(owner.cars[0].rank, 1u);
  EXPECT_EQ(owner.cars[0].fee, 15'000);
  EXPECT_EQ(owner.cars[1].rank, 0u) << "removed on 10-01";
  EXPECT_FALSE(owner.cars[1].fee);
  EXPECT_EQ(owner.cars[2].rank, 2u);
  EXPECT_EQ(owner.cars[2].fee, 30'000);
  EXPECT_EQ(owner.cars[3].fee, 60'000);
  EXPECT_EQ(owner.total, 105'000);  // 150 + 300 + 600 yuan
  const HouseholdFees tenant = household_fees_on(registry, "T1", day("2026-11-15"), terms);
  ASSERT_EQ(tenant.cars.size(), 3u);
  EXPECT_EQ(tenant.cars[2].rank, 3u);
  EXPECT_FALSE(tenant.cars[2].fee) << "a tenant's third car is a visitor's";
  EXPECT_EQ(tenant.total, 60'000);
  EXPECT_TRUE(household_fees_on(registry, "nobody", day("2026-11-15"), terms).cars.empty());
}

}  // namespace
}  // namespace parkd
