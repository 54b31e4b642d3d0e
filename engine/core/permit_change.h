// Changes to permits as the property office makes them (add, end, correct the days, move to
// another household), each checked so that one plate's permits never overlap: a car is billed
// once a day, at one rank, in one household. A change is planned here, stored as planned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "billing.h"
#include "registry.h"

namespace parkd {

enum class PermitRejection : std::uint8_t {
  None,
  UnknownHousehold,  // the household is not on record
  NotRegistered,     // no permit of the plate matches
  Overlap,           // another permit of the plate is in force on some of those days
  BadRange,          // removed_on before registered_on
  SameHousehold,     // a move to the household that holds it already
};
std::string_view name_of(PermitRejection r);

// Stored records to rewrite (identified by registration_order, the record's id) and records to
// add; both applied in one transaction. Or why not, with a message for the operator.
struct PermitPlan {
  PermitRejection rejection = PermitRejection::None;
  std::string message;
  std::vector<Vehicle> rewritten;  // with their new household and days
  std::vector<Vehicle> added;
  bool ok() const { return rejection == PermitRejection::None; }
};

// A new permit from v.registered_on (until v.removed_on, if set).
PermitPlan plan_add_permit(const Registry& registry, const Vehicle& v);
// Ends the permit in force on `removed_on` (its first day without), or corrects the end of one
// that is set to end later: a removal recorded for the future can be brought forward or back.
PermitPlan plan_end_permit(const Registry& registry, const std::string& plate, CivilDay removed_on);
// Rewrites the days of one permit (`permit_id`; 0: the plate's latest) to a corrected range.
PermitPlan plan_correct_permit(const Registry& registry, const std::string& plate, std::uint64_t permit_id,
                               CivilDay registered_on, std::optional<CivilDay> removed_on);
// The car changes household on `on`: the permit in force that day ends, and the new household's
// starts, until the day the old one was to end.
PermitPlan plan_move_permit(const Registry& registry, const std::string& plate, const std::string& to_household,
                            CivilDay on);

// The permit record `permit_id` of `plate` (0: the plate's latest), or nullptr.
const Vehicle* permit_record(const Registry& registry, const std::string& plate, std::uint64_t permit_id);

// Why `v` cannot be added next to the permits on record (nullopt: it can). For imports, row by row.
std::optional<std::string> permit_conflict(const Registry& registry, const Vehicle& v);

// Permits on record that already share days with another of their plate (made before parkd
// checked): one message each, naming both permits and how to set them right.
std::vector<std::string> overlapping_permits(const Registry& registry);

// Days in words for messages: "from 2026-10-01 to 2026-10-31" (the last day in force).
std::string permit_days(const Vehicle& v);

}  // namespace parkd
