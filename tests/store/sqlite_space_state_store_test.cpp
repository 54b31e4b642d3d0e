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

  // What each change costs the store: the table and one index (by space, for the console).
  SqliteStatement indexes(db.handle(), "SELECT group_concat(name) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'space_change'");
  ASSERT_EQ(sqlite3_step(indexes.get()), SQLITE_ROW);
  EXPECT_EQ(column_text(indexes.get(), 0), "space_change_by_space");
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
