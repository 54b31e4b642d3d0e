// A household's monthly fees on a day.
#include "household_fees.h"

namespace parkd {

HouseholdFees household_fees_on(const Registry& registry, const std::string& household_id, CivilDay day,
                                const PactTerms& terms) {
  HouseholdFees out;
  const Household* household = registry.household(household_id, day);
  for (const auto& row : registry.vehicles_of(household_id, day)) {
    HouseholdFees::Car car{row.vehicle, row.rank, std::nullopt};
    if (row.rank > 0 && household != nullptr) {
      car.fee = monthly_fee(terms, household->type, row.rank);
      out.total += car.fee.value_or(0);
    }
    out.cars.push_back(car);
  }
  return out;
}

}  // namespace parkd
