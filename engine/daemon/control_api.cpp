// Routing, validation and replies of the control API; JSON through Protobuf's JSON mapping of
// proto/parking/v1/control.proto.
#include "control_api.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "core/bill_adjustments.h"
#include "core/civil_day.h"
#include "core/plate.h"
#include "core/public_notice.h"
#include "core/household_fees.h"
#include "core/registry_csv.h"
#include "core/visitor_bill.h"
#include "api_messages.h"
#include "http_target.h"
#include "parking/v1/control.pb.h"
#include "wire.h"

namespace parkd {

namespace http = boost::beast::http;
namespace pb = parking::v1;

namespace {

TimeMs wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <typename Message>
std::string to_json_array(const std::vector<Message>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';  // appended apart: GCC 12 at -O3 warns falsely (-Wrestrict) on "," + std::string
    out += to_json(items[i]);
  }
  return out + "]";
}

HttpReply json_reply(unsigned status, const google::protobuf::Message& m) {
  return HttpReply{status, "application/json", to_json(m) + "\n"};
}

HttpReply error_reply(unsigned status, std::string code, std::string message, std::vector<pb::Problem> problems = {}) {
  pb::ApiError e;
  e.set_error(std::move(message));
  e.set_code(std::move(code));
  for (auto& p : problems) *e.add_problems() = std::move(p);
  return json_reply(status, e);
}

pb::HouseholdInfo household_info(const Household& h) {
  pb::HouseholdInfo out;
  out.set_household_id(h.household_id);
  out.set_building(h.building);
  out.set_room(h.room);
  out.set_household_type(name_of(h.type));
  if (h.lease_end) out.set_lease_end(format_civil_day(*h.lease_end));
  if (h.valid_from) out.set_valid_from(format_civil_day(*h.valid_from));
  return out;
}

pb::VehicleInfo vehicle_info(const Vehicle& v) {
  pb::VehicleInfo out;
  out.set_plate(v.plate);
  out.set_household_id(v.household_id);
  out.set_registered_on(format_civil_day(v.registered_on));
  out.set_permit_id(v.registration_order);
  out.set_needs_accessible(v.needs_accessible);
  out.set_electric(v.electric);
  if (v.removed_on) out.set_removed_on(format_civil_day(*v.removed_on));
  return out;
}

}  // namespace

struct ControlApi::Call {
  const HttpServer::Request& request;
  HttpServer::Respond respond;
  HttpTarget target;
  std::string token_name;  // the holder, once authorised ("" for anyone)
  std::optional<ControlRole> role;
  std::string session_id;  // when the caller came with a live session cookie
  std::vector<std::string> params;  // the path's "{}" segments, in order

  void reply(HttpReply r) { respond(std::move(r)); }
  bool is(http::verb v) const { return request.method() == v; }
  // Plates, households and names of people: for guards and above, never for a viewer.
  bool sees_plates() const { return role && allows(*role, ControlRole::Guard); }
};

ControlApi::ControlApi(EngineHost& host, ControlStores stores, std::vector<ControlToken> tokens,
                       std::vector<PactVersion> pact, std::string compound_name)
    : host_(host),
      stores_(stores),
      tokens_(std::move(tokens)),
      pact_(std::move(pact)),
      compound_name_(std::move(compound_name)) {}

std::size_t ControlApi::replace_tokens(std::vector<ControlToken> tokens) {
  tokens_ = std::move(tokens);
  return sessions_.keep_only(tokens_);
}

int ControlApi::utc_offset() const {
  return host_.engine().lot_count() > 0 ? host_.engine().lot(0).utc_offset_minutes() : 480;
}

CivilDay ControlApi::today() const {
  // Before the first SimClock parkd has no time of its own yet: the calendar's day serves.
  const TimeMs now = host_.now() > 0 ? host_.now() : wall_clock_ms();
  return local_day(now, utc_offset());
}

void ControlApi::handle(const HttpServer::Request& request, HttpServer::Respond respond) {
  auto target = parse_http_target(std::string(request.target()));
  if (!target) return respond(error_reply(400, "bad_request", "the request target is not a valid URL path"));
  Call call{request, std::move(respond), std::move(*target), {}, {}, {}, {}};
  try {
    route(call);
  } catch (const std::exception& e) {
    Log::error("control", "{} {}: {}", std::string(request.method_string()), std::string(request.target()), e.what());
    call.reply(error_reply(500, "internal", "internal error"));
  }
}

namespace {

HttpReply unauthorized(std::string message) {
  HttpReply r = error_reply(401, "unauthorized", std::move(message));
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"parkd\"");
  return r;
}

bool changes_something(const HttpServer::Request& request) {
  return request.method() != http::verb::get && request.method() != http::verb::head;
}

}  // namespace

std::optional<HttpReply> ControlApi::authorise(Call& call, std::optional<ControlRole> needed) {
  const auto& auth = call.request[http::field::authorization];
  const std::string_view cookie =
      cookie_value(std::string_view(call.request[http::field::cookie].data(), call.request[http::field::cookie].size()),
                   kSessionCookie);
  if (!auth.empty()) {
    const std::string_view value(auth.data(), auth.size());
    const std::string_view prefix = "Bearer ";
    const auto token = value.substr(0, prefix.size()) == prefix ? find_token(tokens_, value.substr(prefix.size()))
                                                                : std::nullopt;
    // A wrong token is an error even where none is needed: its holder should hear of it.
    if (!token) return unauthorized("the token is not one of parkd's");
    call.token_name = token->name;
    call.role = token->role;
  } else if (!cookie.empty()) {
    if (auto session = sessions_.find(cookie, wall_clock_ms())) {
      // SameSite=Strict keeps other sites' pages from sending the cookie; the secret that only
      // the console's own script can read makes sure of it for every change.
      const auto& sent = call.request["X-Parkd-Csrf"];
      if (changes_something(call.request) && std::string_view(sent.data(), sent.size()) != session->csrf) {
        return error_reply(403, "csrf", "a change from the console must send its X-Parkd-Csrf value: reload the page");
      }
      call.token_name = session->token_name;
      call.role = session->role;
      call.session_id = std::string(cookie);
    } else if (needed) {
      return unauthorized("the session has ended: sign in again");
    }
  }
  if (!needed) return std::nullopt;
  if (!call.role) {
    return unauthorized(std::string(call.target.segments == std::vector<std::string>{"v1", "backup"}
                                        ? "a backup holds every resident's records"
                                        : changes_something(call.request) ? "this call changes parkd"
                                                                          : "this call reads what only operators may see") +
                        ": send Authorization: Bearer <token>, or sign in");
  }
  if (!allows(*call.role, *needed)) {
    return error_reply(403, "forbidden",
                       fmt::format("'{}' has the role {}; this call needs {}{}", call.token_name, name_of(*call.role),
                                   name_of(*needed), *needed == ControlRole::Admin ? "" : " or above"));
  }
  return std::nullopt;
}

// Every endpoint of the API, in one place: the method, the path ("{}" takes any one segment,
// handed to the handler in order), and a thin handler.
struct ControlApi::Route {
  http::verb method;
  std::vector<std::string_view> path;
  std::optional<ControlRole> role;  // nullopt: anyone
  void (*handle)(ControlApi& api, Call& call);
};

