// Audit entries: appended, never changed, read newest first.
#include "sqlite_audit_log.h"

namespace parkd {

int append_audit(sqlite3* db, const AuditEntry& e) {
  SqliteStatement insert(db,
                         "INSERT INTO audit_log (at_ms, token_name, action, target, before_json, after_json) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (insert.prepare_result() != SQLITE_OK) return insert.prepare_result();
  sqlite3_bind_int64(insert.get(), 1, e.at);
  bind_text(insert.get(), 2, e.token_name);
  bind_text(insert.get(), 3, e.action);
  bind_text(insert.get(), 4, e.target);
  bind_text(insert.get(), 5, e.before);
  bind_text(insert.get(), 6, e.after);
  return step_and_reset(insert.get());
}

std::error_code SqliteAuditLog::append(const AuditEntry& entry) {
  return in_transaction(db_, [&] { return append_audit(db_.handle(), entry); });
}

std::error_code SqliteAuditLog::recent(std::size_t limit, std::vector<AuditEntry>& out) {
  SqliteStatement select(db_.handle(),
                         "SELECT audit_id, at_ms, token_name, action, target, before_json, after_json FROM audit_log "
                         "ORDER BY audit_id DESC LIMIT ?1");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  sqlite3_bind_int64(select.get(), 1, static_cast<sqlite3_int64>(limit));
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    out.push_back(AuditEntry{static_cast<std::uint64_t>(sqlite3_column_int64(select.get(), 0)),
                             sqlite3_column_int64(select.get(), 1), column_text(select.get(), 2),
                             column_text(select.get(), 3), column_text(select.get(), 4), column_text(select.get(), 5),
                             column_text(select.get(), 6)});
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

}  // namespace parkd
