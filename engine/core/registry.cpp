// Permit lookup with the same day rules as the bill: registered_on counts, removed_on does not,
// a lease's end date is its last day.
#include "registry.h"

#include <algorithm>
#include <tuple>

namespace parkd {

Registry::Registry(std::vector<Household> households, std::vector<Vehicle> vehicles)
    : households_(std::move(households)), vehicles_(std::move(vehicles)), versions_(households_) {
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
    const Household* household = versions_.on(v.household_id, day);
    if (household == nullptr || !in_force(v, *household, day)) continue;
    const std::uint32_t rank = rank_on(vi, *household, day);
    if (!monthly_fee(terms, household->type, rank)) return std::nullopt;
    return Permit{household, rank, std::nullopt, &v};
  }
  for (std::size_t vi : by_plate->second) {
    const Vehicle& v = vehicles_[vi];
    const Household* household = versions_.on(v.household_id, day);
    if (household == nullptr || household->type != HouseholdType::Tenant || !household->lease_end) continue;
    const CivilDay last = *household->lease_end;
    if (day <= last || day - last > static_cast<CivilDay>(terms.lease_grace_days)) continue;
    const Household* then = versions_.on(v.household_id, last);
    if (then == nullptr || !in_force(v, *then, last) || (v.removed_on && day >= *v.removed_on)) continue;
    const std::uint32_t rank = rank_on(vi, *then, last);
    if (!monthly_fee(terms, then->type, rank)) return std::nullopt;
    return Permit{household, rank, last, &v};
  }
  return std::nullopt;
}

std::uint32_t Registry::rank_on(std::size_t vehicle, const Household& household, CivilDay day) const {
  std::uint32_t rank = 0;
  for (std::size_t other : vehicles_by_household_.at(vehicles_[vehicle].household_id)) {
    if (in_force(vehicles_[other], household, day)) ++rank;
    if (other == vehicle) break;
  }
  return rank;
}

std::vector<Registry::VehicleOnDay> Registry::vehicles_of(const std::string& household_id, CivilDay day) const {
  std::vector<VehicleOnDay> out;
  const auto it = vehicles_by_household_.find(household_id);
  if (it == vehicles_by_household_.end()) return out;
  const Household* household = versions_.on(household_id, day);
  for (std::size_t vi : it->second) {
    VehicleOnDay row{&vehicles_[vi], 0};
    if (household != nullptr && in_force(vehicles_[vi], *household, day)) row.rank = rank_on(vi, *household, day);
    out.push_back(row);
  }
  return out;
}

std::optional<Vehicle> Registry::vehicle_in_force_record(std::string_view plate) const {
  const auto it = vehicles_by_plate_.find(std::string(plate));
  if (it == vehicles_by_plate_.end()) return std::nullopt;
  for (std::size_t vi : it->second) {
    if (!vehicles_[vi].removed_on) return vehicles_[vi];
  }
  return std::nullopt;
}

std::vector<const Vehicle*> Registry::records_of(std::string_view plate) const {
  std::vector<const Vehicle*> out;
  const auto it = vehicles_by_plate_.find(std::string(plate));
  if (it == vehicles_by_plate_.end()) return out;
  for (std::size_t vi : it->second) out.push_back(&vehicles_[vi]);
  return out;
}

HouseholdImportDiff diff_households(const Registry& registry, const std::vector<Household>& rows, CivilDay today,
                                    std::uint32_t grace_days) {
  std::unordered_map<std::string_view, const Household*> latest;  // versions are on record in order
  latest.reserve(registry.households().size());
  for (const Household& h : registry.households()) latest[h.household_id] = &h;
  HouseholdImportDiff diff;
  for (const Household& row : rows) {
    const auto known = latest.find(row.household_id);
    if (known == latest.end()) {
      diff.changes.push_back({nullptr, row});
    } else if (known->second->building != row.building || known->second->room != row.room ||
               known->second->type != row.type || known->second->lease_end != row.lease_end) {
      const Household& before = *known->second;
      Household after = row;
      const bool lapsed = before.type == HouseholdType::Tenant && before.lease_end && *before.lease_end < today;
      if (lapsed && row.type == HouseholdType::Tenant && row.lease_end && *row.lease_end > *before.lease_end) {
        if (today - *before.lease_end <= static_cast<CivilDay>(grace_days) + 1) {
          after.valid_from = *before.lease_end + 1;  // a late renewal: the lease runs on without a gap
        } else {
          after.starts_history = true;  // a new tenant under the same id
        }
      }
      diff.changes.push_back({&before, std::move(after)});
    } else {
      ++diff.unchanged;
    }
  }
  return diff;
}

}  // namespace parkd
