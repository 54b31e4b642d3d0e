// parksim: plays a compound over MQTT for demos, tests and benchmarks. It drives parkd's
// simulated clock (parking/sim/clock), sends what sensors and gate cameras would send, listens
// to the signs and gate decisions, and can draw a live view of both entrance signs.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "broker_link.h"
#include "compound_model.h"
#include "core/civil_day.h"
#include "core/visitor_bill.h"
#include "text_table.h"
#include "config/broker_uris.h"
#include "config/config_loader.h"
#include "parking/v1/messages.pb.h"
#include "sensors/topic.h"

namespace {

using namespace parkd;
std::atomic<bool> g_stop{false};

struct Options {
  std::string config = default_config_file();
  std::string lot;
  std::string broker = "tcp://127.0.0.1:1883";
  double speed = 60;
  std::uint64_t seed = 1;
  double days = 1;
  std::string start = "2026-11-02";
  bool view = false;
  bool faults = true;
  std::uint32_t ground_locks = 2;
  std::string write_registry;  // a folder: write the residents' CSV files there and exit
  std::string truth;           // a file: what really happened, for a test to check parkd against
};

constexpr TimeMs kMaxStepMs = 60'000;  // simulated time played per step at most

const char* kUsage =
    "usage: parksim [--config FILE] [--lot ID] [--broker URI] [--speed N] [--seed S] [--days D]\n"
    "               [--start YYYY-MM-DD] [--view] [--no-faults] [--ground-locks N] [--write-registry DIR]\n"
    "  --broker URI[,URI...]  the broker, or a cluster's nodes: the first that answers; when the\n"
    "              connection goes, the list again from the first (default tcp://127.0.0.1:1883)\n"
    "  --speed N   simulated seconds per real second (1 = real time; default 60)\n"
    "  --days D    how many simulated days to play (default 1; fractions allowed)\n"
    "  --start D   the first simulated day, from 00:00 local time (default 2026-11-02)\n"
    "  --view      draw both entrance signs and the zone counts live in the terminal\n"
    "  --ground-locks N  how many spaces ground locks block for days (default 2; 0: a month without)\n"
    "  --write-registry DIR  write the simulated residents as DIR/households.csv and DIR/vehicles.csv\n"
    "              (for parkctl import) and exit; same --seed and --start, same residents\n"
    "  --truth FILE  at the end, let parkd settle (one more SimClock past the debounce, up to 10 s\n"
    "              for the last decisions) and write what really happened: the gate events the\n"
    "              broker acknowledged (parkd must decide each), every space as it really is, and the\n"
    "              faults played (ground locks, a flapping sensor, an abandoned car, tricycles on spaces,\n"
    "              a camera missing exits, and which exits it missed; also printed as they begin),\n"
    "              and the last SimClock sent\n";

bool parse(int argc, char** argv, Options& o, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    try {
      if (a == "--config") {
        if (const char* v = next()) o.config = v; else return error = "--config needs a file", false;
      } else if (a == "--lot") {
        if (const char* v = next()) o.lot = v; else return error = "--lot needs an id", false;
      } else if (a == "--broker") {
        if (const char* v = next()) o.broker = v; else return error = "--broker needs a URI or a list of them", false;
      } else if (a == "--speed") {
        const char* v = next();
        if (!v || (o.speed = std::stod(v)) <= 0 || o.speed > 100'000) return error = "--speed needs a number in (0, 100000]", false;
      } else if (a == "--seed") {
        const char* v = next();
        if (!v) return error = "--seed needs a number", false;
        o.seed = std::stoull(v);
      } else if (a == "--days") {
        const char* v = next();
        if (!v || (o.days = std::stod(v)) <= 0) return error = "--days needs a positive number", false;
      } else if (a == "--start") {
        const char* v = next();
        if (!v || std::string(v).size() != 10) return error = "--start needs a date YYYY-MM-DD", false;
        o.start = v;
      } else if (a == "--view") {
        o.view = true;
      } else if (a == "--truth") {
        if (const char* v = next()) o.truth = v; else return error = "--truth needs a file", false;
      } else if (a == "--write-registry") {
        if (const char* v = next()) o.write_registry = v; else return error = "--write-registry needs a folder", false;
      } else if (a == "--ground-locks") {
        const char* v = next();
        if (!v || std::string_view(v).find_first_not_of("0123456789") != std::string_view::npos || std::strlen(v) > 3) {
          return error = "--ground-locks needs a number of spaces (0..999)", false;
        }
        o.ground_locks = static_cast<std::uint32_t>(std::stoul(v));
      } else if (a == "--no-faults") {
        o.faults = false;
      } else {
        return error = "unknown argument '" + a + "'", false;
      }
    } catch (const std::exception&) {
      return error = "bad number after " + a, false;
    }
  }
  return true;
}

// "2026-11-02 Mon 14:05" in the lot's local time.
std::string local_clock_text(TimeMs t, int offset_minutes) {
  const CivilDay day = local_day(t, offset_minutes);
  static const char* const kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  const int minute = local_minute_of_day(t, offset_minutes);
  char buf[32];
  std::snprintf(buf, sizeof buf, " %s %02d:%02d", kDays[((day % 7) + 7) % 7], minute / 60, minute % 60);
  return format_civil_day(day) + buf;
}

void draw(const Options& o, const sim::CompoundModel& model, const std::map<std::string, parking::v1::DisplayFrame>& frames,
          bool engine_online) {
  const Lot& lot = model.lot();
  std::string screen = "\x1b[H\x1b[2J";
  char line[256];
  std::snprintf(line, sizeof line, "parksim  lot %s  %s  x%.0f  parkd %s\n\n", lot.id().c_str(),
                local_clock_text(model.now(), lot.utc_offset_minutes()).c_str(), o.speed,
                engine_online ? "online" : "OFFLINE (guidance off)");
  screen += line;
  for (const auto& [display, f] : frames) {
    std::snprintf(line, sizeof line, "== sign '%s' (frame %llu) ==\n", display.c_str(), static_cast<unsigned long long>(f.seq()));
    screen += line;
    for (int i = 0; i < f.lines_zh_size() && i < f.lines_en_size(); ++i) {
      const std::size_t w = display_width(f.lines_zh(i));
      screen += "  " + f.lines_zh(i) + std::string(w < 22 ? 22 - w : 1, ' ') + f.lines_en(i) + "\n";
    }
    screen += "\n";
  }
  const auto& s = model.stats();
  std::snprintf(line, sizeof line,
                "simulation: %u of %zu spaces taken | arrivals: %u residents, %u visitors, %u guided, %u turned away\n"
                "sent: %llu sensor reports, %llu gate events\n",
                model.occupied_spaces(), lot.spaces().size(), s.parked_residents, s.parked_visitors, s.guided_arrivals,
                s.turned_away, static_cast<unsigned long long>(s.sensor_reports),
                static_cast<unsigned long long>(s.gate_events));
  screen += line;
  std::fwrite(screen.data(), 1, screen.size(), stdout);
  std::fflush(stdout);
}

int run(const Options& o) {
  ConfigLoad load = load_config_file(o.config);
  if (!load.config) {
    for (const auto& i : load.issues) std::fprintf(stderr, "%s\n", i.to_string().c_str());
    return 1;
  }
  const Lot* lot = &load.config->lots.front();
  for (const Lot& l : load.config->lots) {
    if (l.id() == o.lot) lot = &l;
  }
  if (!o.lot.empty() && lot->id() != o.lot) {
    std::fprintf(stderr, "parksim: no lot '%s' in %s\n", o.lot.c_str(), o.config.c_str());
    return 1;
  }
  const auto start_day = parse_civil_day(o.start);
  if (!start_day) {
    std::fprintf(stderr, "parksim: --start '%s' is not a date YYYY-MM-DD\n", o.start.c_str());
    return 2;
  }
  const TimeMs start = local_day_start_ms(*start_day, lot->utc_offset_minutes());
  const TimeMs end = start + static_cast<TimeMs>(o.days * static_cast<double>(kMsPerDay));

  sim::ModelSettings settings;
  settings.seed = o.seed;
  settings.faults = o.faults;
  settings.ground_locks = o.ground_locks;
  sim::CompoundModel model(*lot, settings, start);
  if (!o.write_registry.empty()) {
    const sim::RegistryFiles files = model.registry_files();
    for (const auto& [name, text] : {std::pair{"households.csv", &files.households_csv}, std::pair{"vehicles.csv", &files.vehicles_csv}}) {
      const std::string path = o.write_registry + "/" + name;
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << *text;
      if (!out.flush()) {
        std::fprintf(stderr, "parksim: cannot write %s\n", path.c_str());
        return 1;
      }
      std::printf("wrote %s\n", path.c_str());
    }
    return 0;
  }
  // The faults this run plays, so that whoever watches knows the truth to score parkd against:
  // those planned at the start, and the rest (tricycles) as they come.
  const auto subject = [&](const sim::CompoundModel::Fault& f) {
    return f.kind == "missed_exits" ? lot->gates()[f.space].id : lot->spaces()[f.space].id;
  };
  std::size_t faults_told = 0;
  const auto tell_faults = [&] {
    for (; faults_told < model.faults().size(); ++faults_told) {
      const auto& f = model.faults()[faults_told];
      std::printf("parksim: fault %s on %s from %s%s\n", f.kind.c_str(), subject(f).c_str(),
                  local_time_text(f.from, lot->utc_offset_minutes()).c_str(),
                  f.to > 0 ? (" to " + local_time_text(f.to, lot->utc_offset_minutes())).c_str() : "");
    }
    std::fflush(stdout);
  };
  tell_faults();
  const BrokerUris brokers = parse_broker_uris(o.broker);
  if (!brokers.error.empty()) {
    std::fprintf(stderr, "parksim: --broker: %s\n", brokers.error.c_str());
    return 2;
  }
  sim::BrokerLink link(brokers.uris, lot->id());

  std::map<std::string, parking::v1::DisplayFrame> frames;
  bool frame_at_start_seen = false;  // a frame made at the first SimClock: parkd has taken it
  bool engine_online = false;
  std::set<std::pair<std::string, std::uint64_t>> undecided;  // (gate, seq) sent, no decision seen yet
  auto take_inbox = [&] {
    for (auto& [topic, payload] : link.take_inbox()) {
      if (topic.find("/displays/") != std::string::npos) {
        parking::v1::DisplayFrame f;
        if (f.ParseFromString(payload)) {
          frame_at_start_seen = frame_at_start_seen || f.generated_at_ms() == start;
          frames[f.display_id()] = f;
        }
      } else if (topic.find("/decision") != std::string::npos) {
        parking::v1::GateDecision dec;
        if (!dec.ParseFromString(payload)) continue;
        undecided.erase({dec.gate_id(), dec.event_seq()});
        if (dec.admit() && !dec.assigned_space().empty()) model.on_assignment(dec.plate(), dec.assigned_space());
        if (!dec.admit()) model.on_refusal(dec.plate());  // only entries are ever refused
      } else if (topic.find("/engine/status") != std::string::npos) {
        parking::v1::EngineStatus st;
        if (st.ParseFromString(payload)) {
          engine_online = st.online();
          model.set_parkd_online(engine_online);
        }
      }
    }
  };
  TimeMs clock_sent = 0;
  auto send_clock = [&](TimeMs t) {
    parking::v1::SimClock c;
    c.set_now_ms(t);
    link.publish(std::string(kSimClockTopic), c.SerializeAsString());
    clock_sent = t;
  };
  send_clock(start);
  // parkd ignores reports that arrive before its first SimClock, and on a broker cluster the clock
  // travels apart from the reports (NATS keeps no order across topics): wait until parkd has
  // taken it, which its signs' first frames, made at that time, say. Not forever: a parkd whose
  // clock is past `start` (left from an earlier run) refuses it.
  {
    const auto waited = std::chrono::steady_clock::now();
    while (!frame_at_start_seen && !g_stop && std::chrono::steady_clock::now() - waited < std::chrono::seconds(10)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      take_inbox();
    }
    if (!frame_at_start_seen && !g_stop) {
      std::fprintf(stderr, "parksim: no sign frame at the first SimClock within 10 s: is parkd running with --sim-clock, "
                           "and not already past %s (restart it for a new run)? Playing anyway\n",
                   local_time_text(start, lot->utc_offset_minutes()).c_str());
    }
  }

  const auto real_start = std::chrono::steady_clock::now();
  auto last_draw = real_start - std::chrono::seconds(1);
  parking::v1::SensorReport report;
  parking::v1::GateEvent gate;
  while (!g_stop) {
    const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
    // At most a simulated minute per step: when the broker or parkd cannot take messages as fast
    // as --speed asks, the simulation runs slower instead of piling up what is due in memory.
    const TimeMs due = start + static_cast<TimeMs>(elapsed_s * o.speed * 1'000.0);
    const TimeMs target = std::min({end, due, model.now() + kMaxStepMs});
    for (const sim::DeviceMessage& msg : model.advance(target)) {
      // parkd applies each message at its own (simulated) time: move it on first, in steps of at
      // most 100 ms of simulated time, far below the 2 s debounce.
      if (msg.at >= clock_sent + 100) send_clock(msg.at);
      if (msg.kind == sim::DeviceMessage::Kind::SensorReport) {
        const Space& space = lot->spaces()[msg.space];
        report.set_sensor_id(space.sensor_id);
        report.set_space_id(space.id);
        report.set_boot_id(msg.boot_id);
        report.set_seq(msg.seq);
        report.set_observed_at_ms(msg.at);
        report.set_occupied(msg.occupied);
        report.set_kind(msg.heartbeat ? parking::v1::REPORT_KIND_HEARTBEAT : parking::v1::REPORT_KIND_CHANGE);
        report.set_battery_mv(msg.battery_mv);
        link.publish(sensor_report_topic(lot->id(), space.sensor_id), report.SerializeAsString());
      } else {
        const std::string& gate_id = lot->gates()[msg.gate].id;
        gate.set_gate_id(gate_id);
        gate.set_seq(msg.gate_seq);
        gate.set_at_ms(msg.at);
        gate.set_plate(msg.plate);
        gate.set_direction(msg.entry ? parking::v1::DIRECTION_ENTRY : parking::v1::DIRECTION_EXIT);
        link.publish(gate_event_topic(lot->id(), gate_id), gate.SerializeAsString(), sim::BrokerLink::Key{gate_id, msg.gate_seq});
        undecided.emplace(gate_id, msg.gate_seq);
      }
    }
    if (target > clock_sent) send_clock(target);
    if (model.faults().size() > faults_told) tell_faults();

    take_inbox();
    if (o.view && std::chrono::steady_clock::now() - last_draw >= std::chrono::milliseconds(500)) {
      draw(o, model, frames, engine_online);
      last_draw = std::chrono::steady_clock::now();
    }
    if (target >= end) break;
    if (target == due) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // caught up
  }
  if (!o.truth.empty() && !g_stop) {
    // Changes of the last moments wait in parkd's debounce: one more clock releases them. Then
    // the decisions still on their way.
    send_clock(model.now() + lot->timing().debounce_ms + 1'000);
    link.flush();
    const auto wait_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!undecided.empty() && std::chrono::steady_clock::now() < wait_until && !g_stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      take_inbox();
    }
    std::ofstream out(o.truth, std::ios::trunc);
    out << "gate_events " << model.stats().gate_events << "\n";
    // The last SimClock sent: once parkd's clock (GET /v1/status now_ms) reads it, parkd has
    // applied everything before it (one connection keeps its order on Mosquitto).
    out << "clock " << clock_sent << "\n";
    // Decisions parksim did not see: after a broker restart, those published before it had
    // subscribed again are not for it (a clean session), so this is informative only.
    out << "undecided " << undecided.size() << "\n";
    for (const auto& [gate_id, seq] : link.acknowledged()) out << "acknowledged_event " << gate_id << " " << seq << "\n";
    // fault KIND SPACE FROM TO FIRST_NOTICED (ms; 0: not so)
    for (const auto& f : model.faults()) {
      out << "fault " << f.kind << " " << subject(f) << " " << f.from << " " << f.to << " " << f.first_noticed << "\n";
    }
    // missed_exit PLATE AT visitor|resident: the car left and the camera did not tell parkd
    for (const auto& m : model.missed_exits()) {
      out << "missed_exit " << m.plate << " " << m.at << " " << (m.visitor ? "visitor" : "resident") << "\n";
    }
    // long_stay SPACE FROM TO PLATE: a car stood a week or more by its routine (TO 0: still there)
    for (const auto& l : model.long_stays()) {
      out << "long_stay " << lot->spaces()[l.space].id << " " << l.from << " " << l.to << " " << l.plate << "\n";
    }
    const auto truth = model.truth();
    for (std::size_t i = 0; i < truth.size(); ++i) {
      out << "space " << lot->spaces()[i].id << " " << (truth[i].occupied ? "occupied" : "empty") << " "
          << (truth[i].sensor_tells ? "told" : "untold") << "\n";
    }
    if (!out.flush()) {
      std::fprintf(stderr, "parksim: cannot write %s\n", o.truth.c_str());
      return 1;
    }
  }
  link.close();
  const auto& s = model.stats();
  const double real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  std::printf("parksim: played %.2f simulated days of lot %s (seed %llu) in %.0f s (x%.0f): %llu sensor reports, "
              "%llu gate events, %u resident and %u visitor arrivals, %u guided, %u turned away\n",
              static_cast<double>(model.now() - start) / static_cast<double>(kMsPerDay), lot->id().c_str(),
              static_cast<unsigned long long>(o.seed), real_s,
              static_cast<double>(model.now() - start) / 1'000.0 / std::max(real_s, 0.001),
              static_cast<unsigned long long>(s.sensor_reports),
              static_cast<unsigned long long>(s.gate_events), s.parked_residents, s.parked_visitors, s.guided_arrivals,
              s.turned_away);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string error;
  if (argc > 1 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::printf("%s", kUsage);
    return 0;
  }
  if (!parse(argc, argv, o, error)) {
    std::fprintf(stderr, "parksim: %s\n%s", error.c_str(), kUsage);
    return 2;
  }
  signal(SIGINT, [](int) { g_stop = true; });
  signal(SIGTERM, [](int) { g_stop = true; });
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parksim: %s\n", e.what());
    return 1;
  }
}
