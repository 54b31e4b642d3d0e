// The control API without HTTP: a registry change whose read-back fails keeps the gates'
// registry and says so.
#include "daemon/control_api.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <random>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "store/sqlite_audit_log.h"
#include "store/sqlite_bill_archive.h"
#include "store/sqlite_special_pass_store.h"
#include "store/sqlite_database.h"
#include "store/sqlite_gate_ledger.h"
#include "store/sqlite_occupancy_history.h"
#include "store/sqlite_registry_store.h"
#include "support/test_lots.h"

namespace parkd {
namespace {

class NoPublisher : public Publisher {
 public:
  bool publish(std::string_view, const std::string&, std::string, bool, Delivered) override { return true; }
};

// The real registry store, whose reads can be made to fail (a disk error after a write).
class RegistryWithFailingReads : public RegistryStore {
 public:
  explicit RegistryWithFailingReads(RegistryStore& real) : real_(real) {}
  std::error_code put_households(std::span<const Household> households, CivilDay effective_from,
                                 const AuditEntry* audit) override {
    return real_.put_households(households, effective_from, audit);
  }
  std::error_code add_vehicles(std::span<const Vehicle> vehicles, const AuditEntry* audit) override {
    return real_.add_vehicles(vehicles, audit);
  }
  std::error_code change_permits(std::span<const Vehicle> rewritten, std::span<const Vehicle> added,
                                 const AuditEntry* audit) override {
    return real_.change_permits(rewritten, added, audit);
  }
  std::error_code load(std::vector<Household>& households, std::vector<Vehicle>& vehicles) override {
    if (fail_reads) return std::make_error_code(std::errc::io_error);
    return real_.load(households, vehicles);
  }
  bool fail_reads = false;

 private:
  RegistryStore& real_;
};

class ControlApiTest : public ::testing::Test {
 protected:
  ControlApiTest() {
    std::vector<Lot> lots;
    lots.push_back(test::small_lot());
    host.emplace(boost::asio::make_strand(io), std::move(lots), true, publisher);
    const std::vector<Household> households = {{"H1", "1", "101", HouseholdType::Owner, std::nullopt, std::nullopt}};
    EXPECT_FALSE(sqlite_registry.put_households(households, *parse_civil_day("2026-01-01"), nullptr));
    const std::vector<Vehicle> vehicles = {{"沪A11111", "H1", *parse_civil_day("2026-01-01"), std::nullopt, 0}};
    EXPECT_FALSE(sqlite_registry.add_vehicles(vehicles, nullptr));
    std::vector<Household> h;
    std::vector<Vehicle> v;
    EXPECT_FALSE(sqlite_registry.load(h, v));
    host->set_registry(Registry(std::move(h), std::move(v)));
    api.emplace(*host, ControlStores{worker, registry, audit, ledger, history, bills, passes, [](std::string&) { return std::error_code(); }},
                std::vector<ControlToken>{{"clerk", "s3cret"}},
                std::vector<PactVersion>{PactVersion{"2026-01", *parse_civil_day("2026-01-01"), {}}}, "Tiny");
  }
  ~ControlApiTest() override {
    worker.stop();
    std::filesystem::remove_all(dir);
  }

