// The simulated compound's routines: who leaves when, who comes back, where they park.
#include "compound_model.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "core/civil_day.h"

namespace parkd::sim {

namespace {
constexpr TimeMs kSecond = 1'000;
constexpr TimeMs kMinute = 60 * kSecond;
constexpr TimeMs kHour = 60 * kMinute;
constexpr TimeMs kHeartbeat = 60 * kSecond;
constexpr TimeMs kLongStay = 7 * 24 * kHour;  // half the shipped LONG_OCCUPANCY threshold
constexpr TimeMs kLockUp = 72 * kHour;  // how long a ground lock stays up
}  // namespace

CompoundModel::CompoundModel(const Lot& lot, ModelSettings settings, TimeMs start)
    : lot_(lot),
      settings_(settings),
      rng_(settings.seed),
      start_(start),
      now_(start),
      sensors_(lot.spaces().size()),
      parked_car_(lot.spaces().size(), -1),
      gate_seq_(lot.gates().size(), 0),
      blocked_(lot.spaces().size(), false),
      lock_waiting_(lot.spaces().size(), -1),
      tricycle_(lot.spaces().size(), false),
      faulty_(lot.spaces().size(), false) {
  for (auto& s : sensors_) {
    s.boot_id = static_cast<std::uint32_t>(rng_() | 1u);
    s.battery_mv = static_cast<std::uint32_t>(uniform(2'900, 3'400));
  }
  std::set<std::string> own_plates;
  std::set<std::string>& plates = settings_.plates_taken != nullptr ? *settings_.plates_taken : own_plates;
  for (std::uint32_t i = 0; i < settings_.resident_cars; ++i) {
    Car car;
    do {
      car.plate = make_plate(rng_() % 10 == 0);
    } while (!plates.insert(car.plate).second);
    car.building = lot_.buildings().empty() ? 0 : static_cast<std::uint32_t>(rng_() % lot_.buildings().size());
    const double p = uniform(0, 1);
    car.profile = p < 0.60 ? Profile::Commuter : p < 0.85 ? Profile::Homebody : p < 0.90 ? Profile::NightShift : Profile::Traveller;
    // The gate whose nearest zones include the building's nearest zone.
    if (!lot_.buildings().empty()) {
      const ZoneIndex home_zone = lot_.buildings()[car.building].nearest_zones.front();
      for (std::uint32_t g = 0; g < lot_.gates().size(); ++g) {
        const auto& zones = lot_.gates()[g].nearest_zones;
        if (std::find(zones.begin(), zones.end(), home_zone) != zones.end()) car.gate = g;
      }
    }
    cars_.push_back(car);
  }
  // At the start (night) everyone but night workers and travellers is home, if there is room.
  for (std::uint32_t c = 0; c < cars_.size(); ++c) {
    if (cars_[c].profile == Profile::NightShift || cars_[c].profile == Profile::Traveller) continue;
    if (auto space = choose_space(cars_[c])) {
      cars_[c].space = *space;
      cars_[c].parked_at = start;
      parked_car_[*space] = c;
      sensors_[*space].occupied = true;
    }
  }
  for (std::uint32_t s = 0; s < sensors_.size(); ++s) {
    schedule(start + static_cast<TimeMs>(uniform(0, kHeartbeat)), EventKind::Heartbeat, s);
  }
  const TimeMs today = local_day_start(start);
  for (std::uint32_t c = 0; c < cars_.size(); ++c) {
    plan_day(c, today);
    if (cars_[c].profile == Profile::NightShift) schedule(today + 7 * kHour + minutes(uniform(-30, 30)), EventKind::Arrive, c);
    if (cars_[c].profile == Profile::Traveller) schedule(today + static_cast<TimeMs>(uniform(1, 3)) * 24 * kHour + 15 * kHour, EventKind::Arrive, c);
  }
  schedule(today + 24 * kHour, EventKind::Plan, 0);
  schedule(std::max(start, today + 8 * kHour), EventKind::Visitor, 0);
  if (settings_.faults && sensors_.size() >= 4) {
    // Four distinct spaces, picked by the seed: a flapping sensor, a silent one, one that
    // reboots every night, one with a low battery.
    std::vector<std::uint32_t> pick(sensors_.size());
    for (std::uint32_t i = 0; i < pick.size(); ++i) pick[i] = i;
    std::shuffle(pick.begin(), pick.end(), rng_);
    flapper_ = pick[0];
    for (std::size_t i = 0; i < 4; ++i) faulty_[pick[i]] = true;
    schedule(today + 10 * kHour, EventKind::SilenceStart, pick[1]);
    schedule(today + 3 * kHour, EventKind::Reboot, pick[2]);
    sensors_[pick[3]].battery_mv = 2'300;
    // Spaces that lie (#12), on ordinary spaces the other faults do not use: ground locks raised
    // for three days from the first morning on, a day apart; a sensor that flaps for two hours
    // on the second afternoon; a car left on its space for good.
    std::vector<std::uint32_t> ordinary;
    for (std::size_t i = 4; i < pick.size(); ++i) {
      if (lot_.spaces()[pick[i]].kind == SpaceKind::Ordinary) ordinary.push_back(pick[i]);
    }
    std::size_t next = 0;
    for (std::uint32_t k = 0; k < settings_.ground_locks && next < ordinary.size(); ++k, ++next) {
      faulty_[ordinary[next]] = true;
      const TimeMs from = today + 30 * kHour + static_cast<TimeMs>(k) * 24 * kHour;
      faults_.push_back(Fault{"ground_lock", ordinary[next], from, from + kLockUp, 0});
      schedule(from, EventKind::LockUp, static_cast<std::uint32_t>(faults_.size() - 1));
    }
    if (next < ordinary.size()) {
      faulty_[ordinary[next]] = true;
      const TimeMs from = today + 38 * kHour;
      faults_.push_back(Fault{"flapping_sensor", ordinary[next], from, from + 2 * kHour, 0});
      schedule(from, EventKind::FlapStart, ordinary[next++]);
    }
    for (; next < ordinary.size(); ++next) {
      if (parked_car_[ordinary[next]] < 0) continue;
      cars_[static_cast<std::size_t>(parked_car_[ordinary[next]])].abandoned = true;
      faulty_[ordinary[next]] = true;
      faults_.push_back(Fault{"abandoned_car", ordinary[next], start, 0, 0});
      break;
    }
    // The first morning, when the commuters are out, tricycles and cargo bikes take free spaces
    // for a day and a half (the gates see none of them come in). From the second noon on the
    // first gate's camera misses some exits.
    if (settings_.tricycles > 0) schedule(today + 10 * kHour + 30 * kMinute, EventKind::TricyclesIn, 0);
    if (settings_.missed_exit_rate > 0 && !lot_.gates().empty()) {
      camera_fault_ = faults_.size();
      faults_.push_back(Fault{"missed_exits", 0, today + 36 * kHour, 0, 0});
    }
  }
}

void CompoundModel::schedule(TimeMs at, EventKind kind, std::uint32_t subject) {
  events_.push(Event{std::max(at, now_), order_++, kind, subject});
}

TimeMs CompoundModel::local_day_start(TimeMs t) const {
  const TimeMs offset = static_cast<TimeMs>(lot_.utc_offset_minutes()) * kMinute;
  const TimeMs local = t + offset;
  TimeMs day = local / (24 * kHour);
  if (local < 0 && local % (24 * kHour) != 0) --day;
  return day * 24 * kHour - offset;
}

void CompoundModel::plan_day(std::uint32_t c, TimeMs day) {
  const Car& car = cars_[c];
  const TimeMs local_days = (day + static_cast<TimeMs>(lot_.utc_offset_minutes()) * kMinute) / (24 * kHour);
  const int weekday = static_cast<int>((local_days + 4) % 7);  // 1970-01-01 was a Thursday; 0 = Sunday
  const bool weekend = weekday == 0 || weekday == 6;
  switch (car.profile) {
    case Profile::Commuter:
      if (!weekend) {
        const TimeMs leave = day + 7 * kHour + minutes(uniform(0, 120));
        schedule(leave, EventKind::Leave, c);
        schedule(day + 17 * kHour + minutes(uniform(30, 210)), EventKind::Arrive, c);
      } else if (uniform(0, 1) < 0.5) {
        const TimeMs leave = day + 10 * kHour + minutes(uniform(0, 240));
        schedule(leave, EventKind::Leave, c);
        schedule(leave + minutes(uniform(60, 300)), EventKind::Arrive, c);
      }
      break;
    case Profile::Homebody:
      if (uniform(0, 1) < 0.5) {
        const TimeMs leave = day + 9 * kHour + minutes(uniform(0, 120));
        schedule(leave, EventKind::Leave, c);
        schedule(leave + minutes(uniform(60, 180)), EventKind::Arrive, c);
      }
      break;
    case Profile::NightShift:
      if (!weekend) {
        schedule(day + 21 * kHour + minutes(uniform(0, 60)), EventKind::Leave, c);
        schedule(day + 31 * kHour + minutes(uniform(-30, 30)), EventKind::Arrive, c);
      }
      break;
    case Profile::Traveller:
      if (car.space && uniform(0, 1) < 0.3) {
        const TimeMs leave = day + 8 * kHour + minutes(uniform(0, 240));
        schedule(leave, EventKind::Leave, c);
        schedule(leave + static_cast<TimeMs>(uniform(24, 72) * static_cast<double>(kHour)), EventKind::Arrive, c);
      }
      break;
  }
}

std::vector<DeviceMessage> CompoundModel::advance(TimeMs now) {
  std::vector<DeviceMessage> out;
  while (!events_.empty() && events_.top().at <= now) {
    const Event e = events_.top();
    events_.pop();
    now_ = e.at;
    handle(e, out);
  }
  now_ = std::max(now_, now);
  return out;
}

void CompoundModel::handle(const Event& e, std::vector<DeviceMessage>& out) {
  switch (e.kind) {
    case EventKind::Heartbeat:
      if (!sensors_[e.subject].silent) report(e.subject, true, e.at, out);
      if (settings_.heartbeats) {
        schedule(e.at + kHeartbeat + static_cast<TimeMs>(uniform(-500, 500)), EventKind::Heartbeat, e.subject);
      }
      return;
    case EventKind::Plan:
      for (std::uint32_t c = 0; c < settings_.resident_cars; ++c) plan_day(c, e.at);
      schedule(e.at + 24 * kHour, EventKind::Plan, 0);
      return;
    case EventKind::Visitor: {
      const int minute = local_minute_of_day(e.at, lot_.utc_offset_minutes());
      if (minute >= 8 * 60 && minute < 20 * 60) {
        Car visitor;
        do {
          visitor.plate = make_plate(rng_() % 8 == 0);
        } while (settings_.plates_taken != nullptr && settings_.plates_taken->contains(visitor.plate));
        visitor.visitor = true;
        visitor.gate = lot_.gates().empty() ? 0 : static_cast<std::uint32_t>(rng_() % lot_.gates().size());
        cars_.push_back(visitor);
        schedule(e.at, EventKind::Arrive, static_cast<std::uint32_t>(cars_.size() - 1));
        const double gap = std::exponential_distribution<double>(settings_.visitors_per_hour)(rng_);
        schedule(e.at + static_cast<TimeMs>(gap * static_cast<double>(kHour)), EventKind::Visitor, 0);
      } else {
        schedule(local_day_start(e.at) + (minute >= 20 * 60 ? 32 : 8) * kHour, EventKind::Visitor, 0);
      }
      return;
    }
    case EventKind::Arrive: {
      Car& car = cars_[e.subject];
      if (car.space) return;  // already home
      gate_event(e.subject, true, e.at, out);
      car.at_gate = true;
      // The barrier opens on parkd's decision and the car parks two minutes later
      // (on_assignment); this if no decision comes (parkd or the broker away). A decision that
      // is only late must not send the car elsewhere: its space would count a strike.
      schedule(e.at + minutes(parkd_online_ ? uniform(59, 61) : uniform(14, 16)), EventKind::Park, e.subject);
      return;
    }
    case EventKind::Park: {
      Car& car = cars_[e.subject];
      if (!car.at_gate || car.space) return;  // parked already, on its guidance
      car.at_gate = false;
      std::optional<std::uint32_t> space;
      const auto assigned = lot_.find_space(car.assigned_space);
      if (assigned && parked_car_[*assigned] < 0 && !blocked_[*assigned] && !tricycle_[*assigned]) {
        space = assigned;
        ++stats_.guided_arrivals;
      } else {
        if (assigned && blocked_[*assigned]) {  // sent to a locked space: it parks elsewhere
          for (Fault& f : faults_) {
            if (f.kind == "ground_lock" && f.space == *assigned && f.first_noticed == 0) f.first_noticed = e.at;
          }
        }
        space = choose_space(car);
      }
      car.assigned_space.clear();
      if (!space) {  // nothing free: drive out again
        ++stats_.turned_away;
        schedule(e.at + minutes(uniform(3, 8)), EventKind::Exit, e.subject);
        return;
      }
      car.space = *space;
      car.parked_at = e.at;
      parked_car_[*space] = e.subject;
      sensors_[*space].occupied = true;
      report(*space, false, e.at, out);
      if (car.visitor) {
        ++stats_.parked_visitors;
        schedule(e.at + minutes(uniform(20, 240)), EventKind::Leave, e.subject);
      } else {
        ++stats_.parked_residents;
      }
      if (*space == flapper_) {  // the car manoeuvres: the sensor says free for a moment
        schedule(e.at + 800, EventKind::SensorFlap, *space);
      }
      return;
    }
    case EventKind::Leave: {
      Car& car = cars_[e.subject];
      if (!car.space) return;  // it was parked outside; nothing the compound sees
      if (car.abandoned) return;  // its day is planned as any other's (same draws), it just never goes
      const std::uint32_t space = *car.space;
      if (e.at - car.parked_at >= kLongStay) long_stays_.push_back({car.plate, space, car.parked_at, e.at});
      car.space.reset();
      parked_car_[space] = -1;
      sensors_[space].occupied = false;
      report(space, false, e.at, out);
      if (lock_waiting_[space] >= 0) raise_lock(static_cast<std::uint32_t>(std::exchange(lock_waiting_[space], -1)), e.at);
      schedule(e.at + minutes(uniform(1, 2)), EventKind::Exit, e.subject);
      return;
    }
    case EventKind::Exit:
      gate_event(e.subject, false, e.at, out);
      return;
    case EventKind::SensorFlap: {
      Sensor& s = sensors_[e.subject];
      s.occupied = !s.occupied;  // a wrong reading...
      report(e.subject, false, e.at, out);
      s.occupied = parked_car_[e.subject] >= 0;  // ...and the truth 700 ms later
      schedule(e.at + 700, EventKind::Truth, e.subject);
      return;
    }
    case EventKind::Truth:
      report(e.subject, false, e.at, out);
      return;
    case EventKind::SilenceStart:
      sensors_[e.subject].silent = true;
      schedule(e.at + 4 * kHour, EventKind::SilenceEnd, e.subject);
      return;
    case EventKind::SilenceEnd:
      sensors_[e.subject].silent = false;
      report(e.subject, false, e.at, out);
      schedule(e.at + 20 * kHour, EventKind::SilenceStart, e.subject);
      return;
    case EventKind::LockUp:
      if (parked_car_[faults_[e.subject].space] >= 0) {  // its holder raises it as the car leaves
        lock_waiting_[faults_[e.subject].space] = static_cast<std::int32_t>(e.subject);
        return;
      }
      raise_lock(e.subject, e.at);
      return;
    case EventKind::LockDown:
      blocked_[faults_[e.subject].space] = false;
      return;
    case EventKind::TricyclesIn: {
      std::vector<std::uint32_t> free;
      for (std::uint32_t sp = 0; sp < parked_car_.size(); ++sp) {
        if (parked_car_[sp] < 0 && !blocked_[sp] && !faulty_[sp] && !tricycle_[sp] &&
            lot_.spaces()[sp].kind == SpaceKind::Ordinary) {
          free.push_back(sp);
        }
      }
      std::shuffle(free.begin(), free.end(), rng_);
      for (std::uint32_t k = 0; k < settings_.tricycles && k < free.size(); ++k) {
        const std::uint32_t sp = free[k];
        tricycle_[sp] = true;
        sensors_[sp].occupied = true;
        report(sp, false, e.at, out);
        faults_.push_back(Fault{"tricycle", sp, e.at, e.at + 36 * kHour, 0});
      }
      schedule(e.at + 36 * kHour, EventKind::TricyclesOut, 0);
      return;
    }
    case EventKind::TricyclesOut:
      for (std::uint32_t sp = 0; sp < tricycle_.size(); ++sp) {
        if (!tricycle_[sp]) continue;
        tricycle_[sp] = false;
        sensors_[sp].occupied = false;
        report(sp, false, e.at, out);
      }
      return;
    case EventKind::FlapStart:
      sensors_[e.subject].flaps_left = 80;  // one wrong reading every 90 s: two hours
      schedule(e.at, EventKind::FlapTick, e.subject);
      return;
    case EventKind::FlapTick: {
      Sensor& s = sensors_[e.subject];
      if (s.flaps_left == 0) return;
      --s.flaps_left;
      s.occupied = !(parked_car_[e.subject] >= 0);  // wrong for 45 s: longer than any debounce
      report(e.subject, false, e.at, out);
      s.occupied = parked_car_[e.subject] >= 0;
      schedule(e.at + 45 * kSecond, EventKind::Truth, e.subject);
      schedule(e.at + 90 * kSecond, EventKind::FlapTick, e.subject);
      return;
    }
    case EventKind::Reboot: {
      Sensor& s = sensors_[e.subject];
      s.boot_id = static_cast<std::uint32_t>(rng_() | 1u);
      s.seq = 0;
      schedule(e.at + 5 * kSecond, EventKind::Truth, e.subject);  // its first words after booting
      schedule(e.at + 24 * kHour, EventKind::Reboot, e.subject);
      return;
    }
  }
}

std::vector<CompoundModel::LongStay> CompoundModel::long_stays() const {
  std::vector<LongStay> stays = long_stays_;
  for (const Car& car : cars_) {
    if (car.space && !car.abandoned && now_ - car.parked_at >= kLongStay) stays.push_back({car.plate, *car.space, car.parked_at, 0});
  }
  return stays;
}

std::vector<CompoundModel::SpaceTruth> CompoundModel::truth() const {
  std::vector<SpaceTruth> out(parked_car_.size());
  for (std::size_t s = 0; s < out.size(); ++s) {
    out[s].occupied = parked_car_[s] >= 0 || tricycle_[s];
    out[s].sensor_tells = !sensors_[s].silent && sensors_[s].occupied == out[s].occupied;
  }
  return out;
}

void CompoundModel::report(std::uint32_t space, bool heartbeat, TimeMs at, std::vector<DeviceMessage>& out) {
  Sensor& s = sensors_[space];
  DeviceMessage m;
  m.kind = DeviceMessage::Kind::SensorReport;
  m.at = at;
  m.space = space;
  m.boot_id = s.boot_id;
  m.seq = ++s.seq;
  m.occupied = s.occupied;
  m.heartbeat = heartbeat;
  m.battery_mv = s.battery_mv;
  out.push_back(m);
  ++stats_.sensor_reports;
}

void CompoundModel::raise_lock(std::uint32_t fault, TimeMs at) {
  // Up for three days from when it really goes up: a car that stood on the space (a traveller's,
  // for days) put it off, and the fault's times say when it was there to be found.
  Fault& f = faults_[fault];
  f.from = at;
  f.to = at + kLockUp;
  blocked_[f.space] = true;
  schedule(f.to, EventKind::LockDown, fault);
}

void CompoundModel::gate_event(std::uint32_t c, bool entry, TimeMs at, std::vector<DeviceMessage>& out) {
  if (lot_.gates().empty()) return;
  if (!entry && camera_fault_ < faults_.size() && cars_[c].gate == faults_[camera_fault_].space &&
      at >= faults_[camera_fault_].from && uniform(0, 1) < settings_.missed_exit_rate) {
    missed_exits_.push_back(MissedExit{cars_[c].plate, at, cars_[c].visitor});  // the camera saw nothing
    return;
  }
  DeviceMessage m;
  m.kind = DeviceMessage::Kind::GateEvent;
  m.at = at;
  m.gate = cars_[c].gate;
  m.gate_seq = ++gate_seq_[m.gate];
  m.plate = cars_[c].plate;
  m.entry = entry;
  out.push_back(m);
  ++stats_.gate_events;
}

std::optional<std::uint32_t> CompoundModel::choose_space(const Car& car) {
  std::vector<ZoneIndex> zones;
  if (!car.visitor && !lot_.buildings().empty()) {
    zones = lot_.buildings()[car.building].nearest_zones;
  } else if (!lot_.gates().empty()) {
    zones = lot_.gates()[car.gate].nearest_zones;
  }
  for (ZoneIndex z = 0; z < lot_.zones().size(); ++z) {
    if (std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  }
  for (bool allow_ev : {false, true}) {
    for (ZoneIndex z : zones) {
      const Zone& zone = lot_.zones()[z];
      std::vector<std::uint32_t> free;
      for (std::uint32_t s = zone.first_space; s < zone.first_space + zone.space_count; ++s) {
        const SpaceKind kind = lot_.spaces()[s].kind;
        if (parked_car_[s] >= 0 || blocked_[s] || tricycle_[s] || kind == SpaceKind::Accessible) continue;
        if (kind == SpaceKind::EvCharging && !allow_ev) continue;
        free.push_back(s);
      }
      if (!free.empty()) return free[rng_() % free.size()];
    }
  }
  return std::nullopt;
}

void CompoundModel::on_assignment(const std::string& plate, const std::string& space_id, TimeMs event_at) {
  for (auto it = cars_.rbegin(); it != cars_.rend(); ++it) {
    if (it->plate == plate && !it->space) {
      it->assigned_space = space_id;
      if (it->at_gate) {
        schedule(std::max(now_, event_at + 2 * kMinute), EventKind::Park,
                 static_cast<std::uint32_t>(std::distance(it, cars_.rend()) - 1));
      }
      return;
    }
  }
}

void CompoundModel::on_refusal(const std::string& plate) {
  for (auto it = cars_.rbegin(); it != cars_.rend(); ++it) {
    if (it->plate == plate && it->at_gate && !it->space) {
      it->at_gate = false;  // its pending Park finds it gone
      ++stats_.turned_away;
      return;
    }
  }
}

std::uint32_t CompoundModel::occupied_spaces() const {
  std::uint32_t taken = 0;
  for (std::size_t s = 0; s < parked_car_.size(); ++s) taken += parked_car_[s] >= 0 || tricycle_[s] ? 1 : 0;
  return taken;
}

RegistryFiles CompoundModel::registry_files() const {
  std::mt19937_64 rng(settings_.seed * 7'919 + 17);  // its own stream: the day's events stay as they were
  auto pick = [&rng](int lo, int hi) { return lo + static_cast<int>(rng() % static_cast<std::uint64_t>(hi - lo + 1)); };
  const CivilDay start_day = local_day(start_, lot_.utc_offset_minutes());
  RegistryFiles out{"household_id,building,room,household_type,lease_end\n", "plate,household_id,registered_on\n"};
  std::map<std::uint32_t, std::vector<std::uint32_t>> by_building;
  for (std::uint32_t c = 0; c < settings_.resident_cars && c < cars_.size(); ++c) by_building[cars_[c].building].push_back(c);
  for (const auto& [building, cars] : by_building) {
    const std::string building_id = lot_.buildings().empty() ? "1" : lot_.buildings()[building].id;
    std::set<std::string> rooms;
    std::string household;
    int cars_in_household = 0;
    CivilDay registered = 0;
    for (std::uint32_t c : cars) {
      if (household.empty() || cars_in_household == 3 || pick(0, 99) >= 35) {
        std::string room;
        do {
          char buf[8];
          std::snprintf(buf, sizeof buf, "%02d%02d", pick(1, 18), pick(1, 4));
          room = buf;
        } while (!rooms.insert(room).second);
        household = settings_.household_prefix + "H" + building_id + "-" + room;
        const bool tenant = pick(0, 99) < 25;
        out.households_csv += household + "," + building_id + "," + room + "," + (tenant ? "tenant," : "owner,") +
                              (tenant ? format_civil_day(start_day + pick(60, 480)) : "") + "\n";
        cars_in_household = 0;
        registered = start_day - pick(400, 3'000);
      }
      ++cars_in_household;
      registered += pick(1, 300);  // a household's cars were registered one after the other
      out.vehicles_csv += cars_[c].plate + "," + household + "," + format_civil_day(std::min(registered, start_day - 1)) + "\n";
    }
  }
  return out;
}

std::string CompoundModel::make_plate(bool new_energy) {
  static const char* const kProvinces[] = {"沪", "沪", "沪", "沪", "苏", "浙", "皖"};
  static const char kLetters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  static const char kChars[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  std::string plate = kProvinces[rng_() % 7];
  plate += kLetters[rng_() % 24];
  if (new_energy) {  // GA 36: D or F, a letter or digit, then four digits
    plate += (rng_() % 2 == 0) ? 'D' : 'F';
    plate += kChars[rng_() % 34];
    for (int i = 0; i < 4; ++i) plate += kChars[rng_() % 10];
    return plate;
  }
  for (int i = 0; i < 5; ++i) plate += (i < 2 ? kChars[rng_() % 34] : kChars[rng_() % 10]);
  return plate;
}

}  // namespace parkd::sim
