// Planning permit changes: every plan is checked against all of the plate's records, so two
// permits of one plate never share a day.
#include "permit_change.h"

#include <algorithm>

namespace parkd {

std::string_view name_of(PermitRejection r) {
  switch (r) {
    case PermitRejection::None: return "none";
    case PermitRejection::UnknownHousehold: return "unknown_household";
    case PermitRejection::NotRegistered: return "unknown_plate";
    case PermitRejection::Overlap: return "permit_overlap";
    case PermitRejection::BadRange: return "invalid_input";
    case PermitRejection::SameHousehold: return "same_household";
  }
  return "none";
}

namespace {

bool empty_range(const Vehicle& v) { return v.removed_on && *v.removed_on <= v.registered_on; }

// [registered_on, removed_on) ranges; an open end is the end of time; an empty range shares no day.
bool overlap(const Vehicle& a, const Vehicle& b) {
  if (empty_range(a) || empty_range(b)) return false;
  const bool a_before_b_ends = !b.removed_on || a.registered_on < *b.removed_on;
  const bool b_before_a_ends = !a.removed_on || b.registered_on < *a.removed_on;
  return a_before_b_ends && b_before_a_ends;
}

bool household_known(const Registry& registry, const std::string& id) {
  return std::any_of(registry.households().begin(), registry.households().end(),
                     [&](const Household& h) { return h.household_id == id; });
}

PermitPlan rejected(PermitRejection why, std::string message) {
  PermitPlan plan;
  plan.rejection = why;
  plan.message = std::move(message);
  return plan;
}

// The first clash of `candidate` with the plate's records other than those in `replaced`.
std::optional<std::string> clash(const Registry& registry, const Vehicle& candidate,
                                 const std::vector<std::uint64_t>& replaced) {
  for (const Vehicle* other : registry.records_of(candidate.plate)) {
    if (std::find(replaced.begin(), replaced.end(), other->registration_order) != replaced.end()) continue;
    if (overlap(candidate, *other)) {
      return "plate " + candidate.plate + " has a permit for household " + other->household_id + " " +
             permit_days(*other) + " (permit " + std::to_string(other->registration_order) +
             "); one plate holds one permit a day: correct that permit's days, or move the car";
    }
  }
  return std::nullopt;
}

// The permit of `plate` in force on `day` (ignoring leases: that is the household's side), or
// nullptr.
const Vehicle* permit_on(const Registry& registry, const std::string& plate, CivilDay day) {
  for (const Vehicle* v : registry.records_of(plate)) {
    if (v->registered_on <= day && (!v->removed_on || day < *v->removed_on)) return v;
  }
  return nullptr;
}

std::string records_in_words(const Registry& registry, const std::string& plate) {
  std::string out;
  for (const Vehicle* v : registry.records_of(plate)) {
    out += out.empty() ? "" : "; ";
    out += "permit " + std::to_string(v->registration_order) + " for household " + v->household_id + " " + permit_days(*v);
  }
  return out.empty() ? "it has no permit on record" : "its permits: " + out;
}

}  // namespace

std::string permit_days(const Vehicle& v) {
  if (!v.removed_on) return "from " + format_civil_day(v.registered_on);
  if (empty_range(v)) return "on no day (registered and removed on " + format_civil_day(v.registered_on) + ")";
  return "from " + format_civil_day(v.registered_on) + " to " + format_civil_day(*v.removed_on - 1);
}

std::vector<std::string> overlapping_permits(const Registry& registry) {
  std::vector<std::string> out;
  for (const Vehicle& v : registry.vehicles()) {
    for (const Vehicle* other : registry.records_of(v.plate)) {
      if (other->registration_order <= v.registration_order || !overlap(v, *other)) continue;
      out.push_back("plate " + v.plate + ": permit " + std::to_string(v.registration_order) + " (household " +
                    v.household_id + ", " + permit_days(v) + ") and permit " + std::to_string(other->registration_order) +
                    " (household " + other->household_id + ", " + permit_days(*other) +
                    ") share days and are both billed; set one right with parkctl vehicle correct");
    }
  }
  return out;
}

std::optional<std::string> permit_conflict(const Registry& registry, const Vehicle& v) {
  return clash(registry, v, {});
}

PermitPlan plan_add_permit(const Registry& registry, const Vehicle& v) {
  if (!household_known(registry, v.household_id)) {
    return rejected(PermitRejection::UnknownHousehold, "household '" + v.household_id + "' is not registered");
  }
  if (v.removed_on && *v.removed_on < v.registered_on) {
    return rejected(PermitRejection::BadRange, "removed_on " + format_civil_day(*v.removed_on) +
                                                   " is before registered_on " + format_civil_day(v.registered_on));
  }
  if (auto why = clash(registry, v, {})) return rejected(PermitRejection::Overlap, *why);
  PermitPlan plan;
  plan.added.push_back(v);
  return plan;
}

PermitPlan plan_end_permit(const Registry& registry, const std::string& plate, CivilDay removed_on) {
  // The permit in force the day before the end, so ending it on its first day leaves it on no
  // day (a car registered by mistake); failing that, one that starts on that very day.
  const Vehicle* target = permit_on(registry, plate, removed_on - 1);
  if (target == nullptr) target = permit_on(registry, plate, removed_on);
  if (target == nullptr) {
    return rejected(PermitRejection::NotRegistered, "plate " + plate + " has no permit in force on " +
                                                        format_civil_day(removed_on - 1) + " or " +
                                                        format_civil_day(removed_on) + "; " + records_in_words(registry, plate));
  }
  Vehicle ended = *target;
  ended.removed_on = std::max(removed_on, ended.registered_on);
  PermitPlan plan;
  plan.rewritten.push_back(std::move(ended));
  return plan;
}

const Vehicle* permit_record(const Registry& registry, const std::string& plate, std::uint64_t permit_id) {
  const Vehicle* found = nullptr;
  for (const Vehicle* v : registry.records_of(plate)) {
    if (permit_id == 0 ? (found == nullptr || v->registered_on >= found->registered_on) : v->registration_order == permit_id) {
      found = v;
    }
  }
  return found;
}

PermitPlan plan_correct_permit(const Registry& registry, const std::string& plate, std::uint64_t permit_id,
                               CivilDay registered_on, std::optional<CivilDay> removed_on) {
  const Vehicle* target = permit_record(registry, plate, permit_id);
  if (target == nullptr) {
    return rejected(PermitRejection::NotRegistered,
                    permit_id == 0 ? "plate " + plate + " has no permit on record"
                                   : "plate " + plate + " has no permit " + std::to_string(permit_id) + "; " +
                                         records_in_words(registry, plate));
  }
  if (removed_on && *removed_on < registered_on) {
    return rejected(PermitRejection::BadRange, "removed_on " + format_civil_day(*removed_on) +
                                                   " is before registered_on " + format_civil_day(registered_on));
  }
  Vehicle corrected = *target;
  corrected.registered_on = registered_on;
  corrected.removed_on = removed_on;
  if (auto why = clash(registry, corrected, {target->registration_order})) return rejected(PermitRejection::Overlap, *why);
  PermitPlan plan;
  plan.rewritten.push_back(std::move(corrected));
  return plan;
}

PermitPlan plan_move_permit(const Registry& registry, const std::string& plate, const std::string& to_household,
                            CivilDay on) {
  if (!household_known(registry, to_household)) {
    return rejected(PermitRejection::UnknownHousehold, "household '" + to_household + "' is not registered");
  }
  const Vehicle* from = permit_on(registry, plate, on);
  if (from == nullptr) {
    return rejected(PermitRejection::NotRegistered, "plate " + plate + " has no permit in force on " +
                                                        format_civil_day(on) + " to move; " + records_in_words(registry, plate));
  }
  if (from->household_id == to_household) {
    return rejected(PermitRejection::SameHousehold, "plate " + plate + " is household " + to_household + "'s already");
  }
  Vehicle ended = *from;
  ended.removed_on = on;
  Vehicle moved{plate, to_household, on, from->removed_on, 0, from->needs_accessible, from->electric};
  PermitPlan plan;
  plan.rewritten.push_back(std::move(ended));
  plan.added.push_back(std::move(moved));
  return plan;
}

}  // namespace parkd
