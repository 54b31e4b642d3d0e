// Where issued bills are kept: each closed month's file exactly as it was issued, and its lines,
// so the file can be handed out again byte for byte and later corrections computed against it.
// An interface of the core's own, over SQLite in engine/store/.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "audit_log.h"
#include "billing.h"
#include "time_ms.h"

namespace parkd {

class BillArchive {
 public:
  virtual ~BillArchive() = default;
  // The file issued for `month` ("YYYY-MM"); nullopt while the month is open.
  virtual std::error_code issued_file(const std::string& month, std::optional<std::string>& csv) = 0;
  // Every closed month, and every line issued in one (the months' own and their adjustments).
  virtual std::error_code closed(std::set<std::string>& months, std::vector<BillLine>& lines) = 0;
  // Closes `month` with the file and the lines it was made from, with the audit entry, in one
  // transaction; fails if the month is closed already.
  virtual std::error_code close_month(const std::string& month, TimeMs closed_at, const std::string& csv,
                                      std::span<const BillLine> lines, const AuditEntry* audit) = 0;
};

}  // namespace parkd
