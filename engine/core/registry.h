// The registry as the gates see it: which plate holds a permit in force on a day, for which
// household, at which rank. Built from the stored households and vehicles; immutable.
#pragma once

#include <cstdint>
#include <cstddef>
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
  // Moves keep the vectors' buffers, so the version index stays valid; a copy would not.
  Registry(Registry&&) noexcept = default;
  Registry& operator=(Registry&&) noexcept = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The permit of a normalised plate on `day`, if one is in force; a tenant's car past the
  // limit of `terms` (the pact in force that day) has none: it is treated as a visitor's.
  std::optional<Permit> permit(std::string_view plate, CivilDay day, const PactTerms& terms) const;

  // The household's version on `day` (nullptr: unknown, or not yet on record that day).
  const Household* household(const std::string& household_id, CivilDay day) const {
    return versions_.on(household_id, day);
  }
  struct VehicleOnDay {
    const Vehicle* vehicle = nullptr;
    std::uint32_t rank = 0;  // 0: not in force that day
  };
  // Every permit the household ever held, in registration order, with its rank on `day`.
  std::vector<VehicleOnDay> vehicles_of(const std::string& household_id, CivilDay day) const;
  // The permit record of `plate` that has not been removed (regardless of leases), if any.
  std::optional<Vehicle> vehicle_in_force_record(std::string_view plate) const;
  // Every permit record of a plate, in the order they were recorded.
  std::vector<const Vehicle*> records_of(std::string_view plate) const;

  const std::vector<Household>& households() const { return households_; }
  const std::vector<Vehicle>& vehicles() const { return vehicles_; }

 private:
  std::uint32_t rank_on(std::size_t vehicle, const Household& household, CivilDay day) const;

  std::vector<Household> households_;
  std::vector<Vehicle> vehicles_;
  HouseholdVersions versions_;
  std::unordered_map<std::string, std::vector<std::size_t>> vehicles_by_plate_;
  std::unordered_map<std::string, std::vector<std::size_t>> vehicles_by_household_;  // registration order
};

// How a households import compares with the registry: each row is new, changed (from the
// household's latest version) or unchanged. O(rows + versions on record).
struct HouseholdImportDiff {
  struct Change {
    const Household* before = nullptr;  // null: a new household
    const Household* after = nullptr;   // the row
  };
  std::vector<Change> changes;  // in the rows' order
  std::size_t unchanged = 0;
};
HouseholdImportDiff diff_households(const Registry& registry, const std::vector<Household>& rows);

}  // namespace parkd
