// The control API without HTTP: who may call what (every endpoint × every role), browser
// sessions and their anti-CSRF value, a registry change whose read-back fails.
#include "daemon/control_api.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <random>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <google/protobuf/util/json_util.h>

#include "parking/v1/control.pb.h"
#include "parking/v1/messages.pb.h"

#include "store/sqlite_alert_store.h"
#include "store/sqlite_audit_log.h"
#include "store/sqlite_bill_archive.h"
#include "store/sqlite_special_pass_store.h"
#include "store/sqlite_database.h"
#include "store/sqlite_gate_ledger.h"
#include "store/sqlite_occupancy_history.h"
#include "store/sqlite_registry_store.h"
#include "store/sqlite_space_state_store.h"
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
    host.emplace(boost::asio::make_strand(io), std::move(lots), true, publisher, &space_states);
    const std::vector<Household> households = {{"H1", "1", "101", HouseholdType::Owner, std::nullopt, std::nullopt}};
    EXPECT_FALSE(sqlite_registry.put_households(households, *parse_civil_day("2026-01-01"), nullptr));
    const std::vector<Vehicle> vehicles = {{"沪A11111", "H1", *parse_civil_day("2026-01-01"), std::nullopt, 0}};
    EXPECT_FALSE(sqlite_registry.add_vehicles(vehicles, nullptr));
    std::vector<Household> h;
    std::vector<Vehicle> v;
    EXPECT_FALSE(sqlite_registry.load(h, v));
    host->set_registry(Registry(std::move(h), std::move(v)));
    api.emplace(*host, ControlStores{worker, registry, audit, ledger, history, bills, passes, alerts, space_states,
                                     [](std::string&) { return std::error_code(); }},
                std::vector<ControlToken>{{"office-admin", "s3cret-admin-0001", ControlRole::Admin},
                                          {"committee", "s3cret-viewer-001", ControlRole::Viewer},
                                          {"gate-guard", "s3cret-guard-0001", ControlRole::Guard},
                                          {"clerk-li", "s3cret-clerk-0001", ControlRole::Clerk}},
                std::vector<PactVersion>{PactVersion{"2026-01", *parse_civil_day("2026-01-01"), {}}}, "Tiny");
  }
  ~ControlApiTest() override {
    worker.stop();
    std::filesystem::remove_all(dir);
  }

  // A message as the broker hands it over, processed before this returns.
  void deliver(const std::string& topic, const std::string& payload) {
    boost::asio::post(host->strand(), [&, topic, payload] { host->on_message(topic, payload); });
    io.restart();
    io.poll();
  }
  void clock(TimeMs t) {
    parking::v1::SimClock c;
    c.set_now_ms(t);
    deliver("parking/sim/clock", c.SerializeAsString());
  }

  HttpReply call(boost::beast::http::verb verb, const std::string& target, const std::string& body) {
    return call_with(verb, target, body, {{"Authorization", "Bearer s3cret-admin-0001"}});
  }

  // The call with exactly these header fields (no token unless one of them carries it).
  HttpReply call_with(boost::beast::http::verb verb, const std::string& target, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& fields) {
    HttpServer::Request request{verb, target, 11};
    for (const auto& [name, value] : fields) request.set(name, value);
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
  SqliteAlertStore alerts{db};
  SqliteSpaceStateStore space_states{db};
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
  // A lot this parkd does not serve (a district's other parkd has it) is named, not an empty list.
  EXPECT_EQ(call(verb::get, "/v1/spaces?lot=tiny", "").status, 200u);
  const HttpReply other_lot = call(verb::get, "/v1/spaces?lot=d0002", "");
  EXPECT_EQ(other_lot.status, 404u);
  EXPECT_NE(other_lot.body.find("no lot 'd0002' here; this parkd serves tiny"), std::string::npos) << other_lot.body;
}

