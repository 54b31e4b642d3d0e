// The commands of parkctl, one function each, over the control API's JSON messages.
#include "parkctl_commands.h"

#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "core/billing.h"
#include "parking/v1/control.pb.h"
#include "parking/v1/messages.pb.h"
#include "text_table.h"

namespace parkd {

namespace pb = parking::v1;

namespace {

struct Usage {
  const char* synopsis;
  const char* text;
};

const std::map<std::string, Usage>& usages() {
  static const std::map<std::string, Usage> kUsages = {
      {"status", {"status", "The lot and each zone: free, occupied, held, closed, unknown; stale sensors; visitors inside."}},
      {"spaces", {"spaces [--zone Z] [--state S] [--lot L]", "Every space, or those of a zone and/or in a state (free, occupied, held, closed, unknown)."}},
      {"space", {"space ID [--history N]", "One space (ID is A01, or LOT/A01 when several lots have it): state, hold, closure, sensor; with --history its last N changes (up to 500, kept 90 days)."}},
      {"close", {"close ID --reason TEXT", "Closes a space (guard). The signs stop counting it; the reason is kept and audited."}},
      {"open", {"open ID", "Opens a closed space again (guard)."}},
      {"sensors", {"sensors [--stale] [--low-battery]", "Every sensor, or only the stale ones and/or those with a low battery."}},
      {"visitors", {"visitors", "Visitors inside now: plate, since when, the fee so far (guard)."}},
      {"household", {"household show ID", "A household: its versions, every permit it held, today's ranks and monthly fees (clerk)."}},
      {"vehicle", {"vehicle add PLATE HOUSEHOLD [--registered-on YYYY-MM-DD] [--removed-on YYYY-MM-DD]\n"
                   "                   [--accessible yes] [--electric yes]\n"
                   "       vehicle remove PLATE [--removed-on YYYY-MM-DD]\n"
                   "       vehicle correct PLATE [--permit N] [--registered-on YYYY-MM-DD] [--removed-on YYYY-MM-DD | --no-removal]\n"
                   "                       [--accessible yes|no] [--electric yes|no]\n"
                   "       vehicle move PLATE HOUSEHOLD [--on YYYY-MM-DD]",
                   "add registers a car for a household; remove ends its permit (removed-on is the first day without it;\n"
                   "a removal set for a later day is moved to this one); correct sets right the days of a permit (the\n"
                   "plate's latest, or --permit N from household show); move hands the car to another household from\n"
                   "--on. --accessible: its driver needs an accessible space (it is sent to one; nobody else is);\n"
                   "--electric: it is sent to a charger first (a new-energy plate is, anyway).\n"
                   "One plate never holds two permits on one day: a change that would is refused with the\n"
                   "permit it clashes with. Every change is audited. Clerk. Dates default to parkd's today."}},
      {"visitor", {"visitor close PLATE --reason TEXT [--at \"YYYY-MM-DD HH:MM\"] [--lot L]\n       visitor waive PLATE --reason TEXT [--lot L]",
                   "Settles a visitor's open session by hand (a missed or unreadable exit): close ends it at --at (local\n"
                   "time; default now) with the pact's fee for the stay; waive ends it now with no fee. Audited; the\n"
                   "session's note names the token and the reason. Clerk."}},
      {"gate", {"gate open GATE --reason TEXT [--plate PLATE] [--lot L]",
                "Opens a barrier by hand: an admitting decision (OPENED_BY_GUARD) goes to the gate, delivered like any\n"
                "other; counted in the notice and audited. Guard."}},
      {"pass", {"pass list\n       pass grant PLATE --reason TEXT [--until YYYY-MM-DD]\n       pass revoke PLATE --reason TEXT",
                "Special passes: plates admitted at every gate free of charge (an ambulance on civil plates, a utility's\n"
                "van for a week), until --until (inclusive) or revoked. Police, fire and rescue (应急), armed police,\n"
                "military, consular and embassy plates need none: their format admits them. list: guard; changes: clerk."}},
      {"import", {"import households|vehicles FILE.csv",
                  "Imports the property office's CSV, all or nothing; every problem is listed with its line and column.\n"
                  "households: household_id,building,room,household_type,lease_end   (owner|tenant; lease_end empty for owners)\n"
                  "vehicles:   plate,household_id,registered_on                       (dates YYYY-MM-DD)\nClerk."}},
      {"bill", {"bill --month YYYY-MM [--out FILE] [--excel] [--visitors] [--preview]",
                "The month's bill as CSV (UTF-8; --excel adds a byte-order mark for spreadsheets): one row per billed car\n"
                "and rank, then adjustment rows for closed months (corrects_month, note); or with --visitors one row per\n"
                "visitor stay that ended in the month. Written to FILE or standard output.\n"
                "The first export of a month that has ended issues it (closes it): every later export gives the same\n"
                "file, byte for byte, and a later registry change that would alter it is billed as an adjustment in the\n"
                "next open month. --preview shows the bill without issuing it. Clerk."}},
      {"notice", {"notice --month YYYY-MM [--html] [--out FILE]",
                  "The public notice of the month in Markdown (or a printable HTML page): cars and fees by household type and\n"
                  "rank, visitor stays and takings, night occupancy, refused entries, stale sensors. Plates masked. Clerk."}},
      {"backup", {"backup FILE",
                  "A consistent copy of parkd's database, taken while the gates keep deciding (SQLite's online backup),\n"
                  "written to FILE (mode 0600: it holds every resident's plates). Admin. To restore: stop parkd,\n"
                  "put FILE in place of the database (without its -wal and -shm files), start parkd. The token file and\n"
                  "the gate inbox files are not in it: see docs/operations.md."}},
      {"alerts", {"alerts [--all] [--json]", "The active alerts (blocked, hogged and abandoned spaces, flapping sensors, the gates' count against the spaces, visitors who overstay) with what was seen and what to do; --all: every alert raised, newest first, with how it ended."}},
      {"alert", {"alert dismiss ALERT_ID --reason TEXT", "Ends an active alert by hand (audited; guard or above). A blocked space is offered again; the rule may raise the alert again later."}},
      {"audit", {"audit [--limit N]", "The latest changes made through the control API (default 20): when, which token, what, before, after (admin)."}},
  };
  return kUsages;
}

// Command-line words after the command: flags with values, switches, and positionals.
class Args {
 public:
  Args(std::vector<std::string> words, std::vector<std::string> valued, std::vector<std::string> switches)
      : valued_(std::move(valued)), switches_(std::move(switches)) {
    for (std::size_t i = 0; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w == "--help" || w == "-h") {
        help = true;
      } else if (std::find(valued_.begin(), valued_.end(), w) != valued_.end()) {
        if (i + 1 >= words.size()) {
          error = w + " needs a value";
          return;
        }
        values_[w] = words[++i];
      } else if (std::find(switches_.begin(), switches_.end(), w) != switches_.end()) {
        values_[w] = "true";
      } else if (w.size() > 1 && w[0] == '-' && w[1] == '-') {
        error = "unknown option " + w;
        return;
      } else {
        positional.push_back(w);
      }
    }
  }
  std::optional<std::string> value(const std::string& flag) const {
    const auto it = values_.find(flag);
    return it == values_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  bool has(const std::string& flag) const { return values_.count(flag) > 0; }

  bool help = false;
  std::string error;
  std::vector<std::string> positional;

 private:
  std::vector<std::string> valued_;
  std::vector<std::string> switches_;
  std::map<std::string, std::string> values_;
};

class Runner {
 public:
  explicit Runner(const CommandContext& c) : c_(c) {}

