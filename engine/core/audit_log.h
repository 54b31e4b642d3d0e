// The audit log of every change made through the control API: when, by which token, what, and
// the state before and after (JSON text). An interface of the core's own, over SQLite.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "time_ms.h"

namespace parkd {

struct AuditEntry {
  std::uint64_t id = 0;  // set by the store
  TimeMs at = 0;         // wall-clock time of the change
  std::string token_name;
  std::string action;    // e.g. "space.close", "vehicle.add", "import.households"
  std::string target;    // e.g. "xj5/A01", a plate, a file's row count
  std::string before;    // JSON; "" when there was nothing before
  std::string after;     // JSON
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  virtual std::error_code append(const AuditEntry& entry) = 0;
  // The newest entries first, at most `limit`.
  virtual std::error_code recent(std::size_t limit, std::vector<AuditEntry>& out) = 0;
};

}  // namespace parkd
