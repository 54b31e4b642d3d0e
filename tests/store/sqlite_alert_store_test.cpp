// The alert history and the strikes in a real SQLite file: raised, cleared, read back after
// reopening, and a month's window.
#include "store/sqlite_alert_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace parkd {
namespace {

class AlertStoreTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("parkd-alerts-" + std::to_string(std::random_device{}()));
  std::string path = (dir / "parkd.db").string();
};

Alert alert(std::string space, AlertKind kind, TimeMs raised_at) {
  Alert a;
  a.lot_id = "xj5";
  a.kind = kind;
  a.space_id = std::move(space);
  a.alert_id = make_alert_id(a.space_id, kind, raised_at);
  a.raised_at = raised_at;
  a.detail_zh = a.space_id + "：中文说明";
  a.detail_en = a.space_id + ": what was seen";
  return a;
}

TEST_F(AlertStoreTest, AnAlertIsKeptWhenRaisedUpdatedWhenClearedAndItsStrikesReplaced) {
  Alert blocked = alert("B07", AlertKind::BlockedSuspect, 1'000);
  const Alert parked = alert("C02", AlertKind::LongOccupancy, 2'000);
  {
    SqliteDatabase db(path);
    SqliteAlertStore store(db);
    const std::vector<StoredStrikes> strikes = {{"xj5", "B07", {100, 300, 200}}, {"xj5", "A01", {50}}};
    ASSERT_FALSE(store.save(std::vector<Alert>{blocked, parked}, strikes));
    const std::vector<StoredStrikes> fewer = {{"xj5", "B07", {}}};
    ASSERT_FALSE(store.save({}, fewer));
    blocked.cleared_at = 5'000;
    blocked.cleared_by = "occupied";
    ASSERT_FALSE(store.save(std::vector<Alert>{blocked}, {}));
  }
  SqliteDatabase db(path);
  SqliteAlertStore store(db);
  std::vector<Alert> active;
  ASSERT_FALSE(store.load_active(active));
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0], parked);
  std::vector<StoredStrikes> strikes;
  ASSERT_FALSE(store.load_strikes(strikes));
  ASSERT_EQ(strikes.size(), 1u);
  EXPECT_EQ(strikes[0], (StoredStrikes{"xj5", "A01", {50}}));

  std::vector<Alert> all;
  ASSERT_FALSE(store.history(0, kNever, all));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], blocked) << "the cleared one, with how it ended";
  EXPECT_EQ(all[1], parked);
  // A window sees what was active in it: B07 ended at 5,000.
  std::vector<Alert> later;
  ASSERT_FALSE(store.history(6'000, 9'000, later));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].space_id, "C02");
  std::vector<Alert> before;
  ASSERT_FALSE(store.history(0, 1'000, before));
  EXPECT_TRUE(before.empty());
}

}  // namespace
}  // namespace parkd