  // One call. On an HTTP error the error is printed and the exit code returned; nullopt on success.
  std::optional<int> call(const std::string& method, const std::string& target, const std::string& body,
                          const std::string& content_type, ControlReply& reply) const {
    if (auto e = c_.client.call(method, target, body, content_type, reply)) {
      std::fprintf(c_.err, "parkctl: parkd is not reachable at %s://%s:%s (%s); is it running?\n",
                   c_.client.tls() ? "https" : "http", c_.client.host().c_str(), c_.client.port().c_str(), e.message().c_str());
      return kExitUnreachable;
    }
    if (reply.status < 300) return std::nullopt;
    pb::ApiError error;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(reply.body, &error, options).ok() || error.error().empty()) {
      error.set_error("HTTP " + std::to_string(reply.status));
    }
    if (c_.json) {
      std::fprintf(c_.out, "%s", reply.body.c_str());
    } else {
      std::fprintf(c_.err, "parkctl: %s\n", error.error().c_str());
      if (reply.status == 401 && !c_.has_token) std::fprintf(c_.err, "parkctl: no token to send: %s\n", c_.token_problem.c_str());
      for (const auto& p : error.problems()) {
        if (p.column() > 0) {
          std::fprintf(c_.err, "  line %u, column %u: %s\n", p.line(), p.column(), p.message().c_str());
        } else {
          std::fprintf(c_.err, "  line %u: %s\n", p.line(), p.message().c_str());
        }
      }
    }
    switch (reply.status) {
      case 401:
      case 403: return kExitRefused;
      case 404: return kExitNotFound;
      case 400:
      case 409:
      case 422: return kExitRejected;
      default: return kExitFailed;
    }
  }

