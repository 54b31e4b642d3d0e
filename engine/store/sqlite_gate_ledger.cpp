// Inbox writes (one commit per event, before the acknowledgement) and decision records.
#include "sqlite_gate_ledger.h"

namespace parkd {

namespace {

void bind_text(sqlite3_stmt* s, int i, std::string_view text) {
  sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string text(sqlite3_stmt* s, int i) {
  const auto* t = sqlite3_column_text(s, i);
  return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
}

int step_done(sqlite3_stmt* s) {
  const int rc = sqlite3_step(s);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

}  // namespace

std::error_code SqliteGateLedger::append(const InboxEvent& e, TimeMs received_at, InboxAppend& result) {
  std::lock_guard lock(append_mutex_);
  SqliteStatement insert(inbox_db_.handle(),
                         "INSERT OR IGNORE INTO gate_inbox (lot_id, gate_id, seq, topic, payload, received_at_ms) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (insert.prepare_result() != SQLITE_OK) return sqlite_error(insert.prepare_result());
  bind_text(insert.get(), 1, e.lot_id);
  bind_text(insert.get(), 2, e.gate_id);
  sqlite3_bind_int64(insert.get(), 3, static_cast<sqlite3_int64>(e.seq));
  bind_text(insert.get(), 4, e.topic);
  sqlite3_bind_blob(insert.get(), 5, e.payload.data(), static_cast<int>(e.payload.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert.get(), 6, received_at);
  if (const int rc = step_done(insert.get()); rc != SQLITE_OK) return sqlite_error(rc);
  if (sqlite3_changes(inbox_db_.handle()) > 0) {
    result = InboxAppend::Stored;
    return {};
  }
  SqliteStatement seen(inbox_db_.handle(),
                       "SELECT decided_at_ms IS NOT NULL FROM gate_inbox WHERE lot_id = ?1 AND gate_id = ?2 AND seq = ?3");
  bind_text(seen.get(), 1, e.lot_id);
  bind_text(seen.get(), 2, e.gate_id);
  sqlite3_bind_int64(seen.get(), 3, static_cast<sqlite3_int64>(e.seq));
  const int rc = sqlite3_step(seen.get());
  if (rc != SQLITE_ROW) return sqlite_error(rc);
  result = sqlite3_column_int(seen.get(), 0) != 0 ? InboxAppend::AlreadyDecided : InboxAppend::AlreadyPending;
  return {};
}

std::error_code SqliteGateLedger::undecided(std::vector<InboxEvent>& out) {
  SqliteStatement select(db_.handle(),
                         "SELECT lot_id, gate_id, seq, topic, payload FROM gate_inbox WHERE decided_at_ms IS NULL "
                         "ORDER BY received_at_ms, rowid");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    const auto* blob = static_cast<const char*>(sqlite3_column_blob(select.get(), 4));
    out.push_back(InboxEvent{text(select.get(), 0), text(select.get(), 1),
                             static_cast<std::uint64_t>(sqlite3_column_int64(select.get(), 2)),
                             std::string(blob == nullptr ? "" : blob, static_cast<std::size_t>(sqlite3_column_bytes(select.get(), 4))),
                             text(select.get(), 3)});
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::record(const InboxEvent& e, TimeMs decided_at, const VisitorSession* opened,
                                         std::span<const VisitorSession> closed) {
  if (auto err = db_.exec("BEGIN IMMEDIATE")) return err;
  int rc = SQLITE_OK;
  {
    SqliteStatement mark(db_.handle(),
                         "UPDATE gate_inbox SET decided_at_ms = ?4 WHERE lot_id = ?1 AND gate_id = ?2 AND seq = ?3");
    bind_text(mark.get(), 1, e.lot_id);
    bind_text(mark.get(), 2, e.gate_id);
    sqlite3_bind_int64(mark.get(), 3, static_cast<sqlite3_int64>(e.seq));
    sqlite3_bind_int64(mark.get(), 4, decided_at);
    rc = step_done(mark.get());
  }
  if (rc == SQLITE_OK && opened != nullptr) {
    SqliteStatement upsert(db_.handle(),
                           "INSERT INTO visitor_session (lot_id, plate, entry_gate, entered_at_ms, note) "
                           "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (lot_id, plate) WHERE left_at_ms IS NULL "
                           "DO UPDATE SET note = excluded.note");
    bind_text(upsert.get(), 1, opened->lot_id);
    bind_text(upsert.get(), 2, opened->plate);
    bind_text(upsert.get(), 3, opened->entry_gate);
    sqlite3_bind_int64(upsert.get(), 4, opened->entered_at);
    bind_text(upsert.get(), 5, opened->note);
    rc = step_done(upsert.get());
  }
  for (std::size_t i = 0; rc == SQLITE_OK && i < closed.size(); ++i) {
    const VisitorSession& s = closed[i];
    SqliteStatement close(db_.handle(),
                          "UPDATE visitor_session SET left_at_ms = ?3, exit_gate = ?4, fee_fen = ?5, overstay = ?6, "
                          "note = ?7 WHERE lot_id = ?1 AND plate = ?2 AND left_at_ms IS NULL");
    bind_text(close.get(), 1, s.lot_id);
    bind_text(close.get(), 2, s.plate);
    sqlite3_bind_int64(close.get(), 3, s.left_at.value_or(decided_at));
    bind_text(close.get(), 4, s.exit_gate);
    sqlite3_bind_int64(close.get(), 5, s.fee_fen);
    sqlite3_bind_int(close.get(), 6, s.overstay ? 1 : 0);
    bind_text(close.get(), 7, s.note);
    rc = step_done(close.get());
    if (rc == SQLITE_OK && sqlite3_changes(db_.handle()) == 0) {  // an exit without entry: keep a record
      SqliteStatement insert(db_.handle(),
                             "INSERT INTO visitor_session (lot_id, plate, entry_gate, entered_at_ms, left_at_ms, "
                             "exit_gate, fee_fen, overstay, note) VALUES (?1, ?2, '', ?3, ?3, ?4, ?5, ?6, ?7)");
      bind_text(insert.get(), 1, s.lot_id);
      bind_text(insert.get(), 2, s.plate);
      sqlite3_bind_int64(insert.get(), 3, s.left_at.value_or(decided_at));
      bind_text(insert.get(), 4, s.exit_gate);
      sqlite3_bind_int64(insert.get(), 5, s.fee_fen);
      sqlite3_bind_int(insert.get(), 6, s.overstay ? 1 : 0);
      bind_text(insert.get(), 7, s.note);
      rc = step_done(insert.get());
    }
  }
  if (rc != SQLITE_OK) {
    db_.exec("ROLLBACK");
    return sqlite_error(rc);
  }
  return db_.exec("COMMIT");
}

std::error_code SqliteGateLedger::open_sessions(std::vector<VisitorSession>& out) {
  SqliteStatement select(db_.handle(),
                         "SELECT lot_id, plate, entry_gate, entered_at_ms, note FROM visitor_session "
                         "WHERE left_at_ms IS NULL ORDER BY session_id");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    VisitorSession s;
    s.lot_id = text(select.get(), 0);
    s.plate = text(select.get(), 1);
    s.entry_gate = text(select.get(), 2);
    s.entered_at = sqlite3_column_int64(select.get(), 3);
    s.note = text(select.get(), 4);
    out.push_back(std::move(s));
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

}  // namespace parkd
