// The registry in a real SQLite file: CSV in, the October bill out to the fen, history kept.
#include "store/sqlite_registry_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "core/registry_csv.h"
#include "store/sqlite_audit_log.h"
#include "support/test_data.h"

namespace parkd {
namespace {

using test::read_source_file;

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
    const auto households = parse_households_csv(read_source_file("tests/data/registry/households-2026-10.csv"));
    ASSERT_TRUE(households.issues.empty());
    ASSERT_FALSE(store->put_households(households.households, *parse_civil_day("2026-09-01"), nullptr));
    std::set<std::string> known;
    for (const auto& h : households.households) known.insert(h.household_id);
    const auto vehicles = parse_vehicles_csv(read_source_file("tests/data/registry/vehicles-2026-10.csv"), known);
    ASSERT_TRUE(vehicles.issues.empty());
    ASSERT_FALSE(store->add_vehicles(vehicles.vehicles, nullptr));
  }
  // Ends the plate's open permit as parkd does: the stored record rewritten by its id. False
  // when the plate has none.
  bool end_permit(const std::string& plate, const char* removed_on) {
    std::vector<Household> households;
    std::vector<Vehicle> vehicles;
    EXPECT_FALSE(store->load(households, vehicles));
    for (Vehicle v : vehicles) {
      if (v.plate != plate || v.removed_on) continue;
      v.removed_on = parse_civil_day(removed_on);
      EXPECT_FALSE(store->change_permits(std::span(&v, 1), {}, nullptr));
      return true;
    }
    return false;
  }

  std::filesystem::path dir;
  std::unique_ptr<SqliteDatabase> db;
  std::unique_ptr<SqliteRegistryStore> store;
};

TEST_F(RegistryStoreTest, TheOctoberBillFromTheStoredRegistryMatchesTheGoldenFile) {
  import_october();
  EXPECT_TRUE(end_permit("沪C30001", "2026-10-11"));
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  EXPECT_EQ(households.size(), 4u);
  EXPECT_EQ(vehicles.size(), 10u);
  const auto lines = monthly_bill(2026, 10, households, vehicles, {PactVersion{"2026-01", *parse_civil_day("2026-01-01"), {}}});
  EXPECT_EQ(bill_csv(lines), read_source_file("tests/data/golden/bill-2026-10.csv"));
}

TEST_F(RegistryStoreTest, APlateWithAPermitInForceCannotBeAddedAgainAndTheBatchIsNotKept) {
  import_october();
  const std::vector<Vehicle> batch = {{"沪D11111", "H1", *parse_civil_day("2026-11-01"), std::nullopt, 0},
                                      {"沪A10001", "H2", *parse_civil_day("2026-11-01"), std::nullopt, 0}};
  EXPECT_TRUE(store->add_vehicles(batch, nullptr));
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  EXPECT_EQ(vehicles.size(), 10u);  // not even the first of the two
}

TEST_F(RegistryStoreTest, RemovingKeepsTheHistoryAndThePlateMayComeBack) {
  import_october();
  EXPECT_TRUE(end_permit("沪A10001", "2026-11-10"));
  EXPECT_FALSE(end_permit("沪A10001", "2026-11-11"));  // nothing in force any more
  const std::vector<Vehicle> again = {{"沪A10001", "H3", *parse_civil_day("2026-12-01"), std::nullopt, 0}};
  ASSERT_FALSE(store->add_vehicles(again, nullptr));
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  int rows = 0;
  for (const auto& v : vehicles) rows += v.plate == "沪A10001" ? 1 : 0;
  EXPECT_EQ(rows, 2);
}