  // GET/POST a JSON message and show it: the API's JSON with --json, else `show`.
  template <typename Message>
  int json(const std::string& method, const std::string& target, const std::string& body,
           const std::function<void(const Message&)>& show) const {
    ControlReply reply;
    if (auto code = call(method, target, body, "application/json", reply)) return *code;
    if (c_.json) {
      std::fprintf(c_.out, "%s", reply.body.c_str());
      return kExitOk;
    }
    Message m;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(reply.body, &m, options).ok()) {
      std::fprintf(c_.err, "parkctl: parkd's answer is not what this parkctl understands\n");
      return kExitFailed;
    }
    show(m);
    return kExitOk;
  }

  void print(const std::string& text) const { std::fwrite(text.data(), 1, text.size(), c_.out); }
  std::FILE* err() const { return c_.err; }

 private:
  const CommandContext& c_;
};

void add_counts(TextTable& t, const std::string& a, const std::string& b, const pb::SpaceCounts& c) {
  t.add({a, b, std::to_string(c.free()), std::to_string(c.occupied()), std::to_string(c.held()), std::to_string(c.closed()),
         std::to_string(c.suspect()), std::to_string(c.unknown()), std::to_string(c.total())});
}

std::string sensor_cell(const pb::SensorInfo& s) {
  if (!s.heard()) return "never heard";
  std::string text = s.last_heard_local();
  if (s.stale()) text += " (stale)";
  return text;
}

std::string battery_cell(const pb::SensorInfo& s) {
  if (!s.heard()) return "";
  return std::to_string(s.battery_mv()) + " mV" + (s.low_battery() ? " LOW" : "");
}

void show_spaces(const Runner& r, const pb::SpaceList& list) {
  TextTable t({"LOT", "SPACE", "ZONE", "KIND", "STATE", "DETAIL", "SENSOR LAST HEARD", "BATTERY"});
  for (const auto& s : list.spaces()) {
    std::string detail = !s.held_for().empty() ? "held for " + s.held_for() : s.closed_reason();
    t.add({s.lot_id(), s.space_id(), s.zone_id(), s.kind(), s.state(), detail, sensor_cell(s.sensor()), battery_cell(s.sensor())});
  }
  r.print(t.render());
  r.print(std::to_string(list.spaces_size()) + " space(s)\n");
}

int status(const Runner& r, const Args&) {
  return r.json<pb::StatusReply>("GET", "/v1/status", "", [&](const pb::StatusReply& s) {
    for (const auto& lot : s.lots()) {
      r.print(lot.lot_id() + "  " + lot.name() + "  (parkd " + s.version() + ", " + s.clock() + " clock" +
              (lot.broker().empty() ? std::string() : ", broker " + lot.broker()) + ")\n");
      if (!lot.broker().empty() && lot.broker() != "online") {
        // The counts below are what parkd heard last: the one line a guard must not miss.
        r.print("parkd does not hear this lot's sensors and cameras now (broker " + lot.broker() +
                "): see parkd's log\n");
      }
      TextTable t({"ZONE", "NAME", "FREE", "OCCUPIED", "HELD", "CLOSED", "SUSPECT", "UNKNOWN", "TOTAL"},
                  {false, false, true, true, true, true, true, true, true});
      for (const auto& z : lot.zones()) add_counts(t, z.zone_id(), z.name_zh() + " " + z.name_en(), z.counts());
      add_counts(t, "all", "", lot.counts());
      r.print(t.render());
      r.print("stale sensors " + std::to_string(lot.stale_sensors()) + ", low batteries " +
              std::to_string(lot.low_battery_sensors()) + ", visitors inside " + std::to_string(lot.visitors_inside()) +
              ", active alerts " + std::to_string(lot.active_alerts()) + ", cars inside by the gates " +
              (lot.inside_record_begun() ? std::to_string(lot.cars_inside()) : std::string("(counting begins)")) + "\n");
    }
  });
}

int spaces(const Runner& r, const Args& a) {
  std::string query;
  for (const char* flag : {"--zone", "--state", "--lot"}) {
    if (auto v = a.value(flag)) query += std::string(query.empty() ? "?" : "&") + (flag + 2) + "=" + url_encode(*v);
  }
  return r.json<pb::SpaceList>("GET", "/v1/spaces" + query, "", [&](const pb::SpaceList& l) { show_spaces(r, l); });
}

