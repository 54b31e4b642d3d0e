// Opening, configuring and migrating the SQLite database.
#include "sqlite_database.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <stdexcept>

#include "core/space_state.h"
#include "packed_space_changes.h"

namespace parkd {

namespace {
class SqliteCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "sqlite"; }
  std::string message(int rc) const override { return sqlite3_errstr(rc); }
};
}  // namespace

const std::error_category& sqlite_category() {
  static const SqliteCategory category;
  return category;
}

namespace {

void pack_one_space_change(sqlite3_context* context, int, sqlite3_value** args) {
  const auto* name = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
  const auto state = parse_space_state(name != nullptr ? name : "");
  if (!state) {
    const std::string why = std::string("a space change with an unknown state '") + (name != nullptr ? name : "") + "'";
    sqlite3_result_error(context, why.c_str(), -1);
    return;
  }
  const auto* note = reinterpret_cast<const char*>(sqlite3_value_text(args[1]));
  SpaceChangePacker packed(0);
  packed.add(*state, 0, note != nullptr ? note : "");
  sqlite3_result_blob(context, packed.bytes().data(), static_cast<int>(packed.bytes().size()), SQLITE_TRANSIENT);
}

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path) : path_(path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open the database '" + path + "': " + why);
  }
  // Another connection holds the write lock (parkd has one per thread that writes): retry every
  // 50 us for up to 5 s. SQLite's own busy timeout sleeps in steps of milliseconds, which would
  // cap gate events at a few hundred a second under contention.
  sqlite3_busy_handler(
      db_,
      [](void*, int attempt) -> int {
        if (attempt >= 100'000) return 0;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        return 1;
      },
      nullptr);
  // WAL: readers never block the writer; NORMAL: a commit survives a crash of parkd (not of
  // the machine's power, which would cost at most the last commits before it).
  try {
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
      if (auto e = exec(pragma)) throw std::runtime_error("database '" + path + "': " + pragma + ": " + e.message());
    }
    // For the step to schema 13: one change (state name, note) packed as the row's only one.
    sqlite3_create_function_v2(db_, "parkd_pack_space_change", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                               &pack_one_space_change, nullptr, nullptr, nullptr);
    migrate();
  } catch (...) {
    sqlite3_close(db_);  // a constructor that throws runs no destructor (found by LeakSanitizer)
    db_ = nullptr;
    throw;
  }
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(db_); }

std::error_code SqliteDatabase::exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteDatabase::finish_transaction(int rc) {
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return {};
  }
  const int extended = sqlite3_extended_errcode(db_);
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return sqlite_error(extended != SQLITE_OK ? extended : rc);
}

std::error_code SqliteDatabase::backup_to(const std::string& path) {
  sqlite3* copy = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_backup* backup = sqlite3_backup_init(copy, "main", db_, "main");
    if (backup == nullptr) {
      rc = sqlite3_errcode(copy);
    } else {
      // All pages in one step: the copy is one snapshot. A writer on another connection only
      // waits for the read lock (busy timeout), it is not locked out for long: the file is small.
      rc = sqlite3_backup_step(backup, -1);
      const int finished = sqlite3_backup_finish(backup);
      rc = rc == SQLITE_DONE ? finished : rc;
    }
  }
  sqlite3_close(copy);
  return rc == SQLITE_OK ? std::error_code() : sqlite_error(rc);
}

