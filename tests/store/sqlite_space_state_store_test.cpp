// The SQLite store: a real database file in a temporary folder.
#include "store/sqlite_space_state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace parkd {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("parkd-store-" + std::to_string(std::random_device{}()));
    path = (dir / "nested" / "parkd.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
  std::string path;
};

TEST_F(StoreTest, CreatesTheFileAndItsFolderInWalModeAtTheCurrentSchema) {
  SqliteDatabase db(path);
  EXPECT_TRUE(std::filesystem::exists(path));
  SqliteStatement mode(db.handle(), "PRAGMA journal_mode");
  ASSERT_EQ(sqlite3_step(mode.get()), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(mode.get(), 0)), "wal");
  SqliteStatement version(db.handle(), "PRAGMA user_version");
  ASSERT_EQ(sqlite3_step(version.get()), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(version.get(), 0), SqliteDatabase::kSchemaVersion);
}

TEST_F(StoreTest, SavedStatesSurviveReopeningAndTheLatestWins) {
  {
    SqliteDatabase db(path);
    SqliteSpaceStateStore store(db);
    const std::vector<StoredSpaceState> first = {{"xj5", "A01", SpaceState::Occupied, 10, ""},
                                                 {"xj5", "A02", SpaceState::Free, 11, ""}};
    ASSERT_FALSE(store.save(first, {}));
    const std::vector<StoredSpaceState> later = {{"xj5", "A01", SpaceState::Closed, 20, "repainting lines"}};
    ASSERT_FALSE(store.save(later, {}));
  }
  SqliteDatabase db(path);
  SqliteSpaceStateStore store(db);
  std::vector<StoredSpaceState> loaded;
  ASSERT_FALSE(store.load(loaded));
  EXPECT_EQ(loaded, (std::vector<StoredSpaceState>{{"xj5", "A01", SpaceState::Closed, 20, "repainting lines"},
                                                   {"xj5", "A02", SpaceState::Free, 11, ""}}));
}

// Every state a space can be in is saved and comes back, a suspect one (a space guided cars
// avoid) included: schema 13's check refused it and failed the whole save.
TEST_F(StoreTest, EveryStateASpaceCanBeInIsSavedAndLoaded) {
  const std::vector<StoredSpaceState> all = {{"xj5", "A01", SpaceState::Free, 10, ""},
                                             {"xj5", "A02", SpaceState::Occupied, 11, ""},
                                             {"xj5", "A03", SpaceState::Held, 12, ""},
                                             {"xj5", "A04", SpaceState::Closed, 13, "lines"},
                                             {"xj5", "A05", SpaceState::Unknown, 14, ""},
                                             {"xj5", "A06", SpaceState::Suspect, 15, ""}};
  {
    SqliteDatabase db(path);
    SqliteSpaceStateStore store(db);
    ASSERT_FALSE(store.save({}, all));
  }
  SqliteDatabase db(path);
  SqliteSpaceStateStore store(db);
  std::vector<StoredSpaceState> loaded;
  ASSERT_FALSE(store.load(loaded));
  EXPECT_EQ(loaded, all);
  // The table still refuses a state parkd does not have.
  EXPECT_TRUE(db.exec("INSERT INTO space_state (lot_id, space_id, state, changed_at_ms) VALUES ('xj5', 'A07', 'parked', 16)"));
}