int space(const Runner& r, const Args& a) {
  const std::string path = "/v1/spaces/" + url_encode(a.positional[0]);
  const int rc = r.json<pb::SpaceInfo>("GET", path, "", [&](const pb::SpaceInfo& s) {
    pb::SpaceList one;
    *one.add_spaces() = s;
    show_spaces(r, one);
  });
  const auto count = a.value("--history");
  if (rc != 0 || !count) return rc;
  return r.json<pb::SpaceHistory>("GET", path + "/history?limit=" + url_encode(*count), "", [&](const pb::SpaceHistory& h) {
    TextTable t({"AT", "BECAME", "NOTE"});
    for (const auto& c : h.changes()) t.add({c.at_local(), c.state(), c.note()});
    r.print(t.render());
    r.print(std::to_string(h.changes_size()) + " change(s), newest first" +
            (h.more() ? "; older ones exist" : "") + "\n");
  });
}

int close_or_open(const Runner& r, const Args& a, bool close) {
  std::string body;
  if (close) {
    pb::CloseSpaceRequest request;
    request.set_reason(*a.value("--reason"));
    google::protobuf::util::MessageToJsonString(request, &body);
  }
  return r.json<pb::SpaceInfo>("POST", "/v1/spaces/" + url_encode(a.positional[0]) + (close ? "/close" : "/open"), body,
                               [&](const pb::SpaceInfo& s) {
                                 r.print(s.lot_id() + "/" + s.space_id() + " is " + s.state() +
                                         (s.closed_reason().empty() ? "" : " (" + s.closed_reason() + ")") + "\n");
                               });
}

int sensors(const Runner& r, const Args& a) {
  std::string query;
  if (a.has("--stale")) query += "?stale=true";
  if (a.has("--low-battery")) query += std::string(query.empty() ? "?" : "&") + "low_battery=true";
  return r.json<pb::SensorList>("GET", "/v1/sensors" + query, "", [&](const pb::SensorList& l) {
    TextTable t({"LOT", "SENSOR", "SPACE", "LAST HEARD", "BATTERY", "BOOT", "SEQ"});
    for (const auto& s : l.sensors()) {
      t.add({s.lot_id(), s.sensor_id(), s.space_id(), sensor_cell(s), battery_cell(s),
             s.heard() ? std::to_string(s.boot_id()) : "", s.heard() ? std::to_string(s.last_seq()) : ""});
    }
    r.print(t.render());
    r.print(std::to_string(l.sensors_size()) + " sensor(s)\n");
  });
}

int visitors(const Runner& r, const Args&) {
  return r.json<pb::VisitorList>("GET", "/v1/visitors", "", [&](const pb::VisitorList& l) {
    TextTable t({"LOT", "PLATE", "GATE", "SINCE", "MINUTES", "FEE SO FAR", "NOTE"},
                {false, false, false, false, true, true, false});
    for (const auto& v : l.visitors()) {
      t.add({v.lot_id(), v.plate(), v.entry_gate(), v.entered_at_local(), std::to_string(v.minutes_inside()),
             yuan(v.fee_so_far_fen()) + (v.overstay() ? " OVERSTAY" : ""), v.note()});
    }
    r.print(t.render());
    r.print(std::to_string(l.visitors_size()) + " visitor(s) inside\n");
  });
}

std::string body_of(const google::protobuf::Message& m) {
  std::string body;
  google::protobuf::util::MessageToJsonString(m, &body);
  return body;
}

int visitor(const Runner& r, const Args& a) {
  if (a.positional.size() != 2 || (a.positional[0] != "close" && a.positional[0] != "waive")) return -1;
  pb::SettleVisitorRequest request;
  request.set_reason(a.value("--reason").value_or(""));
  request.set_left_at(a.value("--at").value_or(""));
  request.set_lot_id(a.value("--lot").value_or(""));
  return r.json<pb::SettledVisitor>("POST", "/v1/visitors/" + url_encode(a.positional[1]) + "/" + a.positional[0],
                                    body_of(request), [&](const pb::SettledVisitor& v) {
                                      r.print("visitor " + v.plate() + ": in " + v.entered_at_local() + ", out " +
                                              v.left_at_local() + ", fee " + yuan(v.fee_fen()) + " yuan (" + v.note() + ")\n");
                                    });
}

int gate(const Runner& r, const Args& a) {
  if (a.positional.size() != 2 || a.positional[0] != "open") return -1;
  pb::OpenGateRequest request;
  request.set_reason(a.value("--reason").value_or(""));
  request.set_plate(a.value("--plate").value_or(""));
  request.set_lot_id(a.value("--lot").value_or(""));
  return r.json<pb::GateDecision>("POST", "/v1/gates/" + url_encode(a.positional[1]) + "/open", body_of(request),
                                       [&](const pb::GateDecision& d) {
                                         r.print("gate " + d.gate_id() + " opened: " + d.message_en() + "\n");
                                       });
}

