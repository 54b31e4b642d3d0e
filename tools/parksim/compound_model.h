// A simulated compound: resident cars with daily routines, visitors, and one sensor per space
// with heartbeats and faults. Pure and deterministic for a seed: time goes in, the messages
// devices would send come out, in time order.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/lot.h"
#include "core/time_ms.h"

namespace parkd::sim {

struct ModelSettings {
  std::uint32_t resident_cars = 280;
  std::uint32_t households = 1'469;
  double visitors_per_hour = 6.0;  // between 08:00 and 20:00 local time
  bool faults = true;
  // false: each sensor reports its state once at the start and then only its changes (a test
  // that follows states over weeks needs no minute-by-minute heartbeats: 7.5 M of them in 28 days).
  bool heartbeats = true;
  std::uint32_t ground_locks = 2;  // with faults: spaces a ground lock blocks for days
  std::uint32_t tricycles = 7;     // with faults: spaces tricycles and cargo bikes take for a day and a half
  double missed_exit_rate = 0.03;  // with faults: exits the first gate's camera misses, from the second noon
  std::uint64_t seed = 1;
  // Put before every household id in registry_files(): lots served by one parkd share its
  // registry, so a district's copies of a compound need households of their own.
  std::string household_prefix;
  // The residents' plates of the lots made before this one, when several lots share one parkd's
  // registry (a plate holds one permit, whatever the lot): this lot's residents and visitors get
  // plates not in it, and its residents' plates go in. Null: only this lot's own are kept apart.
  std::set<std::string>* plates_taken = nullptr;
};

// What a device sends; the caller encodes it for the wire.
struct DeviceMessage {
  enum class Kind { SensorReport, GateEvent } kind = Kind::SensorReport;
  TimeMs at = 0;
  // SensorReport
  std::uint32_t space = 0;
  std::uint32_t boot_id = 0;
  std::uint64_t seq = 0;
  bool occupied = false;
  bool heartbeat = false;
  std::uint32_t battery_mv = 0;
  // GateEvent
  std::uint32_t gate = 0;
  std::uint64_t gate_seq = 0;
  std::string plate;
  bool entry = true;
};

struct ModelStats {
  std::uint32_t parked_residents = 0;
  std::uint32_t parked_visitors = 0;
  std::uint32_t turned_away = 0;      // found no free space and left again
  std::uint32_t guided_arrivals = 0;  // parked on the space parkd assigned
  std::uint64_t sensor_reports = 0;
  std::uint64_t gate_events = 0;
};

// The residents as the property office registers them, in the spec's CSV columns (header first).
struct RegistryFiles {
  std::string households_csv;
  std::string vehicles_csv;
};

class CompoundModel {
 public:
  CompoundModel(const Lot& lot, ModelSettings settings, TimeMs start);

  // Every message due at or before `now`, in time order.
  std::vector<DeviceMessage> advance(TimeMs now);
  // parkd's decision for a plate at a gate, on its event of `event_at`: the barrier opened then
  // (parkd decides in milliseconds; a play thousands of times faster only reads it later), so
  // the car reaches that space two minutes after it, or now if that is past, and takes it if it
  // is free. A car that hears nothing (parkd away) parks where it can after about a quarter of
  // an hour.
  void on_assignment(const std::string& plate, const std::string& space_id, TimeMs event_at);
  // parkd kept the barrier shut for a car at an entry: it drives away (it never came in).
  void on_refusal(const std::string& plate);
  // While parkd says it is online, a car at the barrier waits up to an hour for its decision
  // (at the soak's x4000 a decision a second late is an hour); while it is away, a guard lets
  // cars in after about a quarter of an hour.
  void set_parkd_online(bool online) { parkd_online_ = online; }

  // Households and their cars, all registered before the start: about one car in three shares
  // its household with another (three at most), one household in four rents (its lease ends
  // 2 to 16 months after the start). Deterministic for a seed.
  RegistryFiles registry_files() const;

  const ModelStats& stats() const { return stats_; }
  std::uint32_t occupied_spaces() const;
  // What is really on each space (by space index), and whether its sensor can be expected to
  // have told parkd (it is not in a silence, and its last report said what is there).
  struct SpaceTruth {
    bool occupied = false;
    bool sensor_tells = false;
  };
  std::vector<SpaceTruth> truth() const;
  const Lot& lot() const { return lot_; }
  TimeMs now() const { return now_; }

