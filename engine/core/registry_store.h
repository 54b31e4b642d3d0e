// Where the vehicle registry lives: households and the history of every permit. An interface of
// the core's own, over SQLite in engine/store/. Nothing is ever deleted: a removed car keeps
// its row with the day it was removed, so a past month's bill comes out the same later.
#pragma once

#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "audit_log.h"
#include "billing.h"

namespace parkd {

// Every change takes an optional audit entry (nullptr: not audited, e.g. in tests) written in the
// same transaction as the change: both or neither.
class RegistryStore {
 public:
  virtual ~RegistryStore() = default;
  // New households are added (known from the beginning); a known one whose fields differ gets a
  // new version from `effective_from`, so earlier months are billed as they were. One transaction.
  virtual std::error_code put_households(std::span<const Household> households, CivilDay effective_from,
                                         const AuditEntry* audit) = 0;
  // New permits, in one transaction; a plate that already has a permit in force fails the whole
  // call (check first with the loaded registry to tell the operator which line).
  virtual std::error_code add_vehicles(std::span<const Vehicle> vehicles, const AuditEntry* audit) = 0;
  // Ends the permit in force for `plate` from `removed_on` (its first day without). `found`
  // says whether there was one (no audit entry is written when there was none).
  virtual std::error_code remove_vehicle(std::string_view plate, CivilDay removed_on, bool& found,
                                         const AuditEntry* audit) = 0;
  // Every household version and every permit ever recorded.
  virtual std::error_code load(std::vector<Household>& households, std::vector<Vehicle>& vehicles) = 0;
};

}  // namespace parkd
