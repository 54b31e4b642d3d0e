// The registry in a real SQLite file: CSV in, the October bill out to the fen, history kept.
#include "store/sqlite_registry_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "core/registry_csv.h"

namespace parkd {
namespace {

std::string read(const std::string& relative) {
  std::ifstream in(std::string(PARKD_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RegistryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("parkd-registry-" + std::to_string(std::random_device{}()));
    db = std::make_unique<SqliteDatabase>((dir / "parkd.db").string());
    store = std::make_unique<SqliteRegistryStore>(*db);
  }
  void TearDown() override {
    store.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  void import_october() {
    const auto households = parse_households_csv(read("tests/data/registry/households-2026-10.csv"));
    ASSERT_TRUE(households.issues.empty());
    ASSERT_FALSE(store->put_households(households.households));
    std::set<std::string> known;
    for (const auto& h : households.households) known.insert(h.household_id);
    const auto vehicles = parse_vehicles_csv(read("tests/data/registry/vehicles-2026-10.csv"), known);
    ASSERT_TRUE(vehicles.issues.empty());
    ASSERT_FALSE(store->add_vehicles(vehicles.vehicles));
  }

  std::filesystem::path dir;
  std::unique_ptr<SqliteDatabase> db;
  std::unique_ptr<SqliteRegistryStore> store;
};

TEST_F(RegistryStoreTest, TheOctoberBillFromTheStoredRegistryMatchesTheGoldenFile) {
  import_october();
  bool found = false;
  ASSERT_FALSE(store->remove_vehicle("沪C30001", *parse_civil_day("2026-10-11"), found));
  EXPECT_TRUE(found);
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  EXPECT_EQ(households.size(), 4u);
  EXPECT_EQ(vehicles.size(), 10u);
  const auto lines = monthly_bill(2026, 10, households, vehicles, {PactVersion{"2026-01", *parse_civil_day("2026-01-01"), {}}});
  EXPECT_EQ(bill_csv(lines), read("tests/data/golden/bill-2026-10.csv"));
}

TEST_F(RegistryStoreTest, APlateWithAPermitInForceCannotBeAddedAgainAndTheBatchIsNotKept) {
  import_october();
  const std::vector<Vehicle> batch = {{"沪D11111", "H1", *parse_civil_day("2026-11-01"), std::nullopt, 0},
                                      {"沪A10001", "H2", *parse_civil_day("2026-11-01"), std::nullopt, 0}};
  EXPECT_TRUE(store->add_vehicles(batch));
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  EXPECT_EQ(vehicles.size(), 10u);  // not even the first of the two
}

TEST_F(RegistryStoreTest, RemovingKeepsTheHistoryAndThePlateMayComeBack) {
  import_october();
  bool found = false;
  ASSERT_FALSE(store->remove_vehicle("沪A10001", *parse_civil_day("2026-11-10"), found));
  EXPECT_TRUE(found);
  ASSERT_FALSE(store->remove_vehicle("沪A10001", *parse_civil_day("2026-11-11"), found));
  EXPECT_FALSE(found);  // nothing in force any more
  const std::vector<Vehicle> again = {{"沪A10001", "H3", *parse_civil_day("2026-12-01"), std::nullopt, 0}};
  ASSERT_FALSE(store->add_vehicles(again));
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  int rows = 0;
  for (const auto& v : vehicles) rows += v.plate == "沪A10001" ? 1 : 0;
  EXPECT_EQ(rows, 2);
}

TEST_F(RegistryStoreTest, HouseholdsAreUpdatedInPlace) {
  import_october();
  const std::vector<Household> renewed = {{"H4", "20", "204", HouseholdType::Tenant, *parse_civil_day("2027-10-20")}};
  ASSERT_FALSE(store->put_households(renewed));
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  ASSERT_EQ(households.size(), 4u);
  EXPECT_EQ(format_civil_day(*households[3].lease_end), "2027-10-20");
}

TEST_F(RegistryStoreTest, AVersionOneDatabaseIsMigrated) {
  store.reset();
  ASSERT_FALSE(db->exec("DROP TABLE vehicle; DROP TABLE household; DROP TABLE gate_inbox; DROP TABLE visitor_session;"
                        "PRAGMA user_version = 1;"));
  db.reset();
  db = std::make_unique<SqliteDatabase>((dir / "parkd.db").string());
  store = std::make_unique<SqliteRegistryStore>(*db);
  import_october();
}

}  // namespace
}  // namespace parkd
