// The control API (HTTP/JSON): what parkctl and the console talk to. Every call but
// /v1/status and signing in needs a token (a bearer token, or the cookie of a browser that signed
// in with one) whose role is high enough for it; changing calls are written to the audit log, in
// the holder's name, in the same transaction as the change. Runs on the engine's strand; every
// SQLite call goes to a worker thread of its own, and the reply comes back when the change is
// durable.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "browser_sessions.h"
#include "config/token_file.h"
#include "core/alert_store.h"
#include "core/audit_log.h"
#include "core/bill_archive.h"
#include "core/billing.h"
#include "core/permit_change.h"
#include "core/gate_ledger.h"
#include "core/occupancy_history.h"
#include "core/registry_store.h"
#include "core/special_pass_store.h"
#include "engine_host.h"
#include "event_feed.h"
#include "http_server.h"
#include "store_worker.h"

namespace parkd {

struct ControlStores {
  StoreWorker& worker;       // runs the calls below, in order
  RegistryStore& registry;
  AuditLog& audit;
  GateLedger& ledger;        // read only: sessions and decisions of a month
  OccupancyHistory& history; // read only
  BillArchive& bills;        // closed months
  SpecialPassStore& passes;
  AlertStore& alerts;        // read only: the history
  SpaceStateStore& spaces;   // read only: the spaces' histories
  // A consistent copy of the whole database, as the bytes of an SQLite file.
  std::function<std::error_code(std::string& bytes)> backup;
};

class ControlApi {
 public:
  ControlApi(EngineHost& host, ControlStores stores, std::vector<ControlToken> tokens, std::vector<PactVersion> pact,
             std::string compound_name);

  // On the strand. Answers /v1/... and nothing else (the caller serves /metrics and /healthz).
  void handle(const HttpServer::Request& request, HttpServer::Respond respond);

  // Every endpoint and the role it needs (nullopt: anyone), for the docs and the tests.
  struct Endpoint {
    boost::beast::http::verb method;
    std::string path;  // "/v1/spaces/{}/close"
    std::optional<ControlRole> role;
  };
  static std::vector<Endpoint> endpoints();
  static constexpr std::string_view kSessionCookie = "parkd_session";
  // The token file was read again (SIGHUP): these tokens from now on; browsers signed in with a
  // token that is gone or changed are signed out. Returns how many were. On the strand.
  std::size_t replace_tokens(std::vector<ControlToken> tokens);
  // GET /v1/events follows this feed (none: 503).
  void set_event_feed(EventFeed* feed) { events_ = feed; }
  // Behind HTTPS the session cookie says Secure: a browser never sends it in clear.
  void set_secure_cookies(bool secure) { secure_cookies_ = secure; }

 private:
  struct Call;
  struct Route;
  static const std::vector<Route>& routes();
  void route(Call& call);
  // Who calls (bearer token or session cookie), and whether that is enough for `needed`;
  // the refusal when not.
  std::optional<HttpReply> authorise(Call& call, std::optional<ControlRole> needed);
  void sign_in(Call& call);
  void session(Call& call);
  void sign_out(Call& call);
  void events(Call& call);
  void status(Call& call);
  void spaces(Call& call);
  void space(Call& call, const std::string& id);
  void space_history(Call& call, const std::string& id);
  void close_or_open(Call& call, const std::string& id, bool close);
  void sensors(Call& call);
  void visitors(Call& call);
  void household(Call& call, const std::string& id);
  void add_vehicle(Call& call);
  void remove_vehicle(Call& call, const std::string& plate);
  void correct_permit(Call& call, const std::string& plate);
  void move_vehicle(Call& call, const std::string& plate);
  // What a permit change answers: the permit added (201), the one rewritten, or both lists.
  enum class ReplyShape { Added, Ended, Change };
  void apply_permit_plan(Call& call, const PermitPlan& plan, std::string action, const std::string& plate, ReplyShape shape);
  void import(Call& call, const std::string& kind);
  void bill(Call& call);
  // The notice of a month; `published_only`: the public's, only for a month whose bills are issued.
  void notice(Call& call, bool published_only);
  void published_notices(Call& call);
  void search_registry(Call& call);
  // A 422 for a month no pact version covers (it ends before the first takes effect).
  std::optional<HttpReply> uncovered_month(int year, int month) const;
  void backup(Call& call);
  void special_passes(Call& call);
  void grant_pass(Call& call);
  void revoke_pass(Call& call, const std::string& plate);
  void change_passes(HttpServer::Respond respond, std::function<std::error_code(SpecialPassStore&)> write, HttpReply reply);
  void open_gate(Call& call, const std::string& gate_id);
  void settle_visitor(Call& call, const std::string& plate, bool waive);
  // On the strand: closes (or waives) the stay and answers; `request_body` goes to the audit log.
  struct Settlement {
    std::string lot;
    std::string plate;
    TimeMs left_at = 0;
    bool waive = false;
    std::string note;
    std::string request_body;
    std::string token_name;
    int utc_offset_minutes = 0;
    std::string month;  // the local month left_at falls in, "2026-10"
  };
  void finish_settlement(const Settlement& s, HttpServer::Respond respond);
  static HttpReply month_closed_reply(const Settlement& s, bool issuing);
  // The lot a call means: the one named, or the only one.
  std::optional<std::string> lot_of(const std::string& requested, HttpReply& error) const;
  // For actions done at once on the strand: the audit entry is written, then the reply goes.
  void audit_then_reply(Call& call, AuditEntry entry, HttpReply reply);
  void audit_then_reply(HttpServer::Respond respond, AuditEntry entry, HttpReply reply);
  // On the store thread: an open month's bill as it would be issued now, its adjustment lines
  // for closed months included.
  std::error_code open_month_bill(int year, int month, std::vector<BillLine>& lines);
  void audit(Call& call);
  void alerts(Call& call);
  void dismiss_alert(Call& call, const std::string& alert_id);

  // Runs `write` on the control thread; when it succeeds the registry is read back from the
  // store and handed to the gates, then `reply` answers through `respond`. A failed write
  // answers 500 and changes nothing; a failed read-back answers 500 and keeps the gates' registry.
  void change_registry(HttpServer::Respond respond, std::function<std::error_code(RegistryStore&)> write, HttpReply reply);

  CivilDay today() const;
  int utc_offset() const;

  EngineHost& host_;
  ControlStores stores_;
  std::vector<ControlToken> tokens_;
  BrowserSessions sessions_;
  EventFeed* events_ = nullptr;
  bool secure_cookies_ = false;
  std::vector<PactVersion> pact_;
  std::string compound_name_;
  // Months an export is issuing or has issued since start, on the strand: a month is marked
  // here before its bills are written, so a settlement the strand takes up after that is
  // refused even if its check on the store thread ran before the month was issued.
  std::set<std::string> closing_months_;
};

}  // namespace parkd
