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
  // new version from its valid_from if set (a late renewal), else from `effective_from`, so
  // earlier months are billed as they were; starts_history is kept with it. One transaction.
  virtual std::error_code put_households(std::span<const Household> households, CivilDay effective_from,
                                         const AuditEntry* audit) = 0;
  // New permits, in one transaction; a plate that already has a permit in force fails the whole
  // call (check first with the loaded registry to tell the operator which line).
  virtual std::error_code add_vehicles(std::span<const Vehicle> vehicles, const AuditEntry* audit) = 0;
  // Rewrites stored permits (found by registration_order, the record's id: household and days)
  // and adds new ones, in one transaction: a correction or a move is one change, audited once.
  // A record that is not found fails the whole call.
  virtual std::error_code change_permits(std::span<const Vehicle> rewritten, std::span<const Vehicle> added,
                                         const AuditEntry* audit) = 0;
  // Every household version and every permit ever recorded.
  virtual std::error_code load(std::vector<Household>& households, std::vector<Vehicle>& vehicles) = 0;
};

}  // namespace parkd