const std::vector<ControlApi::Route>& ControlApi::routes() {
  using V = http::verb;
  constexpr std::optional<ControlRole> anyone;
  constexpr auto viewer = ControlRole::Viewer;
  constexpr auto guard = ControlRole::Guard;
  constexpr auto clerk = ControlRole::Clerk;
  constexpr auto admin = ControlRole::Admin;
  static const std::vector<Route> table = {
      {V::get, {"v1", "status"}, anyone, [](ControlApi& a, Call& c) { a.status(c); }},
      {V::post, {"v1", "session"}, anyone, [](ControlApi& a, Call& c) { a.sign_in(c); }},
      {V::get, {"v1", "session"}, viewer, [](ControlApi& a, Call& c) { a.session(c); }},
      {V::delete_, {"v1", "session"}, anyone, [](ControlApi& a, Call& c) { a.sign_out(c); }},
      {V::get, {"v1", "events"}, viewer, [](ControlApi& a, Call& c) { a.events(c); }},
      {V::get, {"v1", "spaces"}, viewer, [](ControlApi& a, Call& c) { a.spaces(c); }},
      {V::get, {"v1", "spaces", "{}"}, viewer, [](ControlApi& a, Call& c) { a.space(c, c.params[0]); }},
      {V::get, {"v1", "spaces", "{}", "history"}, viewer, [](ControlApi& a, Call& c) { a.space_history(c, c.params[0]); }},
      {V::post, {"v1", "spaces", "{}", "close"}, guard, [](ControlApi& a, Call& c) { a.close_or_open(c, c.params[0], true); }},
      {V::post, {"v1", "spaces", "{}", "open"}, guard, [](ControlApi& a, Call& c) { a.close_or_open(c, c.params[0], false); }},
      {V::get, {"v1", "sensors"}, viewer, [](ControlApi& a, Call& c) { a.sensors(c); }},
      {V::get, {"v1", "alerts"}, viewer, [](ControlApi& a, Call& c) { a.alerts(c); }},
      {V::post, {"v1", "alerts", "{}", "dismiss"}, guard, [](ControlApi& a, Call& c) { a.dismiss_alert(c, c.params[0]); }},
      {V::get, {"v1", "visitors"}, guard, [](ControlApi& a, Call& c) { a.visitors(c); }},
      {V::post, {"v1", "gates", "{}", "open"}, guard, [](ControlApi& a, Call& c) { a.open_gate(c, c.params[0]); }},
      {V::get, {"v1", "special-passes"}, guard, [](ControlApi& a, Call& c) { a.special_passes(c); }},
      {V::get, {"v1", "households", "{}"}, clerk, [](ControlApi& a, Call& c) { a.household(c, c.params[0]); }},
      {V::post, {"v1", "vehicles"}, clerk, [](ControlApi& a, Call& c) { a.add_vehicle(c); }},
      {V::post, {"v1", "vehicles", "{}", "remove"}, clerk, [](ControlApi& a, Call& c) { a.remove_vehicle(c, c.params[0]); }},
      {V::post, {"v1", "vehicles", "{}", "correct"}, clerk, [](ControlApi& a, Call& c) { a.correct_permit(c, c.params[0]); }},
      {V::post, {"v1", "vehicles", "{}", "move"}, clerk, [](ControlApi& a, Call& c) { a.move_vehicle(c, c.params[0]); }},
      {V::post, {"v1", "special-passes"}, clerk, [](ControlApi& a, Call& c) { a.grant_pass(c); }},
      {V::post, {"v1", "special-passes", "{}", "revoke"}, clerk, [](ControlApi& a, Call& c) { a.revoke_pass(c, c.params[0]); }},
      {V::post, {"v1", "visitors", "{}", "close"}, clerk, [](ControlApi& a, Call& c) { a.settle_visitor(c, c.params[0], false); }},
      {V::post, {"v1", "visitors", "{}", "waive"}, clerk, [](ControlApi& a, Call& c) { a.settle_visitor(c, c.params[0], true); }},
      {V::post, {"v1", "import", "households"}, clerk, [](ControlApi& a, Call& c) { a.import(c, "households"); }},
      {V::post, {"v1", "import", "vehicles"}, clerk, [](ControlApi& a, Call& c) { a.import(c, "vehicles"); }},
      {V::get, {"v1", "bill"}, clerk, [](ControlApi& a, Call& c) { a.bill(c); }},
      {V::get, {"v1", "notice"}, clerk, [](ControlApi& a, Call& c) { a.notice(c, false); }},
      {V::get, {"v1", "public", "notices"}, anyone, [](ControlApi& a, Call& c) { a.published_notices(c); }},
      {V::get, {"v1", "public", "notice"}, anyone, [](ControlApi& a, Call& c) { a.notice(c, true); }},
      {V::get, {"v1", "registry", "search"}, clerk, [](ControlApi& a, Call& c) { a.search_registry(c); }},
      {V::get, {"v1", "backup"}, admin, [](ControlApi& a, Call& c) { a.backup(c); }},
      {V::get, {"v1", "audit"}, admin, [](ControlApi& a, Call& c) { a.audit(c); }},
  };
  return table;
}

std::vector<ControlApi::Endpoint> ControlApi::endpoints() {
  std::vector<Endpoint> out;
  for (const Route& r : routes()) {
    std::string path;
    for (std::string_view segment : r.path) (path += '/') += segment;
    out.push_back(Endpoint{r.method, std::move(path), r.role});
  }
  return out;
}

void ControlApi::route(Call& call) {
  const std::vector<std::string>& segments = call.target.segments;
  std::string allowed;  // the methods of the path, when the request's is not one of them
  for (const Route& r : routes()) {
    if (r.path.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool match = true;
    for (std::size_t i = 0; match && i < segments.size(); ++i) {
      if (r.path[i] == "{}") {
        params.push_back(segments[i]);
      } else {
        match = r.path[i] == segments[i];
      }
    }
    if (!match) continue;
    if (call.request.method() != r.method) {
      allowed += allowed.empty() ? "" : ", ";
      allowed += std::string(http::to_string(r.method));
      continue;
    }
    call.params = std::move(params);
    if (auto refused = authorise(call, r.role)) return call.reply(std::move(*refused));
    return r.handle(*this, call);
  }
  if (!allowed.empty()) return call.reply(error_reply(405, "method_not_allowed", "use " + allowed + " here"));
  call.reply(error_reply(404, "no_such_endpoint", "no such endpoint"));
}

void ControlApi::sign_in(Call& call) {
  const TimeMs now = wall_clock_ms();
  if (sessions_.sign_in_refused(now)) {
    HttpReply r = error_reply(429, "too_many_attempts", "too many wrong tokens in the last minute: wait a minute");
    r.headers.emplace_back("Retry-After", "60");
    return call.reply(std::move(r));
  }
  pb::SignInRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok() || body.token().empty()) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"token\": \"...\"}"));
  }
  const auto token = find_token(tokens_, body.token());
  if (!token) {
    sessions_.note_failure(now);
    Log::warn("control", "a sign-in with a wrong token");
    return call.reply(unauthorized("the token is not one of parkd's"));
  }
  if (!call.session_id.empty()) sessions_.sign_out(call.session_id);  // a new sign-in replaces the old
  const BrowserSessions::SignedIn signed_in = sessions_.sign_in(*token, now);
  Log::info("control", "{} ({}) signed in to the console", token->name, name_of(token->role));
  pb::SessionInfo info;
  info.set_name(signed_in.session.token_name);
  info.set_role(std::string(name_of(signed_in.session.role)));
  info.set_csrf(signed_in.session.csrf);
  info.set_expires_at_ms(signed_in.session.expires_at);
  HttpReply r = json_reply(200, info);
  r.headers.emplace_back("Set-Cookie", fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                                                   signed_in.id, BrowserSessions::kLifetime / 1000,
                                                   secure_cookies_ ? "; Secure" : ""));
  call.reply(std::move(r));
}

void ControlApi::session(Call& call) {
  pb::SessionInfo info;
  info.set_name(call.token_name);
  info.set_role(std::string(name_of(*call.role)));
  if (!call.session_id.empty()) {
    if (auto s = sessions_.find(call.session_id, wall_clock_ms())) {
      info.set_csrf(s->csrf);
      info.set_expires_at_ms(s->expires_at);
    }
  }
  call.reply(json_reply(200, info));
}