void SqliteDatabase::migrate() {
  int version = 0;
  {
    SqliteStatement s(db_, "PRAGMA user_version");
    if (sqlite3_step(s.get()) == SQLITE_ROW) version = sqlite3_column_int(s.get(), 0);
  }
  if (version > kSchemaVersion) {
    throw std::runtime_error("the database '" + path_ + "' has schema version " + std::to_string(version) +
                             ", newer than this parkd understands (" + std::to_string(kSchemaVersion) + ")");
  }
  // Each step moves the schema one version up, in one transaction with the version bump.
  static const char* const kSteps[] = {
      // 0 -> 1: the last known state of every space.
      "CREATE TABLE space_state ("
      "  lot_id TEXT NOT NULL,"
      "  space_id TEXT NOT NULL,"
      "  state TEXT NOT NULL CHECK (state IN ('free', 'occupied', 'held', 'closed', 'unknown')),"
      "  changed_at_ms INTEGER NOT NULL,"
      "  PRIMARY KEY (lot_id, space_id)) WITHOUT ROWID;",
      // 1 -> 2: the vehicle registry. Permits are never deleted, only ended.
      "CREATE TABLE household ("
      "  household_id TEXT PRIMARY KEY,"
      "  building TEXT NOT NULL,"
      "  room TEXT NOT NULL,"
      "  household_type TEXT NOT NULL CHECK (household_type IN ('owner', 'tenant')),"
      "  lease_end TEXT);"
      "CREATE TABLE vehicle ("
      "  vehicle_id INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  plate TEXT NOT NULL,"
      "  household_id TEXT NOT NULL REFERENCES household (household_id),"
      "  registered_on TEXT NOT NULL,"
      "  removed_on TEXT,"
      "  CHECK (removed_on IS NULL OR removed_on >= registered_on));"
      "CREATE UNIQUE INDEX vehicle_in_force ON vehicle (plate) WHERE removed_on IS NULL;"
      "CREATE INDEX vehicle_by_household ON vehicle (household_id);",
      // 2 -> 3: gate events stored before they are acknowledged, and visitor sessions.
      "CREATE TABLE gate_inbox ("
      "  lot_id TEXT NOT NULL,"
      "  gate_id TEXT NOT NULL,"
      "  seq INTEGER NOT NULL,"
      "  topic TEXT NOT NULL,"
      "  payload BLOB NOT NULL,"
      "  received_at_ms INTEGER NOT NULL,"
      "  decided_at_ms INTEGER,"
      "  PRIMARY KEY (lot_id, gate_id, seq));"
      "CREATE TABLE visitor_session ("
      "  session_id INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  lot_id TEXT NOT NULL,"
      "  plate TEXT NOT NULL,"
      "  entry_gate TEXT NOT NULL,"
      "  entered_at_ms INTEGER NOT NULL,"
      "  left_at_ms INTEGER,"
      "  exit_gate TEXT,"
      "  fee_fen INTEGER NOT NULL DEFAULT 0,"
      "  overstay INTEGER NOT NULL DEFAULT 0,"
      "  note TEXT NOT NULL DEFAULT '');"
      "CREATE UNIQUE INDEX visitor_inside ON visitor_session (lot_id, plate) WHERE left_at_ms IS NULL;",
      // 3 -> 4: what each decision was, household history, the audit log, occupancy history,
      // and why a space was closed.
      "ALTER TABLE gate_inbox ADD COLUMN decision_reason TEXT;"
      "ALTER TABLE gate_inbox ADD COLUMN admitted INTEGER;"
      "CREATE INDEX gate_inbox_decided ON gate_inbox (decided_at_ms);"
      "CREATE INDEX visitor_session_left ON visitor_session (left_at_ms);"
      "CREATE TABLE household_version ("
      "  household_id TEXT NOT NULL REFERENCES household (household_id),"
      "  valid_from TEXT NOT NULL,"  // '0001-01-01': from the beginning
      "  building TEXT NOT NULL,"
      "  room TEXT NOT NULL,"
      "  household_type TEXT NOT NULL CHECK (household_type IN ('owner', 'tenant')),"
      "  lease_end TEXT,"
      "  PRIMARY KEY (household_id, valid_from)) WITHOUT ROWID;"
      "INSERT INTO household_version SELECT household_id, '0001-01-01', building, room, household_type, lease_end "
      "  FROM household;"
      "CREATE TABLE audit_log ("
      "  audit_id INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  at_ms INTEGER NOT NULL,"
      "  token_name TEXT NOT NULL,"
      "  action TEXT NOT NULL,"
      "  target TEXT NOT NULL,"
      "  before_json TEXT NOT NULL,"
      "  after_json TEXT NOT NULL);"
      "CREATE TABLE occupancy_sample ("
      "  lot_id TEXT NOT NULL,"
      "  at_ms INTEGER NOT NULL,"
      "  free INTEGER NOT NULL, occupied INTEGER NOT NULL, held INTEGER NOT NULL,"
      "  closed INTEGER NOT NULL, unknown INTEGER NOT NULL, stale_sensors INTEGER NOT NULL,"
      "  total INTEGER NOT NULL,"
      "  PRIMARY KEY (at_ms, lot_id)) WITHOUT ROWID;"
      "ALTER TABLE space_state ADD COLUMN note TEXT NOT NULL DEFAULT '';",
      // 4 -> 5: the table of decided gate events is the decision ledger (events now wait in the
      // inbox files), and decisions wait in the outbox until the broker acknowledges them.
      "ALTER TABLE gate_inbox RENAME TO gate_decision;"
      "DROP INDEX gate_inbox_decided;"
      "CREATE INDEX gate_decision_decided ON gate_decision (decided_at_ms);"
      "CREATE TABLE decision_outbox ("
      "  outbox_id INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  lot_id TEXT NOT NULL,"
      "  gate_id TEXT NOT NULL,"
      "  seq INTEGER NOT NULL,"
      "  topic TEXT NOT NULL,"
      "  payload BLOB NOT NULL,"
      "  UNIQUE (lot_id, gate_id, seq));",
      // 5 -> 6: closed months: each issued bill as it was handed out, and the lines it was made of
      // (the month's own and the adjustments it carried for earlier months).
      "CREATE TABLE issued_bill ("
      "  month TEXT PRIMARY KEY,"
      "  closed_at_ms INTEGER NOT NULL,"
      "  csv BLOB NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE issued_bill_line ("
      "  month TEXT NOT NULL REFERENCES issued_bill (month),"
      "  line_no INTEGER NOT NULL,"
      "  household_id TEXT NOT NULL,"
      "  building TEXT NOT NULL,"
      "  room TEXT NOT NULL,"
      "  household_type TEXT NOT NULL,"
      "  plate TEXT NOT NULL,"
      "  vehicle_rank INTEGER NOT NULL,"
      "  monthly_fee_fen INTEGER NOT NULL,"
      "  days_billed INTEGER NOT NULL,"
      "  amount_fen INTEGER NOT NULL,"
      "  pact_version TEXT NOT NULL,"
      "  first_day TEXT NOT NULL,"
      "  last_day TEXT NOT NULL,"
      "  corrects_month TEXT NOT NULL,"
      "  note TEXT NOT NULL,"
      "  PRIMARY KEY (month, line_no)) WITHOUT ROWID;",
      // 6 -> 7: special passes the office grants (never deleted; revoking sets revoked_on).
      "CREATE TABLE special_pass ("
      "  pass_id INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  plate TEXT NOT NULL,"
      "  reason TEXT NOT NULL,"
      "  valid_until TEXT,"
      "  granted_by TEXT NOT NULL,"
      "  granted_at_ms INTEGER NOT NULL,"
      "  revoked_on TEXT);"
      "CREATE INDEX special_pass_by_plate ON special_pass (plate);"
      // ...and a household version that starts a new history under a reused id.
      "ALTER TABLE household_version ADD COLUMN starts_history INTEGER NOT NULL DEFAULT 0;",
      // 7 -> 8: what a car needs of its space: an accessible one, a charger.
      ("ALTER TABLE vehicle ADD COLUMN needs_accessible INTEGER NOT NULL DEFAULT 0;"
       "ALTER TABLE vehicle ADD COLUMN electric INTEGER NOT NULL DEFAULT 0;"),
      // 8 -> 9: alerts about spaces that lie (kept after they clear: the history and the
      // notice), and the strikes held against spaces cars were guided to and avoided.
      ("CREATE TABLE alert ("
       "  alert_id TEXT PRIMARY KEY,"
       "  lot_id TEXT NOT NULL,"
       "  kind TEXT NOT NULL,"
       "  space_id TEXT NOT NULL,"
       "  plate TEXT NOT NULL,"
       "  raised_at_ms INTEGER NOT NULL,"
       "  cleared_at_ms INTEGER NOT NULL,"
       "  detail_zh TEXT NOT NULL,"
       "  detail_en TEXT NOT NULL,"
       "  cleared_by TEXT NOT NULL) WITHOUT ROWID;"
       "CREATE INDEX alert_by_raised ON alert (raised_at_ms);"
       "CREATE TABLE space_strike ("
       "  lot_id TEXT NOT NULL,"
       "  space_id TEXT NOT NULL,"
       "  at_ms INTEGER NOT NULL,"
       "  PRIMARY KEY (lot_id, space_id, at_ms)) WITHOUT ROWID;"),
      // 9 -> 10: the gates' record of the cars inside, written with the decisions that change
      // it; a lot's row says its record has begun, and how many cars it counts but cannot name.
      ("CREATE TABLE car_inside ("
       "  lot_id TEXT NOT NULL,"
       "  plate TEXT NOT NULL,"
       "  entered_at_ms INTEGER NOT NULL,"
       "  gate_id TEXT NOT NULL,"
       "  visitor INTEGER NOT NULL,"
       "  overstay_at_ms INTEGER NOT NULL,"
       "  PRIMARY KEY (lot_id, plate)) WITHOUT ROWID;"
       "CREATE TABLE inside_record ("
       "  lot_id TEXT PRIMARY KEY,"
       "  unnamed INTEGER NOT NULL) WITHOUT ROWID;"),
      // 10 -> 11: each space's changes (the console's history of a space), kept 90 days.
      ("CREATE TABLE space_change ("
       "  lot_id TEXT NOT NULL,"
       "  space_id TEXT NOT NULL,"
       "  state TEXT NOT NULL,"
       "  at_ms INTEGER NOT NULL,"
       "  note TEXT NOT NULL);"
       "CREATE INDEX space_change_by_space ON space_change (lot_id, space_id, at_ms);"
       "CREATE INDEX space_change_by_time ON space_change (at_ms);"),
      // 11 -> 12: the histories are pruned in the order they were written (rowid), so the index
      // by time, which served only the hourly prune, goes: a sixth to a third of what SQLite does
      // for a change (issue #16).
      "DROP INDEX space_change_by_time;",
      // 12 -> 13: each space's changes of one save packed into one row (packed_space_changes.h),
      // so a save adds an index entry per space it touched, not per change (issue #16); the
      // rows already kept become a row each, in the order they were written.
      ("CREATE TABLE space_history ("
       "  lot_id TEXT NOT NULL,"
       "  space_id TEXT NOT NULL,"
       "  from_ms INTEGER NOT NULL,"
       "  to_ms INTEGER NOT NULL,"
       "  changes BLOB NOT NULL);"
       "INSERT INTO space_history (lot_id, space_id, from_ms, to_ms, changes) "
       "  SELECT lot_id, space_id, at_ms, at_ms, parkd_pack_space_change(state, note) FROM space_change ORDER BY rowid;"
       "DROP TABLE space_change;"
       "CREATE INDEX space_history_by_space ON space_history (lot_id, space_id, from_ms);"),
      // 13 -> 14: the state's check admits 'suspect' (a space guided cars avoid), which it
      // refused, failing every save with one in it; and it compares instead of testing an IN
      // list, which SQLite builds as a temporary b-tree at every row written (half of the store
      // thread's time under a flood, issue #16).
      ("CREATE TABLE space_state_14 ("
       "  lot_id TEXT NOT NULL,"
       "  space_id TEXT NOT NULL,"
       "  state TEXT NOT NULL CHECK (state = 'free' OR state = 'occupied' OR state = 'held' OR state = 'closed' OR "
       "    state = 'unknown' OR state = 'suspect'),"
       "  changed_at_ms INTEGER NOT NULL,"
       "  note TEXT NOT NULL DEFAULT '',"
       "  PRIMARY KEY (lot_id, space_id)) WITHOUT ROWID;"
       "INSERT INTO space_state_14 (lot_id, space_id, state, changed_at_ms, note) "
       "  SELECT lot_id, space_id, state, changed_at_ms, note FROM space_state;"
       "DROP TABLE space_state;"
       "ALTER TABLE space_state_14 RENAME TO space_state;"),
  };
  for (int v = version; v < kSchemaVersion; ++v) {
    const std::string step = std::string("BEGIN IMMEDIATE;") + kSteps[v] + "PRAGMA user_version = " +
                             std::to_string(v + 1) + ";COMMIT;";
    if (auto e = exec(step.c_str())) {
      const std::string why = sqlite3_errmsg(db_);  // before the rollback replaces it
      exec("ROLLBACK");
      throw std::runtime_error("cannot migrate the database '" + path_ + "' to schema version " +
                               std::to_string(v + 1) + ": " + why);
    }
  }
}

SqliteStatement::SqliteStatement(sqlite3* db, const char* sql) {
  prepare_rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void bind_day(sqlite3_stmt* s, int i, const std::optional<CivilDay>& day) {
  if (day) {
    bind_text(s, i, format_civil_day(*day));
  } else {
    sqlite3_bind_null(s, i);
  }
}

std::optional<CivilDay> column_day(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return parse_civil_day(column_text(s, i));
}

void bind_text(sqlite3_stmt* s, int i, std::string_view text) {
  sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* t = sqlite3_column_text(s, i);
  return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
}

int step_and_reset(sqlite3_stmt* s) {
  const int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

}  // namespace parkd
