// One SQLite database file for parkd: WAL journal, a busy timeout, and the schema created and
// migrated by parkd itself (PRAGMA user_version is the schema version).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "core/civil_day.h"

namespace parkd {

// SQLite result codes as std::error_code.
const std::error_category& sqlite_category();
inline std::error_code sqlite_error(int rc) { return {rc, sqlite_category()}; }

class SqliteDatabase {
 public:
  static constexpr int kSchemaVersion = 14;

  // Opens (creating the file and its folder if needed) and migrates. Throws at start-up with a
  // message that names the file when the database cannot be used.
  explicit SqliteDatabase(const std::string& path);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  std::error_code exec(const char* sql);
  // Ends a transaction begun with BEGIN: COMMIT when `rc` (the last statement's result) is
  // SQLITE_OK, else ROLLBACK. A COMMIT that fails (a full disk, a busy database) is rolled back
  // too, so the connection never stays inside a transaction that nobody will finish.
  std::error_code finish_transaction(int rc);
  // A consistent copy of the whole database into a new file at `path` (SQLite's online backup:
  // other connections keep writing meanwhile; the copy is the state at one commit).
  std::error_code backup_to(const std::string& path);

 private:
  void migrate();

  std::string path_;
  sqlite3* db_ = nullptr;
};

// A prepared statement, finalised with the object.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, const char* sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  int prepare_result() const { return prepare_rc_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int prepare_rc_ = SQLITE_OK;
};

// Small helpers shared by the stores.
void bind_text(sqlite3_stmt* statement, int index, std::string_view text);  // copied by SQLite
std::string column_text(sqlite3_stmt* statement, int index);                 // "" for NULL
// Days as YYYY-MM-DD text; none is NULL.
void bind_day(sqlite3_stmt* statement, int index, const std::optional<CivilDay>& day);
std::optional<CivilDay> column_day(sqlite3_stmt* statement, int index);
// Steps a statement that returns no rows and resets it for the next binding.
int step_and_reset(sqlite3_stmt* statement);  // SQLITE_OK when it ran to completion

// Runs `body` (returning an SQLite result code) in BEGIN IMMEDIATE ... COMMIT; anything but
// SQLITE_OK, a failed COMMIT included, rolls it all back and comes out as the extended error code.
template <typename Body>
std::error_code in_transaction(SqliteDatabase& db, Body body) {
  if (auto e = db.exec("BEGIN IMMEDIATE")) return e;
  return db.finish_transaction(body());
}

}  // namespace parkd