  HttpReply call(boost::beast::http::verb verb, const std::string& target, const std::string& body) {
    HttpServer::Request request{verb, target, 11};
    request.set(boost::beast::http::field::authorization, "Bearer s3cret");
    request.body() = body;
    request.prepare_payload();
    std::optional<HttpReply> reply;
    // `respond` may be called on any thread (the store thread, here): the reply comes back to io.
    boost::asio::post(host->strand(), [&] {
      api->handle(request, [&](HttpReply r) { boost::asio::post(io, [&, r = std::move(r)]() mutable { reply = std::move(r); }); });
    });
    // The answer comes back from the store thread: the io_context must not run out of work meanwhile.
    auto busy = boost::asio::make_work_guard(io);
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!reply && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(100));
    return reply.value_or(HttpReply{0, "", "no answer"});
  }

  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("parkd-control-" + std::to_string(std::random_device{}()));
  SqliteDatabase db{(dir / "parkd.db").string()};
  SqliteRegistryStore sqlite_registry{db};
  RegistryWithFailingReads registry{sqlite_registry};
  SqliteAuditLog audit{db};
  SqliteGateLedger ledger{db};
  SqliteOccupancyHistory history{db};
  SqliteBillArchive bills{db};
  SqliteSpecialPassStore passes{db};
  StoreWorker worker;
  boost::asio::io_context io;
  NoPublisher publisher;
  std::optional<EngineHost> host;
  std::optional<ControlApi> api;
};

TEST_F(ControlApiTest, ARegistryThatCannotBeReadBackAfterAChangeIsKeptAndTheCallAnswers500) {
  registry.fail_reads = true;
  const HttpReply reply =
      call(boost::beast::http::verb::post, "/v1/vehicles", R"({"plate": "沪A22222", "household_id": "H1"})");
  EXPECT_EQ(reply.status, 500u) << reply.body;
  EXPECT_NE(reply.body.find("the gates still decide with the registry as it was"), std::string::npos) << reply.body;
  // The resident already registered is still a resident at the gate.
  ASSERT_EQ(host->desk().registry().households().size(), 1u);
  EXPECT_EQ(host->desk().registry().households()[0].household_id, "H1");
  // Once reads work again, the next change brings both in.
  registry.fail_reads = false;
  const HttpReply next =
      call(boost::beast::http::verb::post, "/v1/vehicles", R"({"plate": "沪A33333", "household_id": "H1"})");
  EXPECT_EQ(next.status, 201u) << next.body;
  std::vector<Household> h;
  std::vector<Vehicle> v;
  ASSERT_FALSE(sqlite_registry.load(h, v));
  EXPECT_EQ(v.size(), 3u);
  EXPECT_EQ(host->desk().registry().vehicles().size(), 3u);
}

TEST_F(ControlApiTest, TheRouteTableAnswers404ForUnknownPathsAnd405WithTheMethodsAPathTakes) {
  using boost::beast::http::verb;
  EXPECT_EQ(call(verb::get, "/v1/status", "").status, 200u);
  EXPECT_EQ(call(verb::get, "/v1/households/H1", "").status, 200u);
  const HttpReply wrong_method = call(verb::get, "/v1/vehicles", "");
  EXPECT_EQ(wrong_method.status, 405u);
  EXPECT_NE(wrong_method.body.find("use POST here"), std::string::npos) << wrong_method.body;
  EXPECT_EQ(call(verb::post, "/v1/spaces", "").status, 405u);
  EXPECT_EQ(call(verb::get, "/v1/spaces/N1/close", "").status, 405u);
  EXPECT_EQ(call(verb::get, "/v1/nothing", "").status, 404u);
  EXPECT_EQ(call(verb::get, "/v1/spaces/N1/sideways", "").status, 404u);
  EXPECT_EQ(call(verb::get, "/v2/status", "").status, 404u);
}

TEST_F(ControlApiTest, AnEndedMonthIsIssuedOnceAndALaterBackdatedChangeBecomesAnAdjustmentInTheNextOpenMonth) {
  // Issue #17 case 5. H1 has had 沪A11111 since 2026-01-01: 150.00 a month at rank 1. October is
  // exported (issued); then a car is added with a 2025 date, which makes it rank 1 and 沪A11111
  // rank 2 for every month since. Release 1 rewrote October to 150.00 + 300.00. Now October's
  // file stays as issued, and November carries the difference for October: +150.00 for the new
  // car (31 days) and +150.00 for 沪A11111 (rank 2 now: 300.00 due, 150.00 billed).
  using boost::beast::http::verb;
  const HttpReply october = call(verb::get, "/v1/bill?month=2026-10", "");
  ASSERT_EQ(october.status, 200u) << october.body;
  EXPECT_NE(october.body.find("2026-10,H1,1,101,owner,沪A11111,1,150.00,31,150.00,2026-01,,\n"), std::string::npos)
      << october.body;
  ASSERT_EQ(call(verb::post, "/v1/vehicles", R"({"plate": "沪A22222", "household_id": "H1", "registered_on": "2025-06-01"})").status,
            201u);
  EXPECT_EQ(call(verb::get, "/v1/bill?month=2026-10", "").body, october.body);  // byte for byte

  const HttpReply november = call(verb::get, "/v1/bill?month=2026-11", "");
  ASSERT_EQ(november.status, 200u) << november.body;
  EXPECT_NE(november.body.find("2026-11,H1,1,101,owner,沪A22222,1,150.00,30,150.00,2026-01,,\n"), std::string::npos);
  EXPECT_NE(november.body.find("2026-11,H1,1,101,owner,沪A11111,2,300.00,30,300.00,2026-01,,\n"), std::string::npos);
  EXPECT_NE(november.body.find("2026-11,H1,1,101,owner,沪A22222,,,31,150.00,2026-01,2026-10,registry changed after "
                               "2026-10 was issued: billed 0 days 0.00; due 31 days 150.00\n"),
            std::string::npos)
      << november.body;
  EXPECT_NE(november.body.find("2026-11,H1,1,101,owner,沪A11111,,,0,150.00,2026-01,2026-10,"), std::string::npos)
      << november.body;
  EXPECT_EQ(call(verb::get, "/v1/bill?month=2026-11", "").body, november.body);

  // A correction after November was issued goes to the next open month: removing the new car
  // again from its first day credits October's and November's adjustments in December.
  ASSERT_EQ(call(verb::post, "/v1/vehicles/%E6%B2%AAA22222/remove", R"({"removed_on": "2025-06-01"})").status, 200u);
  const HttpReply december = call(verb::get, "/v1/bill?month=2026-12&preview=true", "");
  EXPECT_NE(december.body.find("沪A22222,,,-31,-150.00,2026-01,2026-10,"), std::string::npos) << december.body;
  EXPECT_NE(december.body.find("沪A11111,,,0,-150.00,2026-01,2026-10,"), std::string::npos) << december.body;
  EXPECT_NE(december.body.find("沪A22222,,,-30,-150.00,2026-01,2026-11,"), std::string::npos) << december.body;
  EXPECT_NE(december.body.find("沪A11111,,,0,-150.00,2026-01,2026-11,"), std::string::npos) << december.body;
  EXPECT_EQ(call(verb::get, "/v1/bill?month=2026-11", "").body, november.body);
}

}  // namespace
}  // namespace parkd