void ControlApi::sign_out(Call& call) {
  if (!call.session_id.empty()) {
    sessions_.sign_out(call.session_id);
    Log::info("control", "{} signed out of the console", call.token_name);
  }
  HttpReply r{200, "application/json", "{}\n"};
  r.headers.emplace_back("Set-Cookie", fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict", kSessionCookie));
  call.reply(std::move(r));
}

void ControlApi::events(Call& call) {
  if (!events_) return call.reply(error_reply(503, "unavailable", "this parkd has no event feed"));
  if (events_->subscribers() >= EventFeed::kMaxSubscribers) {
    return call.reply(error_reply(503, "unavailable",
                                  fmt::format("{} browsers follow the lot already: close one", events_->subscribers())));
  }
  HttpReply r{200, "text/event-stream; charset=utf-8", ""};
  r.open_stream = [feed = events_, plates = call.sees_plates()](std::shared_ptr<EventStream> stream) {
    feed->subscribe(std::move(stream), plates);
  };
  call.reply(std::move(r));
}

void ControlApi::status(Call& call) { call.reply(json_reply(200, status_reply(host_))); }

namespace {

// A space named "A01" (searched in every lot) or "xj5/A01".
struct SpaceRef {
  std::size_t lot = 0;
  SpaceIndex space = 0;
};

std::optional<SpaceRef> find_space_ref(const Engine& engine, const std::string& id, HttpReply& error) {
  std::string lot_id;
  std::string space_id = id;
  if (const auto slash = id.find('/'); slash != std::string::npos) {
    lot_id = id.substr(0, slash);
    space_id = id.substr(slash + 1);
  }
  std::vector<SpaceRef> found;
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    if (!lot_id.empty() && engine.lot(l).id() != lot_id) continue;
    if (auto i = engine.lot(l).find_space(space_id)) found.push_back(SpaceRef{l, *i});
  }
  if (found.size() == 1) return found.front();
  error = found.empty() ? error_reply(404, "unknown_space", "no space '" + id + "'")
                        : error_reply(409, "ambiguous_space", "'" + id + "' is in several lots: write LOT/" + space_id);
  return std::nullopt;
}

}  // namespace

void ControlApi::spaces(Call& call) {
  const Engine& engine = host_.engine();
  const std::string zone = call.target.param("zone");
  const std::string state = call.target.param("state");
  const std::string lot_filter = call.target.param("lot");
  std::optional<SpaceState> wanted;
  if (!state.empty()) {
    wanted = parse_space_state(state);
    if (!wanted) {
      return call.reply(
          error_reply(400, "bad_request", "state '" + state + "' is not one of free, occupied, held, closed, unknown, suspect"));
    }
  }
  if (!lot_filter.empty()) {
    // A district splits its lots over several parkd processes: asking the wrong one is an
    // operator's slip worth naming, not an empty list.
    std::string served;
    bool known = false;
    for (std::size_t l = 0; l < engine.lot_count(); ++l) {
      known = known || engine.lot(l).id() == lot_filter;
      served += (served.empty() ? "" : ", ") + engine.lot(l).id();
    }
    if (!known) return call.reply(error_reply(404, "unknown_lot", "no lot '" + lot_filter + "' here; this parkd serves " + served));
  }
  bool zone_known = zone.empty();
  pb::SpaceList list;
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    const Lot& lot = engine.lot(l);
    if (!lot_filter.empty() && lot.id() != lot_filter) continue;
    const auto z = zone.empty() ? std::nullopt : lot.find_zone(zone);
    zone_known = zone_known || z.has_value();
    for (SpaceIndex i = 0; i < lot.spaces().size(); ++i) {
      if (!zone.empty() && (!z || lot.spaces()[i].zone != *z)) continue;
      if (wanted && engine.occupancy(l).state(i) != *wanted) continue;
      *list.add_spaces() = space_info(host_, l, i, call.sees_plates());
    }
  }
  if (!zone_known) return call.reply(error_reply(404, "unknown_zone", "no zone '" + zone + "'"));
  call.reply(json_reply(200, list));
}

void ControlApi::space(Call& call, const std::string& id) {
  HttpReply error;
  const auto ref = find_space_ref(host_.engine(), id, error);
  if (!ref) return call.reply(std::move(error));
  call.reply(json_reply(200, space_info(host_, ref->lot, ref->space, call.sees_plates())));
}

void ControlApi::space_history(Call& call, const std::string& id) {
  HttpReply error;
  const auto ref = find_space_ref(host_.engine(), id, error);
  if (!ref) return call.reply(std::move(error));
  // A whole number in [1, max] (limit) or any positive time (before); anything else is refused
  // with its name, never read as a prefix ("12abc") or wrapped ("-1").
  const auto number = [&](const char* name, std::uint64_t fallback, std::uint64_t max) -> std::optional<std::uint64_t> {
    const std::string text = call.target.param(name);
    if (text.empty()) return fallback;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > max) {
      call.reply(error_reply(400, "bad_request", fmt::format("{} must be a whole number from 1 to {}, not '{}'", name, max, text)));
      return std::nullopt;
    }
    return value;
  };
  const auto limit = number("limit", 50, 500);
  if (!limit) return;
  const auto before = number("before", 0, static_cast<std::uint64_t>(std::numeric_limits<TimeMs>::max()));
  if (!before) return;
  const Lot& lot = host_.engine().lot(ref->lot);
  auto reply = std::make_shared<pb::SpaceHistory>();
  reply->set_lot_id(lot.id());
  reply->set_space_id(lot.spaces()[ref->space].id);
  const int utc_offset = lot.utc_offset_minutes();
  auto respond = call.respond;
  // The changes of the last second are written first, then read on the control API's thread.
  host_.save_space_states([this, reply, respond, limit = *limit, before = static_cast<TimeMs>(*before), utc_offset] {
    stores_.worker.post([this, reply, respond, limit, before, utc_offset] {
      std::vector<StoredSpaceState> changes;
      if (auto e = stores_.spaces.history(reply->lot_id(), reply->space_id(), limit + 1, before, changes)) {
        return respond(error_reply(500, "store_error", "cannot read the space's history: " + e.message()));
      }
      reply->set_more(changes.size() > limit);
      if (changes.size() > limit) changes.pop_back();
      for (const StoredSpaceState& c : changes) {
        pb::SpaceHistoryEntry& entry = *reply->add_changes();
        entry.set_at_ms(c.changed_at);
        entry.set_at_local(local_time_text(c.changed_at, utc_offset));
        entry.set_state(std::string(name_of(c.state)));
        entry.set_note(c.note);
      }
      respond(json_reply(200, *reply));
    });
  });
}

void ControlApi::close_or_open(Call& call, const std::string& id, bool close) {
  HttpReply error;
  const auto ref = find_space_ref(host_.engine(), id, error);
  if (!ref) return call.reply(std::move(error));
  pb::CloseSpaceRequest body;
  if (close) {
    if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok()) {
      return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"reason\": \"...\"}"));
    }
    if (body.reason().empty()) return call.reply(error_reply(422, "invalid_input", "closing a space needs a reason"));
    if (body.reason().size() > 200) return call.reply(error_reply(422, "invalid_input", "the reason is longer than 200 bytes"));
  }
  if (!host_.time_known()) {  // the spaces' kept states are restored at the first SimClock
    return call.reply(error_reply(503, "waiting_for_clock",
                                  "parkd runs on a simulated clock and has had no SimClock yet: start parksim, then try again"));
  }
  const std::string lot_id = host_.engine().lot(ref->lot).id();
  const std::string space_id = host_.engine().lot(ref->lot).spaces()[ref->space].id;
  const pb::SpaceInfo before = space_info(host_, ref->lot, ref->space, call.sees_plates());
  const SpaceCommandOutcome outcome =
      close ? host_.close_space(lot_id, space_id, body.reason()) : host_.open_space(lot_id, space_id);
  const pb::SpaceInfo after = space_info(host_, ref->lot, ref->space, call.sees_plates());
  if (outcome == SpaceCommandOutcome::AlreadyThere) return call.reply(json_reply(200, after));  // nothing changed
  auto entry = std::make_shared<AuditEntry>(AuditEntry{0, wall_clock_ms(), call.token_name,
                                                       close ? "space.close" : "space.open", lot_id + "/" + space_id,
                                                       to_json(before), to_json(after)});
  auto respond = call.respond;
  stores_.worker.post([this, entry, respond, after] {
    if (auto e = stores_.audit.append(*entry)) {
      Log::error("control", "cannot write the audit entry for {} {}: {}", entry->action, entry->target, e.message());
      return respond(error_reply(500, "store_error", "the space changed but its audit entry could not be written: " + e.message()));
    }
    respond(json_reply(200, after));
  });
}

void ControlApi::sensors(Call& call) {
  const Engine& engine = host_.engine();
  const bool only_stale = call.target.param("stale") == "true";
  const bool only_low = call.target.param("low_battery") == "true";
  pb::SensorList list;
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    const Lot& lot = engine.lot(l);
    for (SpaceIndex i = 0; i < lot.spaces().size(); ++i) {
      const SensorStatus st = engine.occupancy(l).sensor_status(i);
      if ((only_stale && !st.stale) || (only_low && !st.low_battery)) continue;
      fill_sensor(*list.add_sensors(), lot, engine.occupancy(l), i);
    }
  }
  call.reply(json_reply(200, list));
}