int pass(const Runner& r, const Args& a) {
  if (a.positional.size() == 1 && a.positional[0] == "list") {
    return r.json<pb::SpecialPassList>("GET", "/v1/special-passes", "", [&](const pb::SpecialPassList& l) {
      TextTable t({"PLATE", "REASON", "UNTIL", "GRANTED BY", "REVOKED ON", "TODAY"});
      for (const auto& p : l.passes()) {
        t.add({p.plate(), p.reason(), p.valid_until().empty() ? "(until revoked)" : p.valid_until(), p.granted_by(), p.revoked_on(),
               p.in_force_today() ? "in force" : "-"});
      }
      r.print(t.render());
    });
  }
  const auto print = [&](const pb::SpecialPassInfo& p) {
    r.print("pass for " + p.plate() + " (" + p.reason() + "): " +
            (p.in_force_today() ? "in force" + (p.valid_until().empty() ? std::string(" until revoked") : " until " + p.valid_until())
                                : "revoked from " + p.revoked_on()) +
            "\n");
  };
  if (a.positional.size() == 2 && a.positional[0] == "grant") {
    pb::GrantPassRequest request;
    request.set_plate(a.positional[1]);
    request.set_reason(a.value("--reason").value_or(""));
    request.set_valid_until(a.value("--until").value_or(""));
    return r.json<pb::SpecialPassInfo>("POST", "/v1/special-passes", body_of(request), print);
  }
  if (a.positional.size() == 2 && a.positional[0] == "revoke") {
    pb::RevokePassRequest request;
    request.set_reason(a.value("--reason").value_or(""));
    return r.json<pb::SpecialPassInfo>("POST", "/v1/special-passes/" + url_encode(a.positional[1]) + "/revoke",
                                       body_of(request), print);
  }
  return -1;
}

int household(const Runner& r, const Args& a) {
  if (a.positional.size() != 2 || a.positional[0] != "show") return -1;
  return r.json<pb::HouseholdDetail>("GET", "/v1/households/" + url_encode(a.positional[1]), "", [&](const pb::HouseholdDetail& d) {
    const auto& h = d.household();
    r.print("household " + h.household_id() + ": building " + h.building() + ", room " + h.room() + ", " +
            h.household_type() + (h.lease_end().empty() ? "" : ", lease ends " + h.lease_end()) + "\n");
    if (d.history_size() > 1) {
      TextTable history({"FROM", "BUILDING", "ROOM", "TYPE", "LEASE END"});
      for (const auto& v : d.history()) {
        history.add({v.valid_from().empty() ? "(first)" : v.valid_from(), v.building(), v.room(), v.household_type(), v.lease_end()});
      }
      r.print("\n" + history.render());
    }
    TextTable cars({"PERMIT", "PLATE", "NEEDS", "REGISTERED", "REMOVED", "RANK", "MONTHLY FEE"},
                   {true, false, false, false, false, true, true});
    for (const auto& v : d.vehicles()) {
      std::string needs = v.needs_accessible() ? "accessible" : "";
      if (v.electric()) needs += needs.empty() ? "charger" : ", charger";
      cars.add({std::to_string(v.permit_id()), v.plate(), needs, v.registered_on(), v.removed_on(), v.in_force() ? std::to_string(v.rank()) : "-",
                v.treated_as_visitor() ? "visitor" : v.in_force() ? yuan(v.monthly_fee_fen()) : ""});
    }
    r.print("\n" + cars.render());
    r.print("monthly fees on " + d.today() + " (pact " + d.pact_version() + "): " + yuan(d.monthly_fees_today_fen()) + " yuan\n");
  });
}

