// Special passes in SQLite: granted and revoked with their audit entries, never deleted.
#include "sqlite_special_pass_store.h"

#include "sqlite_audit_log.h"

namespace parkd {

std::error_code SqliteSpecialPassStore::load(std::vector<SpecialPass>& out) {
  SqliteStatement s(db_.handle(),
                    "SELECT pass_id, plate, reason, valid_until, granted_by, granted_at_ms, revoked_on FROM special_pass "
                    "ORDER BY pass_id");
  if (s.prepare_result() != SQLITE_OK) return sqlite_error(s.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    out.push_back(SpecialPass{static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 0)), column_text(s.get(), 1),
                              column_text(s.get(), 2), column_day(s.get(), 3), column_text(s.get(), 4),
                              sqlite3_column_int64(s.get(), 5), column_day(s.get(), 6)});
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteSpecialPassStore::grant(const SpecialPass& pass, const AuditEntry* audit) {
  return in_transaction(db_, [&] {
    SqliteStatement s(db_.handle(),
                      "INSERT INTO special_pass (plate, reason, valid_until, granted_by, granted_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (s.prepare_result() != SQLITE_OK) return s.prepare_result();
    bind_text(s.get(), 1, pass.plate);
    bind_text(s.get(), 2, pass.reason);
    bind_day(s.get(), 3, pass.valid_until);
    bind_text(s.get(), 4, pass.granted_by);
    sqlite3_bind_int64(s.get(), 5, pass.granted_at);
    int rc = step_and_reset(s.get());
    if (rc == SQLITE_OK && audit != nullptr) rc = append_audit(db_.handle(), *audit);
    return rc;
  });
}

std::error_code SqliteSpecialPassStore::revoke(std::uint64_t id, CivilDay revoked_on, const AuditEntry* audit) {
  return in_transaction(db_, [&] {
    SqliteStatement s(db_.handle(), "UPDATE special_pass SET revoked_on = ?2 WHERE pass_id = ?1");
    if (s.prepare_result() != SQLITE_OK) return s.prepare_result();
    sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(id));
    bind_text(s.get(), 2, format_civil_day(revoked_on));
    int rc = step_and_reset(s.get());
    if (rc == SQLITE_OK && sqlite3_changes(db_.handle()) == 0) rc = SQLITE_NOTFOUND;
    if (rc == SQLITE_OK && audit != nullptr) rc = append_audit(db_.handle(), *audit);
    return rc;
  });
}

}  // namespace parkd