void ControlApi::visitors(Call& call) {
  const TimeMs now = host_.now();
  const PactVersion* version = pact_version_on(pact_, today());
  const PactTerms terms = version != nullptr ? version->terms : PactTerms{};
  pb::VisitorList list;
  for (const auto& [key, s] : host_.desk().open_sessions()) {
    pb::VisitorInfo& v = *list.add_visitors();
    const VisitorFee fee = visitor_fee(terms, s.entered_at, std::max(now, s.entered_at));
    v.set_lot_id(s.lot_id);
    v.set_plate(s.plate);
    v.set_entry_gate(s.entry_gate);
    v.set_entered_at_ms(s.entered_at);
    v.set_minutes_inside(std::max<TimeMs>(0, now - s.entered_at) / kMsPerMinute);
    v.set_fee_so_far_fen(fee.amount);
    v.set_overstay(fee.overstay);
    v.set_note(s.note);
    const auto lot = host_.engine().find_lot(s.lot_id);
    v.set_entered_at_local(local_time_text(s.entered_at, lot ? host_.engine().lot(*lot).utc_offset_minutes() : utc_offset()));
  }
  call.reply(json_reply(200, list));
}

void ControlApi::household(Call& call, const std::string& id) {
  const Registry& registry = host_.desk().registry();
  const CivilDay day = today();
  const Household* current = registry.household(id, day);
  pb::HouseholdDetail detail;
  for (const Household& h : registry.households()) {
    if (h.household_id == id) *detail.add_history() = household_info(h);
  }
  if (detail.history_size() == 0) return call.reply(error_reply(404, "unknown_household", "no household '" + id + "'"));
  *detail.mutable_household() = current != nullptr ? household_info(*current) : detail.history(detail.history_size() - 1);
  const PactVersion* version = pact_version_on(pact_, day);
  const PactTerms terms = version != nullptr ? version->terms : PactTerms{};
  detail.set_pact_version(version != nullptr ? version->name : "");
  detail.set_today(format_civil_day(day));
  const HouseholdFees fees = household_fees_on(registry, id, day, terms);
  for (const HouseholdFees::Car& car : fees.cars) {
    pb::VehicleInfo v = vehicle_info(*car.vehicle);
    v.set_in_force(car.rank > 0);
    v.set_rank(car.rank);
    if (car.rank > 0 && current != nullptr) {
      v.set_monthly_fee_fen(car.fee.value_or(0));
      v.set_treated_as_visitor(!car.fee.has_value());
    }
    *detail.add_vehicles() = std::move(v);
  }
  detail.set_monthly_fees_today_fen(fees.total);
  call.reply(json_reply(200, detail));
}

void ControlApi::change_registry(HttpServer::Respond respond, std::function<std::error_code(RegistryStore&)> write,
                                 HttpReply reply) {
  stores_.worker.post([this, write = std::move(write), reply = std::move(reply), respond]() mutable {
    if (auto e = write(stores_.registry)) {
      // Checked on the strand first, so this is the disk, or a change made meanwhile.
      return respond(error_reply(500, "store_error", "nothing was changed: " + e.message()));
    }
    std::vector<Household> households;
    std::vector<Vehicle> vehicles;
    if (auto e = stores_.registry.load(households, vehicles)) {
      // The gates keep the registry they have: an empty one would make every resident a visitor.
      Log::error("control", "the registry changed but cannot be read back: {}; the gates keep deciding with the "
                 "registry as it was until a later change or a restart reads it", e.message());
      return respond(error_reply(500, "store_error",
                                 "the change is stored, but parkd cannot read the registry back (" + e.message() +
                                     "): the gates still decide with the registry as it was; it takes effect at the next "
                                     "change that reads back, or when parkd restarts"));
    }
    // Built here, off the strand: the strand only swaps it in.
    auto registry = std::make_shared<const Registry>(std::move(households), std::move(vehicles));
    boost::asio::post(host_.strand(), [this, registry, reply = std::move(reply), respond] {
      host_.set_registry(registry);
      respond(reply);
    });
  });
}

namespace {

unsigned status_of(PermitRejection r) {
  switch (r) {
    case PermitRejection::NotRegistered: return 404;
    case PermitRejection::Overlap:
    case PermitRejection::SameHousehold: return 409;
    case PermitRejection::None:
    case PermitRejection::UnknownHousehold:
    case PermitRejection::BadRange: break;
  }
  return 422;
}

// A date field of a request: empty keeps `fallback`; otherwise it must be YYYY-MM-DD.
bool read_day(const std::string& field, const std::string& text, CivilDay fallback, CivilDay& out, std::string& error) {
  if (text.empty()) {
    out = fallback;
    return true;
  }
  const auto day = parse_civil_day(text);
  if (!day) {
    error = field + " '" + text + "' is not a date YYYY-MM-DD";
    return false;
  }
  out = *day;
  return true;
}

}  // namespace

void ControlApi::apply_permit_plan(Call& call, const PermitPlan& plan, std::string action, const std::string& plate,
                                   ReplyShape shape) {
  if (!plan.ok()) return call.reply(error_reply(status_of(plan.rejection), std::string(name_of(plan.rejection)), plan.message));
  pb::PermitChange before;
  pb::PermitChange after;
  for (const Vehicle& v : plan.rewritten) {
    for (const Vehicle* old : host_.desk().registry().records_of(v.plate)) {
      if (old->registration_order == v.registration_order) *before.add_ended() = vehicle_info(*old);
    }
    *after.add_ended() = vehicle_info(v);
  }
  for (const Vehicle& v : plan.added) *after.add_started() = vehicle_info(v);
  auto entry = std::make_shared<AuditEntry>(
      AuditEntry{0, wall_clock_ms(), call.token_name, std::move(action), plate, plan.rewritten.empty() ? "" : to_json(before), to_json(after)});
  HttpReply reply = shape == ReplyShape::Change ? json_reply(200, after)
                    : shape == ReplyShape::Added ? json_reply(201, after.started(0))
                                                 : json_reply(200, after.ended(0));
  change_registry(
      call.respond,
      [plan, entry](RegistryStore& store) { return store.change_permits(plan.rewritten, plan.added, entry.get()); },
      std::move(reply));
}

void ControlApi::add_vehicle(Call& call) {
  pb::AddVehicleRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok()) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"plate\": \"沪A12345\", \"household_id\": \"H0101\"}"));
  }
  const PlateCheck plate = check_plate(body.plate());
  if (!plate.ok()) return call.reply(error_reply(422, "invalid_plate", "plate '" + body.plate() + "': " + plate.why));
  Vehicle v{plate.normalised, body.household_id(), 0, std::nullopt, 0, body.needs_accessible(), body.electric()};
  std::string error;
  if (!read_day("registered_on", body.registered_on(), today(), v.registered_on, error)) {
    return call.reply(error_reply(422, "invalid_input", error));
  }
  if (!body.removed_on().empty()) {
    CivilDay removed_on = 0;
    if (!read_day("removed_on", body.removed_on(), 0, removed_on, error)) return call.reply(error_reply(422, "invalid_input", error));
    v.removed_on = removed_on;
  }
  apply_permit_plan(call, plan_add_permit(host_.desk().registry(), v), "vehicle.add", v.plate, ReplyShape::Added);
}

void ControlApi::remove_vehicle(Call& call, const std::string& raw_plate) {
  pb::RemoveVehicleRequest body;
  if (!call.request.body().empty() && !google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok()) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"removed_on\": \"2026-11-30\"}"));
  }
  const PlateCheck plate = check_plate(raw_plate);
  if (!plate.ok()) return call.reply(error_reply(422, "invalid_plate", "plate '" + raw_plate + "': " + plate.why));
  CivilDay removed_on = 0;
  std::string error;
  if (!read_day("removed_on", body.removed_on(), today(), removed_on, error)) return call.reply(error_reply(422, "invalid_input", error));
  apply_permit_plan(call, plan_end_permit(host_.desk().registry(), plate.normalised, removed_on), "vehicle.remove",
                    plate.normalised, ReplyShape::Ended);
}

