// The space rules: per-space state lives in a dense array touched only on a change of state;
// strikes, active alerts and timers are few and kept aside.
#include "space_watch.h"

#include <algorithm>

namespace parkd {
namespace {

constexpr TimeMs kMsPerHour = 60 * kMsPerMinute;
// While the lot stays full at night, free spaces are looked at this often.
constexpr TimeMs kNightRecheck = 10 * kMsPerMinute;

bool is_free_like(SpaceState s) { return s == SpaceState::Free || s == SpaceState::Held || s == SpaceState::Suspect; }

}  // namespace

SpaceWatch::SpaceWatch(const Lot& lot)
    : lot_(lot),
      rules_(lot.alert_rules()),
      reserve_(lot.reserve().reserve_spaces),
      accessible_(static_cast<std::uint32_t>(lot.accessible_spaces())),
      hold_ms_(lot.timing().hold_ms),
      spaces_(lot.spaces().size()) {}

void SpaceWatch::on_change(const SpaceChange& c, Occupancy& occupancy) {
  SpaceRuntime& s = spaces_[c.space];
  s.since = c.at;
  const bool was_occupied = c.from == SpaceState::Occupied;
  const bool now_occupied = c.to == SpaceState::Occupied;
  // A sensor's change between free and occupied; a closure or a stale sensor is not one.
  if ((was_occupied && is_free_like(c.to)) || (now_occupied && is_free_like(c.from))) count_flap(c.space, c.at);

  if (now_occupied) {
    if (is_free_like(c.from)) {
      last_occupation_ = c.at;
      clear_strikes(c.space);
      if (s.blocked_alert) end_suspicion(c.space, c.at, "occupied", occupancy);
    }
    if (!s.occupied) {
      s.occupied = true;
      s.occupied_since = c.at;
    }
    // Back from a silent sensor or a closure, the car's time counts from when it came.
    if (!s.long_queued) {
      s.long_queued = true;
      timers_.push(Timer{std::max(c.at, s.occupied_since + rules_.long_occupancy_ms), c.space, Check::LongOccupancy});
    }
  } else if (is_free_like(c.to) && s.occupied) {
    s.occupied = false;
    if (s.long_alert) clear(AlertKind::LongOccupancy, c.space, c.at, "freed");
  }
  if (c.to == SpaceState::Closed) {
    clear_strikes(c.space);
    if (s.blocked_alert) end_suspicion(c.space, c.at, "closed", occupancy);
  }
  update_fullness(occupancy, c.at);
}

void SpaceWatch::on_unused_hold(const UnusedHold& hold) {
  // A hold that ran out counts only if some space was taken during it: cars were parking, just
  // not here. One that ended because a car parked elsewhere in the zone may have been another
  // car's doing: either counts only if the space is still untaken a grace period later.
  if (hold.parked_elsewhere || last_occupation_ >= hold.began) {
    timers_.push(Timer{hold.ended + strike_grace(), hold.space, Check::Strike});
  }
}

void SpaceWatch::add_strike(SpaceIndex space, TimeMs at, Occupancy& occupancy) {
  SpaceRuntime& s = spaces_[space];
  if (s.blocked_alert || occupancy.state(space) == SpaceState::Closed) return;
  auto& list = strikes_[space];
  list.erase(list.begin(), std::find_if(list.begin(), list.end(),
                                        [&](TimeMs t) { return t > at - rules_.blocked_window_ms; }));
  list.push_back(at);
  strike_changes_.push_back(space);
  if (list.size() < rules_.blocked_strikes) return;
  const std::string& id = lot_.spaces()[space].id;
  const auto n = std::to_string(list.size());
  const auto [span_zh, span_en] = duration_words(list.back() - list.front());
  raise(AlertKind::BlockedSuspect, space, at,
        id + "：" + span_zh + "内" + n + "辆被引导至此的车停在了别处——请检查地锁或车位上的物品",
        id + ": " + n + " cars guided here in " + span_en + " parked elsewhere — check for a ground lock or an object on the space");
  s.blocked_alert = true;
  occupancy.set_suspect(space, true, at);
}

void SpaceWatch::clear_strikes(SpaceIndex space) {
  if (strikes_.empty()) return;
  if (strikes_.erase(space) > 0) strike_changes_.push_back(space);
}

std::span<const TimeMs> SpaceWatch::strikes(SpaceIndex space) const {
  const auto it = strikes_.find(space);
  if (it == strikes_.end()) return {};
  return it->second;
}

void SpaceWatch::count_flap(SpaceIndex space, TimeMs at) {
  SpaceRuntime& s = spaces_[space];
  if (s.flap_alert) {
    ++s.flap_changes;  // the quiet check at the window's end looks at it
    return;
  }
  // Windows start at the first change after the last one ended: 20 in a window are always 20
  // within an hour, and a sensor that keeps flapping fills the next window soon enough.
  if (s.flap_changes == 0 || at >= s.flap_window_start + rules_.flapping_window_ms) {
    s.flap_window_start = at;
    s.flap_changes = 0;
  }
  if (++s.flap_changes < rules_.flapping_changes) return;
  const std::string& id = lot_.spaces()[space].id;
  const auto n = std::to_string(s.flap_changes);
  const auto minutes = std::to_string(rules_.flapping_window_ms / kMsPerMinute);
  raise(AlertKind::FlappingSensor, space, at,
        id + "：传感器" + minutes + "分钟内变化" + n + "次——请检查或更换传感器",
        id + ": its sensor changed " + n + " times within " + minutes + " minutes — check or replace the sensor");
  s.flap_alert = true;
  s.flap_window_start = at;
  s.flap_changes = 0;
  timers_.push(Timer{at + rules_.flapping_window_ms, space, Check::FlappingQuiet});
}

void SpaceWatch::raise(AlertKind kind, SpaceIndex space, TimeMs at, std::string zh, std::string en) {
  Alert a;
  a.lot_id = lot_.id();
  a.kind = kind;
  a.space_id = lot_.spaces()[space].id;
  a.alert_id = make_alert_id(a.space_id, kind, at);
  a.raised_at = at;
  a.detail_zh = std::move(zh);
  a.detail_en = std::move(en);
  active_.push_back(a);
  alert_changes_.push_back(std::move(a));
}

void SpaceWatch::clear(AlertKind kind, SpaceIndex space, TimeMs at, std::string how) {
  SpaceRuntime& s = spaces_[space];
  switch (kind) {
    case AlertKind::BlockedSuspect: s.blocked_alert = false; break;
    case AlertKind::LongOccupancy: s.long_alert = false; break;
    case AlertKind::FlappingSensor: s.flap_alert = false; break;
    default: break;
  }
  const std::string& id = lot_.spaces()[space].id;
  const auto it = std::find_if(active_.begin(), active_.end(),
                               [&](const Alert& a) { return a.kind == kind && a.space_id == id; });
  if (it == active_.end()) return;
  Alert a = std::move(*it);
  active_.erase(it);
  a.cleared_at = std::max(at, a.raised_at);
  a.cleared_by = std::move(how);
  alert_changes_.push_back(std::move(a));
}

void SpaceWatch::end_suspicion(SpaceIndex space, TimeMs at, std::string how, Occupancy& occupancy) {
  clear(AlertKind::BlockedSuspect, space, at, std::move(how));
  clear_strikes(space);
  occupancy.set_suspect(space, false, at);
}

void SpaceWatch::opened(SpaceIndex space, TimeMs now, Occupancy& occupancy) {
  clear_strikes(space);
  if (spaces_[space].blocked_alert) end_suspicion(space, now, "opened", occupancy);
}

std::optional<Alert> SpaceWatch::dismiss(std::string_view alert_id, std::string_view reason, TimeMs now,
                                         Occupancy& occupancy) {
  const auto it = std::find_if(active_.begin(), active_.end(), [&](const Alert& a) { return a.alert_id == alert_id; });
  if (it == active_.end()) return std::nullopt;
  const AlertKind kind = it->kind;
  const auto space = lot_.find_space(it->space_id);
  if (!space) return std::nullopt;
  std::string how = std::string(kDismissedBy) + std::string(reason);
  SpaceRuntime& s = spaces_[*space];
  switch (kind) {
    case AlertKind::BlockedSuspect:
      end_suspicion(*space, now, std::move(how), occupancy);
      break;
    case AlertKind::LongOccupancy:
      clear(kind, *space, now, std::move(how));
      // Still there after another full period: raised again.
      timers_.push(Timer{now + rules_.long_occupancy_ms, *space, Check::LongOccupancy});
      break;
    case AlertKind::FlappingSensor:
      clear(kind, *space, now, std::move(how));
      s.flap_changes = 0;
      break;
    default:
      clear(kind, *space, now, std::move(how));
      break;
  }
  return alert_changes_.back();  // clearing put the ended alert there
}

void SpaceWatch::fire(const Timer& t, Occupancy& occupancy) {
  SpaceRuntime& s = spaces_[t.space];
  const std::string& id = lot_.spaces()[t.space].id;
  switch (t.check) {
    case Check::LongOccupancy: {
      // Only a car seen there now: a silent sensor or a closure waits for the space to show
      // occupied again (on_change queues the check anew).
      if (!s.occupied || occupancy.state(t.space) != SpaceState::Occupied) {
        s.long_queued = false;
        return;
      }
      const TimeMs due = s.occupied_since + rules_.long_occupancy_ms;
      if (due > t.due) {
        timers_.push(Timer{due, t.space, Check::LongOccupancy});  // it moved since: look again then
        return;
      }
      s.long_queued = false;
      if (s.long_alert) return;
      const auto days = std::to_string((t.due - s.occupied_since) / kMsPerDay);
      raise(AlertKind::LongOccupancy, t.space, t.due,
            id + "：已连续占用" + days + "天——请核实是否为长期停放的僵尸车并联系车主",
            id + ": occupied without a break for " + days + " days — check for an abandoned car and contact its owner");
      s.long_alert = true;
      return;
    }
    case Check::Strike: {
      const TimeMs ended = t.due - strike_grace();
      // Taken since the hold ended (the guided car came after all, or another one did): the
      // space is fine. Occupied, closed or already suspect now: nothing to add either.
      if (s.occupied || s.occupied_since >= ended || occupancy.state(t.space) == SpaceState::Occupied) return;
      add_strike(t.space, t.due, occupancy);
      return;
    }
    case Check::FlappingQuiet: {
      if (!s.flap_alert) return;
      if (s.flap_changes < rules_.flapping_quiet_changes) {
        clear(AlertKind::FlappingSensor, t.space, t.due, "quiet");
        s.flap_changes = 0;
        return;
      }
      s.flap_window_start = t.due;
      s.flap_changes = 0;
      timers_.push(Timer{t.due + rules_.flapping_window_ms, t.space, Check::FlappingQuiet});
      return;
    }
  }
}

std::pair<TimeMs, TimeMs> SpaceWatch::night_window(TimeMs t) const {
  const TimeMs offset = TimeMs{lot_.utc_offset_minutes()} * kMsPerMinute;
  const TimeMs day_start = (t + offset) / kMsPerDay * kMsPerDay - offset;  // local midnight before t (t >= 0)
  const TimeMs start_in_day = TimeMs{rules_.night_start_minute} * kMsPerMinute;
  TimeMs end_in_day = TimeMs{rules_.night_end_minute} * kMsPerMinute;
  if (end_in_day <= start_in_day) end_in_day += kMsPerDay;  // wraps midnight
  // The window that began the day before may still be running at t.
  for (TimeMs base : {day_start - kMsPerDay, day_start, day_start + kMsPerDay}) {
    if (t < base + end_in_day) return {base + start_in_day, base + end_in_day};
  }
  return {day_start + kMsPerDay + start_in_day, day_start + kMsPerDay + end_in_day};
}

TimeMs SpaceWatch::first_night_check() const {
  if (full_since_ == kNever || rules_.night_free_ms == 0) return kNever;
  auto [start, end] = night_window(full_since_);
  TimeMs due = std::max(full_since_, start) + rules_.night_free_ms;
  if (due >= end) {
    std::tie(start, end) = night_window(end);
    due = start + rules_.night_free_ms;
  }
  return due;
}

void SpaceWatch::update_fullness(const Occupancy& occupancy, TimeMs at) {
  // Free spaces anybody may take; accessible ones are kept apart, as for the night reserve.
  const std::uint32_t free_all = occupancy.lot_counts().free();
  bool full = free_all <= reserve_;
  if (!full && free_all <= reserve_ + accessible_) full = free_all - occupancy.lot_free_accessible() <= reserve_;
  if (full == (full_since_ != kNever)) return;
  full_since_ = full ? at : kNever;
  night_due_ = first_night_check();
}

void SpaceWatch::night_check(TimeMs at, Occupancy& occupancy) {
  const auto [start, end] = night_window(at);
  const TimeMs threshold = at - rules_.night_free_ms;
  if (at >= start && full_since_ <= threshold && start <= threshold) {
    std::vector<SpaceIndex> found;
    occupancy.for_each_free([&](SpaceIndex i) {
      if (lot_.spaces()[i].kind != SpaceKind::Accessible && spaces_[i].since <= threshold) found.push_back(i);
    });
    const auto hours = std::to_string(rules_.night_free_ms / kMsPerHour);
    const auto minutes = std::to_string(rules_.night_free_ms / kMsPerMinute);
    for (SpaceIndex i : found) {
      const std::string& id = lot_.spaces()[i].id;
      const bool whole = rules_.night_free_ms % kMsPerHour == 0;
      raise(AlertKind::BlockedSuspect, i, at,
            id + "：夜间全场车位已满时仍空闲" + (whole ? hours + "小时" : minutes + "分钟") +
                "——请检查地锁或车位上的物品",
            id + ": free for " + (whole ? hours + " h" : minutes + " minutes") +
                " at night while the lot was full — check for a ground lock or an object on the space");
      spaces_[i].blocked_alert = true;
      clear_strikes(i);
      occupancy.set_suspect(i, true, at);
    }
  }
  night_due_ = at + kNightRecheck < end ? at + kNightRecheck : first_night_check();
  if (night_due_ <= at) night_due_ = at + kNightRecheck;
}

void SpaceWatch::advance(TimeMs now, Occupancy& occupancy) {
  for (;;) {
    const TimeMs timer_due = timers_.empty() ? kNever : timers_.top().due;
    const TimeMs due = std::min(timer_due, night_due_);
    if (due > now) return;
    if (due == night_due_) {
      night_check(due, occupancy);
    } else {
      const Timer t = timers_.top();
      timers_.pop();
      fire(t, occupancy);
    }
  }
}

TimeMs SpaceWatch::next_due() { return std::min(timers_.empty() ? kNever : timers_.top().due, night_due_); }

bool SpaceWatch::restore_alert(const Alert& alert, Occupancy& occupancy) {
  const auto space = lot_.find_space(alert.space_id);
  if (!space || !alert.active()) return false;
  SpaceRuntime& s = spaces_[*space];
  switch (alert.kind) {
    case AlertKind::BlockedSuspect:
      if (s.blocked_alert || occupancy.state(*space) == SpaceState::Occupied ||
          occupancy.state(*space) == SpaceState::Closed) {
        return false;
      }
      s.blocked_alert = true;
      occupancy.set_suspect(*space, true, alert.raised_at);
      break;
    case AlertKind::LongOccupancy:
      if (s.long_alert || occupancy.state(*space) != SpaceState::Occupied) return false;
      s.long_alert = true;
      break;
    case AlertKind::FlappingSensor:
      if (s.flap_alert) return false;
      s.flap_alert = true;
      s.flap_window_start = std::max(alert.raised_at, s.since);
      s.flap_changes = 0;
      timers_.push(Timer{s.flap_window_start + rules_.flapping_window_ms, *space, Check::FlappingQuiet});
      break;
    default:
      return false;
  }
  active_.push_back(alert);
  return true;
}

void SpaceWatch::restore_strikes(SpaceIndex space, std::vector<TimeMs> strikes) {
  if (strikes.empty()) return;
  std::sort(strikes.begin(), strikes.end());
  strikes_[space] = std::move(strikes);
}

void SpaceWatch::restore_occupied_since(SpaceIndex space, TimeMs since) {
  SpaceRuntime& s = spaces_[space];
  if (!s.occupied || since >= s.occupied_since) return;
  s.occupied_since = since;
  timers_.push(Timer{since + rules_.long_occupancy_ms, space, Check::LongOccupancy});
  s.long_queued = true;
}

void SpaceWatch::take_alert_changes(std::vector<Alert>& into) {
  into.clear();
  into.swap(alert_changes_);
}

void SpaceWatch::take_strike_changes(std::vector<SpaceIndex>& into) {
  into.clear();
  into.swap(strike_changes_);
}

}  // namespace parkd
