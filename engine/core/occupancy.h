// The occupancy map of one lot: sensor ordering, debounce, staleness, holds and closures,
// with per-zone and per-lot counts kept incrementally.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lot.h"
#include "sensor_reading.h"
#include "state_counts.h"
#include "time_ms.h"

namespace parkd {

struct SpaceChange {
  SpaceIndex space = 0;
  SpaceState from = SpaceState::Unknown;
  SpaceState to = SpaceState::Unknown;
  TimeMs at = 0;
};

// A hold that ended without its car parking there: it ran out, or a car parked on another free
// space of the zone while it was the zone's oldest (the car guided here is taken to be that one).
struct UnusedHold {
  SpaceIndex space = 0;
  TimeMs began = 0;
  TimeMs ended = 0;
  bool parked_elsewhere = false;  // false: it ran out
};

struct SensorStatus {
  bool ever_heard = false;
  bool stale = false;          // heard once, then silent for stale_after
  TimeMs last_heard = 0;       // parkd's time of the last accepted report
  std::uint32_t boot_id = 0;
  std::uint64_t last_seq = 0;
  std::uint32_t battery_mv = 0;
  bool low_battery = false;
  bool change_pending = false; // a change is waiting out the debounce window
};

struct HoldInfo {
  std::string plate;
  TimeMs expires_at = 0;
  bool counts_if_unused = true;  // false: not reported as an UnusedHold (a late decision's)
};

// Which kinds of space a car may be given, in order of preference.
enum class SpaceNeed : std::uint8_t { Ordinary, Accessible, EvCharging };

class Occupancy {
 public:
  explicit Occupancy(const Lot& lot);

  // The reading must come from the sensor of `space` (the engine resolves that). Time must not
  // run backwards between calls; the engine guarantees it.
  ReportOutcome apply(SpaceIndex space, const SensorReading& reading, TimeMs now);

  // A hint that `space` will be touched soon: its state starts loading now.
  void prefetch(SpaceIndex space) const { __builtin_prefetch(&spaces_[space], 1); }

  // Fires every debounce, staleness and hold expiry due at or before `now`, earliest first.
  void advance(TimeMs now);
  // The earliest time advance() has something to do, or kNever.
  TimeMs next_due();

  // After a restart: the last known state counts at once, as if its sensor had just spoken
  // (no boot or sequence known yet, so its next report is taken whatever it carries). If the
  // sensor does not confirm within stale_after, the space becomes unknown.
  void restore(SpaceIndex space, bool occupied, bool closed, TimeMs now);

  // Operator closures: a closed space never counts as free, whatever its sensor says.
  void set_closed(SpaceIndex space, bool closed, TimeMs now);

  // A space believed blocked though its sensor says free: `suspect`, never offered, never free.
  // The sensor saying occupied shows through (the alert rules then clear the flag).
  void set_suspect(SpaceIndex space, bool suspect, TimeMs now);
  bool suspect(SpaceIndex space) const { return spaces_[space].suspect; }

  // Holds a free space for an arriving car; false when the space is not free.
  bool hold(SpaceIndex space, std::string_view plate, TimeMs now, bool counts_if_unused = true);
  void release_hold(SpaceIndex space, TimeMs now);

  // The first free space of `zone` fit for `need`, lowest index first; ordinary cars get an
  // EV space only when no ordinary one is free there, and never an accessible one.
  std::optional<SpaceIndex> find_free(ZoneIndex zone, SpaceNeed need) const;
  // A free space of exactly that kind in the zone, the lowest index first.
  std::optional<SpaceIndex> find_free_of_kind(ZoneIndex zone, SpaceKind kind) const;
  // Free accessible spaces: kept for those who need them, so counted apart from the free ones
  // anybody may take (the signs, the night reserve).
  std::uint32_t free_accessible(ZoneIndex zone) const;
  std::uint32_t lot_free_accessible() const;

  SpaceState state(SpaceIndex space) const { return spaces_[space].state; }
  const StateCounts& zone_counts(ZoneIndex zone) const { return zone_counts_[zone]; }
  const StateCounts& lot_counts() const { return lot_counts_; }
  SensorStatus sensor_status(SpaceIndex space) const;
  std::optional<HoldInfo> hold_info(SpaceIndex space) const;
  std::optional<SpaceIndex> find_hold(std::string_view plate) const;
  std::uint32_t stale_sensors() const { return stale_sensors_; }
  std::uint32_t low_battery_sensors() const { return low_battery_sensors_; }
  const Lot& lot() const { return lot_; }

