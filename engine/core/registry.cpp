// Permit lookup with the same day rules as the bill: registered_on counts, removed_on does not,
// a lease's end date is its last day.
#include "registry.h"

#include <algorithm>
#include <tuple>

namespace parkd {

namespace {
bool in_force(const Vehicle& v, const Household& h, CivilDay d) {
  if (d < v.registered_on || (v.removed_on && d >= *v.removed_on)) return false;
  return !(h.type == HouseholdType::Tenant && h.lease_end && d > *h.lease_end);
}
}  // namespace

Registry::Registry(std::vector<Household> households, std::vector<Vehicle> vehicles)
    : households_(std::move(households)), vehicles_(std::move(vehicles)) {
  for (std::size_t i = 0; i < households_.size(); ++i) household_index_[households_[i].household_id] = i;
  for (std::size_t i = 0; i < vehicles_.size(); ++i) {
    vehicles_by_plate_[vehicles_[i].plate].push_back(i);
    vehicles_by_household_[vehicles_[i].household_id].push_back(i);
  }
  for (auto& [id, list] : vehicles_by_household_) {
    std::sort(list.begin(), list.end(), [this](std::size_t a, std::size_t b) {
      return std::tie(vehicles_[a].registered_on, vehicles_[a].registration_order) <
             std::tie(vehicles_[b].registered_on, vehicles_[b].registration_order);
    });
  }
}

std::optional<Permit> Registry::permit(std::string_view plate, CivilDay day, const PactTerms& terms) const {
  const auto by_plate = vehicles_by_plate_.find(std::string(plate));
  if (by_plate == vehicles_by_plate_.end()) return std::nullopt;
  for (std::size_t vi : by_plate->second) {
    const Vehicle& v = vehicles_[vi];
    const auto h = household_index_.find(v.household_id);
    if (h == household_index_.end()) continue;
    const Household& household = households_[h->second];
    if (!in_force(v, household, day)) continue;
    std::uint32_t rank = 0;
    for (std::size_t other : vehicles_by_household_.at(v.household_id)) {
      if (in_force(vehicles_[other], household, day)) ++rank;
      if (other == vi) break;
    }
    if (!monthly_fee(terms, household.type, rank)) return std::nullopt;
    return Permit{&household, rank};
  }
  return std::nullopt;
}

}  // namespace parkd
