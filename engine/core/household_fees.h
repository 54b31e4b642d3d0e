// What a household pays per month on a day under the pact: each of its cars with its rank that
// day and the fee of that rank (none: past a tenant's limit, the car is treated as a visitor's),
// and the total. What the office shows a resident who asks "why do I pay this".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "registry.h"

namespace parkd {

struct HouseholdFees {
  struct Car {
    const Vehicle* vehicle = nullptr;
    std::uint32_t rank = 0;       // 0: not in force that day
    std::optional<Fen> fee;       // in force: the rank's monthly fee, or none (a visitor's)
  };
  std::vector<Car> cars;  // every permit the household ever held, in registration order
  Fen total = 0;          // the monthly fees of the cars in force that day
};

HouseholdFees household_fees_on(const Registry& registry, const std::string& household_id, CivilDay day,
                                const PactTerms& terms);

}  // namespace parkd
