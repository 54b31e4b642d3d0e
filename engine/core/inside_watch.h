// The rules that hold one lot's spaces against the gates' record of the cars inside (SPEC
// "Spaces that lie"): more spaces occupied than cars came in (OCCUPIED_WITHOUT_ENTRY: a
// tricycle, cones, a car that came round the barrier), more cars inside than spaces occupied
// (MISSED_EXITS: a camera that misses exits), and a visitor who stays beyond the pact's
// overstay (VISITOR_OVERSTAY). Fed with the two counts when either changes, with visitors'
// entries and cars' exits, and with time; it raises and clears alerts. Each call is a few
// comparisons: nothing scans the record except to name the cars in a MISSED_EXITS alert.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "alert.h"
#include "cars_inside.h"
#include "lot.h"
#include "time_ms.h"

namespace parkd {

class InsideWatch {
 public:
  explicit InsideWatch(const Lot& lot);

  // The occupied spaces or the cars inside changed at `at`.
  void on_counts(std::uint32_t occupied, std::uint32_t inside, TimeMs at);
  // A visitor's car came in (or is inside after a restart): raised if it is still inside, under
  // the same entry, at its overstay_at.
  void visitor_in(const CarInside& car);
  // A car is no longer inside under that entry (it left, was settled, or came in again).
  void car_out(std::string_view plate, TimeMs at, std::string how);
  // Fires what is due at or before `now`; `cars` names the cars in a MISSED_EXITS alert.
  void advance(TimeMs now, const CarsInside& cars);
  TimeMs next_due() const;

  // Ends an active alert by hand. A count rule raises it again once its condition has held its
  // full time again; an overstay is not raised again for the same stay. The alert as it ended,
  // or nullopt: no such alert.
  std::optional<Alert> dismiss(std::string_view alert_id, std::string_view reason, TimeMs now);
  // After a restart, once the spaces and the record are restored. False when what it was about
  // ended while parkd was down (the visitor left).
  bool restore_alert(const Alert& alert, const CarsInside& cars);
  // After a restart, an alert that ended: a dismissed overstay whose visitor is still inside
  // under the same entry is not raised again for that stay.
  void restore_ended_alert(const Alert& alert, const CarsInside& cars);

  const std::vector<Alert>& active() const { return active_; }
  // Alerts raised or cleared since the last call, in order (replaces what `into` held).
  void take_alert_changes(std::vector<Alert>& into);
  bool has_effects() const { return !alert_changes_.empty(); }

 private:
  struct CountRule {
    AlertKind kind;
    std::uint32_t raise_excess;
    TimeMs raise_after;
    std::uint32_t clear_excess;
    TimeMs since = kNever;   // since when the count has been on the way to flipping the rule
    TimeMs broken = kNever;  // since when it has not been, while `since` still stands
    bool active = false;
  };
  struct Overstay {
    TimeMs due;
    std::string plate;
    TimeMs entered_at;
    bool operator>(const Overstay& o) const { return due > o.due; }
  };

  std::int64_t excess(const CountRule& rule) const;
  void evaluate(CountRule& rule, TimeMs at);
  TimeMs due(const CountRule& rule) const;
  void flip(CountRule& rule, TimeMs at, const CarsInside& cars);
  void raise(Alert alert);
  void clear(std::vector<Alert>::iterator it, TimeMs at, std::string how);
  std::string local_time(TimeMs t) const;

  const Lot& lot_;
  const TimeMs clear_after_;
  // A car between the barrier and its space is inside and on no space: dips of the count that
  // last no longer than the lot's hold (the time a car is given to reach its space) do not
  // start a rule's time again.
  const TimeMs transit_;
  CountRule unentered_;
  CountRule missed_exits_;
  std::uint32_t occupied_ = 0;
  std::uint32_t inside_ = 0;
  std::priority_queue<Overstay, std::vector<Overstay>, std::greater<>> overstays_;
  std::set<std::pair<std::string, TimeMs>> overstay_dismissed_;  // (plate, entered_at) from before a restart
  std::vector<Alert> active_;
  std::vector<Alert> alert_changes_;
};

}  // namespace parkd