int vehicle(const Runner& r, const Args& a) {
  std::string body;
  const auto print_permit = [&](const pb::VehicleInfo& v) {
    // A permit just added has its number once stored: household show lists it.
    r.print((v.permit_id() == 0 ? std::string("new permit") : "permit " + std::to_string(v.permit_id())) + ": " + v.plate() +
            " for household " + v.household_id() + " from " +
            v.registered_on() + (v.removed_on().empty() ? "" : ", removed on " + v.removed_on() + " (its first day without)") + "\n");
  };
  if (a.positional.size() == 3 && a.positional[0] == "add") {
    pb::AddVehicleRequest request;
    request.set_plate(a.positional[1]);
    request.set_household_id(a.positional[2]);
    request.set_registered_on(a.value("--registered-on").value_or(""));
    request.set_removed_on(a.value("--removed-on").value_or(""));
    request.set_needs_accessible(a.value("--accessible") == "yes");
    request.set_electric(a.value("--electric") == "yes");
    google::protobuf::util::MessageToJsonString(request, &body);
    return r.json<pb::VehicleInfo>("POST", "/v1/vehicles", body, [&](const pb::VehicleInfo& v) {
      r.print("registered " + v.plate() + " for household " + v.household_id() + " from " + v.registered_on() + "\n");
    });
  }
  if (a.positional.size() == 2 && a.positional[0] == "remove") {
    pb::RemoveVehicleRequest request;
    request.set_removed_on(a.value("--removed-on").value_or(""));
    google::protobuf::util::MessageToJsonString(request, &body);
    return r.json<pb::VehicleInfo>("POST", "/v1/vehicles/" + url_encode(a.positional[1]) + "/remove", body,
                                   [&](const pb::VehicleInfo& v) {
                                     r.print("removed " + v.plate() + " from household " + v.household_id() +
                                             "; its permit ends before " + v.removed_on() + "\n");
                                   });
  }
  if (a.positional.size() == 2 && a.positional[0] == "correct") {
    pb::CorrectPermitRequest request;
    if (auto id = a.value("--permit")) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(id->c_str(), &end, 10);
      if (id->empty() || *end != '\0' || n == 0) {
        std::fprintf(r.err(), "parkctl: --permit '%s' is not a permit number (see household show)\n", id->c_str());
        return kExitUsage;
      }
      request.set_permit_id(n);
    }
    request.set_registered_on(a.value("--registered-on").value_or(""));
    request.set_removed_on(a.value("--removed-on").value_or(""));
    request.set_no_removal(a.has("--no-removal"));
    request.set_needs_accessible(a.value("--accessible").value_or(""));
    request.set_electric(a.value("--electric").value_or(""));
    google::protobuf::util::MessageToJsonString(request, &body);
    return r.json<pb::VehicleInfo>("POST", "/v1/vehicles/" + url_encode(a.positional[1]) + "/correct", body,
                                   [&](const pb::VehicleInfo& v) { print_permit(v); });
  }
  if (a.positional.size() == 3 && a.positional[0] == "move") {
    pb::MoveVehicleRequest request;
    request.set_household_id(a.positional[2]);
    request.set_on(a.value("--on").value_or(""));
    google::protobuf::util::MessageToJsonString(request, &body);
    return r.json<pb::PermitChange>("POST", "/v1/vehicles/" + url_encode(a.positional[1]) + "/move", body,
                                    [&](const pb::PermitChange& c) {
                                      for (const auto& v : c.ended()) print_permit(v);
                                      for (const auto& v : c.started()) print_permit(v);
                                    });
  }
  return -1;
}

int import(const Runner& r, const Args& a) {
  if (a.positional.size() != 2 || (a.positional[0] != "households" && a.positional[0] != "vehicles")) return -1;
  std::ifstream in(a.positional[1], std::ios::binary);
  if (!in) {
    std::fprintf(r.err(), "parkctl: cannot read %s: %s\n", a.positional[1].c_str(), std::strerror(errno));
    return kExitUsage;
  }
  std::stringstream text;
  text << in.rdbuf();
  return r.json<pb::ImportReply>("POST", "/v1/import/" + a.positional[0], text.str(), [&](const pb::ImportReply& i) {
    r.print("imported " + std::to_string(i.rows()) + " " + i.kind() + " row(s): " + std::to_string(i.added()) + " added, " +
            std::to_string(i.changed()) + " changed, " + std::to_string(i.unchanged()) + " unchanged\n");
  });
}

// Text documents (CSV, Markdown, HTML): to --out FILE or standard output.
int document(const Runner& r, const std::string& target, const std::optional<std::string>& out_file, bool excel_bom) {
  ControlReply reply;
  if (auto code = r.call("GET", target, "", "", reply)) return *code;
  std::string text = std::move(reply.body);
  if (excel_bom) text.insert(0, "\xEF\xBB\xBF");
  if (!out_file) {
    r.print(text);
    return kExitOk;
  }
  std::ofstream out(*out_file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(r.err(), "parkctl: cannot write %s: %s\n", out_file->c_str(), std::strerror(errno));
    return kExitFailed;
  }
  return kExitOk;
}

int bill(const Runner& r, const Args& a) {
  const auto month = a.value("--month");
  if (!month) return -1;
  return document(r, "/v1/bill?month=" + url_encode(*month) + (a.has("--visitors") ? "&visitors=true" : "") +
                         (a.has("--preview") ? "&preview=true" : ""),
                  a.value("--out"), a.has("--excel"));
}

