// Upserts and reads of the last known space states, and each space's history of changes.
#include "sqlite_space_state_store.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <tuple>

#include "packed_space_changes.h"

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
    // Each space's changes of this save, in the order they happened, as one row; the rows go in
    // the spaces' order, so the index takes them in its own order too.
    std::vector<std::size_t> order(changes.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(changes[a].lot_id, changes[a].space_id) < std::tie(changes[b].lot_id, changes[b].space_id);
    });
    SqliteStatement insert(db_.handle(),
                           "INSERT INTO space_history (lot_id, space_id, from_ms, to_ms, changes) VALUES (?1, ?2, ?3, ?4, ?5)");
    rc = insert.prepare_result();
    for (std::size_t first = 0; rc == SQLITE_OK && first < order.size();) {
      const StoredSpaceState& head = changes[order[first]];
      std::size_t end = first + 1;
      while (end < order.size() && changes[order[end]].space_id == head.space_id && changes[order[end]].lot_id == head.lot_id) ++end;
      TimeMs from = std::numeric_limits<TimeMs>::max();
      TimeMs to = std::numeric_limits<TimeMs>::min();
      for (std::size_t i = first; i < end; ++i) {
        from = std::min(from, changes[order[i]].changed_at);
        to = std::max(to, changes[order[i]].changed_at);
      }
      SpaceChangePacker packed(from);
      for (std::size_t i = first; i < end; ++i) {
        const StoredSpaceState& c = changes[order[i]];
        packed.add(c.state, c.changed_at, c.note);
      }
      sqlite3_bind_text(insert.get(), 1, head.lot_id.data(), static_cast<int>(head.lot_id.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert.get(), 2, head.space_id.data(), static_cast<int>(head.space_id.size()), SQLITE_STATIC);
      sqlite3_bind_int64(insert.get(), 3, from);
      sqlite3_bind_int64(insert.get(), 4, to);
      sqlite3_bind_blob(insert.get(), 5, packed.bytes().data(), static_cast<int>(packed.bytes().size()), SQLITE_STATIC);
      rc = sqlite3_step(insert.get()) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db_.handle());
      sqlite3_reset(insert.get());
      // The space's last change is its latest state (after any in `latest`).
      if (rc == SQLITE_OK) rc = write_state(db_.handle(), upsert, changes[order[end - 1]]);
      newest = std::max(newest, to);
      first = end;
    }
  }
  const bool prune = rc == SQLITE_OK && !changes.empty() && newest - pruned_at_ >= kPruneEveryMs;
  if (prune) {
    // In the order the rows were written, up to the first one with a change still young: the
    // rows from it on cost nothing to find (no index by time to keep up on every save), and a
    // row written after a younger one (a clock set back) merely stays until those before it
    // have aged.
    SqliteStatement drop(db_.handle(),
                         "DELETE FROM space_history WHERE rowid < COALESCE((SELECT rowid FROM space_history "
                         "WHERE to_ms >= ?1 ORDER BY rowid LIMIT 1), (SELECT max(rowid) + 1 FROM space_history))");
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
  // Rows newest first by their first change; each row's changes are the ones one save found,
  // so the rows read until `limit` changes are in hand hold the newest ones (a row written
  // after a clock was set back comes where its first change's time puts it).
  SqliteStatement select(db_.handle(),
                         "SELECT from_ms, changes FROM space_history WHERE lot_id = ?1 AND space_id = ?2 AND from_ms < ?3 "
                         "ORDER BY from_ms DESC, rowid DESC");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  const TimeMs until = before > 0 ? before : std::numeric_limits<TimeMs>::max();
  sqlite3_bind_text(select.get(), 1, lot_id.data(), static_cast<int>(lot_id.size()), SQLITE_STATIC);
  sqlite3_bind_text(select.get(), 2, space_id.data(), static_cast<int>(space_id.size()), SQLITE_STATIC);
  sqlite3_bind_int64(select.get(), 3, until);
  std::vector<PackedChange> found;
  int rc = SQLITE_OK;
  while (found.size() < limit && (rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    const auto* blob = static_cast<const char*>(sqlite3_column_blob(select.get(), 1));
    const std::string_view bytes(blob != nullptr ? blob : "", static_cast<std::size_t>(sqlite3_column_bytes(select.get(), 1)));
    auto changes = unpack_space_changes(bytes, sqlite3_column_int64(select.get(), 0));
    if (!changes) return sqlite_error(SQLITE_CORRUPT);
    for (auto c = changes->rbegin(); c != changes->rend(); ++c) {
      if (c->at < until) found.push_back(std::move(*c));
    }
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE && rc != SQLITE_OK) return sqlite_error(rc);
  // Newest first by time; changes at the same time, the later one first (the read order).
  std::stable_sort(found.begin(), found.end(), [](const PackedChange& a, const PackedChange& b) { return a.at > b.at; });
  if (found.size() > limit) found.resize(limit);
  for (PackedChange& c : found) out.push_back(StoredSpaceState{lot_id, space_id, c.state, c.at, std::move(c.note)});
  return {};
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
