// Databases made by earlier parkd releases (tests/data/schemas: how each was made is in its
// README), migrated to today's schema at open: every record is still there, and October's bill
// is the one that parkd issued. A database from a newer parkd is refused, naming both versions.
#include "store/sqlite_database.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "config/config_loader.h"
#include "core/billing.h"
#include "store/sqlite_gate_ledger.h"
#include "store/sqlite_registry_store.h"
#include "store/sqlite_space_state_store.h"
#include "support/test_data.h"

namespace parkd {
namespace {

const std::filesystem::path kSchemas = std::filesystem::path(PARKD_SOURCE_DIR) / "tests/data/schemas";

using test::read_bytes;

// "table rows" lines, as make-fixture.sh wrote them.
std::map<std::string, long> counts_of(const std::string& name) {
  std::map<std::string, long> out;
  std::istringstream in(read_bytes(kSchemas / (name + ".counts")));
  std::string key;
  long n = 0;
  while (in >> key >> n) out[key] = n;
  return out;
}

long rows(SqliteDatabase& db, const std::string& table) {
  SqliteStatement s(db.handle(), ("SELECT count(*) FROM " + table).c_str());
  return sqlite3_step(s.get()) == SQLITE_ROW ? sqlite3_column_int64(s.get(), 0) : -1;
}

// The first 11 columns of every line: the bill as release 1 printed it.
std::string first_columns(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::string out;
  while (std::getline(in, line)) {
    std::size_t cut = 0;
    for (int commas = 0; cut != std::string::npos && commas < 11; ++commas) cut = line.find(',', cut == 0 ? 0 : cut + 1);
    out += (cut == std::string::npos ? line : line.substr(0, cut)) + "\n";
  }
  return out;
}

class SchemaMigration : public ::testing::TestWithParam<std::string> {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("parkd-migration-" + std::to_string(std::random_device{}()));
};

TEST_P(SchemaMigration, EveryRecordSurvivesAndOctobersBillIsTheOneIssued) {
  const std::string name = GetParam();
  const std::map<std::string, long> before = counts_of(name);
  ASSERT_GT(before.at("schema"), 0);
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kSchemas / (name + ".db"), dir / "parkd.db");
  SqliteDatabase db((dir / "parkd.db").string());  // migrates
  {
    SqliteStatement v(db.handle(), "PRAGMA user_version");
    ASSERT_EQ(sqlite3_step(v.get()), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(v.get(), 0), SqliteDatabase::kSchemaVersion);
  }
  for (const auto& [table, n] : before) {
    if (table == "schema" || table == "open_visitor_sessions" || table == "sqlite_sequence") continue;
    const std::string now = table == "gate_inbox" ? "gate_decision" : table;  // renamed in schema 5
    EXPECT_EQ(rows(db, now), n) << name << ": " << table;
  }
  EXPECT_GT(before.at("vehicle"), 100) << "a fixture worth the name";
  EXPECT_GT(before.at(before.count("gate_decision") ? "gate_decision" : "gate_inbox"), 50);

  SqliteRegistryStore registry(db);
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  ASSERT_FALSE(registry.load(households, vehicles));
  EXPECT_EQ(static_cast<long>(vehicles.size()), before.at("vehicle"));
  SqliteGateLedger ledger(db);
  std::vector<VisitorSession> open;
  ASSERT_FALSE(ledger.open_sessions(open));
  EXPECT_EQ(static_cast<long>(open.size()), before.at("open_visitor_sessions"));
  SqliteSpaceStateStore spaces(db);
  std::vector<StoredSpaceState> states;
  ASSERT_FALSE(spaces.load(states));
  EXPECT_EQ(static_cast<long>(states.size()), before.at("space_state"));

  const ConfigLoad config = load_config_file(std::filesystem::path(PARKD_SOURCE_DIR) / "config/parkd.textproto");
  ASSERT_TRUE(config.config);
  const std::string issued = read_bytes(kSchemas / (name + "-bill-2026-10.csv"));
  ASSERT_NE(issued.find("\n2026-10,"), std::string::npos) << "the old parkd billed October";
  EXPECT_EQ(first_columns(bill_csv(monthly_bill(2026, 10, households, vehicles, config.config->pact))), first_columns(issued));
}

INSTANTIATE_TEST_SUITE_P(Releases, SchemaMigration, ::testing::Values("schema-v4", "schema-v5", "schema-v8"));

TEST(SchemaMigrationRefusal, ADatabaseFromANewerParkdIsRefusedNamingBothVersions) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("parkd-newer-" + std::to_string(std::random_device{}()));
  {
    SqliteDatabase db((dir / "parkd.db").string());
    ASSERT_FALSE(db.exec(("PRAGMA user_version = " + std::to_string(SqliteDatabase::kSchemaVersion + 1)).c_str()));
  }
  try {
    SqliteDatabase again((dir / "parkd.db").string());
    ADD_FAILURE() << "opened";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("schema version " + std::to_string(SqliteDatabase::kSchemaVersion + 1)), std::string::npos) << what;
    EXPECT_NE(what.find("(" + std::to_string(SqliteDatabase::kSchemaVersion) + ")"), std::string::npos) << what;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace parkd
