// Upserts and reads of the last known space states, and each space's history of changes.
#include "sqlite_space_state_store.h"

#include <algorithm>
#include <limits>

namespace parkd {

namespace {

constexpr TimeMs kPruneEveryMs = 3'600'000;

// Binds a state's five columns (lot, space, state, time, note) and runs the statement once.
int write_state(sqlite3* db, SqliteStatement& statement, const StoredSpaceState& c) {
  const std::string_view state = name_of(c.state);
  sqlite3_bind_text(statement.get(), 1, c.lot_id.data(), static_cast<int>(c.lot_id.size()), SQLITE_STATIC);
  sqlite3_bind_text(statement.get(), 2, c.space_id.data(), static_cast<int>(c.space_id.size()), SQLITE_STATIC);
  sqlite3_bind_text(statement.get(), 3, state.data(), static_cast<int>(state.size()), SQLITE_STATIC);
  sqlite3_bind_int64(statement.get(), 4, c.changed_at);
  sqlite3_bind_text(statement.get(), 5, c.note.data(), static_cast<int>(c.note.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(statement.get()) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
  sqlite3_reset(statement.get());
  return rc;
}

}  // namespace

std::error_code SqliteSpaceStateStore::save(std::span<const StoredSpaceState> latest,
                                            std::span<const StoredSpaceState> changes) {
  if (latest.empty() && changes.empty()) return {};
  if (auto e = db_.exec("BEGIN IMMEDIATE")) return e;
  SqliteStatement upsert(db_.handle(),
                         "INSERT INTO space_state (lot_id, space_id, state, changed_at_ms, note) VALUES (?1, ?2, ?3, ?4, ?5) "
                         "ON CONFLICT (lot_id, space_id) DO UPDATE SET state = excluded.state, "
                         "changed_at_ms = excluded.changed_at_ms, note = excluded.note");
  int rc = upsert.prepare_result();
  for (std::size_t i = 0; rc == SQLITE_OK && i < latest.size(); ++i) rc = write_state(db_.handle(), upsert, latest[i]);
  TimeMs newest = std::numeric_limits<TimeMs>::min();
  if (rc == SQLITE_OK && !changes.empty()) {
    SqliteStatement insert(db_.handle(),
                           "INSERT INTO space_change (lot_id, space_id, state, at_ms, note) VALUES (?1, ?2, ?3, ?4, ?5)");
    rc = insert.prepare_result();
    for (std::size_t i = 0; rc == SQLITE_OK && i < changes.size(); ++i) {
      rc = write_state(db_.handle(), insert, changes[i]);
      newest = std::max(newest, changes[i].changed_at);
    }
  }
  const bool prune = rc == SQLITE_OK && !changes.empty() && newest - pruned_at_ >= kPruneEveryMs;
  if (prune) {
    // In the order the changes were written, up to the first one still young: the rows from it
    // on cost nothing to find (no index by time to keep up on every change), and a change written
    // after a younger one (a clock set back) merely stays until the rows before it have aged.
    SqliteStatement drop(db_.handle(),
                         "DELETE FROM space_change WHERE rowid < COALESCE((SELECT rowid FROM space_change "
                         "WHERE at_ms >= ?1 ORDER BY rowid LIMIT 1), (SELECT max(rowid) + 1 FROM space_change))");
    rc = drop.prepare_result();
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(drop.get(), 1, newest - kSpaceHistoryKeptMs);
      rc = sqlite3_step(drop.get()) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db_.handle());
    }
  }
  auto e = db_.finish_transaction(rc);
  if (!e && prune) pruned_at_ = newest;
  return e;
}

std::error_code SqliteSpaceStateStore::history(const std::string& lot_id, const std::string& space_id,
                                               std::size_t limit, TimeMs before, std::vector<StoredSpaceState>& out) {
  SqliteStatement select(db_.handle(),
                         "SELECT state, at_ms, note FROM space_change WHERE lot_id = ?1 AND space_id = ?2 AND at_ms < ?3 "
                         "ORDER BY at_ms DESC, rowid DESC LIMIT ?4");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  sqlite3_bind_text(select.get(), 1, lot_id.data(), static_cast<int>(lot_id.size()), SQLITE_STATIC);
  sqlite3_bind_text(select.get(), 2, space_id.data(), static_cast<int>(space_id.size()), SQLITE_STATIC);
  sqlite3_bind_int64(select.get(), 3, before > 0 ? before : std::numeric_limits<TimeMs>::max());
  sqlite3_bind_int64(select.get(), 4, static_cast<sqlite3_int64>(std::min<std::size_t>(limit, 1'000'000)));
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    StoredSpaceState s;
    s.lot_id = lot_id;
    s.space_id = space_id;
    s.state = parse_space_state(column_text(select.get(), 0)).value_or(SpaceState::Unknown);
    s.changed_at = sqlite3_column_int64(select.get(), 1);
    s.note = column_text(select.get(), 2);
    out.push_back(std::move(s));
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteSpaceStateStore::load(std::vector<StoredSpaceState>& out) {
  SqliteStatement select(db_.handle(), "SELECT lot_id, space_id, state, changed_at_ms, note FROM space_state ORDER BY lot_id, space_id");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    StoredSpaceState s;
    s.lot_id = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 0));
    s.space_id = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 1));
    s.state = parse_space_state(reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 2))).value_or(SpaceState::Unknown);
    s.changed_at = sqlite3_column_int64(select.get(), 3);
    s.note = column_text(select.get(), 4);
    out.push_back(std::move(s));
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

}  // namespace parkd
