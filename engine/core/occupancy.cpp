// Occupancy rules of one lot: every state change goes through refresh(), which alone moves counts.
#include "occupancy.h"

#include <algorithm>
#include <bit>

namespace parkd {
namespace {

void set_bit(std::vector<std::uint64_t>& bits, SpaceIndex i, bool on) {
  const std::uint64_t mask = std::uint64_t{1} << (i % 64);
  if (on) {
    bits[i / 64] |= mask;
  } else {
    bits[i / 64] &= ~mask;
  }
}

// First index in [first, first + count) set in both a and b.
std::optional<SpaceIndex> first_common(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                                       SpaceIndex first, std::uint32_t count) {
  const SpaceIndex end = first + count;
  for (SpaceIndex word = first / 64; word * 64 < end; ++word) {
    std::uint64_t w = a[word] & b[word];
    if (word == first / 64) w &= ~std::uint64_t{0} << (first % 64);
    if (w == 0) continue;
    const SpaceIndex i = word * 64 + static_cast<SpaceIndex>(std::countr_zero(w));
    if (i < end) return i;
    return std::nullopt;
  }
  return std::nullopt;
}

// How many indexes in [first, first + count) are set in both a and b.
std::uint32_t count_common(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b, SpaceIndex first,
                           std::uint32_t count) {
  const SpaceIndex end = first + count;
  std::uint32_t n = 0;
  for (SpaceIndex word = first / 64; word * 64 < end; ++word) {
    std::uint64_t w = a[word] & b[word];
    if (word == first / 64) w &= ~std::uint64_t{0} << (first % 64);
    if ((word + 1) * 64 > end) w &= (std::uint64_t{1} << (end % 64)) - 1;
    n += static_cast<std::uint32_t>(std::popcount(w));
  }
  return n;
}

}  // namespace

Occupancy::Occupancy(const Lot& lot)
    : lot_(lot),
      spaces_(lot.spaces().size()),
      zone_counts_(lot.zones().size()),
      free_bits_(lot.spaces().size() / 64 + 1, 0),
      ordinary_bits_(free_bits_.size(), 0),
      accessible_bits_(free_bits_.size(), 0),
      ev_bits_(free_bits_.size(), 0) {
  for (SpaceIndex i = 0; i < lot.spaces().size(); ++i) {
    const Space& space = lot.spaces()[i];
    zone_counts_[space.zone].add(SpaceState::Unknown);
    lot_counts_.add(SpaceState::Unknown);
    switch (space.kind) {
      case SpaceKind::Ordinary: set_bit(ordinary_bits_, i, true); break;
      case SpaceKind::Accessible: set_bit(accessible_bits_, i, true); break;
      case SpaceKind::EvCharging: set_bit(ev_bits_, i, true); break;
    }
  }
}

std::uint32_t Occupancy::next_token() {
  if (++token_counter_ == 0) ++token_counter_;
  return token_counter_;
}

ReportOutcome Occupancy::apply(SpaceIndex space, const SensorReading& reading, TimeMs now) {
  SpaceRuntime& s = spaces_[space];
  if (s.has_boot && reading.boot_id == s.boot_id) {
    if (reading.seq == s.last_seq) return ReportOutcome::Duplicate;
    if (reading.seq < s.last_seq) return ReportOutcome::OutOfOrder;
  } else if (s.has_prev_boot && reading.boot_id == s.prev_boot_id) {
    // A report of the previous boot that the network delivered after the new boot's first one.
    return ReportOutcome::OutOfOrder;
  } else {
    if (s.has_boot) {
      s.prev_boot_id = s.boot_id;
      s.has_prev_boot = true;
    }
    s.boot_id = reading.boot_id;
    s.has_boot = true;
  }
  s.last_seq = reading.seq;
  s.last_heard = now;
  set_battery(s, reading.battery_mv);
  if (!s.silence_check_queued) {
    s.silence_check_queued = true;
    silence_checks_.push(SilenceCheck{now + lot_.timing().stale_after_ms, space});
  }

  if (!s.sensor_known) {
    // From unknown there is nothing to flicker: the first word of a sensor counts at once.
    if (s.stale) {
      s.stale = false;
      --stale_sensors_;
    }
    s.sensor_known = true;
    s.sensor_occupied = reading.occupied;
    s.debounce_token = 0;
    refresh(space, now);
    return ReportOutcome::Accepted;
  }
  if (reading.occupied == s.sensor_occupied) {
    s.debounce_token = 0;  // a revert inside the window cancels the pending change
    return ReportOutcome::Accepted;
  }
  if (lot_.timing().debounce_ms == 0) {
    s.sensor_occupied = reading.occupied;
    refresh(space, now);
    return ReportOutcome::Accepted;
  }
  if (s.debounce_token == 0) {
    s.debounce_token = next_token();
    debounces_.push_back(Timer{now + lot_.timing().debounce_ms, space, s.debounce_token});
  }
  return ReportOutcome::Accepted;
}

void Occupancy::set_battery(SpaceRuntime& s, std::uint32_t battery_mv) {
  if (battery_mv == 0) return;  // unknown: keep what we knew
  s.battery_mv = static_cast<std::uint16_t>(std::min<std::uint32_t>(battery_mv, 0xffff));
  const bool low = battery_mv < lot_.timing().low_battery_mv;
  if (low != s.low_battery) {
    s.low_battery = low;
    if (low) {
      ++low_battery_sensors_;
    } else {
      --low_battery_sensors_;
    }
  }
}

void Occupancy::trim_queues() {
  while (!debounces_.empty() && spaces_[debounces_.front().space].debounce_token != debounces_.front().token) {
    debounces_.pop_front();
  }
  while (!holds_.empty() && spaces_[holds_.front().space].hold_token != holds_.front().token) {
    holds_.pop_front();
  }
}

TimeMs Occupancy::next_due() {
  trim_queues();
  TimeMs due = kNever;
  if (!debounces_.empty()) due = std::min(due, debounces_.front().due);
  if (!holds_.empty()) due = std::min(due, holds_.front().due);
  if (!silence_checks_.empty()) due = std::min(due, silence_checks_.top().due);
  return due;
}

void Occupancy::advance(TimeMs now) {
  for (;;) {
    trim_queues();
    const TimeMs debounce_due = debounces_.empty() ? kNever : debounces_.front().due;
    const TimeMs hold_due = holds_.empty() ? kNever : holds_.front().due;
    const TimeMs stale_due = silence_checks_.empty() ? kNever : silence_checks_.top().due;
    const TimeMs due = std::min({debounce_due, hold_due, stale_due});
    if (due > now) return;
    if (due == debounce_due) {
      const Timer t = debounces_.front();
      debounces_.pop_front();
      SpaceRuntime& s = spaces_[t.space];
      s.debounce_token = 0;
      s.sensor_occupied = !s.sensor_occupied;
      refresh(t.space, t.due);
    } else if (due == stale_due) {
      const SpaceIndex space = silence_checks_.top().space;
      silence_checks_.pop();
      SpaceRuntime& s = spaces_[space];
      const TimeMs silent_at = s.last_heard + lot_.timing().stale_after_ms;
      if (silent_at > stale_due) {
        silence_checks_.push(SilenceCheck{silent_at, space});  // heard since: look again later
        continue;
      }
      s.silence_check_queued = false;
      s.sensor_known = false;
      s.debounce_token = 0;
      s.stale = true;
      ++stale_sensors_;
      refresh(space, stale_due);
    } else {
      const Timer t = holds_.front();
      holds_.pop_front();
      note_unused_hold(t.space, t.due, false);
      drop_hold(spaces_[t.space], t.space);
      refresh(t.space, t.due);
    }
  }
}

void Occupancy::restore(SpaceIndex space, bool occupied, bool closed, TimeMs now) {
  SpaceRuntime& s = spaces_[space];
  s.closed = closed;
  s.sensor_known = true;
  s.sensor_occupied = occupied;
  s.last_heard = now;
  if (!s.silence_check_queued) {
    s.silence_check_queued = true;
    silence_checks_.push(SilenceCheck{now + lot_.timing().stale_after_ms, space});
  }
  refresh(space, now);
}

void Occupancy::set_suspect(SpaceIndex space, bool suspect, TimeMs now) {
  spaces_[space].suspect = suspect;
  refresh(space, now);
}

void Occupancy::note_unused_hold(SpaceIndex space, TimeMs at, bool parked_elsewhere) {
  const auto it = holds_by_space_.find(space);
  if (it == holds_by_space_.end() || !it->second.counts_if_unused) return;
  unused_holds_.push_back(UnusedHold{space, it->second.expires_at - lot_.timing().hold_ms, at, parked_elsewhere});
}

void Occupancy::set_closed(SpaceIndex space, bool closed, TimeMs now) {
  spaces_[space].closed = closed;
  refresh(space, now);
}

bool Occupancy::hold(SpaceIndex space, std::string_view plate, TimeMs now, bool counts_if_unused) {
  SpaceRuntime& s = spaces_[space];
  if (s.state != SpaceState::Free) return false;
  s.hold_token = next_token();
  const TimeMs expires_at = now + lot_.timing().hold_ms;
  holds_.push_back(Timer{expires_at, space, s.hold_token});
  holds_by_space_[space] = HoldInfo{std::string(plate), expires_at, counts_if_unused};
  refresh(space, now);
  return true;
}

void Occupancy::release_hold(SpaceIndex space, TimeMs now) {
  SpaceRuntime& s = spaces_[space];
  if (s.hold_token == 0) return;
  drop_hold(s, space);
  refresh(space, now);
}

void Occupancy::drop_hold(SpaceRuntime& s, SpaceIndex space) {
  s.hold_token = 0;
  holds_by_space_.erase(space);
}

SpaceState Occupancy::effective_state(const SpaceRuntime& s) const {
  if (s.closed) return SpaceState::Closed;
  if (s.sensor_known && s.sensor_occupied) return SpaceState::Occupied;
  if (s.suspect) return SpaceState::Suspect;
  if (!s.sensor_known) return SpaceState::Unknown;
  if (s.hold_token != 0) return SpaceState::Held;
  return SpaceState::Free;
}

void Occupancy::refresh(SpaceIndex space, TimeMs at) {
  SpaceRuntime& s = spaces_[space];
  // A hold ends when its car arrives, or when the space can no longer be offered.
  if (s.hold_token != 0 && (s.closed || s.suspect || !s.sensor_known || s.sensor_occupied)) drop_hold(s, space);
  const SpaceState from = s.state;
  const SpaceState to = effective_state(s);
  if (from == to) return;
  set_state(space, to, at);
  // A car that parks on a free space of a zone where cars were guided is taken to be one of
  // them: the oldest hold there ends, so its space does not sit empty until expiry.
  if (from == SpaceState::Free && to == SpaceState::Occupied) {
    const ZoneIndex zone = lot_.spaces()[space].zone;
    if (zone_counts_[zone][SpaceState::Held] > 0) release_oldest_hold_in_zone(zone, space, at);
  }
}

void Occupancy::set_state(SpaceIndex space, SpaceState to, TimeMs at) {
  SpaceRuntime& s = spaces_[space];
  const SpaceState from = s.state;
  const ZoneIndex zone = lot_.spaces()[space].zone;
  zone_counts_[zone].remove(from);
  zone_counts_[zone].add(to);
  lot_counts_.remove(from);
  lot_counts_.add(to);
  set_bit(free_bits_, space, to == SpaceState::Free);
  s.state = to;
  changes_.push_back(SpaceChange{space, from, to, at});
}

void Occupancy::release_oldest_hold_in_zone(ZoneIndex zone, SpaceIndex except, TimeMs at) {
  SpaceIndex oldest = kNone;
  TimeMs oldest_expiry = kNever;
  for (const auto& [space, hold] : holds_by_space_) {
    if (space == except || lot_.spaces()[space].zone != zone) continue;
    if (hold.expires_at < oldest_expiry || (hold.expires_at == oldest_expiry && space < oldest)) {
      oldest = space;
      oldest_expiry = hold.expires_at;
    }
  }
  if (oldest != kNone) {
    note_unused_hold(oldest, at, true);
    release_hold(oldest, at);
  }
}

std::uint32_t Occupancy::free_accessible(ZoneIndex zone) const {
  const Zone& z = lot_.zones()[zone];
  return count_common(free_bits_, accessible_bits_, z.first_space, z.space_count);
}

std::uint32_t Occupancy::lot_free_accessible() const {
  return count_common(free_bits_, accessible_bits_, 0, static_cast<std::uint32_t>(lot_.spaces().size()));
}

std::optional<SpaceIndex> Occupancy::find_free_of_kind(ZoneIndex zone, SpaceKind kind) const {
  const Zone& z = lot_.zones()[zone];
  switch (kind) {
    case SpaceKind::Ordinary: return first_common(free_bits_, ordinary_bits_, z.first_space, z.space_count);
    case SpaceKind::Accessible: return first_common(free_bits_, accessible_bits_, z.first_space, z.space_count);
    case SpaceKind::EvCharging: return first_common(free_bits_, ev_bits_, z.first_space, z.space_count);
  }
  return std::nullopt;
}

std::optional<SpaceIndex> Occupancy::find_free(ZoneIndex zone, SpaceNeed need) const {
  const Zone& z = lot_.zones()[zone];
  switch (need) {
    case SpaceNeed::Accessible:
      if (auto i = first_common(free_bits_, accessible_bits_, z.first_space, z.space_count)) return i;
      return first_common(free_bits_, ordinary_bits_, z.first_space, z.space_count);
    case SpaceNeed::EvCharging:
      if (auto i = first_common(free_bits_, ev_bits_, z.first_space, z.space_count)) return i;
      return first_common(free_bits_, ordinary_bits_, z.first_space, z.space_count);
    case SpaceNeed::Ordinary:
      if (auto i = first_common(free_bits_, ordinary_bits_, z.first_space, z.space_count)) return i;
      return first_common(free_bits_, ev_bits_, z.first_space, z.space_count);
  }
  return std::nullopt;
}

SensorStatus Occupancy::sensor_status(SpaceIndex space) const {
  const SpaceRuntime& s = spaces_[space];
  return SensorStatus{s.has_boot, s.stale,         s.last_heard,         s.boot_id,
                      s.last_seq, s.battery_mv,    s.low_battery,        s.debounce_token != 0};
}

std::optional<HoldInfo> Occupancy::hold_info(SpaceIndex space) const {
  auto it = holds_by_space_.find(space);
  if (it == holds_by_space_.end()) return std::nullopt;
  return it->second;
}

std::optional<SpaceIndex> Occupancy::find_hold(std::string_view plate) const {
  for (const auto& [space, hold] : holds_by_space_) {
    if (hold.plate == plate) return space;
  }
  return std::nullopt;
}

}  // namespace parkd
