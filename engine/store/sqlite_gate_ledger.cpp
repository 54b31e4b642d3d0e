// Decided gate events and visitor sessions: one transaction per batch of decisions.
#include "sqlite_gate_ledger.h"

#include "core/gate_sequences.h"

namespace parkd {

namespace {
// Both statements that end a session number their parameters alike: lot, plate, left at,
// exit gate, fee, overstay, note.
void bind_closed_session(sqlite3_stmt* s, const VisitorSession& c, TimeMs decided_at) {
  bind_text(s, 1, c.lot_id);
  bind_text(s, 2, c.plate);
  sqlite3_bind_int64(s, 3, c.left_at.value_or(decided_at));
  bind_text(s, 4, c.exit_gate);
  sqlite3_bind_int64(s, 5, c.fee_fen);
  sqlite3_bind_int(s, 6, c.overstay ? 1 : 0);
  bind_text(s, 7, c.note);
}

// Both session reads select these columns, in this order.
constexpr const char* kSessionColumns =
    "lot_id, plate, entry_gate, entered_at_ms, left_at_ms, exit_gate, fee_fen, overstay, note";

VisitorSession read_session(sqlite3_stmt* s) {
  VisitorSession v;
  v.lot_id = column_text(s, 0);
  v.plate = column_text(s, 1);
  v.entry_gate = column_text(s, 2);
  v.entered_at = sqlite3_column_int64(s, 3);
  if (sqlite3_column_type(s, 4) != SQLITE_NULL) v.left_at = sqlite3_column_int64(s, 4);
  v.exit_gate = column_text(s, 5);
  v.fee_fen = sqlite3_column_int64(s, 6);
  v.overstay = sqlite3_column_int(s, 7) != 0;
  v.note = column_text(s, 8);
  return v;
}

// A gate_decision row's event, from the columns lot_id, gate_id, seq, topic, payload,
// received_at_ms, in that order.
InboxEvent event_of(sqlite3_stmt* row) {
  const auto* blob = static_cast<const char*>(sqlite3_column_blob(row, 4));
  return InboxEvent{column_text(row, 0), column_text(row, 1), static_cast<std::uint64_t>(sqlite3_column_int64(row, 2)),
                    std::string(blob == nullptr ? "" : blob, static_cast<std::size_t>(sqlite3_column_bytes(row, 4))),
                    column_text(row, 3), sqlite3_column_int64(row, 5)};
}

// The same columns, then decided_at_ms.
GateLedger::DecidedEvent decided_event_of(sqlite3_stmt* row) { return {event_of(row), sqlite3_column_int64(row, 6)}; }

}  // namespace

SqliteGateLedger::SqliteGateLedger(SqliteDatabase& db)
    : db_(db),
      // An older parkd stored events here before deciding them: such a row gets its decision.
      decided_(db.handle(),
               "INSERT INTO gate_decision (lot_id, gate_id, seq, topic, payload, received_at_ms, decided_at_ms, "
               "decision_reason, admitted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
               "ON CONFLICT (lot_id, gate_id, seq) DO UPDATE SET decided_at_ms = excluded.decided_at_ms, "
               "decision_reason = excluded.decision_reason, admitted = excluded.admitted WHERE decided_at_ms IS NULL"),
      open_session_(db.handle(),
                    "INSERT INTO visitor_session (lot_id, plate, entry_gate, entered_at_ms, note) "
                    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (lot_id, plate) WHERE left_at_ms IS NULL "
                    "DO UPDATE SET note = excluded.note"),
      close_session_(db.handle(),
                     "UPDATE visitor_session SET left_at_ms = ?3, exit_gate = ?4, fee_fen = ?5, overstay = ?6, "
                     "note = ?7 WHERE lot_id = ?1 AND plate = ?2 AND left_at_ms IS NULL"),
      insert_closed_(db.handle(),
                     "INSERT INTO visitor_session (lot_id, plate, entry_gate, entered_at_ms, left_at_ms, "
                     "exit_gate, fee_fen, overstay, note) VALUES (?1, ?2, '', ?3, ?3, ?4, ?5, ?6, ?7)"),
      // A decision recorded again (after a restart lost the record's acknowledgement) keeps its
      // first place and bytes in the outbox.
      outbox_(db.handle(),
              "INSERT INTO decision_outbox (lot_id, gate_id, seq, topic, payload) VALUES (?1, ?2, ?3, ?4, ?5) "
              "ON CONFLICT (lot_id, gate_id, seq) DO NOTHING"),
      sent_(db.handle(), "DELETE FROM decision_outbox WHERE lot_id = ?1 AND gate_id = ?2 AND seq = ?3"),
      car_in_(db.handle(),
              "INSERT OR REPLACE INTO car_inside (lot_id, plate, entered_at_ms, gate_id, visitor, overstay_at_ms) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
      car_out_(db.handle(), "DELETE FROM car_inside WHERE lot_id = ?1 AND plate = ?2"),
      unnamed_(db.handle(),
               "INSERT INTO inside_record (lot_id, unnamed) VALUES (?1, ?2) "
               "ON CONFLICT (lot_id) DO UPDATE SET unnamed = excluded.unnamed") {}

std::error_code SqliteGateLedger::undecided(std::vector<InboxEvent>& out) {
  std::lock_guard lock(mutex_);
  SqliteStatement select(db_.handle(),
                         "SELECT lot_id, gate_id, seq, topic, payload, received_at_ms FROM gate_decision "
                         "WHERE decided_at_ms IS NULL ORDER BY received_at_ms, rowid");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) out.push_back(event_of(select.get()));
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::decided_lately(TimeMs window, std::vector<DecidedEvent>& out) {
  std::lock_guard lock(mutex_);
  // The newest decision's time, not the clock's: parkd's time is not known yet at start with a
  // simulated clock, and a parkd down for longer than the window finds nothing it needs anyway.
  SqliteStatement select(db_.handle(),
                         "SELECT lot_id, gate_id, seq, topic, payload, received_at_ms, decided_at_ms FROM gate_decision "
                         "WHERE decided_at_ms >= (SELECT MAX(decided_at_ms) FROM gate_decision) - ?1 "
                         "ORDER BY decided_at_ms, rowid");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  sqlite3_bind_int64(select.get(), 1, window);
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) out.push_back(decided_event_of(select.get()));
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::last_decided(const std::string& lot_id, const std::string& gate_id, std::size_t count,
                                               std::vector<DecidedEvent>& out) {
  std::lock_guard lock(mutex_);
  // By the (lot, gate, seq) key's index: a few rows read however long the ledger is.
  SqliteStatement select(db_.handle(),
                         "SELECT * FROM (SELECT lot_id, gate_id, seq, topic, payload, received_at_ms, decided_at_ms "
                         "FROM gate_decision WHERE lot_id = ?1 AND gate_id = ?2 AND decided_at_ms IS NOT NULL "
                         "ORDER BY seq DESC LIMIT ?3) ORDER BY seq");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  bind_text(select.get(), 1, lot_id);
  bind_text(select.get(), 2, gate_id);
  sqlite3_bind_int64(select.get(), 3, static_cast<sqlite3_int64>(count));
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) out.push_back(decided_event_of(select.get()));
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::decided(std::span<const InboxEvent> events, std::vector<bool>& out) {
  std::lock_guard lock(mutex_);
  SqliteStatement select(db_.handle(),
                         "SELECT decided_at_ms IS NOT NULL FROM gate_decision WHERE lot_id = ?1 AND gate_id = ?2 AND seq = ?3");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  out.clear();
  for (const InboxEvent& e : events) {
    bind_text(select.get(), 1, e.lot_id);
    bind_text(select.get(), 2, e.gate_id);
    sqlite3_bind_int64(select.get(), 3, static_cast<sqlite3_int64>(e.seq));
    const int rc = sqlite3_step(select.get());
    out.push_back(rc == SQLITE_ROW && sqlite3_column_int(select.get(), 0) != 0);
    sqlite3_reset(select.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(rc);
  }
  return {};
}

std::error_code SqliteGateLedger::last_decided_seqs(std::vector<LastSeq>& out) {
  std::lock_guard lock(mutex_);
  // The decided seqs of each gate's last kResetGap, in order: the highest, and the gaps below.
  SqliteStatement select(db_.handle(),
                         "SELECT d.lot_id, d.gate_id, d.seq FROM gate_decision d JOIN "
                         "(SELECT lot_id, gate_id, MAX(seq) AS top FROM gate_decision WHERE decided_at_ms IS NOT NULL "
                         "GROUP BY lot_id, gate_id) g ON d.lot_id = g.lot_id AND d.gate_id = g.gate_id "
                         "WHERE d.decided_at_ms IS NOT NULL AND d.seq >= g.top - ?1 ORDER BY d.lot_id, d.gate_id, d.seq");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  sqlite3_bind_int64(select.get(), 1, static_cast<sqlite3_int64>(GateSequences::kResetGap));
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    std::string lot = column_text(select.get(), 0);
    std::string gate = column_text(select.get(), 1);
    const auto seq = static_cast<std::uint64_t>(sqlite3_column_int64(select.get(), 2));
    if (out.empty() || out.back().lot_id != lot || out.back().gate_id != gate) {
      out.push_back(LastSeq{std::move(lot), std::move(gate), seq, {}});
      continue;
    }
    LastSeq& last = out.back();
    for (std::uint64_t s = last.seq + 1; s < seq; ++s) last.skipped.push_back(s);
    last.seq = seq;
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::record(std::span<const DecisionRecord> decisions,
                                         std::span<const GateEventKey> delivered) {
  if (decisions.empty() && delivered.empty()) return {};
  std::lock_guard lock(mutex_);
  int rc = SQLITE_OK;
  for (const SqliteStatement* s :
       {&decided_, &open_session_, &close_session_, &insert_closed_, &outbox_, &sent_, &car_in_, &car_out_, &unnamed_}) {
    if (rc == SQLITE_OK) rc = s->prepare_result();
  }
  if (rc != SQLITE_OK) return sqlite_error(rc);
  if (auto err = db_.exec("BEGIN IMMEDIATE")) return err;
  sqlite3_stmt* const decided = decided_.get();
  sqlite3_stmt* const open = open_session_.get();
  sqlite3_stmt* const close = close_session_.get();
  sqlite3_stmt* const insert_closed = insert_closed_.get();
  sqlite3_stmt* const outbox = outbox_.get();
  rc = take_out(delivered);
  for (std::size_t d = 0; rc == SQLITE_OK && d < decisions.size(); ++d) {
    const DecisionRecord& r = decisions[d];
    bind_text(decided, 1, r.event.lot_id);
    bind_text(decided, 2, r.event.gate_id);
    sqlite3_bind_int64(decided, 3, static_cast<sqlite3_int64>(r.event.seq));
    bind_text(decided, 4, r.event.topic);
    sqlite3_bind_blob(decided, 5, r.event.payload.data(), static_cast<int>(r.event.payload.size()), SQLITE_STATIC);
    sqlite3_bind_int64(decided, 6, r.event.received_at);
    sqlite3_bind_int64(decided, 7, r.decided_at);
    bind_text(decided, 8, r.reason);
    sqlite3_bind_int(decided, 9, r.admitted ? 1 : 0);
    rc = step_and_reset(decided);
    if (rc == SQLITE_OK && !r.decision_topic.empty()) {
      bind_text(outbox, 1, r.event.lot_id);
      bind_text(outbox, 2, r.event.gate_id);
      sqlite3_bind_int64(outbox, 3, static_cast<sqlite3_int64>(r.event.seq));
      bind_text(outbox, 4, r.decision_topic);
      sqlite3_bind_blob(outbox, 5, r.decision_payload.data(), static_cast<int>(r.decision_payload.size()), SQLITE_STATIC);
      rc = step_and_reset(outbox);
    }
    // A session a decision closes goes first: a new entry can close the same plate's old
    // session (its exit was missed) and open a new one.
    for (std::size_t i = 0; rc == SQLITE_OK && i < r.closed.size(); ++i) {
      const VisitorSession& c = r.closed[i];
      bind_closed_session(close, c, r.decided_at);
      rc = step_and_reset(close);
      if (rc == SQLITE_OK && sqlite3_changes(db_.handle()) == 0) {  // an exit without entry: keep a record
        bind_closed_session(insert_closed, c, r.decided_at);
        rc = step_and_reset(insert_closed);
      }
    }
    if (rc == SQLITE_OK && r.opened) {
      const VisitorSession& o = *r.opened;
      bind_text(open, 1, o.lot_id);
      bind_text(open, 2, o.plate);
      bind_text(open, 3, o.entry_gate);
      sqlite3_bind_int64(open, 4, o.entered_at);
      bind_text(open, 5, o.note);
      rc = step_and_reset(open);
    }
    for (std::size_t i = 0; rc == SQLITE_OK && i < r.inside.size(); ++i) {
      const InsideChange& c = r.inside[i];
      if (!c.car.plate.empty()) {  // no plate: the record began
        sqlite3_stmt* const s = c.inside ? car_in_.get() : car_out_.get();
        bind_text(s, 1, c.lot_id);
        bind_text(s, 2, c.car.plate);
        if (c.inside) {
          sqlite3_bind_int64(s, 3, c.car.entered_at);
          bind_text(s, 4, c.car.gate_id);
          sqlite3_bind_int(s, 5, c.car.visitor ? 1 : 0);
          sqlite3_bind_int64(s, 6, c.car.overstay_at);
        }
        rc = step_and_reset(s);
      }
      if (rc == SQLITE_OK && c.unnamed >= 0) {
        bind_text(unnamed_.get(), 1, c.lot_id);
        sqlite3_bind_int64(unnamed_.get(), 2, c.unnamed);
        rc = step_and_reset(unnamed_.get());
      }
    }
  }
  return db_.finish_transaction(rc);
}

std::error_code SqliteGateLedger::undelivered(std::vector<OutgoingDecision>& out) {
  std::lock_guard lock(mutex_);
  SqliteStatement select(db_.handle(),
                         "SELECT lot_id, gate_id, seq, topic, payload FROM decision_outbox ORDER BY outbox_id");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    sqlite3_stmt* s = select.get();
    const auto* blob = static_cast<const char*>(sqlite3_column_blob(s, 4));
    out.push_back(OutgoingDecision{
        GateEventKey{column_text(s, 0), column_text(s, 1), static_cast<std::uint64_t>(sqlite3_column_int64(s, 2))},
        column_text(s, 3), std::string(blob == nullptr ? "" : blob, static_cast<std::size_t>(sqlite3_column_bytes(s, 4)))});
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::delivered(std::span<const GateEventKey> keys) {
  if (keys.empty()) return {};
  std::lock_guard lock(mutex_);
  if (sent_.prepare_result() != SQLITE_OK) return sqlite_error(sent_.prepare_result());
  if (auto err = db_.exec("BEGIN IMMEDIATE")) return err;
  return db_.finish_transaction(take_out(keys));
}

int SqliteGateLedger::take_out(std::span<const GateEventKey> keys) {
  int rc = SQLITE_OK;
  for (std::size_t i = 0; rc == SQLITE_OK && i < keys.size(); ++i) {
    bind_text(sent_.get(), 1, keys[i].lot_id);
    bind_text(sent_.get(), 2, keys[i].gate_id);
    sqlite3_bind_int64(sent_.get(), 3, static_cast<sqlite3_int64>(keys[i].seq));
    rc = step_and_reset(sent_.get());
  }
  return rc;
}

std::error_code SqliteGateLedger::open_sessions(std::vector<VisitorSession>& out) {
  std::lock_guard lock(mutex_);
  const std::string sql = std::string("SELECT ") + kSessionColumns +
                          " FROM visitor_session WHERE left_at_ms IS NULL ORDER BY session_id";
  SqliteStatement select(db_.handle(), sql.c_str());
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) out.push_back(read_session(select.get()));
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::cars_inside(std::vector<LotInside>& out) {
  std::lock_guard lock(mutex_);
  SqliteStatement lots(db_.handle(),
                       "SELECT l.lot_id, r.unnamed FROM (SELECT lot_id FROM inside_record UNION SELECT lot_id FROM "
                       "car_inside) AS l LEFT JOIN inside_record AS r ON r.lot_id = l.lot_id ORDER BY l.lot_id");
  SqliteStatement cars(db_.handle(),
                       "SELECT plate, entered_at_ms, gate_id, visitor, overstay_at_ms FROM car_inside WHERE lot_id = ?1 "
                       "ORDER BY entered_at_ms, plate");
  for (const SqliteStatement* s : {&lots, &cars}) {
    if (s->prepare_result() != SQLITE_OK) return sqlite_error(s->prepare_result());
  }
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(lots.get())) == SQLITE_ROW) {
    LotInside lot{column_text(lots.get(), 0), std::nullopt, {}};
    if (sqlite3_column_type(lots.get(), 1) != SQLITE_NULL) {
      lot.unnamed = static_cast<std::uint32_t>(sqlite3_column_int64(lots.get(), 1));
    }
    bind_text(cars.get(), 1, lot.lot_id);
    int crc = SQLITE_OK;
    while ((crc = sqlite3_step(cars.get())) == SQLITE_ROW) {
      sqlite3_stmt* c = cars.get();
      lot.cars.push_back(CarInside{column_text(c, 0), sqlite3_column_int64(c, 1), column_text(c, 2),
                                   sqlite3_column_int(c, 3) != 0, sqlite3_column_int64(c, 4)});
    }
    sqlite3_reset(cars.get());
    if (crc != SQLITE_DONE) return sqlite_error(crc);
    out.push_back(std::move(lot));
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::sessions_left_between(TimeMs from, TimeMs to, std::vector<VisitorSession>& out) {
  std::lock_guard lock(mutex_);
  const std::string sql = std::string("SELECT ") + kSessionColumns +
                          " FROM visitor_session WHERE left_at_ms >= ?1 AND left_at_ms < ?2 ORDER BY left_at_ms, session_id";
  SqliteStatement select(db_.handle(), sql.c_str());
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  sqlite3_bind_int64(select.get(), 1, from);
  sqlite3_bind_int64(select.get(), 2, to);
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) out.push_back(read_session(select.get()));
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteGateLedger::decisions_between(TimeMs from, TimeMs to, std::vector<DecisionCount>& out) {
  std::lock_guard lock(mutex_);
  SqliteStatement select(db_.handle(),
                         "SELECT decision_reason, admitted, COUNT(*) FROM gate_decision "
                         "WHERE decided_at_ms >= ?1 AND decided_at_ms < ?2 AND decision_reason IS NOT NULL "
                         "GROUP BY decision_reason, admitted ORDER BY decision_reason, admitted");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  sqlite3_bind_int64(select.get(), 1, from);
  sqlite3_bind_int64(select.get(), 2, to);
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    out.push_back(DecisionCount{column_text(select.get(), 0), sqlite3_column_int(select.get(), 1) != 0,
                                static_cast<std::uint64_t>(sqlite3_column_int64(select.get(), 2))});
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

}  // namespace parkd
