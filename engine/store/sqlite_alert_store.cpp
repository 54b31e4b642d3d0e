// Alerts by id (raised, then updated when cleared) and the strikes of each space.
#include "sqlite_alert_store.h"

namespace parkd {
namespace {

constexpr const char* kColumns =
    "alert_id, lot_id, kind, space_id, plate, raised_at_ms, cleared_at_ms, detail_zh, detail_en, cleared_by";

Alert read_alert(sqlite3_stmt* s) {
  Alert a;
  a.alert_id = column_text(s, 0);
  a.lot_id = column_text(s, 1);
  a.kind = parse_alert_kind(column_text(s, 2)).value_or(AlertKind::BlockedSuspect);
  a.space_id = column_text(s, 3);
  a.plate = column_text(s, 4);
  a.raised_at = sqlite3_column_int64(s, 5);
  a.cleared_at = sqlite3_column_int64(s, 6);
  a.detail_zh = column_text(s, 7);
  a.detail_en = column_text(s, 8);
  a.cleared_by = column_text(s, 9);
  return a;
}

}  // namespace

std::error_code SqliteAlertStore::save(std::span<const Alert> alerts, std::span<const StoredStrikes> strikes) {
  if (alerts.empty() && strikes.empty()) return {};
  if (auto e = db_.exec("BEGIN IMMEDIATE")) return e;
  SqliteStatement upsert(db_.handle(),
                         "INSERT INTO alert (alert_id, lot_id, kind, space_id, plate, raised_at_ms, cleared_at_ms, "
                         "detail_zh, detail_en, cleared_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                         "ON CONFLICT (alert_id) DO UPDATE SET cleared_at_ms = excluded.cleared_at_ms, "
                         "cleared_by = excluded.cleared_by");
  SqliteStatement forget(db_.handle(), "DELETE FROM space_strike WHERE lot_id = ?1 AND space_id = ?2");
  SqliteStatement insert(db_.handle(), "INSERT OR IGNORE INTO space_strike (lot_id, space_id, at_ms) VALUES (?1, ?2, ?3)");
  int rc = upsert.prepare_result();
  if (rc == SQLITE_OK) rc = forget.prepare_result();
  if (rc == SQLITE_OK) rc = insert.prepare_result();
  auto step = [&](SqliteStatement& s) {
    rc = sqlite3_step(s.get()) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db_.handle());
    sqlite3_reset(s.get());
  };
  for (std::size_t i = 0; rc == SQLITE_OK && i < alerts.size(); ++i) {
    const Alert& a = alerts[i];
    bind_text(upsert.get(), 1, a.alert_id);
    bind_text(upsert.get(), 2, a.lot_id);
    bind_text(upsert.get(), 3, name_of(a.kind));
    bind_text(upsert.get(), 4, a.space_id);
    bind_text(upsert.get(), 5, a.plate);
    sqlite3_bind_int64(upsert.get(), 6, a.raised_at);
    sqlite3_bind_int64(upsert.get(), 7, a.cleared_at);
    bind_text(upsert.get(), 8, a.detail_zh);
    bind_text(upsert.get(), 9, a.detail_en);
    bind_text(upsert.get(), 10, a.cleared_by);
    step(upsert);
  }
  for (std::size_t i = 0; rc == SQLITE_OK && i < strikes.size(); ++i) {
    const StoredStrikes& s = strikes[i];
    bind_text(forget.get(), 1, s.lot_id);
    bind_text(forget.get(), 2, s.space_id);
    step(forget);
    for (std::size_t k = 0; rc == SQLITE_OK && k < s.strikes.size(); ++k) {
      bind_text(insert.get(), 1, s.lot_id);
      bind_text(insert.get(), 2, s.space_id);
      sqlite3_bind_int64(insert.get(), 3, s.strikes[k]);
      step(insert);
    }
  }
  return db_.finish_transaction(rc);
}

std::error_code SqliteAlertStore::select(const char* sql, TimeMs from, TimeMs to, std::vector<Alert>& out) {
  SqliteStatement s(db_.handle(), sql);
  if (s.prepare_result() != SQLITE_OK) return sqlite_error(s.prepare_result());
  if (sqlite3_bind_parameter_count(s.get()) >= 2) {
    sqlite3_bind_int64(s.get(), 1, from);
    sqlite3_bind_int64(s.get(), 2, to);
  }
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(read_alert(s.get()));
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteAlertStore::load_active(std::vector<Alert>& out) {
  const std::string sql = std::string("SELECT ") + kColumns + " FROM alert WHERE cleared_at_ms = 0 ORDER BY raised_at_ms, alert_id";
  return select(sql.c_str(), 0, 0, out);
}

std::error_code SqliteAlertStore::history(TimeMs from, TimeMs to, std::vector<Alert>& out) {
  const std::string sql = std::string("SELECT ") + kColumns +
                          " FROM alert WHERE raised_at_ms < ?2 AND (cleared_at_ms = 0 OR cleared_at_ms >= ?1) "
                          "ORDER BY raised_at_ms, alert_id";
  return select(sql.c_str(), from, to, out);
}

std::error_code SqliteAlertStore::load_strikes(std::vector<StoredStrikes>& out) {
  SqliteStatement s(db_.handle(), "SELECT lot_id, space_id, at_ms FROM space_strike ORDER BY lot_id, space_id, at_ms");
  if (s.prepare_result() != SQLITE_OK) return sqlite_error(s.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    std::string lot = column_text(s.get(), 0);
    std::string space = column_text(s.get(), 1);
    if (out.empty() || out.back().lot_id != lot || out.back().space_id != space) {
      out.push_back(StoredStrikes{std::move(lot), std::move(space), {}});
    }
    out.back().strikes.push_back(sqlite3_column_int64(s.get(), 2));
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

}  // namespace parkd