// The map dialog's history of a space: each change, newest first, with the closing reason;
// older pages with before=; bad paging refused with a message.
TEST_F(ControlApiTest, ASpacesHistoryListsItsChangesNewestFirstInPages) {
  using boost::beast::http::verb;
  parking::v1::SensorReport report;
  report.set_sensor_id("s-N1");
  report.set_space_id("N1");
  report.set_boot_id(1);
  report.set_seq(1);
  report.set_occupied(true);
  report.set_kind(parking::v1::REPORT_KIND_CHANGE);
  clock(test::kNoonShanghai);
  deliver("parking/tiny/sensors/s-N1/report", report.SerializeAsString());
  clock(test::kNoonShanghai + 10'000);  // past the debounce
  ASSERT_EQ(call(verb::post, "/v1/spaces/N1/close", R"({"reason": "repainting lines"})").status, 200u);
  clock(test::kNoonShanghai + 60'000);
  ASSERT_EQ(call(verb::post, "/v1/spaces/N1/open", "").status, 200u);

  const auto changes_of_n1 = [&](const std::string& query) {
    const HttpReply reply = call(verb::get, "/v1/spaces/N1/history" + query, "");
    parking::v1::SpaceHistory h;
    EXPECT_EQ(reply.status, 200u) << reply.body;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(reply.body, &h).ok()) << reply.body;
    std::vector<std::string> states;
    for (const auto& c : h.changes()) states.push_back(c.state() + (c.note().empty() ? "" : " (" + c.note() + ")"));
    return std::make_pair(h, states);
  };
  const auto [all, states] = changes_of_n1("");
  EXPECT_EQ(all.lot_id(), "tiny");
  EXPECT_EQ(all.space_id(), "N1");
  EXPECT_EQ(states, (std::vector<std::string>{"occupied", "closed (repainting lines)", "occupied"}));
  EXPECT_FALSE(all.more());
  ASSERT_EQ(all.changes_size(), 3);
  EXPECT_EQ(all.changes(0).at_ms(), test::kNoonShanghai + 60'000);
  EXPECT_EQ(all.changes(2).at_local(), "2026-11-02 12:00");  // the report's time, in the lot's zone

  const auto [first, first_states] = changes_of_n1("?limit=2");
  EXPECT_EQ(first_states.size(), 2u);
  EXPECT_TRUE(first.more());
  const auto [rest, rest_states] = changes_of_n1("?limit=2&before=" + std::to_string(first.changes(1).at_ms()));
  EXPECT_EQ(rest_states, (std::vector<std::string>{"occupied"}));
  EXPECT_FALSE(rest.more());
  // Another space has its own history: N2 never changed.
  parking::v1::SpaceHistory n2;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(call(verb::get, "/v1/spaces/N2/history", "").body, &n2).ok());
  EXPECT_EQ(n2.space_id(), "N2");
  EXPECT_EQ(n2.changes_size(), 0);

  for (const char* bad : {"?limit=0", "?limit=12abc", "?limit=-1", "?limit=501", "?before=x"}) {
    const HttpReply refused = call(verb::get, std::string("/v1/spaces/N1/history") + bad, "");
    EXPECT_EQ(refused.status, 400u) << bad;
    EXPECT_NE(refused.body.find("must be a whole number"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(call(verb::get, "/v1/spaces/Z9/history", "").status, 404u);
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

std::string header_of(const HttpReply& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

TEST_F(ControlApiTest, EveryEndpointAnswers401WithoutATokenAnd403BelowItsRole) {
  // The contract's table (docs/console.md), written here apart from the API's own: a new endpoint
  // fails this test until someone decides who may call it.
  using boost::beast::http::verb;
  const std::optional<ControlRole> anyone;
  const auto viewer = ControlRole::Viewer, guard = ControlRole::Guard, clerk = ControlRole::Clerk,
             admin = ControlRole::Admin;
  const std::map<std::string, std::optional<ControlRole>> expected = {
      {"GET /v1/status", anyone},
      {"POST /v1/session", anyone},
      {"DELETE /v1/session", anyone},
      {"GET /v1/session", viewer},
      {"GET /v1/events", viewer},
      {"GET /v1/spaces", viewer},
      {"GET /v1/spaces/{}", viewer},
      {"GET /v1/spaces/{}/history", viewer},
      {"GET /v1/sensors", viewer},
      {"GET /v1/alerts", viewer},
      {"POST /v1/alerts/{}/dismiss", guard},
      {"POST /v1/spaces/{}/close", guard},
      {"POST /v1/spaces/{}/open", guard},
      {"GET /v1/visitors", guard},
      {"POST /v1/gates/{}/open", guard},
      {"GET /v1/special-passes", guard},
      {"GET /v1/households/{}", clerk},
      {"POST /v1/vehicles", clerk},
      {"POST /v1/vehicles/{}/remove", clerk},
      {"POST /v1/vehicles/{}/correct", clerk},
      {"POST /v1/vehicles/{}/move", clerk},
      {"POST /v1/special-passes", clerk},
      {"POST /v1/special-passes/{}/revoke", clerk},
      {"POST /v1/visitors/{}/close", clerk},
      {"POST /v1/visitors/{}/waive", clerk},
      {"POST /v1/import/households", clerk},
      {"POST /v1/import/vehicles", clerk},
      {"GET /v1/bill", clerk},
      {"GET /v1/notice", clerk},
      {"GET /v1/public/notices", anyone},
      {"GET /v1/public/notice", anyone},
      {"GET /v1/registry/search", clerk},
      {"GET /v1/backup", admin},
      {"GET /v1/audit", admin},
  };
  const std::vector<std::pair<ControlRole, std::string>> holders = {
      {viewer, "s3cret-viewer-001"}, {guard, "s3cret-guard-0001"}, {clerk, "s3cret-clerk-0001"}, {admin, "s3cret-admin-0001"}};
  std::size_t checked = 0;
  for (const ControlApi::Endpoint& e : ControlApi::endpoints()) {
    const std::string name = std::string(boost::beast::http::to_string(e.method)) + " " + e.path;
    const auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << name << " is not in the contract's table";
    EXPECT_EQ(e.role, it->second) << name;
    std::string target = e.path;
    for (auto at = target.find("{}"); at != std::string::npos; at = target.find("{}")) target.replace(at, 2, "X1");
    const HttpReply none = call_with(e.method, target, "", {});
    if (it->second) {
      EXPECT_EQ(none.status, 401u) << name << ": " << none.body;
      EXPECT_EQ(header_of(none, "WWW-Authenticate"), "Bearer realm=\"parkd\"") << name;
    } else {
      EXPECT_NE(none.status, 401u) << name << ": " << none.body;
    }
    for (const auto& [role, secret] : holders) {
      const HttpReply r = call_with(e.method, target, "", {{"Authorization", "Bearer " + secret}});
      const bool allowed = !it->second || allows(role, *it->second);
      if (allowed) {
        EXPECT_NE(r.status, 401u) << name << " as " << name_of(role) << ": " << r.body;
        EXPECT_NE(r.status, 403u) << name << " as " << name_of(role) << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403u) << name << " as " << name_of(role) << ": " << r.body;
        EXPECT_NE(r.body.find("has the role " + std::string(name_of(role))), std::string::npos) << r.body;
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, expected.size()) << "an endpoint of the table is gone from the API";
  // A wrong token is refused even where none is needed.
  EXPECT_EQ(call_with(verb::get, "/v1/status", "", {{"Authorization", "Bearer not-a-token-at-all"}}).status, 401u);
  EXPECT_EQ(call_with(verb::get, "/v1/status", "", {{"Authorization", "Basic b3BlcmF0b3I6eA=="}}).status, 401u);
}

TEST_F(ControlApiTest, TheBrowserSignsInOnceHoldsAnHttpOnlyCookieAndSendsTheCsrfValueWithEveryChange) {
  using boost::beast::http::verb;
  const HttpReply wrong = call_with(verb::post, "/v1/session", R"({"token": "s3cret-guard-000X"})", {});
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_TRUE(header_of(wrong, "Set-Cookie").empty());
  EXPECT_EQ(call_with(verb::post, "/v1/session", "token=s3cret-guard-0001", {}).status, 400u);

  const HttpReply in = call_with(verb::post, "/v1/session", R"({"token": "s3cret-guard-0001"})", {});
  ASSERT_EQ(in.status, 200u) << in.body;
  const std::string set_cookie = header_of(in, "Set-Cookie");
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("Path=/"), std::string::npos) << set_cookie;
  ASSERT_EQ(set_cookie.rfind("parkd_session=", 0), 0u) << set_cookie;
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  EXPECT_EQ(cookie.size(), std::string("parkd_session=").size() + 64) << "32 random bytes";
  EXPECT_EQ(in.body.find("s3cret"), std::string::npos) << "the token never comes back";
  const auto csrf_at = in.body.find("\"csrf\":\"");
  ASSERT_NE(csrf_at, std::string::npos) << in.body;
  const std::string csrf = in.body.substr(csrf_at + 8, 32);
  EXPECT_NE(in.body.find("\"name\":\"gate-guard\""), std::string::npos) << in.body;
  EXPECT_NE(in.body.find("\"role\":\"guard\""), std::string::npos) << in.body;

  // Reads need only the cookie; the session says who it is.
  EXPECT_EQ(call_with(verb::get, "/v1/visitors", "", {{"Cookie", "theme=dark; " + cookie}}).status, 200u);
  const HttpReply who = call_with(verb::get, "/v1/session", "", {{"Cookie", cookie}});
  EXPECT_NE(who.body.find(csrf), std::string::npos) << who.body;
  EXPECT_EQ(call_with(verb::get, "/v1/households/H1", "", {{"Cookie", cookie}}).status, 403u) << "a guard is not a clerk";

  // A change with the cookie alone could come from another site's page: refused.
  const std::string reason = R"({"reason": "a cone on it"})";
  const HttpReply forged = call_with(verb::post, "/v1/spaces/N1/close", reason, {{"Cookie", cookie}});
  EXPECT_EQ(forged.status, 403u);
  EXPECT_NE(forged.body.find("\"code\":\"csrf\""), std::string::npos) << forged.body;
  const std::string other_csrf = csrf.substr(0, 31) + (csrf[31] == 'a' ? 'b' : 'a');
  EXPECT_EQ(call_with(verb::post, "/v1/spaces/N1/close", reason, {{"Cookie", cookie}, {"X-Parkd-Csrf", other_csrf}}).status, 403u);
  // On the simulated clock nothing changes a space before parkd knows the time (its kept
  // states are restored then): a clear refusal, not a change the restore would undo.
  const HttpReply early = call_with(verb::post, "/v1/spaces/N1/close", reason, {{"Cookie", cookie}, {"X-Parkd-Csrf", csrf}});
  EXPECT_EQ(early.status, 503u);
  EXPECT_NE(early.body.find("\"code\":\"waiting_for_clock\""), std::string::npos) << early.body;
  clock(test::kNoonShanghai);
  const HttpReply closed = call_with(verb::post, "/v1/spaces/N1/close", reason, {{"Cookie", cookie}, {"X-Parkd-Csrf", csrf}});
  EXPECT_EQ(closed.status, 200u) << closed.body;
  EXPECT_NE(call(verb::get, "/v1/audit", "").body.find("\"token_name\":\"gate-guard\""), std::string::npos)
      << "the audit log names the holder of the session's token";

  // Signing out ends the session and clears the cookie.
  const HttpReply out = call_with(verb::delete_, "/v1/session", "", {{"Cookie", cookie}, {"X-Parkd-Csrf", csrf}});
  EXPECT_EQ(out.status, 200u);
  EXPECT_NE(header_of(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  const HttpReply after = call_with(verb::get, "/v1/visitors", "", {{"Cookie", cookie}});
  EXPECT_EQ(after.status, 401u);
  EXPECT_NE(after.body.find("sign in again"), std::string::npos) << after.body;
  EXPECT_EQ(call_with(verb::get, "/v1/status", "", {{"Cookie", cookie}}).status, 200u) << "the public status stays open";
}

// A token leaked or its holder left: the office edits the file and reloads parkd (SIGHUP). The
// removed token, a changed secret and a changed role all end the browser sessions they opened;
// the others go on.
TEST_F(ControlApiTest, TokensReplacedAtAReloadEndTheSessionsOfTheTokensGoneOrChanged) {
  using boost::beast::http::verb;
  auto sign_in = [&](const std::string& secret) {
    const HttpReply in = call_with(verb::post, "/v1/session", R"({"token": ")" + secret + R"("})", {});
    EXPECT_EQ(in.status, 200u) << in.body;
    const std::string set_cookie = header_of(in, "Set-Cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  };
  const std::string guard = sign_in("s3cret-guard-0001");
  const std::string viewer = sign_in("s3cret-viewer-001");
  const std::string clerk = sign_in("s3cret-clerk-0001");
  const std::string admin = sign_in("s3cret-admin-0001");
  std::size_t ended = 0;
  boost::asio::post(host->strand(), [&] {
    ended = api->replace_tokens({{"office-admin", "s3cret-admin-0001", ControlRole::Admin},  // unchanged
                                 {"committee", "s3cret-viewer-002", ControlRole::Viewer},   // a new secret
                                 {"clerk-li", "s3cret-clerk-0001", ControlRole::Viewer},    // a lower role
                                 {"night-guard", "s3cret-guard-0002", ControlRole::Guard}});
  });
  io.restart();
  io.poll();
  EXPECT_EQ(ended, 3u);
  for (const std::string& gone : {guard, viewer, clerk}) {
    EXPECT_EQ(call_with(verb::get, "/v1/spaces", "", {{"Cookie", gone}}).status, 401u) << gone;
  }
  EXPECT_EQ(call_with(verb::get, "/v1/audit", "", {{"Cookie", admin}}).status, 200u);
  EXPECT_EQ(call_with(verb::get, "/v1/spaces", "", {{"Authorization", "Bearer s3cret-guard-0001"}}).status, 401u);
  EXPECT_EQ(call_with(verb::get, "/v1/spaces", "", {{"Authorization", "Bearer s3cret-viewer-001"}}).status, 401u);
  EXPECT_EQ(call_with(verb::get, "/v1/visitors", "", {{"Authorization", "Bearer s3cret-guard-0002"}}).status, 200u);
  EXPECT_EQ(call_with(verb::get, "/v1/households/H1", "", {{"Authorization", "Bearer s3cret-clerk-0001"}}).status, 403u)
      << "a clerk made a viewer";
}

TEST_F(ControlApiTest, GuessingTokensPausesSignInsForAMinute) {
  using boost::beast::http::verb;
  for (int i = 0; i < BrowserSessions::kMaxFailuresPerMinute; ++i) {
    EXPECT_EQ(call_with(verb::post, "/v1/session", R"({"token": "guess-)" + std::to_string(i) + R"(-xxxxxxxxxxxx"})", {}).status, 401u);
  }
  const HttpReply paused = call_with(verb::post, "/v1/session", R"({"token": "s3cret-admin-0001"})", {});
  EXPECT_EQ(paused.status, 429u) << "even the right token waits: the guesser must not learn when it hits";
  EXPECT_EQ(header_of(paused, "Retry-After"), "60");
  EXPECT_EQ(call(verb::get, "/v1/status", "").status, 200u) << "bearer tokens are not affected";
}

TEST_F(ControlApiTest, AMonthsNoticeIsPublicOnceItsBillsAreIssuedAndShowsNoPlate) {
  using boost::beast::http::verb;
  const HttpReply before = call_with(verb::get, "/v1/public/notice?month=2026-10", "", {});
  EXPECT_EQ(before.status, 404u);
  EXPECT_NE(before.body.find("not_published"), std::string::npos) << before.body;
  EXPECT_NE(call_with(verb::get, "/v1/public/notices", "", {}).body.find(R"("months":[])"), std::string::npos);
  ASSERT_EQ(call(verb::get, "/v1/bill?month=2026-10", "").status, 200u);  // the office issues October
  const HttpReply listed = call_with(verb::get, "/v1/public/notices", "", {});
  EXPECT_NE(listed.body.find(R"("months":["2026-10"])"), std::string::npos) << listed.body;
  const HttpReply published = call_with(verb::get, "/v1/public/notice?month=2026-10&format=html", "", {});
  ASSERT_EQ(published.status, 200u) << published.body;
  EXPECT_EQ(published.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(published.body.find("沪A11111"), std::string::npos) << "plates masked";
  EXPECT_EQ(published.body, call(verb::get, "/v1/notice?month=2026-10&format=html", "").body) << "the office's notice, as issued";
  EXPECT_EQ(call_with(verb::get, "/v1/public/notice?month=2026-11", "", {}).status, 404u) << "November is open";
}

// A settlement's closed-month check runs on the store thread, and the stay is settled on the
// strand after it. An export that issued the month between the two used to leave a stay ending
// in a month already issued: its visitor bill and published notice changed afterwards.
TEST_F(ControlApiTest, AMonthIssuedWhileASettlementWaitsForTheStrandNeverGetsAStayEndingInIt) {
  using boost::beast::http::verb;
  const TimeMs october_31_afternoon = test::kNoonShanghai - 45 * 3'600'000LL;  // 2026-10-31 15:00
  clock(october_31_afternoon);
  for (const char* space : {"N1", "N2", "N3", "N4", "S1", "S2", "S3"}) {  // a lot with room for a visitor
    parking::v1::SensorReport r;
    r.set_sensor_id(std::string("s-") + space);
    r.set_space_id(space);
    r.set_boot_id(1);
    r.set_seq(1);
    r.set_occupied(false);
    r.set_kind(parking::v1::REPORT_KIND_CHANGE);
    deliver(std::string("parking/tiny/sensors/s-") + space + "/report", r.SerializeAsString());
  }
  clock(october_31_afternoon + 60'000);
  parking::v1::GateEvent entry;
  entry.set_gate_id("g");
  entry.set_seq(1);
  entry.set_plate("苏E12345");
  entry.set_direction(parking::v1::DIRECTION_ENTRY);
  deliver("parking/tiny/gates/g/event", entry.SerializeAsString());
  clock(test::kNoonShanghai);  // 2026-11-02: October has ended, not yet issued
  const auto request = [](verb v, const std::string& target, const std::string& body) {
    HttpServer::Request r{v, target, 11};
    r.set("Authorization", "Bearer s3cret-admin-0001");
    r.body() = body;
    r.prepare_payload();
    return r;
  };
  const HttpServer::Request settle = request(verb::post, "/v1/visitors/%E8%8B%8FE12345/close",
                                             R"({"reason":"left during the camera fault","left_at":"2026-10-31 16:30"})");
  const HttpServer::Request issue = request(verb::get, "/v1/bill?month=2026-10", "");
  std::optional<HttpReply> settled;
  std::optional<HttpReply> issued;
  // Both taken up in one turn of the strand: the settlement's check, then the export, queue on
  // the store thread; the strand runs nothing else until both jobs are done there.
  boost::asio::post(host->strand(), [&] {
    api->handle(settle, [&](HttpReply r) { boost::asio::post(io, [&, r = std::move(r)]() mutable { settled = std::move(r); }); });
    api->handle(issue, [&](HttpReply r) { boost::asio::post(io, [&, r = std::move(r)]() mutable { issued = std::move(r); }); });
  });
  io.restart();
  ASSERT_EQ(io.run_one(), 1u);
  worker.wait_idle();
  auto busy = boost::asio::make_work_guard(io);
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((!settled || !issued) && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(settled && issued) << (settled ? settled->body : "no settlement reply") << " / " << (issued ? std::to_string(issued->status) : "no export reply");
  ASSERT_EQ(issued->status, 200u) << issued->body;
  EXPECT_NE(call(verb::get, "/v1/public/notices", "").body.find(R"("months":["2026-10"])"), std::string::npos);
  // Either the stay was settled before the month was issued, or it was refused: never settled after.
  std::vector<AuditEntry> entries;
  ASSERT_FALSE(audit.recent(10, entries));
  std::optional<std::uint64_t> close_at;
  std::optional<std::uint64_t> settle_at;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].action == "bill.close") close_at = entries[i].id;
    if (entries[i].action == "visitor.close") settle_at = entries[i].id;
  }
  ASSERT_TRUE(close_at);
  if (settled->status == 200u) {
    ASSERT_TRUE(settle_at);
    EXPECT_LT(*settle_at, *close_at) << "the stay ended in October after October was issued";
  } else {
    EXPECT_EQ(settled->status, 422u);
    EXPECT_NE(settled->body.find("month_closed"), std::string::npos) << settled->body;
    EXPECT_FALSE(settle_at);
  }
}

TEST_F(ControlApiTest, TheRegistryIsSearchedByPlateHouseholdOrRoom) {
  using boost::beast::http::verb;
  const HttpReply by_plate = call(verb::get, "/v1/registry/search?q=a111", "");
  ASSERT_EQ(by_plate.status, 200u) << by_plate.body;
  EXPECT_NE(by_plate.body.find(R"("plate":"沪A11111")"), std::string::npos) << by_plate.body;
  EXPECT_NE(call(verb::get, "/v1/registry/search?q=1-101", "").body.find(R"("household_id":"H1")"), std::string::npos);
  EXPECT_NE(call(verb::get, "/v1/registry/search?q=101", "").body.find(R"("household_id":"H1")"), std::string::npos);
  const HttpReply none = call(verb::get, "/v1/registry/search?q=Z9", "");
  EXPECT_NE(none.body.find(R"("households":[],"vehicles":[])"), std::string::npos) << none.body;
  EXPECT_EQ(call(verb::get, "/v1/registry/search", "").status, 400u);
}

}  // namespace
}  // namespace parkd