  // Calls f(space) for every free space, lowest index first.
  template <typename F>
  void for_each_free(F&& f) const {
    for (std::size_t word = 0; word < free_bits_.size(); ++word) {
      for (std::uint64_t w = free_bits_[word]; w != 0; w &= w - 1) {
        f(static_cast<SpaceIndex>(word * 64 + static_cast<std::size_t>(__builtin_ctzll(w))));
      }
    }
  }

  // State changes since the last clear_changes(), in the order they happened.
  const std::vector<SpaceChange>& changes() const { return changes_; }
  void clear_changes() { changes_.clear(); }
  // Moves the changes into `into` (cleared first): changes made while the caller walks them
  // land in the next batch.
  void take_changes(std::vector<SpaceChange>& into) {
    into.clear();
    into.swap(changes_);
  }
  // Holds that ended unused since the last call, in order.
  void take_unused_holds(std::vector<UnusedHold>& into) {
    into.clear();
    into.swap(unused_holds_);
  }
  bool has_unused_holds() const { return !unused_holds_.empty(); }

 private:
  static constexpr SpaceIndex kNone = 0xffffffffu;

  // Kept small (40 bytes): with 200,000 spaces the whole map must stay within cache reach.
  struct SpaceRuntime {
    std::uint64_t last_seq = 0;
    TimeMs last_heard = 0;
    std::uint32_t boot_id = 0;
    std::uint32_t prev_boot_id = 0;
    std::uint32_t debounce_token = 0;  // 0: no change pending
    std::uint32_t hold_token = 0;      // 0: not held
    std::uint16_t battery_mv = 0;
    bool has_boot : 1 = false;
    bool has_prev_boot : 1 = false;
    bool sensor_known : 1 = false;         // false: never heard, or silent past stale_after
    bool sensor_occupied : 1 = false;      // the debounced state
    bool stale : 1 = false;
    bool silence_check_queued : 1 = false; // this sensor has its one entry in silence_checks_
    bool low_battery : 1 = false;
    bool closed : 1 = false;
    bool suspect : 1 = false;
    SpaceState state = SpaceState::Unknown;
  };

  // Constant windows make every queue FIFO in due time; cancelled entries are skipped lazily.
  struct Timer {
    TimeMs due;
    SpaceIndex space;
    std::uint32_t token;
  };

  std::uint32_t next_token();
  void refresh(SpaceIndex space, TimeMs at);
  SpaceState effective_state(const SpaceRuntime& s) const;
  void set_state(SpaceIndex space, SpaceState to, TimeMs at);
  void release_oldest_hold_in_zone(ZoneIndex zone, SpaceIndex except, TimeMs at);
  void drop_hold(SpaceRuntime& s, SpaceIndex space);
  void note_unused_hold(SpaceIndex space, TimeMs at, bool parked_elsewhere);
  void trim_queues();
  void set_battery(SpaceRuntime& s, std::uint32_t battery_mv);

  const Lot& lot_;
  std::vector<SpaceRuntime> spaces_;
  std::vector<StateCounts> zone_counts_;
  StateCounts lot_counts_;
  std::vector<std::uint64_t> free_bits_;
  std::vector<std::uint64_t> ordinary_bits_;
  std::vector<std::uint64_t> accessible_bits_;
  std::vector<std::uint64_t> ev_bits_;
  struct SilenceCheck {
    TimeMs due;
    SpaceIndex space;
    bool operator>(const SilenceCheck& o) const { return due > o.due; }
  };

  std::deque<Timer> debounces_;
  std::deque<Timer> holds_;
  // One entry per heard sensor, due when it would go silent if it had not been heard since the
  // entry was made; a report only moves last_heard, and a check that finds the sensor heard
  // again re-queues it. Reports thus cost no queue work.
  std::priority_queue<SilenceCheck, std::vector<SilenceCheck>, std::greater<>> silence_checks_;
  std::unordered_map<SpaceIndex, HoldInfo> holds_by_space_;  // few at a time
  std::uint32_t token_counter_ = 0;
  std::uint32_t stale_sensors_ = 0;
  std::uint32_t low_battery_sensors_ = 0;
  std::vector<SpaceChange> changes_;
  std::vector<UnusedHold> unused_holds_;
};

}  // namespace parkd
