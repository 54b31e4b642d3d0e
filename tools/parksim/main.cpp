// parksim: plays a compound (or a district of them) over MQTT for demos, tests and benchmarks.
// It drives parkd's simulated clock (parking/sim/clock), sends what sensors and gate cameras
// would send, listens to the signs and gate decisions, and can draw a live view of the signs.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "barrier_wait.h"
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
  std::string lot;   // --lot: one lot (default: the configuration's first)
  std::string lots;  // --lots: several, comma-separated, or "all"
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
    "usage: parksim [--config FILE] [--lot ID | --lots ID,ID,...|all] [--broker URI] [--speed N] [--seed S]\n"
    "               [--days D] [--start YYYY-MM-DD] [--view] [--no-faults] [--ground-locks N] [--write-registry DIR]\n"
    "  --lot ID    the lot to play (default: the configuration's first)\n"
    "  --lots L    several lots at once (a district): a comma-separated list, or 'all' of the\n"
    "              configuration. One SimClock for all of them; lot n (from 0) plays seed S+n; the\n"
    "              parkd processes serving them may be several (each takes the same clock)\n"
    "  --broker URI[,URI...]  the broker, or a cluster's nodes: the first that answers; when the\n"
    "              connection goes, the list again from the first (default tcp://127.0.0.1:1883)\n"
    "  --speed N   simulated seconds per real second (1 = real time; default 60)\n"
    "  --days D    how many simulated days to play (default 1; fractions allowed)\n"
    "  --start D   the first simulated day, from 00:00 local time (default 2026-11-02)\n"
    "  --view      draw both entrance signs and the zone counts live in the terminal\n"
    "  --ground-locks N  how many spaces ground locks block for days (default 2; 0: a month without)\n"
    "  --write-registry DIR  write the simulated residents as DIR/households.csv and DIR/vehicles.csv\n"
    "              (for parkctl import) and exit; same --seed and --start, same residents. With several\n"
    "              lots, DIR/LOT/households.csv and DIR/LOT/vehicles.csv, household ids prefixed 'LOT-'\n"
    "  --truth FILE  at the end, let parkd settle (one more SimClock past the debounce, up to 10 s\n"
    "              for the last decisions) and write what really happened: the gate events the\n"
    "              broker acknowledged (parkd must decide each), every space as it really is, and the\n"
    "              faults played (ground locks, a flapping sensor, an abandoned car, tricycles on spaces,\n"
    "              a camera missing exits, and which exits it missed; also printed as they begin),\n"
    "              and the last SimClock sent. With several lots, one file per lot: FILE.LOT\n";

