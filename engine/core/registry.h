// The registry as the gates see it: which plate holds a permit in force on a day, for which
// household, at which rank. Built from the stored households and vehicles; immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "billing.h"
#include "fees.h"

namespace parkd {

struct Permit {
  const Household* household = nullptr;
  std::uint32_t rank = 0;  // among the household's cars in force that day, by registration
};

class Registry {
 public:
  Registry(std::vector<Household> households, std::vector<Vehicle> vehicles);

  // The permit of a normalised plate on `day`, if one is in force; a tenant's car past the
  // limit of `terms` (the pact in force that day) has none: it is treated as a visitor's.
  std::optional<Permit> permit(std::string_view plate, CivilDay day, const PactTerms& terms) const;

  const std::vector<Household>& households() const { return households_; }
  const std::vector<Vehicle>& vehicles() const { return vehicles_; }

 private:
  std::vector<Household> households_;
  std::vector<Vehicle> vehicles_;
  std::unordered_map<std::string, std::size_t> household_index_;
  std::unordered_map<std::string, std::vector<std::size_t>> vehicles_by_plate_;
  std::unordered_map<std::string, std::vector<std::size_t>> vehicles_by_household_;  // registration order
};

}  // namespace parkd
