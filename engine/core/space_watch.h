// The rules that find one lot's spaces lying (SPEC "Spaces that lie"): a space that guided cars
// keep avoiding or that stays free all night in a full lot (BLOCKED_SUSPECT, which makes it
// `suspect`), a car that never moves (LONG_OCCUPANCY), a sensor that cannot make up its mind
// (FLAPPING_SENSOR). Fed with the occupancy's changes and its unused holds, and with time; it
// raises and clears alerts, and flags and unflags suspect spaces in the occupancy. A change of
// state costs a few field updates; nothing scans the lot per report.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alert.h"
#include "lot.h"
#include "occupancy.h"
#include "time_ms.h"

namespace parkd {

class SpaceWatch {
 public:
  explicit SpaceWatch(const Lot& lot);

  // Every change of a space's effective state, in order. Flags it sets or clears in
  // `occupancy` make changes of their own, for the caller's next batch.
  void on_change(const SpaceChange& change, Occupancy& occupancy);
  void on_unused_hold(const UnusedHold& hold);
  // Fires the rules' checks due at or before `now`.
  void advance(TimeMs now, Occupancy& occupancy);
  TimeMs next_due();

  // An operator opened the space: a suspicion of it ends (closing ends it through on_change).
  void opened(SpaceIndex space, TimeMs now, Occupancy& occupancy);
  // Ends an active alert by hand; the rule may raise it again later. The alert as it ended, or
  // nullopt: no such alert.
  std::optional<Alert> dismiss(std::string_view alert_id, std::string_view reason, TimeMs now, Occupancy& occupancy);

  // After a restart, before the first report and after the spaces are restored. False when
  // what the alert was about ended while parkd was down (the space is occupied or closed now).
  bool restore_alert(const Alert& alert, Occupancy& occupancy);
  void restore_strikes(SpaceIndex space, std::vector<TimeMs> strikes);
  void restore_occupied_since(SpaceIndex space, TimeMs since);

  const std::vector<Alert>& active() const { return active_; }
  // Alerts raised or cleared since the last call (cleared ones have cleared_at set), in order.
  void take_alert_changes(std::vector<Alert>& into);
  // Spaces whose strike list changed since the last call.
  void take_strike_changes(std::vector<SpaceIndex>& into);
  std::span<const TimeMs> strikes(SpaceIndex space) const;
  bool has_effects() const { return !alert_changes_.empty() || !strike_changes_.empty(); }

 private:
  enum class Check : std::uint8_t { LongOccupancy, FlappingQuiet, Strike };
  struct Timer {
    TimeMs due;
    SpaceIndex space;
    Check check;
    bool operator>(const Timer& o) const { return due > o.due; }
  };
  struct SpaceRuntime {
    TimeMs since = 0;           // when the current state began
    TimeMs occupied_since = 0;  // valid while occupied
    TimeMs flap_window_start = 0;
    std::uint32_t flap_changes = 0;  // accepted changes in the window
    bool occupied : 1 = false;
    bool long_queued : 1 = false;
    bool blocked_alert : 1 = false;
    bool long_alert : 1 = false;
    bool flap_alert : 1 = false;
  };

  void raise(AlertKind kind, SpaceIndex space, TimeMs at, std::string zh, std::string en);
  void clear(AlertKind kind, SpaceIndex space, TimeMs at, std::string how);
  void end_suspicion(SpaceIndex space, TimeMs at, std::string how, Occupancy& occupancy);
  void count_flap(SpaceIndex space, TimeMs at);
  void add_strike(SpaceIndex space, TimeMs at, Occupancy& occupancy);
  // How long after a hold ended unused the space must stay untaken for it to count: the guided
  // car may still be on its way (another car parking in the zone ends the oldest hold at once).
  TimeMs strike_grace() const { return hold_ms_; }
  void clear_strikes(SpaceIndex space);
  void fire(const Timer& t, Occupancy& occupancy);
  void update_fullness(const Occupancy& occupancy, TimeMs at);
  void night_check(TimeMs at, Occupancy& occupancy);
  // The night window containing `t`, or the next one: [start, end).
  std::pair<TimeMs, TimeMs> night_window(TimeMs t) const;
  TimeMs first_night_check() const;

  const Lot& lot_;
  // Copies of what every change reads, so that a change touches the watch and not the lot.
  const AlertRules rules_;
  const std::uint32_t reserve_;
  const std::uint32_t accessible_;
  const TimeMs hold_ms_;
  std::vector<SpaceRuntime> spaces_;
  std::unordered_map<SpaceIndex, std::vector<TimeMs>> strikes_;  // few spaces at a time
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  TimeMs last_occupation_ = -1;  // the latest time a free or held space became occupied
  TimeMs full_since_ = kNever;   // since when no more than the night reserve is free
  TimeMs night_due_ = kNever;
  std::vector<Alert> active_;
  std::vector<Alert> alert_changes_;
  std::vector<SpaceIndex> strike_changes_;
};

}  // namespace parkd