  // The faults played, so that a test can score what parkd found. Times are 0 when not (yet) so.
  struct Fault {
    std::string kind;  // ground_lock, abandoned_car, flapping_sensor, tricycle; missed_exits (a gate's camera)
    std::uint32_t space = 0;  // missed_exits: the gate's index
    TimeMs from = 0;
    TimeMs to = 0;             // the end, if it ends within the run's plan
    TimeMs first_noticed = 0;  // ground_lock: the first guided car that found it blocked
  };
  const std::vector<Fault>& faults() const { return faults_; }
  // The exits the faulty camera missed: the car left, parkd was not told.
  struct MissedExit {
    std::string plate;
    TimeMs at = 0;
    bool visitor = false;
  };
  const std::vector<MissedExit>& missed_exits() const { return missed_exits_; }
  // Cars that stood on one space for a week or more without moving, by their routines alone (a
  // traveller's car left at home through a long trip): no fault, but what LONG_OCCUPANCY is for,
  // so a test can tell such an alert from one raised for nothing. `to` is 0 while it still stands.
  struct LongStay {
    std::string plate;
    std::uint32_t space = 0;
    TimeMs from = 0;
    TimeMs to = 0;
  };
  std::vector<LongStay> long_stays() const;
  bool blocked(std::uint32_t space) const { return blocked_[space]; }

 private:
  enum class Profile { Commuter, Homebody, NightShift, Traveller };
  struct Car {
    std::string plate;
    std::uint32_t building = 0;
    std::uint32_t gate = 0;
    Profile profile = Profile::Commuter;
    bool visitor = false;
    std::optional<std::uint32_t> space;  // where it is parked
    TimeMs parked_at = 0;                // since when
    std::string assigned_space;          // parkd's latest assignment for it
    bool abandoned = false;              // left on its space for good
    bool at_gate = false;                // came in and has not parked yet
  };
  struct Sensor {
    std::uint32_t boot_id = 1;
    std::uint64_t seq = 0;
    std::uint32_t battery_mv = 3'300;
    bool occupied = false;
    bool silent = false;
    std::uint32_t flaps_left = 0;  // a faulty sensor's wrong readings still to come
  };
  enum class EventKind {
    Heartbeat, Arrive, Park, Leave, Exit, Plan, Visitor, SensorFlap, Truth, SilenceStart, SilenceEnd, Reboot,
    LockUp, LockDown, FlapStart, FlapTick, TricyclesIn, TricyclesOut,
  };
  struct Event {
    TimeMs at;
    std::uint64_t order;  // ties keep insertion order: same seed, same run
    EventKind kind;
    std::uint32_t subject;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  void schedule(TimeMs at, EventKind kind, std::uint32_t subject);
  void plan_day(std::uint32_t car, TimeMs day_start);
  void handle(const Event& e, std::vector<DeviceMessage>& out);
  void report(std::uint32_t space, bool heartbeat, TimeMs at, std::vector<DeviceMessage>& out);
  void gate_event(std::uint32_t car, bool entry, TimeMs at, std::vector<DeviceMessage>& out);
  void raise_lock(std::uint32_t fault, TimeMs at);
  std::optional<std::uint32_t> choose_space(const Car& car);
  std::string make_plate(bool new_energy);
  TimeMs local_day_start(TimeMs t) const;
  TimeMs minutes(double m) const { return static_cast<TimeMs>(m * 60'000.0); }
  double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }

  const Lot& lot_;
  ModelSettings settings_;
  std::mt19937_64 rng_;
  TimeMs start_;
  TimeMs now_;
  std::vector<Car> cars_;
  std::vector<Sensor> sensors_;
  std::vector<std::int64_t> parked_car_;  // per space: car index or -1
  std::vector<std::uint64_t> gate_seq_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t order_ = 0;
  std::uint32_t flapper_ = 0xffffffffu;  // the space whose sensor flaps when a car parks
  ModelStats stats_;
  std::vector<Fault> faults_;
  std::vector<LongStay> long_stays_;  // ended ones; those still standing are added when asked
  std::vector<bool> blocked_;  // per space: a raised ground lock (its sensor reads free)
  std::vector<std::int32_t> lock_waiting_;  // per space: a lock's fault index, up once the car on it leaves; -1: none
  std::vector<bool> tricycle_;  // per space: taken by a tricycle (its sensor reads occupied)
  std::vector<bool> faulty_;    // per space: some fault plays on it; tricycles go elsewhere
  std::vector<MissedExit> missed_exits_;
  std::size_t camera_fault_ = static_cast<std::size_t>(-1);  // its index in faults_
  bool parkd_online_ = false;
};

}  // namespace parkd::sim