int notice(const Runner& r, const Args& a) {
  const auto month = a.value("--month");
  if (!month) return -1;
  return document(r, "/v1/notice?month=" + url_encode(*month) + (a.has("--html") ? "&format=html" : ""), a.value("--out"), false);
}

int backup(const Runner& r, const Args& a) {
  ControlReply reply;
  if (auto code = r.call("GET", "/v1/backup", "", "", reply)) return *code;
  // Written beside FILE and renamed over it: FILE is a whole backup or stays as it was.
  const std::string& file = a.positional[0];
  const std::string partial = file + ".partial";
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  bool ok = fd >= 0;
  for (std::size_t done = 0; ok && done < reply.body.size();) {
    const ssize_t n = ::write(fd, reply.body.data() + done, reply.body.size() - done);
    ok = n > 0;
    done += ok ? static_cast<std::size_t>(n) : 0;
  }
  ok = ok && ::fsync(fd) == 0;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  ok = ok && std::rename(partial.c_str(), file.c_str()) == 0;
  if (!ok) {
    std::fprintf(r.err(), "parkctl: cannot write %s: %s\n", file.c_str(), std::strerror(errno));
    ::unlink(partial.c_str());
    return kExitFailed;
  }
  r.print("backup of parkd's database written to " + file + " (" + std::to_string(reply.body.size()) + " bytes)\n");
  return kExitOk;
}

std::string utc_time(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::gmtime(&seconds));
  return when;
}

int audit(const Runner& r, const Args& a) {
  return r.json<pb::AuditList>("GET", "/v1/audit?limit=" + url_encode(a.value("--limit").value_or("20")), "",
                               [&](const pb::AuditList& l) {
                                 TextTable t({"ID", "WHEN (UTC)", "TOKEN", "ACTION", "TARGET"}, {true, false, false, false, false});
                                 for (const auto& e : l.entries()) {
                                   t.add({std::to_string(e.id()), utc_time(e.at_ms()), e.token_name(), e.action(), e.target()});
                                 }
                                 r.print(t.render());
                                 r.print("before/after of each change: parkctl --json audit\n");
                               });
}

int alerts(const Runner& r, const Args& a) {
  const bool all = a.has("--all");
  return r.json<pb::AlertList>("GET", all ? "/v1/alerts?all=true" : "/v1/alerts", "", [&](const pb::AlertList& l) {
    for (const auto& alert : l.alerts()) {
      // About a space, a car, or the whole lot.
      const std::string& subject = alert.space_id().empty() ? alert.plate() : alert.space_id();
      std::string head = alert.alert_id() + "  " + alert.kind() + "  " + alert.lot_id() +
                         (subject.empty() ? "" : "/" + subject) + "  since " + utc_time(alert.raised_at_ms()) + " UTC";
      if (alert.cleared_at_ms() != 0) head += ", ended " + utc_time(alert.cleared_at_ms()) + " UTC (" + alert.cleared_by() + ")";
      r.print(head + "\n  " + alert.detail_zh() + "\n  " + alert.detail_en() + "\n");
    }
    r.print(std::to_string(l.alerts_size()) + (all ? " alert(s) raised\n" : " active alert(s)\n"));
  });
}

int alert(const Runner& r, const Args& a) {
  if (a.positional.size() != 2 || a.positional[0] != "dismiss") return -1;
  pb::DismissAlertRequest request;
  request.set_reason(*a.value("--reason"));
  return r.json<pb::Alert>("POST", "/v1/alerts/" + url_encode(a.positional[1]) + "/dismiss", body_of(request),
                           [&](const pb::Alert& d) { r.print(d.alert_id() + " dismissed (" + d.cleared_by() + ")\n"); });
}

struct Spec {
  std::vector<std::string> valued;
  std::vector<std::string> switches;
  std::size_t min_positional = 0;
  std::size_t max_positional = 0;
  std::vector<std::string> required;
  int (*run)(const Runner&, const Args&);
};

