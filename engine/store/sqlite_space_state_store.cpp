// Upserts and reads of the last known space states.
#include "sqlite_space_state_store.h"

namespace parkd {

std::error_code SqliteSpaceStateStore::save(std::span<const StoredSpaceState> changes) {
  if (changes.empty()) return {};
  if (auto e = db_.exec("BEGIN IMMEDIATE")) return e;
  SqliteStatement upsert(db_.handle(),
                         "INSERT INTO space_state (lot_id, space_id, state, changed_at_ms, note) VALUES (?1, ?2, ?3, ?4, ?5) "
                         "ON CONFLICT (lot_id, space_id) DO UPDATE SET state = excluded.state, "
                         "changed_at_ms = excluded.changed_at_ms, note = excluded.note");
  int rc = upsert.prepare_result();
  for (std::size_t i = 0; rc == SQLITE_OK && i < changes.size(); ++i) {
    const StoredSpaceState& c = changes[i];
    const std::string_view state = name_of(c.state);
    sqlite3_bind_text(upsert.get(), 1, c.lot_id.data(), static_cast<int>(c.lot_id.size()), SQLITE_STATIC);
    sqlite3_bind_text(upsert.get(), 2, c.space_id.data(), static_cast<int>(c.space_id.size()), SQLITE_STATIC);
    sqlite3_bind_text(upsert.get(), 3, state.data(), static_cast<int>(state.size()), SQLITE_STATIC);
    sqlite3_bind_int64(upsert.get(), 4, c.changed_at);
    sqlite3_bind_text(upsert.get(), 5, c.note.data(), static_cast<int>(c.note.size()), SQLITE_STATIC);
    rc = sqlite3_step(upsert.get()) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db_.handle());
    sqlite3_reset(upsert.get());
  }
  return db_.finish_transaction(rc);
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