void ControlApi::correct_permit(Call& call, const std::string& raw_plate) {
  pb::CorrectPermitRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok()) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"registered_on\": \"2026-10-01\"}"));
  }
  const PlateCheck plate = check_plate(raw_plate);
  if (!plate.ok()) return call.reply(error_reply(422, "invalid_plate", "plate '" + raw_plate + "': " + plate.why));
  if (body.no_removal() && !body.removed_on().empty()) {
    return call.reply(error_reply(422, "invalid_input", "give removed_on or no_removal, not both"));
  }
  const Registry& registry = host_.desk().registry();
  const Vehicle* current = permit_record(registry, plate.normalised, body.permit_id());
  CivilDay registered_on = current != nullptr ? current->registered_on : 0;
  std::optional<CivilDay> removed_on = current != nullptr ? current->removed_on : std::nullopt;
  std::string error;
  if (!read_day("registered_on", body.registered_on(), registered_on, registered_on, error)) {
    return call.reply(error_reply(422, "invalid_input", error));
  }
  if (body.no_removal()) removed_on.reset();
  if (!body.removed_on().empty()) {
    CivilDay day = 0;
    if (!read_day("removed_on", body.removed_on(), 0, day, error)) return call.reply(error_reply(422, "invalid_input", error));
    removed_on = day;
  }
  PermitPlan plan = plan_correct_permit(registry, plate.normalised, body.permit_id(), registered_on, removed_on);
  for (auto [text, field, flag] : {std::tuple{body.needs_accessible(), "needs_accessible", &Vehicle::needs_accessible},
                                   std::tuple{body.electric(), "electric", &Vehicle::electric}}) {
    if (text.empty()) continue;
    if (text != "yes" && text != "no") {
      return call.reply(error_reply(422, "invalid_input", std::string(field) + " '" + text + "' is neither yes nor no"));
    }
    for (Vehicle& v : plan.rewritten) v.*flag = text == "yes";
  }
  apply_permit_plan(call, plan, "vehicle.correct", plate.normalised, ReplyShape::Ended);
}

void ControlApi::move_vehicle(Call& call, const std::string& raw_plate) {
  pb::MoveVehicleRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok()) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"household_id\": \"H0102\", \"on\": \"2026-11-01\"}"));
  }
  const PlateCheck plate = check_plate(raw_plate);
  if (!plate.ok()) return call.reply(error_reply(422, "invalid_plate", "plate '" + raw_plate + "': " + plate.why));
  CivilDay on = 0;
  std::string error;
  if (!read_day("on", body.on(), today(), on, error)) return call.reply(error_reply(422, "invalid_input", error));
  apply_permit_plan(call, plan_move_permit(host_.desk().registry(), plate.normalised, body.household_id(), on),
                    "vehicle.move", plate.normalised, ReplyShape::Change);
}

namespace {

pb::SpecialPassInfo pass_info(const SpecialPass& p, CivilDay today) {
  pb::SpecialPassInfo out;
  out.set_pass_id(p.id);
  out.set_plate(p.plate);
  out.set_reason(p.reason);
  if (p.valid_until) out.set_valid_until(format_civil_day(*p.valid_until));
  out.set_granted_by(p.granted_by);
  out.set_granted_at_ms(p.granted_at);
  if (p.revoked_on) out.set_revoked_on(format_civil_day(*p.revoked_on));
  out.set_in_force_today(in_force(p, today));
  return out;
}

// "YYYY-MM-DD HH:MM" in the lot's local time.
std::optional<TimeMs> parse_local_minute(const std::string& text, int utc_offset_minutes) {
  if (text.size() != 16 || text[10] != ' ' || text[13] != ':') return std::nullopt;
  const auto day = parse_civil_day(text.substr(0, 10));
  const auto digits = [&](std::size_t at) {
    return std::isdigit(static_cast<unsigned char>(text[at])) && std::isdigit(static_cast<unsigned char>(text[at + 1]))
               ? (text[at] - '0') * 10 + (text[at + 1] - '0')
               : -1;
  };
  const int hour = digits(11);
  const int minute = digits(14);
  if (!day || hour < 0 || hour > 23 || minute < 0 || minute > 59) return std::nullopt;
  return local_day_start_ms(*day, utc_offset_minutes) + (hour * 60 + minute) * kMsPerMinute;
}

}  // namespace

void ControlApi::backup(Call& call) {
  auto respond = call.respond;
  const std::string token = call.token_name;
  stores_.worker.post([this, respond, token] {
    std::string bytes;
    if (auto e = stores_.backup(bytes)) return respond(error_reply(500, "store_error", "the backup failed: " + e.message()));
    const AuditEntry entry{0, wall_clock_ms(), token, "backup", "database", "", "{\"bytes\":" + std::to_string(bytes.size()) + "}"};
    if (auto e = stores_.audit.append(entry)) {
      return respond(error_reply(500, "store_error", "the backup was not handed out: it cannot be audited (" + e.message() + ")"));
    }
    Log::info("control", "{} took a backup of the database ({} bytes)", token, bytes.size());
    respond(HttpReply{200, "application/vnd.sqlite3", std::move(bytes)});
  });
}

void ControlApi::special_passes(Call& call) {
  pb::SpecialPassList list;
  const CivilDay day = today();
  for (const SpecialPass& p : host_.desk().special_passes().all()) *list.add_passes() = pass_info(p, day);
  call.reply(json_reply(200, list));
}

void ControlApi::grant_pass(Call& call) {
  pb::GrantPassRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok()) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"plate\": \"沪A12345\", \"reason\": \"ambulance\"}"));
  }
  const PlateCheck plate = check_plate(body.plate());
  if (!plate.ok()) return call.reply(error_reply(422, "invalid_plate", "plate '" + body.plate() + "': " + plate.why));
  if (body.reason().empty() || body.reason().size() > 200) {
    return call.reply(error_reply(422, "invalid_input", "a pass needs a reason (at most 200 bytes): who it is for and why"));
  }
  SpecialPass pass{0, plate.normalised, body.reason(), std::nullopt, call.token_name, wall_clock_ms(), std::nullopt};
  if (!body.valid_until().empty()) {
    const auto until = parse_civil_day(body.valid_until());
    if (!until) return call.reply(error_reply(422, "invalid_input", "valid_until '" + body.valid_until() + "' is not a date YYYY-MM-DD"));
    if (*until < today()) return call.reply(error_reply(422, "invalid_input", "valid_until " + body.valid_until() + " is in the past"));
    pass.valid_until = until;
  }
  const pb::SpecialPassInfo info = pass_info(pass, today());
  auto entry = std::make_shared<AuditEntry>(AuditEntry{0, wall_clock_ms(), call.token_name, "pass.grant", pass.plate, "", to_json(info)});
  change_passes(call.respond, [pass, entry](SpecialPassStore& store) { return store.grant(pass, entry.get()); },
                json_reply(201, info));
}

void ControlApi::revoke_pass(Call& call, const std::string& raw_plate) {
  pb::RevokePassRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok() || body.reason().empty()) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"reason\": \"works finished\"}"));
  }
  const PlateCheck plate = check_plate(raw_plate);
  const CivilDay day = today();
  const SpecialPass* pass = host_.desk().special_passes().on(plate.normalised, day);
  if (pass == nullptr) return call.reply(error_reply(404, "unknown_plate", "plate " + plate.normalised + " has no pass in force today"));
  SpecialPass revoked = *pass;
  revoked.revoked_on = day;
  auto entry = std::make_shared<AuditEntry>(AuditEntry{0, wall_clock_ms(), call.token_name, "pass.revoke", revoked.plate,
                                                       to_json(pass_info(*pass, day)),
                                                       to_json(body)});
  change_passes(call.respond, [id = pass->id, day, entry](SpecialPassStore& store) { return store.revoke(id, day, entry.get()); },
                json_reply(200, pass_info(revoked, day)));
}

