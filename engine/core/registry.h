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
  // Set when the lease ended and the car is let in within the pact's grace days: its last day.
  std::optional<CivilDay> lease_ended;
  const Vehicle* vehicle = nullptr;  // the permit's record
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
  // A tenant's car whose lease ended at most terms.lease_grace_days before `day` (and not
  // removed) keeps its permit at its last day's rank, with lease_ended set.
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
    Household after;                    // the row, with the version's valid_from when it is not
                                        // the day of the change, and starts_history
  };
  std::vector<Change> changes;  // in the rows' order
  std::size_t unchanged = 0;
};
// A tenant whose lease had lapsed on `today`: a new lease_end given within `grace_days` of the old
// one's end is a late renewal, in force from the day after the old end (no gap); later, it is a
// new tenant under a reused id (starts_history: the old tenant's cars stay out).
HouseholdImportDiff diff_households(const Registry& registry, const std::vector<Household>& rows, CivilDay today = 0,
                                    std::uint32_t grace_days = 0);

}  // namespace parkd