const std::map<std::string, Spec>& specs() {
  static const std::map<std::string, Spec> kSpecs = {
      {"status", {{}, {}, 0, 0, {}, status}},
      {"spaces", {{"--zone", "--state", "--lot"}, {}, 0, 0, {}, spaces}},
      {"space", {{"--history"}, {}, 1, 1, {}, space}},
      {"close", {{"--reason"}, {}, 1, 1, {"--reason"}, [](const Runner& r, const Args& a) { return close_or_open(r, a, true); }}},
      {"open", {{}, {}, 1, 1, {}, [](const Runner& r, const Args& a) { return close_or_open(r, a, false); }}},
      {"sensors", {{}, {"--stale", "--low-battery"}, 0, 0, {}, sensors}},
      {"visitors", {{}, {}, 0, 0, {}, visitors}},
      {"household", {{}, {}, 2, 2, {}, household}},
      {"vehicle", {{"--registered-on", "--removed-on", "--permit", "--on", "--accessible", "--electric"}, {"--no-removal"}, 2, 3, {}, vehicle}},
      {"import", {{}, {}, 2, 2, {}, import}},
      {"visitor", {{"--reason", "--at", "--lot"}, {}, 2, 2, {"--reason"}, visitor}},
      {"gate", {{"--reason", "--plate", "--lot"}, {}, 2, 2, {"--reason"}, gate}},
      {"pass", {{"--reason", "--until"}, {}, 1, 2, {}, pass}},
      {"bill", {{"--month", "--out"}, {"--excel", "--visitors", "--preview"}, 0, 0, {"--month"}, bill}},
      {"notice", {{"--month", "--out"}, {"--html"}, 0, 0, {"--month"}, notice}},
      {"alerts", {{}, {"--all"}, 0, 0, {}, alerts}},
      {"alert", {{"--reason"}, {}, 2, 2, {"--reason"}, alert}},
      {"audit", {{"--limit"}, {}, 0, 0, {}, audit}},
      {"backup", {{}, {}, 1, 1, {}, backup}},
  };
  return kSpecs;
}

}  // namespace

std::string command_usage(const std::string& command) {
  const auto it = usages().find(command);
  if (it == usages().end()) return parkctl_usage();
  return std::string("usage: parkctl [global options] ") + it->second.synopsis + "\n\n" + it->second.text + "\n";
}

std::string parkctl_usage() {
  std::string out =
      "usage: parkctl [--endpoint URL] [--token-file FILE] [--ca-file FILE] [--config FILE] [--json] COMMAND ...\n\n"
      "Talks to a running parkd through its control API. Defaults come from the configuration\n"
      "(config/parkd.textproto in a source tree, else /etc/parkd/parkd.textproto): the endpoint is\n"
      "its http listen address (https:// when it has tls_cert_file; the certificate is checked against\n"
      "--ca-file, else http.tls_ca_file, else the system's CAs), the token file is"
      " parkd.token next to its database unless it names one;\nparkctl sends the file's first token. Every command but status needs a token\n"
      "whose role allows it: viewer (the lot and its sensors, no plates) < guard < clerk < admin;\n"
      "the role a command needs is in its --help.\n\ncommands:\n";
  for (const auto& [name, u] : usages()) {
    std::string synopsis = u.synopsis;
    for (std::size_t p = 0; (p = synopsis.find('\n', p)) != std::string::npos; p += 1) synopsis.replace(p, 1, "\n  ");
    out += "  " + synopsis + "\n";
  }
  out += "\n'parkctl COMMAND --help' tells more. Exit codes: 0 done, 1 parkd failed, 2 usage, 3 parkd not running,\n"
         "4 token refused, missing or its role too low, 5 not found, 6 input rejected.\n";
  return out;
}

int run_command(const CommandContext& context, const std::vector<std::string>& words) {
  if (words.empty()) {
    std::fprintf(context.err, "%s", parkctl_usage().c_str());
    return kExitUsage;
  }
  const std::string& command = words[0];
  const auto spec = specs().find(command);
  if (spec == specs().end()) {
    std::fprintf(context.err, "parkctl: unknown command '%s'\n\n%s", command.c_str(), parkctl_usage().c_str());
    return kExitUsage;
  }
  const Args args(std::vector<std::string>(words.begin() + 1, words.end()), spec->second.valued, spec->second.switches);
  if (args.help) {
    std::fprintf(context.out, "%s", command_usage(command).c_str());
    return kExitOk;
  }
  std::string problem = args.error;
  if (problem.empty() && (args.positional.size() < spec->second.min_positional || args.positional.size() > spec->second.max_positional)) {
    problem = "wrong number of arguments";
  }
  for (const auto& flag : spec->second.required) {
    if (problem.empty() && !args.value(flag)) problem = flag + " is required";
  }
  const Runner runner(context);
  const int code = problem.empty() ? spec->second.run(runner, args) : -1;
  if (code >= 0) return code;
  std::fprintf(context.err, "parkctl %s: %s\n%s", command.c_str(), problem.empty() ? "wrong arguments" : problem.c_str(),
               command_usage(command).c_str());
  return kExitUsage;
}

}  // namespace parkd