void ControlApi::change_passes(HttpServer::Respond respond, std::function<std::error_code(SpecialPassStore&)> write,
                               HttpReply reply) {
  stores_.worker.post([this, write = std::move(write), reply = std::move(reply), respond]() mutable {
    if (auto e = write(stores_.passes)) return respond(error_reply(500, "store_error", "nothing was changed: " + e.message()));
    auto passes = std::make_shared<std::vector<SpecialPass>>();
    if (auto e = stores_.passes.load(*passes)) {
      Log::error("control", "a special pass changed but the passes cannot be read back: {}", e.message());
      return respond(error_reply(500, "store_error", "the change is stored, but parkd cannot read the passes back (" +
                                                          e.message() + "): the gates use it after a restart"));
    }
    boost::asio::post(host_.strand(), [this, passes, reply = std::move(reply), respond] {
      host_.set_special_passes(SpecialPasses(std::move(*passes)));
      respond(reply);
    });
  });
}

std::optional<std::string> ControlApi::lot_of(const std::string& requested, HttpReply& error) const {
  const Engine& engine = host_.engine();
  if (requested.empty()) {
    if (engine.lot_count() == 1) return engine.lot(0).id();
    error = error_reply(422, "invalid_input", "parkd runs several lots: say which (lot_id)");
    return std::nullopt;
  }
  if (!engine.find_lot(requested)) {
    error = error_reply(404, "unknown_lot", "no lot '" + requested + "'");
    return std::nullopt;
  }
  return requested;
}

void ControlApi::open_gate(Call& call, const std::string& gate_id) {
  pb::OpenGateRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok() || body.reason().empty() ||
      body.reason().size() > 200) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"reason\": \"plate covered in mud\"} "
                                                      "(a reason of at most 200 bytes is required)"));
  }
  HttpReply error;
  const auto lot = lot_of(body.lot_id(), error);
  if (!lot) return call.reply(std::move(error));
  std::string plate;
  if (!body.plate().empty()) plate = check_plate(body.plate()).normalised;  // as typed if it is no plate: it is a note
  const auto decision = host_.open_gate(*lot, gate_id, plate, call.request.body());
  if (!decision) return call.reply(error_reply(404, "unknown_gate", "lot " + *lot + " has no gate '" + gate_id + "'"));
  Log::info("gates", "{} opened gate {}/{} by hand: {}", call.token_name, *lot, gate_id, body.reason());
  audit_then_reply(call, AuditEntry{0, wall_clock_ms(), call.token_name, "gate.open", *lot + "/" + gate_id, "",
                                    to_json(body)},
                   json_reply(200, to_message(*decision)));
}

void ControlApi::settle_visitor(Call& call, const std::string& raw_plate, bool waive) {
  pb::SettleVisitorRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok() || body.reason().empty() ||
      body.reason().size() > 200) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"reason\": \"left during the camera fault\", "
                                                      "\"left_at\": \"2026-11-02 18:30\"} (a reason is required)"));
  }
  HttpReply error;
  const auto lot = lot_of(body.lot_id(), error);
  if (!lot) return call.reply(std::move(error));
  const int offset = host_.engine().lot(*host_.engine().find_lot(*lot)).utc_offset_minutes();
  const PlateCheck plate = check_plate(raw_plate);
  TimeMs left_at = host_.now();
  if (waive && !body.left_at().empty()) return call.reply(error_reply(422, "invalid_input", "a waiver ends the stay now: no left_at"));
  if (!body.left_at().empty()) {
    const auto at = parse_local_minute(body.left_at(), offset);
    if (!at) return call.reply(error_reply(422, "invalid_input", "left_at '" + body.left_at() + "' is not local time YYYY-MM-DD HH:MM"));
    left_at = *at;
  }
  Settlement settlement{*lot,
                        plate.normalised,
                        left_at,
                        waive,
                        std::string(waive ? "fee waived by " : "closed by ") + call.token_name + ": " + body.reason(),
                        call.request.body(),
                        call.token_name,
                        offset,
                        local_time_text(left_at, offset).substr(0, 7)};
  // A stay that ended in a month whose bills were issued would change that month's visitor
  // bill and its published notice after the fact: refused, as the owners' bills of a closed
  // month never change (their corrections go to the open month).
  if (settlement.month >= local_time_text(host_.now(), offset).substr(0, 7)) {
    return finish_settlement(settlement, call.respond);
  }
  auto respond = call.respond;
  stores_.worker.post([this, settlement = std::move(settlement), respond] {
    std::optional<std::string> issued;
    if (auto e = stores_.bills.issued_file(settlement.month, issued)) {
      return respond(
          error_reply(500, "store_error", "cannot read whether " + settlement.month + " is closed: " + e.message()));
    }
    if (issued) return respond(month_closed_reply(settlement, false));
    boost::asio::post(host_.strand(), [this, settlement, respond] { finish_settlement(settlement, respond); });
  });
}

HttpReply ControlApi::month_closed_reply(const Settlement& s, bool issuing) {
  // `issuing`: an export is writing the month's bills this moment; should its write fail, the
  // month stays open and the settlement can be made again.
  return error_reply(422, "month_closed",
                     "left_at " + local_time_text(s.left_at, s.utc_offset_minutes) + " is in " + s.month +
                         (issuing ? ", whose bills are being issued" : ", whose bills were issued") +
                         ": its visitor bill and notice do not change now. Settle the stay at a "
                         "time in the open month, or waive it, and give the real time in the reason");
}

void ControlApi::finish_settlement(const Settlement& s, HttpServer::Respond respond) {
  // The check on the store thread may have run before an export issued the month.
  if (closing_months_.contains(s.month)) return respond(month_closed_reply(s, true));
  const GateDesk::Settled settled = host_.settle_visitor(s.lot, s.plate, s.left_at, s.waive, s.note, s.request_body);
  if (!settled.session) {
    const bool none = settled.rejection == GateDesk::SettleRejection::NoOpenSession;
    return respond(error_reply(none ? 404 : 422, none ? "unknown_plate" : "invalid_input", settled.error));
  }
  const VisitorSession& v = *settled.session;
  pb::SettledVisitor out;
  out.set_lot_id(v.lot_id);
  out.set_plate(v.plate);
  out.set_entered_at_local(local_time_text(v.entered_at, s.utc_offset_minutes));
  out.set_left_at_local(local_time_text(*v.left_at, s.utc_offset_minutes));
  out.set_fee_fen(v.fee_fen);
  out.set_note(v.note);
  audit_then_reply(std::move(respond), AuditEntry{0, wall_clock_ms(), s.token_name, s.waive ? "visitor.waive" : "visitor.close",
                                                  v.plate, "", to_json(out)},
                   json_reply(200, out));
}

void ControlApi::audit_then_reply(Call& call, AuditEntry entry, HttpReply reply) {
  audit_then_reply(call.respond, std::move(entry), std::move(reply));
}

void ControlApi::audit_then_reply(HttpServer::Respond respond, AuditEntry entry, HttpReply reply) {
  stores_.worker.post([this, entry = std::move(entry), reply = std::move(reply), respond] {
    if (auto e = stores_.audit.append(entry)) {
      // Done already (the barrier is open, the session closed): say so, and that the log lacks it.
      Log::error("control", "{} on {} was done but not written to the audit log: {}", entry.action, entry.target, e.message());
      return respond(error_reply(500, "store_error", "done, but not written to the audit log: " + e.message()));
    }
    respond(reply);
  });
}

namespace {
std::vector<pb::Problem> problems_of(const std::vector<CsvIssue>& issues) {
  std::vector<pb::Problem> out;
  for (const CsvIssue& i : issues) {
    pb::Problem p;
    p.set_line(static_cast<std::uint32_t>(i.line));
    p.set_column(static_cast<std::uint32_t>(i.column));
    p.set_message(i.message);
    out.push_back(std::move(p));
  }
  return out;
}

HttpReply invalid_import(const std::vector<CsvIssue>& issues) {
  return error_reply(422, "invalid_input",
                     std::to_string(issues.size()) + " problem(s) in the file; nothing was imported", problems_of(issues));
}
}  // namespace

