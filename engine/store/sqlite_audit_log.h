// The core's AuditLog over the audit_log table; append_audit() also serves the stores that write
// an entry inside their own transaction.
#pragma once

#include "core/audit_log.h"
#include "sqlite_database.h"

namespace parkd {

// Inserts one entry on `db` (inside whatever transaction is open); an SQLite result code.
int append_audit(sqlite3* db, const AuditEntry& entry);

class SqliteAuditLog : public AuditLog {
 public:
  explicit SqliteAuditLog(SqliteDatabase& db) : db_(db) {}
  std::error_code append(const AuditEntry& entry) override;
  std::error_code recent(std::size_t limit, std::vector<AuditEntry>& out) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace parkd