bool parse(int argc, char** argv, Options& o, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    try {
      if (a == "--config") {
        if (const char* v = next()) o.config = v; else return error = "--config needs a file", false;
      } else if (a == "--lot") {
        if (const char* v = next()) o.lot = v; else return error = "--lot needs an id", false;
      } else if (a == "--lots") {
        const char* v = next();
        if (!v || !*v) return error = "--lots needs a comma-separated list of lot ids, or 'all'", false;
        o.lots = v;
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
  if (!o.lot.empty() && !o.lots.empty()) return error = "--lot and --lots: give one of them", false;
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

// One lot being played: its model and what parkd has told its devices.
struct LotPlay {
  LotPlay(const Lot& l, sim::ModelSettings settings, TimeMs start) : lot(&l), model(l, settings, start) {}
  const Lot* lot;
  sim::CompoundModel model;
  std::map<std::string, parking::v1::DisplayFrame> frames;
  bool frame_at_start_seen = false;  // a frame made at the first SimClock: parkd has taken it
  bool engine_online = false;
  std::size_t faults_told = 0;
};

// What a fault is on: a gate for a camera missing exits, else a space.
const std::string& fault_subject(const Lot& lot, const sim::CompoundModel::Fault& f) {
  return f.kind == "missed_exits" ? lot.gates()[f.space].id : lot.spaces()[f.space].id;
}

// The lot a topic is about: parking/{lot}/...
std::string_view topic_lot(std::string_view topic) {
  const auto first = topic.find('/');
  if (first == std::string_view::npos) return {};
  const auto second = topic.find('/', first + 1);
  return second == std::string_view::npos ? std::string_view{} : topic.substr(first + 1, second - first - 1);
}

void draw(const Options& o, const LotPlay& play) {
  const Lot& lot = *play.lot;
  const sim::CompoundModel& model = play.model;
  std::string screen = "\x1b[H\x1b[2J";
  char line[256];
  std::snprintf(line, sizeof line, "parksim  lot %s  %s  x%.0f  parkd %s\n\n", lot.id().c_str(),
                local_clock_text(model.now(), lot.utc_offset_minutes()).c_str(), o.speed,
                play.engine_online ? "online" : "OFFLINE (guidance off)");
  screen += line;
  for (const auto& [display, f] : play.frames) {
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

// A district: one row per lot (the first 40), what the simulation holds against what the lot's
// first sign last said.
void draw_district(const Options& o, const std::vector<std::unique_ptr<LotPlay>>& plays) {
  std::string screen = "\x1b[H\x1b[2J";
  char line[256];
  const LotPlay& first = *plays.front();
  std::snprintf(line, sizeof line, "parksim  %zu lots  %s  x%.0f\n\n", plays.size(),
                local_clock_text(first.model.now(), first.lot->utc_offset_minutes()).c_str(), o.speed);
  screen += line;
  TextTable table({"lot", "parkd", "taken (sim)", "sign", "frame", "residents", "visitors", "turned away", "reports", "gate events"});
  std::size_t offline = 0;
  for (std::size_t i = 0; i < plays.size(); ++i) {
    const LotPlay& p = *plays[i];
    offline += p.engine_online ? 0 : 1;
    if (i >= 40) continue;
    const auto& s = p.model.stats();
    const auto frame = p.frames.begin();
    table.add({p.lot->id(), p.engine_online ? "online" : "OFFLINE", std::to_string(p.model.occupied_spaces()) + "/" +
                   std::to_string(p.lot->spaces().size()), frame == p.frames.end() ? "-" : frame->first,
                   frame == p.frames.end() ? "-" : std::to_string(frame->second.seq()), std::to_string(s.parked_residents),
                   std::to_string(s.parked_visitors), std::to_string(s.turned_away), std::to_string(s.sensor_reports),
                   std::to_string(s.gate_events)});
  }
  screen += table.render();
  if (plays.size() > 40) screen += "(" + std::to_string(plays.size() - 40) + " more lots)\n";
  std::snprintf(line, sizeof line, "\nlots whose parkd is offline: %zu\n", offline);
  screen += line;
  std::fwrite(screen.data(), 1, screen.size(), stdout);
  std::fflush(stdout);
}

// The lots --lot or --lots names, in the configuration's order for "all"; an error names the
// first unknown one.
std::vector<const Lot*> chosen_lots(const Options& o, const LoadedConfig& config, std::string& error) {
  std::vector<const Lot*> out;
  if (o.lots == "all") {
    for (const Lot& l : config.lots) out.push_back(&l);
    return out;
  }
  std::vector<std::string> ids;
  if (!o.lots.empty()) {
    for (std::size_t at = 0; at <= o.lots.size();) {
      const auto comma = std::min(o.lots.find(',', at), o.lots.size());
      ids.push_back(o.lots.substr(at, comma - at));
      at = comma + 1;
    }
  } else if (!o.lot.empty()) {
    ids.push_back(o.lot);
  } else {
    return {&config.lots.front()};
  }
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    const auto it = std::find_if(config.lots.begin(), config.lots.end(), [&](const Lot& l) { return l.id() == id; });
    if (it == config.lots.end()) {
      error = "no lot '" + id + "' in the configuration";
      return {};
    }
    if (!seen.insert(id).second) {
      error = "lot '" + id + "' named twice";
      return {};
    }
    out.push_back(&*it);
  }
  return out;
}

int write_registry(const Options& o, const std::vector<std::unique_ptr<LotPlay>>& plays) {
  for (const auto& play : plays) {
    const std::string dir = plays.size() == 1 ? o.write_registry : o.write_registry + "/" + play->lot->id();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const sim::RegistryFiles files = play->model.registry_files();
    for (const auto& [name, text] : {std::pair{"households.csv", &files.households_csv}, std::pair{"vehicles.csv", &files.vehicles_csv}}) {
      const std::string path = dir + "/" + name;
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << *text;
      if (!out.flush()) {
        std::fprintf(stderr, "parksim: cannot write %s\n", path.c_str());
        return 1;
      }
      std::printf("wrote %s\n", path.c_str());
    }
  }
  return 0;
}

// What really happened in one lot, for a test to score parkd against (the format: --truth).
bool write_truth(const std::string& file, const LotPlay& play, TimeMs clock_sent, const sim::BarrierWait& barriers,
                 const std::vector<sim::BrokerLink::Key>& acknowledged) {
  const Lot& lot = *play.lot;
  const sim::CompoundModel& model = play.model;
  std::ofstream out(file, std::ios::trunc);
  out << "gate_events " << model.stats().gate_events << "\n";
  // The last SimClock sent: once parkd's clock (GET /v1/status now_ms) reads it, parkd has
  // applied everything before it (one connection keeps its order on Mosquitto).
  out << "clock " << clock_sent << "\n";
  // Decisions parksim did not see: after a broker restart, those published before it had
  // subscribed again are not for it (a clean session), so this is informative only.
  out << "undecided " << barriers.undecided(lot.id()) << "\n";
  for (const auto& k : acknowledged) {
    if (k.lot == lot.id()) out << "acknowledged_event " << k.gate << " " << k.seq << "\n";
  }
  // fault KIND SPACE FROM TO FIRST_NOTICED (ms; 0: not so)
  for (const auto& f : model.faults()) {
    out << "fault " << f.kind << " " << fault_subject(lot, f) << " " << f.from << " " << f.to << " " << f.first_noticed << "\n";
  }
  // missed_exit PLATE AT visitor|resident: the car left and the camera did not tell parkd
  for (const auto& m : model.missed_exits()) {
    out << "missed_exit " << m.plate << " " << m.at << " " << (m.visitor ? "visitor" : "resident") << "\n";
  }
  // long_stay SPACE FROM TO PLATE: a car stood a week or more by its routine (TO 0: still there)
  for (const auto& l : model.long_stays()) {
    out << "long_stay " << lot.spaces()[l.space].id << " " << l.from << " " << l.to << " " << l.plate << "\n";
  }
  const auto truth = model.truth();
  for (std::size_t i = 0; i < truth.size(); ++i) {
    out << "space " << lot.spaces()[i].id << " " << (truth[i].occupied ? "occupied" : "empty") << " "
        << (truth[i].sensor_tells ? "told" : "untold") << "\n";
  }
  if (!out.flush()) {
    std::fprintf(stderr, "parksim: cannot write %s\n", file.c_str());
    return false;
  }
  return true;
}

int run(const Options& o) {
  ConfigLoad load = load_config_file(o.config);
  if (!load.config) {
    for (const auto& i : load.issues) std::fprintf(stderr, "%s\n", i.to_string().c_str());
    return 1;
  }
  std::string error;
  const std::vector<const Lot*> lots = chosen_lots(o, *load.config, error);
  if (lots.empty()) {
    std::fprintf(stderr, "parksim: %s (%s)\n", error.c_str(), o.config.c_str());
    return 1;
  }
  const auto start_day = parse_civil_day(o.start);
  if (!start_day) {
    std::fprintf(stderr, "parksim: --start '%s' is not a date YYYY-MM-DD\n", o.start.c_str());
    return 2;
  }
  // One clock for every lot: the first lot's midnight (a district shares one time zone).
  const Lot& first_lot = *lots.front();
  for (const Lot* l : lots) {
    if (l->utc_offset_minutes() != first_lot.utc_offset_minutes()) {
      std::fprintf(stderr, "parksim: lot %s is in another time zone than %s; its day starts at %s's midnight all the same\n",
                   l->id().c_str(), first_lot.id().c_str(), first_lot.id().c_str());
    }
  }
  const TimeMs start = local_day_start_ms(*start_day, first_lot.utc_offset_minutes());
  const TimeMs end = start + static_cast<TimeMs>(o.days * static_cast<double>(kMsPerDay));
  // parkd applies a message at its latest clock, so the clock goes before any message this far
  // or more past the last one sent: half the shortest debounce played (a change moves by less
  // than the debounce), kept between 100 ms and 1 s. Finer steps cost a clock per sensor report
  // (the soak with 100 ms steps: 0.8 M clocks beside 1.07 M reports, 27 % of its CPU).
  TimeMs shortest_debounce = kNever;
  for (const Lot* l : lots) shortest_debounce = std::min<TimeMs>(shortest_debounce, l->timing().debounce_ms);
  const TimeMs clock_step = std::clamp<TimeMs>(shortest_debounce / 2, 100, 1'000);

  std::vector<std::unique_ptr<LotPlay>> plays;
  std::map<std::string, LotPlay*, std::less<>> by_id;
  std::set<std::string> plates_taken;  // by the residents of the lots so far
  for (std::size_t i = 0; i < lots.size(); ++i) {
    sim::ModelSettings settings;
    settings.seed = o.seed + i;
    settings.faults = o.faults;
    settings.ground_locks = o.ground_locks;
    if (lots.size() > 1) {
      settings.household_prefix = lots[i]->id() + "-";
      settings.plates_taken = &plates_taken;
    }
    plays.push_back(std::make_unique<LotPlay>(*lots[i], settings, start));
    by_id.emplace(lots[i]->id(), plays.back().get());
  }
  if (!o.write_registry.empty()) return write_registry(o, plays);
  const bool district = plays.size() > 1;
  // The faults this run plays, so that whoever watches knows the truth to score parkd against:
  // those planned at the start, and the rest (tricycles) as they come.
  const auto tell_faults = [&](LotPlay& p) {
    for (; p.faults_told < p.model.faults().size(); ++p.faults_told) {
      const auto& f = p.model.faults()[p.faults_told];
      const std::string& subject = fault_subject(*p.lot, f);
      std::printf("parksim: fault %s on %s%s%s from %s%s\n", f.kind.c_str(), district ? p.lot->id().c_str() : "",
                  district ? "/" : "", subject.c_str(), local_time_text(f.from, p.lot->utc_offset_minutes()).c_str(),
                  f.to > 0 ? (" to " + local_time_text(f.to, p.lot->utc_offset_minutes())).c_str() : "");
    }
    std::fflush(stdout);
  };
  for (auto& p : plays) tell_faults(*p);
  const BrokerUris brokers = parse_broker_uris(o.broker);
  if (!brokers.error.empty()) {
    std::fprintf(stderr, "parksim: --broker: %s\n", brokers.error.c_str());
    return 2;
  }
  std::vector<std::string> lot_ids;
  for (const Lot* l : lots) lot_ids.push_back(l->id());
  sim::BrokerLink link(brokers.uris, lot_ids);

  // The play runs at most 90 simulated seconds past a gate event before its decision comes (and
  // in steps of a minute at most): the car, parking two minutes after its event, parks as it
  // would have with parkd's real milliseconds, and the play barely waits: at x4,000, 90 s are
  // 22 real ms. parksim waits two real seconds at most for a decision of a parkd online.
  sim::BarrierWait barriers(90'000, std::chrono::seconds(2));
  std::chrono::steady_clock::duration held_at_barriers{};
  TimeMs played_to = start;
  auto take_inbox = [&] {
    for (auto& [topic, payload] : link.take_inbox()) {
      const auto play = by_id.find(topic_lot(topic));
      if (play == by_id.end()) continue;  // a lot of the district this run does not play
      LotPlay& p = *play->second;
      if (topic.find("/displays/") != std::string::npos) {
        parking::v1::DisplayFrame f;
        if (f.ParseFromString(payload)) {
          p.frame_at_start_seen = p.frame_at_start_seen || f.generated_at_ms() == start;
          p.frames[f.display_id()] = f;
        }
      } else if (topic.find("/decision") != std::string::npos) {
        parking::v1::GateDecision dec;
        if (!dec.ParseFromString(payload)) continue;
        const auto event_at = barriers.decided({p.lot->id(), dec.gate_id(), dec.event_seq()}, played_to);
        if (dec.admit() && !dec.assigned_space().empty()) {
          p.model.on_assignment(dec.plate(), dec.assigned_space(), event_at.value_or(played_to));
        }
        if (!dec.admit()) p.model.on_refusal(dec.plate());  // only entries are ever refused
      } else if (topic.find("/engine/status") != std::string::npos) {
        parking::v1::EngineStatus st;
        if (st.ParseFromString(payload)) {
          p.engine_online = st.online();
          p.model.set_parkd_online(p.engine_online);
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
  // taken it, which its signs' first frames, made at that time, say (for every lot: a district
  // may have several parkd processes). The clock goes again every half second meanwhile: a parkd
  // that was not yet subscribed when the first went (just started) would otherwise never take
  // it (seen in the soak: 10 s lost in one run of three). Not forever: a parkd whose clock is
  // past `start` (left from an earlier run) refuses it.
  const auto waiting = [&] {
    std::string ids;
    for (const auto& p : plays) {
      if (!p->frame_at_start_seen) ids += (ids.empty() ? "" : ", ") + p->lot->id();
    }
    return ids;
  };
  {
    const auto waited = std::chrono::steady_clock::now();
    auto clock_again = waited + std::chrono::milliseconds(500);
    while (!waiting().empty() && !g_stop && std::chrono::steady_clock::now() - waited < std::chrono::seconds(10)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      take_inbox();
      if (std::chrono::steady_clock::now() >= clock_again) {
        send_clock(start);
        clock_again += std::chrono::milliseconds(500);
      }
    }
    if (const std::string ids = waiting(); !ids.empty() && !g_stop) {
      std::fprintf(stderr, "parksim: no sign frame at the first SimClock within 10 s%s%s: is parkd running with --sim-clock, "
                           "and not already past %s (restart it for a new run)? Playing anyway\n",
                   district ? " for lot(s) " : "", district ? ids.c_str() : "",
                   local_time_text(start, first_lot.utc_offset_minutes()).c_str());
    }
  }

  const auto real_start = std::chrono::steady_clock::now();
  auto last_draw = real_start - std::chrono::seconds(1);
  parking::v1::SensorReport report;
  parking::v1::GateEvent gate;
  std::vector<std::pair<sim::DeviceMessage, LotPlay*>> due_messages;
  while (!g_stop) {
    const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
    // At most a simulated minute per step: when the broker or parkd cannot take messages as fast
    // as --speed asks, the simulation runs slower instead of piling up what is due in memory.
    const TimeMs due = start + static_cast<TimeMs>(elapsed_s * o.speed * 1'000.0);
    const TimeMs waited_for = barriers.limit(std::chrono::steady_clock::now(), [&](const std::string& lot) {
      const auto play = by_id.find(lot);
      return play != by_id.end() && play->second->engine_online;
    });
    const TimeMs unbarred = std::min({end, due, played_to + kMaxStepMs});
    const bool at_barrier = waited_for < unbarred;
    const TimeMs target = at_barrier ? std::max(played_to, waited_for) : unbarred;
    // Every lot's messages of the step in one time order, so the one clock moves on in step.
    due_messages.clear();
    for (auto& p : plays) {
      for (sim::DeviceMessage& msg : p->model.advance(target)) due_messages.emplace_back(std::move(msg), p.get());
    }
    if (district) {
      std::stable_sort(due_messages.begin(), due_messages.end(), [](const auto& a, const auto& b) { return a.first.at < b.first.at; });
    }
    played_to = target;
    for (const auto& [msg, p] : due_messages) {
      const Lot& lot = *p->lot;
      if (msg.at >= clock_sent + clock_step) send_clock(msg.at);
      if (msg.kind == sim::DeviceMessage::Kind::SensorReport) {
        const Space& space = lot.spaces()[msg.space];
        report.set_sensor_id(space.sensor_id);
        report.set_space_id(space.id);
        report.set_boot_id(msg.boot_id);
        report.set_seq(msg.seq);
        report.set_observed_at_ms(msg.at);
        report.set_occupied(msg.occupied);
        report.set_kind(msg.heartbeat ? parking::v1::REPORT_KIND_HEARTBEAT : parking::v1::REPORT_KIND_CHANGE);
        report.set_battery_mv(msg.battery_mv);
        link.publish(sensor_report_topic(lot.id(), space.sensor_id), report.SerializeAsString());
      } else {
        const std::string& gate_id = lot.gates()[msg.gate].id;
        gate.set_gate_id(gate_id);
        gate.set_seq(msg.gate_seq);
        gate.set_at_ms(msg.at);
        gate.set_plate(msg.plate);
        gate.set_direction(msg.entry ? parking::v1::DIRECTION_ENTRY : parking::v1::DIRECTION_EXIT);
        sim::BrokerLink::Key key{lot.id(), gate_id, msg.gate_seq};
        link.publish(gate_event_topic(lot.id(), gate_id), gate.SerializeAsString(), key);
        barriers.sent(std::move(key), msg.at, std::chrono::steady_clock::now());
      }
    }
    if (target > clock_sent) send_clock(target);
    for (auto& p : plays) {
      if (p->model.faults().size() > p->faults_told) tell_faults(*p);
    }

    take_inbox();
    if (o.view && std::chrono::steady_clock::now() - last_draw >= std::chrono::milliseconds(500)) {
      if (district) {
        draw_district(o, plays);
      } else {
        draw(o, *plays.front());
      }
      last_draw = std::chrono::steady_clock::now();
    }
    if (target >= end) break;
    if (target == due) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // caught up
    } else if (at_barrier) {
      const auto before = std::chrono::steady_clock::now();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a driver at a barrier: its decision is on its way
      held_at_barriers += std::chrono::steady_clock::now() - before;
    }
  }
  if (!o.truth.empty() && !g_stop) {
    // Changes of the last moments wait in parkd's debounce: one more clock releases them. Then
    // the decisions still on their way.
    TimeMs debounce = 0;
    for (const Lot* l : lots) debounce = std::max<TimeMs>(debounce, l->timing().debounce_ms);
    send_clock(played_to + debounce + 1'000);
    link.flush();
    const auto wait_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!barriers.empty() && std::chrono::steady_clock::now() < wait_until && !g_stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      take_inbox();
    }
    const std::vector<sim::BrokerLink::Key> acknowledged = link.acknowledged();  // a copy, taken once
    for (const auto& p : plays) {
      if (!write_truth(district ? o.truth + "." + p->lot->id() : o.truth, *p, clock_sent, barriers, acknowledged)) return 1;
    }
  }
  link.close();
  const double real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  const double days = static_cast<double>(played_to - start) / static_cast<double>(kMsPerDay);
  const double pace = static_cast<double>(played_to - start) / 1'000.0 / std::max(real_s, 0.001);
  sim::ModelStats total;
  for (std::size_t i = 0; i < plays.size(); ++i) {
    const auto& s = plays[i]->model.stats();
    std::printf("parksim: played %.2f simulated days of lot %s (seed %llu) in %.0f s (x%.0f): %llu sensor reports, "
                "%llu gate events, %u resident and %u visitor arrivals, %u guided, %u turned away\n",
                days, plays[i]->lot->id().c_str(), static_cast<unsigned long long>(o.seed + i), real_s, pace,
                static_cast<unsigned long long>(s.sensor_reports), static_cast<unsigned long long>(s.gate_events),
                s.parked_residents, s.parked_visitors, s.guided_arrivals, s.turned_away);
    total.sensor_reports += s.sensor_reports;
    total.gate_events += s.gate_events;
    total.parked_residents += s.parked_residents;
    total.parked_visitors += s.parked_visitors;
    total.guided_arrivals += s.guided_arrivals;
    total.turned_away += s.turned_away;
  }
  if (district) {
    std::printf("parksim: the district, %zu lots, in %.0f s: %llu sensor reports (%.0f/s), %llu gate events, %u resident and "
                "%u visitor arrivals, %u guided, %u turned away\n",
                plays.size(), real_s, static_cast<unsigned long long>(total.sensor_reports),
                static_cast<double>(total.sensor_reports) / std::max(real_s, 0.001),
                static_cast<unsigned long long>(total.gate_events), total.parked_residents, total.parked_visitors,
                total.guided_arrivals, total.turned_away);
  }
  if (!barriers.lags().empty()) {
    std::vector<TimeMs> lags = barriers.lags();
    std::sort(lags.begin(), lags.end());
    const auto at = [&](double q) {
      return static_cast<double>(lags[static_cast<std::size_t>(q * static_cast<double>(lags.size() - 1))]) / 1'000.0;
    };
    std::printf("parksim: %zu decisions seen, in simulated s after their events: median %.0f, p99 %.0f, worst %.0f; the play "
                "waited %.1f s for them at the barriers\n",
                lags.size(), at(0.5), at(0.99), at(1.0), std::chrono::duration<double>(held_at_barriers).count());
  }
  // Now, not at exit: a checker that ends the process abnormally after main (a sanitizer's leak
  // report) must not take the summary with it.
  std::fflush(stdout);
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