// A file of up to 1 MiB is parsed on the control thread, not on the strand (the signs and the
// gates wait for nothing); what needs the registry the gates use (the diff, the checks against
// known households and permits in force) runs on the strand, in time linear in the file and
// the registry.
void ControlApi::import(Call& call, const std::string& kind) {
  auto body = std::make_shared<std::string>(call.request.body());
  HttpServer::Respond respond = call.respond;
  const std::string token = call.token_name;
  const CivilDay day = today();
  if (kind == "households") {
    stores_.worker.post([this, body, respond, token, day] {
      auto parsed = std::make_shared<HouseholdImport>(parse_households_csv(*body));
      if (!parsed->issues.empty()) return respond(invalid_import(parsed->issues));
      boost::asio::post(host_.strand(), [this, parsed, respond, token, day] {
        const PactVersion* version = pact_version_on(pact_, day);
        const HouseholdImportDiff diff = diff_households(host_.desk().registry(), parsed->households, day,
                                                         version != nullptr ? version->terms.lease_grace_days : 0);
        auto changed = std::make_shared<std::vector<Household>>();
        pb::ImportReply summary;
        summary.set_kind("households");
        summary.set_rows(static_cast<std::uint32_t>(parsed->households.size()));
        summary.set_unchanged(static_cast<std::uint32_t>(diff.unchanged));
        std::vector<pb::HouseholdInfo> before;
        std::vector<pb::HouseholdInfo> after;
        for (const HouseholdImportDiff::Change& c : diff.changes) {
          if (c.before == nullptr) {
            summary.set_added(summary.added() + 1);
          } else {
            summary.set_changed(summary.changed() + 1);
            before.push_back(household_info(*c.before));
          }
          after.push_back(household_info(c.after));
          changed->push_back(c.after);
        }
        auto entry = std::make_shared<AuditEntry>(AuditEntry{0, wall_clock_ms(), token, "import.households",
                                                             std::to_string(parsed->households.size()) + " rows",
                                                             to_json_array(before), to_json_array(after)});
        change_registry(
            respond,
            [changed, day, entry](RegistryStore& store) { return store.put_households(*changed, day, entry.get()); },
            json_reply(200, summary));
      });
    });
    return;
  }
  // Vehicles: checked against the registry as it is now, on the store's thread. The strand only
  // takes a snapshot: a copy there held every gate of a 1,000-lot parkd (1.5 million households)
  // for as long as it took.
  std::shared_ptr<const Registry> on_record = host_.desk().registry_snapshot();
  stores_.worker.post([this, body, respond, token, on_record] {
    std::set<std::string> known;
    for (const Household& h : on_record->households()) known.insert(h.household_id);
    auto parsed = std::make_shared<VehicleImport>(parse_vehicles_csv(*body, known, on_record.get()));
    if (!parsed->issues.empty()) return respond(invalid_import(parsed->issues));
    pb::ImportReply summary;
    summary.set_kind("vehicles");
    summary.set_rows(static_cast<std::uint32_t>(parsed->vehicles.size()));
    summary.set_added(summary.rows());
    std::vector<pb::VehicleInfo> after;
    for (const Vehicle& v : parsed->vehicles) after.push_back(vehicle_info(v));
    auto entry = std::make_shared<AuditEntry>(AuditEntry{0, wall_clock_ms(), token, "import.vehicles",
                                                         std::to_string(parsed->vehicles.size()) + " rows", "[]",
                                                         to_json_array(after)});
    // Queued behind this job on the same thread: the write sees the registry as checked, unless a
    // change slipped in between (then the store's own constraints refuse it: 500, nothing changed).
    change_registry(
        respond, [parsed, entry](RegistryStore& store) { return store.add_vehicles(parsed->vehicles, entry.get()); },
        json_reply(200, summary));
  });
}

void ControlApi::bill(Call& call) {
  const std::string month = call.target.param("month");
  int year = 0;
  int m = 0;
  if (!parse_month(month, year, m)) return call.reply(error_reply(400, "bad_request", "month '" + month + "' is not YYYY-MM"));
  if (auto refused = uncovered_month(year, m)) return call.reply(std::move(*refused));
  const bool visitors = call.target.param("visitors") == "true";
  const bool excel = call.target.param("excel") == "true";
  const bool preview = call.target.param("preview") == "true";
  const int offset = utc_offset();
  const CivilDay today = this->today();
  auto respond = call.respond;
  std::string token = call.token_name.empty() ? "(read)" : call.token_name;
  stores_.worker.post([this, year, m, month, visitors, excel, preview, offset, today, token, respond] {
    if (visitors) {
      const TimeMs from = local_day_start_ms(civil_day(year, m, 1), offset);
      const TimeMs to = local_day_start_ms(civil_day(year, m, 1) + days_in_month(year, m), offset);
      std::vector<VisitorSession> sessions;
      if (auto e = stores_.ledger.sessions_left_between(from, to, sessions)) {
        return respond(error_reply(500, "store_error", "cannot read the visitor sessions: " + e.message()));
      }
      return respond(HttpReply{200, "text/csv; charset=utf-8", visitor_bill_csv(month, sessions, offset, excel)});
    }
    std::optional<std::string> issued;
    if (auto e = stores_.bills.issued_file(month, issued)) {
      return respond(error_reply(500, "store_error", "cannot read the issued bills: " + e.message()));
    }
    const auto csv_reply = [excel](const std::string& csv) {
      return HttpReply{200, "text/csv; charset=utf-8", excel ? "\xEF\xBB\xBF" + csv : csv};
    };
    if (issued) return respond(csv_reply(*issued));
    std::vector<BillLine> lines;
    if (auto e = open_month_bill(year, m, lines)) {
      return respond(error_reply(500, "store_error", "cannot read the registry or the issued bills: " + e.message()));
    }
    std::string csv = bill_csv(lines);
    const bool ended = civil_day(year, m, 1) + days_in_month(year, m) <= today;
    if (!ended || preview) return respond(csv_reply(csv));
    // The month's first export after it ended issues it: from now on this file, byte for byte,
    // and later changes reach it only as adjustment lines in an open month. The strand marks
    // the month first, so no settlement it takes up from then on ends a stay in it.
    boost::asio::post(host_.strand(), [this, month, csv = std::move(csv), lines = std::move(lines), token, csv_reply,
                                       respond]() mutable {
      closing_months_.insert(month);
      stores_.worker.post([this, month, csv = std::move(csv), lines = std::move(lines), token, csv_reply, respond] {
        std::optional<std::string> issued_meanwhile;  // by another export
        if (auto e = stores_.bills.issued_file(month, issued_meanwhile)) {
          return respond(error_reply(500, "store_error", "cannot read the issued bills: " + e.message()));
        }
        if (issued_meanwhile) return respond(csv_reply(*issued_meanwhile));
        Fen total = 0;
        for (const BillLine& l : lines) total += l.amount;
        const AuditEntry entry{0, wall_clock_ms(), token, "bill.close", month, "",
                               "{\"lines\":" + std::to_string(lines.size()) + ",\"total_fen\":" + std::to_string(total) + "}"};
        if (auto e = stores_.bills.close_month(month, wall_clock_ms(), csv, lines, &entry)) {
          boost::asio::post(host_.strand(), [this, month] { closing_months_.erase(month); });
          return respond(error_reply(500, "store_error", "the bill was not issued (nothing changed): " + e.message()));
        }
        respond(csv_reply(csv));
      });
    });
  });
}

std::error_code ControlApi::open_month_bill(int year, int month, std::vector<BillLine>& lines) {
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  std::set<std::string> closed;
  std::vector<BillLine> issued;
  if (auto e = stores_.registry.load(households, vehicles)) return e;
  if (auto e = stores_.bills.closed(closed, issued)) return e;
  lines = monthly_bill(year, month, households, vehicles, pact_);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d", year, month);
  const auto bill_of = [&](const std::string& c) {
    int y = 0;
    int cm = 0;
    parse_month(c, y, cm);
    return monthly_bill(y, cm, households, vehicles, pact_);
  };
  for (BillLine& l : adjustment_lines(text, closed, issued, bill_of)) lines.push_back(std::move(l));
  return {};
}

std::optional<HttpReply> ControlApi::uncovered_month(int year, int month) const {
  // Versions run on until the next one, so only the months before the first are uncovered.
  const CivilDay last_day = civil_day(year, month, 1) + days_in_month(year, month) - 1;
  if (pact_version_on(pact_, last_day) != nullptr) return std::nullopt;
  const auto first = std::min_element(pact_.begin(), pact_.end(), [](const PactVersion& a, const PactVersion& b) {
    return a.effective_from < b.effective_from;
  });
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d", year, month);
  return error_reply(422, "no_pact", std::string("no pact version covers ") + text +
                                         (first == pact_.end() ? "" : ": the first takes effect on " + format_civil_day(first->effective_from)) +
                                         "; there is nothing to bill under the pact for that month");
}