// Each space's changes: in their order, newest first, paged with `before`, and those older
// than the kept season dropped once a newer change is saved.
TEST_F(StoreTest, ASpacesChangesAreKeptInOrderReadNewestFirstAndDroppedAfterTheSeason) {
  constexpr TimeMs kDay = 24LL * 3'600'000;
  const TimeMs t0 = 1'793'592'000'000;
  {
    SqliteDatabase db(path);
    SqliteSpaceStateStore store(db);
    const std::vector<StoredSpaceState> changes = {{"xj5", "A01", SpaceState::Held, t0, ""},
                                                   {"xj5", "A02", SpaceState::Occupied, t0 + 1, ""},
                                                   {"xj5", "A01", SpaceState::Occupied, t0 + 60'000, ""},
                                                   {"xj5", "A01", SpaceState::Closed, t0 + 60'000, "repainting lines"}};
    const std::vector<StoredSpaceState> latest = {changes[3], changes[1]};
    ASSERT_FALSE(store.save(latest, changes));
  }
  SqliteDatabase db(path);
  SqliteSpaceStateStore store(db);
  std::vector<StoredSpaceState> a01;
  ASSERT_FALSE(store.history("xj5", "A01", 10, 0, a01));
  EXPECT_EQ(a01, (std::vector<StoredSpaceState>{{"xj5", "A01", SpaceState::Closed, t0 + 60'000, "repainting lines"},
                                                {"xj5", "A01", SpaceState::Occupied, t0 + 60'000, ""},
                                                {"xj5", "A01", SpaceState::Held, t0, ""}}));
  std::vector<StoredSpaceState> page;
  ASSERT_FALSE(store.history("xj5", "A01", 1, t0 + 60'000, page));
  EXPECT_EQ(page, (std::vector<StoredSpaceState>{{"xj5", "A01", SpaceState::Held, t0, ""}}));
  std::vector<StoredSpaceState> none;
  ASSERT_FALSE(store.history("xj5", "B01", 10, 0, none));
  EXPECT_TRUE(none.empty());

  // A change a season and a day later: the old ones go, the new one stays.
  const TimeMs later = t0 + kSpaceHistoryKeptMs + kDay;
  const std::vector<StoredSpaceState> next = {{"xj5", "A01", SpaceState::Free, later, ""}};
  ASSERT_FALSE(store.save(next, next));
  std::vector<StoredSpaceState> after;
  ASSERT_FALSE(store.history("xj5", "A01", 10, 0, after));
  EXPECT_EQ(after, next);
  std::vector<StoredSpaceState> a02;
  ASSERT_FALSE(store.history("xj5", "A02", 10, 0, a02));
  EXPECT_TRUE(a02.empty());
  // The latest states are not history: both spaces are still known.
  std::vector<StoredSpaceState> loaded;
  ASSERT_FALSE(store.load(loaded));
  EXPECT_EQ(loaded.size(), 2u);
}

TEST_F(StoreTest, TheSeasonsPruneGoesInTheOrderChangesWereSavedWithNoIndexByTime) {
  constexpr TimeMs kDay = 24LL * 3'600'000;
  const TimeMs t0 = 1'793'592'000'000;
  SqliteDatabase db(path);
  SqliteSpaceStateStore store(db);
  const auto save = [&](const char* space, TimeMs at) {
    const std::vector<StoredSpaceState> one = {{"xj5", space, SpaceState::Occupied, at, ""}};
    ASSERT_FALSE(store.save(one, one));
  };
  const auto kept = [&](const char* space) {
    std::vector<StoredSpaceState> h;
    EXPECT_FALSE(store.history("xj5", space, 10, 0, h));
    return h.size();
  };
  save("A01", t0);
  save("A02", t0 + 2 * kDay);
  save("A03", t0 - kDay);  // saved after a younger change: the clock was set back
  save("A04", t0 + kSpaceHistoryKeptMs + kDay + kDay / 2);
  EXPECT_EQ(kept("A01"), 0u) << "older than the season, saved first";
  EXPECT_EQ(kept("A02"), 1u);
  EXPECT_EQ(kept("A03"), 1u) << "older than the season too, but saved after a change still kept";
  EXPECT_EQ(kept("A04"), 1u);
  save("A05", t0 + kSpaceHistoryKeptMs + 3 * kDay);
  EXPECT_EQ(kept("A02"), 0u);
  EXPECT_EQ(kept("A03"), 0u) << "gone once the rows saved before it have gone";
  EXPECT_EQ(kept("A04"), 1u);
  EXPECT_EQ(kept("A05"), 1u);

  // What each save costs the store: the table and one index (by space, for the console).
  SqliteStatement indexes(db.handle(), "SELECT group_concat(name) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'space_history'");
  ASSERT_EQ(sqlite3_step(indexes.get()), SQLITE_ROW);
  EXPECT_EQ(column_text(indexes.get(), 0), "space_history_by_space");
}

long history_rows(SqliteDatabase& db) {
  SqliteStatement count(db.handle(), "SELECT count(*) FROM space_history");
  return sqlite3_step(count.get()) == SQLITE_ROW ? sqlite3_column_int64(count.get(), 0) : -1;
}

// A flood's save: many changes of few spaces. One row (one index entry) per space, its last
// change its latest state, and the history reads and pages as if each change were its own row.
TEST_F(StoreTest, ASavesChangesOfOneSpaceMakeOneRowAndItsLastIsTheLatestState) {
  const TimeMs t0 = 1'793'592'000'000;
  SqliteDatabase db(path);
  SqliteSpaceStateStore store(db);
  std::vector<StoredSpaceState> changes;
  for (int i = 0; i < 10; ++i) {
    changes.push_back({"xj5", "A01", i % 2 == 0 ? SpaceState::Occupied : SpaceState::Free, t0 + 100 * i, ""});
    changes.push_back({"xj5", "A02", i % 2 == 0 ? SpaceState::Free : SpaceState::Occupied, t0 + 100 * i + 50, ""});
  }
  changes.push_back({"xj5", "A01", SpaceState::Closed, t0 + 1'000, "works"});
  ASSERT_FALSE(store.save({}, changes));
  EXPECT_EQ(history_rows(db), 2);
  std::vector<StoredSpaceState> loaded;
  ASSERT_FALSE(store.load(loaded));
  EXPECT_EQ(loaded, (std::vector<StoredSpaceState>{{"xj5", "A01", SpaceState::Closed, t0 + 1'000, "works"},
                                                   {"xj5", "A02", SpaceState::Occupied, t0 + 950, ""}}));

  // A second save: a third row; A01's history runs across both of its rows.
  const std::vector<StoredSpaceState> next = {{"xj5", "A01", SpaceState::Free, t0 + 2'000, ""}};
  ASSERT_FALSE(store.save({}, next));
  EXPECT_EQ(history_rows(db), 3);
  std::vector<StoredSpaceState> newest;
  ASSERT_FALSE(store.history("xj5", "A01", 3, 0, newest));
  EXPECT_EQ(newest, (std::vector<StoredSpaceState>{{"xj5", "A01", SpaceState::Free, t0 + 2'000, ""},
                                                   {"xj5", "A01", SpaceState::Closed, t0 + 1'000, "works"},
                                                   {"xj5", "A01", SpaceState::Free, t0 + 900, ""}}));
  // The next page, from inside the first row.
  std::vector<StoredSpaceState> page;
  ASSERT_FALSE(store.history("xj5", "A01", 2, t0 + 900, page));
  EXPECT_EQ(page, (std::vector<StoredSpaceState>{{"xj5", "A01", SpaceState::Occupied, t0 + 800, ""},
                                                 {"xj5", "A01", SpaceState::Free, t0 + 700, ""}}));
  std::vector<StoredSpaceState> all;
  ASSERT_FALSE(store.history("xj5", "A01", 100, 0, all));
  EXPECT_EQ(all.size(), 12u);
  std::vector<StoredSpaceState> a02;
  ASSERT_FALSE(store.history("xj5", "A02", 100, 0, a02));
  ASSERT_EQ(a02.size(), 10u);
  EXPECT_EQ(a02.back(), (StoredSpaceState{"xj5", "A02", SpaceState::Free, t0 + 50, ""}));
}

// A row that is not the packed format (a damaged file, a hand edit) is an error for that
// space's history, not changes made up from its bytes.
TEST_F(StoreTest, ADamagedHistoryRowIsAnErrorNotInventedChanges) {
  SqliteDatabase db(path);
  SqliteSpaceStateStore store(db);
  ASSERT_FALSE(db.exec("INSERT INTO space_history VALUES ('xj5', 'A01', 1000, 1000, x'0901')"));
  std::vector<StoredSpaceState> h;
  const std::error_code e = store.history("xj5", "A01", 10, 0, h);
  EXPECT_EQ(e, sqlite_error(SQLITE_CORRUPT));
  EXPECT_TRUE(h.empty());
}

// Schema 12 kept a row per change (space_change): the step to 13 makes each its own packed row,
// in the order they were written, and the table goes.
TEST_F(StoreTest, SchemaTwelvesChangesComeThroughTheStepToThirteen) {
  const TimeMs t0 = 1'793'592'000'000;
  {
    SqliteDatabase db(path);
    ASSERT_FALSE(db.exec("DROP TABLE space_history;"
                         "CREATE TABLE space_change (lot_id TEXT NOT NULL, space_id TEXT NOT NULL, state TEXT NOT NULL,"
                         "  at_ms INTEGER NOT NULL, note TEXT NOT NULL);"
                         "CREATE INDEX space_change_by_space ON space_change (lot_id, space_id, at_ms);"
                         "PRAGMA user_version = 12;"));
    SqliteStatement insert(db.handle(), "INSERT INTO space_change VALUES (?1, ?2, ?3, ?4, ?5)");
    const std::vector<StoredSpaceState> old = {{"xj5", "A01", SpaceState::Occupied, t0, ""},
                                               {"xj5", "A02", SpaceState::Held, t0 + 1, ""},
                                               {"xj5", "A01", SpaceState::Closed, t0 + 60'000, "lines"},
                                               {"xj5", "A01", SpaceState::Suspect, t0 + 60'000, ""}};
    for (const auto& c : old) {
      const std::string state(name_of(c.state));
      sqlite3_bind_text(insert.get(), 1, c.lot_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert.get(), 2, c.space_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert.get(), 3, state.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert.get(), 4, c.changed_at);
      sqlite3_bind_text(insert.get(), 5, c.note.c_str(), -1, SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(insert.get()), SQLITE_DONE);
      sqlite3_reset(insert.get());
    }
  }
  SqliteDatabase db(path);  // migrates
  SqliteSpaceStateStore store(db);
  EXPECT_EQ(history_rows(db), 4);
  SqliteStatement gone(db.handle(), "SELECT count(*) FROM sqlite_master WHERE name = 'space_change'");
  ASSERT_EQ(sqlite3_step(gone.get()), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(gone.get(), 0), 0);
  std::vector<StoredSpaceState> a01;
  ASSERT_FALSE(store.history("xj5", "A01", 10, 0, a01));
  EXPECT_EQ(a01, (std::vector<StoredSpaceState>{{"xj5", "A01", SpaceState::Suspect, t0 + 60'000, ""},
                                                {"xj5", "A01", SpaceState::Closed, t0 + 60'000, "lines"},
                                                {"xj5", "A01", SpaceState::Occupied, t0, ""}}));
}

// A state name schema 12 never wrote stops the step with a message that says what it found.
TEST_F(StoreTest, TheStepToThirteenRefusesAStateItCannotPack) {
  {
    SqliteDatabase db(path);
    ASSERT_FALSE(db.exec("DROP TABLE space_history;"
                         "CREATE TABLE space_change (lot_id TEXT NOT NULL, space_id TEXT NOT NULL, state TEXT NOT NULL,"
                         "  at_ms INTEGER NOT NULL, note TEXT NOT NULL);"
                         "INSERT INTO space_change VALUES ('xj5', 'A01', 'parked', 1000, '');"
                         "PRAGMA user_version = 12;"));
  }
  try {
    SqliteDatabase db(path);
    FAIL() << "migrated a change with the state 'parked'";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("to schema version 13: a space change with an unknown state 'parked'"), std::string::npos) << what;
  }
}

TEST_F(StoreTest, ADatabaseFromANewerParkdIsRefusedWithAClearMessage) {
  {
    SqliteDatabase db(path);
    ASSERT_FALSE(db.exec("PRAGMA user_version = 99"));
  }
  try {
    SqliteDatabase db(path);
    FAIL() << "opened a database of schema 99";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("has schema version 99, newer than this parkd understands"), std::string::npos)
        << e.what();
  }
}

TEST_F(StoreTest, AnUnusablePathIsReportedByName) {
  const std::string file = (dir / "plain-file").string();
  std::filesystem::create_directories(dir);
  { std::ofstream(file) << "x"; }
  try {
    SqliteDatabase db(file + "/parkd.db");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open the database '" + file + "/parkd.db'"), std::string::npos) << e.what();
  }
}

// A COMMIT can fail (a full disk; here a deferred foreign key): the transaction is rolled back,
// not left open for the next statement to run inside it.
TEST_F(StoreTest, AFailedCommitIsRolledBackAndTheConnectionStaysUsable) {
  SqliteDatabase db(path);
  ASSERT_FALSE(db.exec("PRAGMA foreign_keys = ON;"
                       "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                       "CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);"));
  const std::error_code failed = in_transaction(db, [&] { return sqlite3_exec(db.handle(), "INSERT INTO child VALUES (7)", nullptr, nullptr, nullptr); });
  EXPECT_TRUE(failed);
  EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0) << "left inside the transaction";
  SqliteStatement rows(db.handle(), "SELECT COUNT(*) FROM child");
  ASSERT_EQ(sqlite3_step(rows.get()), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(rows.get(), 0), 0);
  EXPECT_FALSE(in_transaction(db, [&] {
    return sqlite3_exec(db.handle(), "INSERT INTO parent VALUES (7); INSERT INTO child VALUES (7)", nullptr, nullptr, nullptr);
  }));
}

}  // namespace
}  // namespace parkd