TEST_F(RegistryStoreTest, AChangedHouseholdGetsANewVersionAndOctoberIsBilledAsItWas) {
  import_october();
  EXPECT_TRUE(end_permit("沪C30001", "2026-10-11"));
  // H4's lease (ending 2026-10-20) is extended on 11-05; an unchanged household adds no version.
  const std::vector<Household> renewed = {{"H4", "20", "204", HouseholdType::Tenant, *parse_civil_day("2027-10-20"), std::nullopt},
                                          {"H1", "3", "101", HouseholdType::Owner, std::nullopt, std::nullopt}};
  ASSERT_FALSE(store->put_households(renewed, *parse_civil_day("2026-11-05"), nullptr));
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  ASSERT_EQ(households.size(), 5u);
  const Household& latest = households[4];
  EXPECT_EQ(latest.household_id, "H4");
  EXPECT_EQ(format_civil_day(*latest.lease_end), "2027-10-20");
  EXPECT_EQ(format_civil_day(*latest.valid_from), "2026-11-05");
  const std::vector<PactVersion> pact = {PactVersion{"2026-01", *parse_civil_day("2026-01-01"), {}}};
  EXPECT_EQ(bill_csv(monthly_bill(2026, 10, households, vehicles, pact)), read_source_file("tests/data/golden/bill-2026-10.csv"));
  // In November H4's car is back in force from the day of the extension: 26 of 30 days.
  bool billed = false;
  for (const BillLine& l : monthly_bill(2026, 11, households, vehicles, pact)) {
    if (l.household_id != "H4") continue;
    billed = true;
    EXPECT_EQ(format_civil_day(l.first_day), "2026-11-05");
    EXPECT_EQ(l.days_billed, 26);
  }
  EXPECT_TRUE(billed);
}

TEST_F(RegistryStoreTest, AChangeAndItsAuditEntryAreWrittenTogetherOrNotAtAll) {
  import_october();
  SqliteAuditLog audit(*db);
  const AuditEntry entry{0, 1'000, "operator", "vehicle.add", "沪D11111", "", "{}"};
  const std::vector<Vehicle> good = {{"沪D11111", "H1", *parse_civil_day("2026-11-01"), std::nullopt, 0}};
  ASSERT_FALSE(store->add_vehicles(good, &entry));
  const std::vector<Vehicle> clash = {{"沪A10001", "H2", *parse_civil_day("2026-11-01"), std::nullopt, 0}};
  EXPECT_TRUE(store->add_vehicles(clash, &entry));
  const std::vector<Vehicle> no_such_record = {{"沪Z99999", "H1", *parse_civil_day("2026-11-01"), std::nullopt, 9999}};
  EXPECT_TRUE(store->change_permits(no_such_record, good, &entry));  // the add in the same call is not kept
  std::vector<AuditEntry> entries;
  ASSERT_FALSE(audit.recent(10, entries));
  ASSERT_EQ(entries.size(), 1u);  // the failed add and the rewrite of nothing left no entry
  EXPECT_EQ(entries[0].target, "沪D11111");
  EXPECT_EQ(entries[0].token_name, "operator");
}

TEST_F(RegistryStoreTest, AVersionThreeDatabaseIsMigratedWithItsHouseholds) {
  store.reset();
  // Back to schema 3, with a household on record.
  ASSERT_FALSE(db->exec("DROP TABLE space_history; DROP TABLE car_inside; DROP TABLE inside_record; DROP TABLE alert; DROP TABLE space_strike;"
                        "ALTER TABLE vehicle DROP COLUMN needs_accessible; ALTER TABLE vehicle DROP COLUMN electric;"
                        "DROP TABLE special_pass; DROP TABLE issued_bill_line; DROP TABLE issued_bill; DROP TABLE decision_outbox; ALTER TABLE gate_decision RENAME TO gate_inbox;"
                        "DROP TABLE household_version; DROP TABLE audit_log; DROP TABLE occupancy_sample;"
                        "DROP INDEX gate_decision_decided; DROP INDEX visitor_session_left;"
                        "ALTER TABLE gate_inbox DROP COLUMN decision_reason; ALTER TABLE gate_inbox DROP COLUMN admitted;"
                        "ALTER TABLE space_state DROP COLUMN note;"
                        "INSERT INTO household VALUES ('H9', '9', '909', 'owner', NULL);"
                        "PRAGMA user_version = 3;"));
  db.reset();
  db = std::make_unique<SqliteDatabase>((dir / "parkd.db").string());
  store = std::make_unique<SqliteRegistryStore>(*db);
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(store->load(households, vehicles));
  ASSERT_EQ(households.size(), 1u);
  EXPECT_EQ(households[0].household_id, "H9");
  EXPECT_FALSE(households[0].valid_from);  // known from the beginning
  import_october();
}

}  // namespace
}  // namespace parkd