void ControlApi::published_notices(Call& call) {
  auto respond = call.respond;
  stores_.worker.post([this, respond] {
    std::set<std::string> closed;
    std::vector<BillLine> lines;
    if (auto e = stores_.bills.closed(closed, lines)) {
      return respond(error_reply(500, "store_error", "cannot read the issued months: " + e.message()));
    }
    pb::PublishedNotices out;
    for (auto it = closed.rbegin(); it != closed.rend(); ++it) out.add_months(*it);  // newest first
    respond(json_reply(200, out));
  });
}

void ControlApi::search_registry(Call& call) {
  std::string query = call.target.param("q");
  if (query.empty()) return call.reply(error_reply(400, "bad_request", "search for something: ?q=PLATE, HOUSEHOLD or ROOM"));
  std::string upper = query;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  constexpr int kMax = 50;
  pb::RegistrySearchReply out;
  const Registry& registry = host_.desk().registry();
  for (const Household& h : registry.households()) {
    const std::string room = h.building + "-" + h.room;
    if (h.household_id.find(query) == std::string::npos && room.find(query) == std::string::npos && h.room != query) continue;
    if (out.households_size() == kMax) {
      out.set_truncated(true);
      break;
    }
    *out.add_households() = household_info(h);
  }
  for (const Vehicle& v : registry.vehicles()) {
    if (v.plate.find(upper) == std::string::npos && v.plate.find(query) == std::string::npos) continue;
    if (out.vehicles_size() == kMax) {
      out.set_truncated(true);
      break;
    }
    *out.add_vehicles() = vehicle_info(v);
  }
  call.reply(json_reply(200, out));
}

void ControlApi::notice(Call& call, bool published_only) {
  const std::string month = call.target.param("month");
  int year = 0;
  int m = 0;
  if (!parse_month(month, year, m)) return call.reply(error_reply(400, "bad_request", "month '" + month + "' is not YYYY-MM"));
  if (auto refused = uncovered_month(year, m)) return call.reply(std::move(*refused));
  const std::string format = call.target.param("format");
  if (!format.empty() && format != "markdown" && format != "html") {
    return call.reply(error_reply(400, "bad_request", "format '" + format + "' is neither markdown nor html"));
  }
  auto respond = call.respond;
  NoticeInput input;
  input.month = month;
  input.compound = compound_name_;
  input.utc_offset_minutes = utc_offset();
  input.sample_interval_ms = EngineHost::kSampleInterval;
  input.now = host_.now();
  if (host_.engine().lot_count() > 0) {  // months and nights of the first lot: one compound per parkd
    input.night_start_minute = host_.engine().lot(0).reserve().night_start_minute;
    input.night_end_minute = host_.engine().lot(0).reserve().night_end_minute;
  }
  stores_.worker.post([this, year, m, input = std::move(input), html = format == "html", respond, published_only]() mutable {
    const TimeMs from = local_day_start_ms(civil_day(year, m, 1), input.utc_offset_minutes);
    const TimeMs to = local_day_start_ms(civil_day(year, m, 1) + days_in_month(year, m), input.utc_offset_minutes);
    // A closed month's notice shows what was issued; an open month's what would be now.
    std::set<std::string> closed;
    std::vector<BillLine> issued;
    std::error_code e = stores_.bills.closed(closed, issued);
    if (!e && published_only && closed.count(input.month) == 0) {
      return respond(error_reply(404, "not_published",
                                 "the notice of " + input.month + " is published once the month's bills are issued"));
    }
    if (!e && closed.count(input.month) > 0) {
      for (BillLine& l : issued) {
        if (l.month == input.month) input.bill.push_back(std::move(l));
      }
    } else if (!e) {
      e = open_month_bill(year, m, input.bill);
    }
    if (!e) e = stores_.ledger.sessions_left_between(from, to, input.visitor_sessions);
    if (!e) e = stores_.ledger.decisions_between(from, to, input.decisions);
    if (!e) e = stores_.history.between(from, to, input.samples);
    if (!e) e = stores_.alerts.history(from, to, input.alerts);
    if (e) return respond(error_reply(500, "store_error", "cannot read the month's records: " + e.message()));
    const NoticeFigures figures = notice_figures(input);
    respond(html ? HttpReply{200, "text/html; charset=utf-8", notice_html(figures)}
                 : HttpReply{200, "text/markdown; charset=utf-8", notice_markdown(figures)});
  });
}

void ControlApi::alerts(Call& call) {
  const bool plates = call.sees_plates();
  const std::string all = call.target.param("all");
  if (!all.empty() && all != "true" && all != "false") {
    return call.reply(error_reply(400, "bad_request", "all must be true or false, not '" + all + "'"));
  }
  if (all != "true") {
    pb::AlertList list;
    for (std::size_t l = 0; l < host_.engine().lot_count(); ++l) {
      for (const Alert& a : host_.engine().active_alerts(l)) *list.add_alerts() = to_message(a);
    }
    if (!plates) {
      for (auto& a : *list.mutable_alerts()) hide_plates(a);
    }
    return call.reply(json_reply(200, list));
  }
  auto respond = call.respond;
  stores_.worker.post([this, respond, plates] {
    std::vector<Alert> history;
    if (auto e = stores_.alerts.history(0, kNever, history)) {
      return respond(error_reply(500, "store_error", "cannot read the alert history: " + e.message()));
    }
    pb::AlertList list;
    for (auto it = history.rbegin(); it != history.rend(); ++it) {  // newest first
      pb::Alert& a = *list.add_alerts() = to_message(*it);
      if (!plates) hide_plates(a);
    }
    respond(json_reply(200, list));
  });
}

void ControlApi::dismiss_alert(Call& call, const std::string& alert_id) {
  pb::DismissAlertRequest body;
  if (!google::protobuf::util::JsonStringToMessage(call.request.body(), &body).ok()) {
    return call.reply(error_reply(400, "bad_request", "the body must be JSON like {\"reason\": \"...\"}"));
  }
  if (body.reason().empty()) return call.reply(error_reply(422, "invalid_input", "dismissing an alert needs a reason"));
  if (body.reason().size() > 200) return call.reply(error_reply(422, "invalid_input", "the reason is longer than 200 bytes"));
  const Engine& engine = host_.engine();
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    const auto& active = engine.active_alerts(l);
    const auto it = std::find_if(active.begin(), active.end(), [&](const Alert& a) { return a.alert_id == alert_id; });
    if (it == active.end()) continue;
    const Alert before = *it;
    const std::string lot_id = engine.lot(l).id();
    Alert after;
    if (host_.dismiss_alert(lot_id, alert_id, body.reason(), &after) != SpaceCommandOutcome::Done) break;
    pb::Alert reply = to_message(after);
    if (!call.sees_plates()) hide_plates(reply);
    return audit_then_reply(call,
                            AuditEntry{0, wall_clock_ms(), call.token_name, "alert.dismiss", lot_id + "/" + alert_id,
                                       to_json(to_message(before)), to_json(to_message(after))},
                            json_reply(200, reply));
  }
  call.reply(error_reply(404, "unknown_alert", "no active alert '" + alert_id + "'"));
}

void ControlApi::audit(Call& call) {
  std::size_t limit = 50;
  if (const std::string text = call.target.param("limit"); !text.empty()) {
    try {
      limit = std::stoul(text);
    } catch (const std::exception&) {
      return call.reply(error_reply(400, "bad_request", "limit '" + text + "' is not a number"));
    }
    limit = std::min<std::size_t>(limit, 10'000);
  }
  auto respond = call.respond;
  stores_.worker.post([this, limit, respond] {
    std::vector<AuditEntry> entries;
    if (auto e = stores_.audit.recent(limit, entries)) {
      return respond(error_reply(500, "store_error", "cannot read the audit log: " + e.message()));
    }
    pb::AuditList list;
    for (const AuditEntry& a : entries) {
      pb::AuditRecord& r = *list.add_entries();
      r.set_id(a.id);
      r.set_at_ms(a.at);
      r.set_token_name(a.token_name);
      r.set_action(a.action);
      r.set_target(a.target);
      r.set_before(a.before);
      r.set_after(a.after);
    }
    respond(json_reply(200, list));
  });
}

}  // namespace parkd
