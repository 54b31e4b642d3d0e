// Where special passes live: an interface of the core's own, over SQLite in engine/store/.
#pragma once

#include <string_view>
#include <system_error>
#include <vector>

#include "audit_log.h"
#include "special_pass.h"

namespace parkd {

class SpecialPassStore {
 public:
  virtual ~SpecialPassStore() = default;
  // Every pass ever granted, in the order granted.
  virtual std::error_code load(std::vector<SpecialPass>& out) = 0;
  // A new pass, with its audit entry, in one transaction.
  virtual std::error_code grant(const SpecialPass& pass, const AuditEntry* audit) = 0;
  // Ends pass `id` from `revoked_on`, with its audit entry, in one transaction.
  virtual std::error_code revoke(std::uint64_t id, CivilDay revoked_on, const AuditEntry* audit) = 0;
};

}  // namespace parkd
