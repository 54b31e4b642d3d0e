// Engine: routes events to lots and keeps one heap of per-lot wake-ups, so a call costs the
// same for one lot as for a thousand.
#include "engine.h"

#include <algorithm>

namespace parkd {

std::string_view name_of(SpaceCommandOutcome o) {
  switch (o) {
    case SpaceCommandOutcome::Done: return "done";
    case SpaceCommandOutcome::AlreadyThere: return "already_there";
    case SpaceCommandOutcome::UnknownLot: return "unknown_lot";
    case SpaceCommandOutcome::UnknownSpace: return "unknown_space";
    case SpaceCommandOutcome::UnknownAlert: return "unknown_alert";
  }
  return "unknown";
}

Engine::Engine(std::vector<Lot> lots, EngineSink& sink) : sink_(sink) {
  lots_.reserve(lots.size());
  for (auto& lot : lots) {
    const std::string id = lot.id();
    lot_index_.emplace(id, lots_.size());
    lots_.push_back(std::make_unique<LotRuntime>(std::move(lot)));
  }
}

std::optional<std::size_t> Engine::find_lot(std::string_view lot_id) const {
  auto it = lot_index_.find(lot_id);
  if (it == lot_index_.end()) return std::nullopt;
  return it->second;
}

TimeMs Engine::observe(TimeMs now) {
  if (!started_ || now > now_) now_ = now;
  if (!started_) {
    started_ = true;
    started_at_ = now_;
    for (std::size_t i = 0; i < lots_.size(); ++i) settle(i, now_);
  }
  return now_;
}

ReportOutcome Engine::on_sensor_report(const SensorReading& reading, TimeMs now) {
  ReportOutcome outcome = ReportOutcome::Accepted;
  on_sensor_reports(std::span(&reading, 1), now, std::span(&outcome, 1));
  return outcome;
}

ReportOutcome Engine::apply_report(std::size_t lot, const SensorReading& reading,
                                   const std::optional<SensorTable::Match>& match, TimeMs now) {
  LotRuntime& rt = *lots_[lot];
  ReportOutcome outcome = ReportOutcome::UnknownSensor;
  if (match) {
    if (match->space_id != reading.space_id) {
      outcome = ReportOutcome::SpaceMismatch;
    } else {
      outcome = rt.occupancy.apply(match->space, reading, now);
      settle(lot, now);
    }
  }
  report_counters_.count(outcome);
  return outcome;
}

void Engine::on_sensor_reports(std::span<const SensorReading> readings, TimeMs now,
                               std::span<ReportOutcome> outcomes) {
  advance(now);  // what fell due before these reports happens before them
  now = now_;
  constexpr std::size_t kChunk = 16;
  constexpr std::size_t kNoLot = static_cast<std::size_t>(-1);
  std::size_t lot[kChunk];
  std::uint64_t hash[kChunk];
  std::optional<SensorTable::Match> match[kChunk];
  for (std::size_t base = 0; base < readings.size(); base += kChunk) {
    const std::size_t n = std::min(kChunk, readings.size() - base);
    // Three passes, so that each pass's memory reads are in flight together.
    for (std::size_t i = 0; i < n; ++i) {
      const auto it = lot_index_.find(readings[base + i].lot_id);
      lot[i] = it == lot_index_.end() ? kNoLot : it->second;
      if (lot[i] == kNoLot) continue;
      hash[i] = SensorTable::hash(readings[base + i].sensor_id);
      lots_[lot[i]]->lot.sensor_table().prefetch(hash[i]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (lot[i] == kNoLot) continue;
      LotRuntime& rt = *lots_[lot[i]];
      match[i] = rt.lot.sensor_table().find(readings[base + i].sensor_id, hash[i]);
      if (match[i]) rt.occupancy.prefetch(match[i]->space);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (lot[i] == kNoLot) {
        report_counters_.count(ReportOutcome::UnknownLot);
        outcomes[base + i] = ReportOutcome::UnknownLot;
      } else {
        outcomes[base + i] = apply_report(lot[i], readings[base + i], match[i], now);
      }
    }
  }
}

Allocation Engine::allocate(const AllocationRequest& request, TimeMs now) {
  advance(now);  // an expired hold is free again, a filled space is not offered
  now = now_;
  Allocation out;
  auto lot_it = lot_index_.find(request.lot_id);
  if (lot_it == lot_index_.end()) {
    out.status = AllocationStatus::UnknownLot;
    return out;
  }
  LotRuntime& rt = *lots_[lot_it->second];
  const auto gate = rt.lot.find_gate(request.gate_id);
  if (!gate) {
    out.status = AllocationStatus::UnknownGate;
    return out;
  }
  const auto building = request.building_id.empty() ? std::nullopt : rt.lot.find_building(request.building_id);

  const auto existing = rt.occupancy.find_hold(request.plate);
  SpaceChoice choice{AllocationStatus::Assigned, existing.value_or(0)};
  if (!existing) {
    choice = choose_space(rt.occupancy, *gate, building, request.resident, request.need, now);
    if (choice.status == AllocationStatus::Assigned) rt.occupancy.hold(choice.space, request.plate, now, !request.late);
  }
  out.status = choice.status;
  if (choice.status == AllocationStatus::Assigned) {
    const Space& space = rt.lot.spaces()[choice.space];
    out.space_id = space.id;
    out.zone_id = rt.lot.zones()[space.zone].id;
    out.held_until = rt.occupancy.hold_info(choice.space)->expires_at;
  }
  settle(lot_it->second, now);
  return out;
}

SpaceCommandOutcome Engine::set_closed(std::string_view lot_id, std::string_view space_id, bool closed,
                                        TimeMs now, std::string reason) {
  advance(now);
  now = now_;
  auto lot_it = lot_index_.find(lot_id);
  if (lot_it == lot_index_.end()) return SpaceCommandOutcome::UnknownLot;
  LotRuntime& rt = *lots_[lot_it->second];
  const auto space = rt.lot.find_space(space_id);
  if (!space) return SpaceCommandOutcome::UnknownSpace;
  // Before the change goes out: the sink sees the reason with it.
  if (closed) rt.closed_reasons[*space] = std::move(reason);
  if (!closed && rt.occupancy.suspect(*space)) {  // opening a suspect space ends the suspicion
    rt.watch.opened(*space, now, rt.occupancy);
    forward_changes(rt);
    forward_watch(rt);
    settle(lot_it->second, now);
    return SpaceCommandOutcome::Done;
  }
  if ((rt.occupancy.state(*space) == SpaceState::Closed) == closed) return SpaceCommandOutcome::AlreadyThere;
  if (!closed) rt.closed_reasons.erase(*space);
  rt.occupancy.set_closed(*space, closed, now);
  settle(lot_it->second, now);
  return SpaceCommandOutcome::Done;
}

SpaceCommandOutcome Engine::restore_space(std::string_view lot_id, std::string_view space_id, SpaceState state,
                                          TimeMs now, std::string closed_reason, TimeMs since) {
  now = observe(now);  // no advance: the first frames must already show what is restored
  auto lot_it = lot_index_.find(lot_id);
  if (lot_it == lot_index_.end()) return SpaceCommandOutcome::UnknownLot;
  LotRuntime& rt = *lots_[lot_it->second];
  const auto space = rt.lot.find_space(space_id);
  if (!space) return SpaceCommandOutcome::UnknownSpace;
  switch (state) {
    case SpaceState::Free:
    case SpaceState::Held:  // a hold does not outlive the process; the space was free
      rt.occupancy.restore(*space, false, false, now);
      break;
    case SpaceState::Occupied:
      rt.occupancy.restore(*space, true, false, now);
      forward_changes(rt);
      if (since > 0) rt.watch.restore_occupied_since(*space, std::min(since, now));
      forward_watch(rt);
      break;
    case SpaceState::Closed:
      rt.closed_reasons[*space] = std::move(closed_reason);
      rt.occupancy.set_closed(*space, true, now);
      break;
    case SpaceState::Unknown:
    case SpaceState::Suspect:  // restored from its alert, not from the space's record
      return SpaceCommandOutcome::AlreadyThere;
  }
  settle(lot_it->second, now);
  return SpaceCommandOutcome::Done;
}

SpaceCommandOutcome Engine::restore_alert(const Alert& alert) {
  const TimeMs now = observe(alert.raised_at);
  auto lot_it = lot_index_.find(alert.lot_id);
  if (lot_it == lot_index_.end()) return SpaceCommandOutcome::UnknownLot;
  LotRuntime& rt = *lots_[lot_it->second];
  if (!alert.space_id.empty() && !rt.lot.find_space(alert.space_id)) return SpaceCommandOutcome::UnknownSpace;
  const bool about_space = !alert.space_id.empty();
  if (about_space ? !rt.watch.restore_alert(alert, rt.occupancy) : !rt.inside_watch.restore_alert(alert, rt.inside)) {
    return SpaceCommandOutcome::AlreadyThere;
  }
  if (!about_space) count_inside(rt, now);
  forward_changes(rt);
  forward_watch(rt);
  settle(lot_it->second, now);
  return SpaceCommandOutcome::Done;
}

void Engine::restore_ended_alert(const Alert& alert) {
  const auto lot_it = lot_index_.find(alert.lot_id);
  if (lot_it == lot_index_.end()) return;
  LotRuntime& rt = *lots_[lot_it->second];
  rt.inside_watch.restore_ended_alert(alert, rt.inside);
}

SpaceCommandOutcome Engine::restore_strikes(std::string_view lot_id, std::string_view space_id,
                                            std::vector<TimeMs> strikes) {
  auto lot_it = lot_index_.find(lot_id);
  if (lot_it == lot_index_.end()) return SpaceCommandOutcome::UnknownLot;
  LotRuntime& rt = *lots_[lot_it->second];
  const auto space = rt.lot.find_space(space_id);
  if (!space) return SpaceCommandOutcome::UnknownSpace;
  rt.watch.restore_strikes(*space, std::move(strikes));
  return SpaceCommandOutcome::Done;
}

SpaceCommandOutcome Engine::dismiss_alert(std::string_view lot_id, std::string_view alert_id, std::string_view reason,
                                          TimeMs now, Alert* ended) {
  advance(now);
  auto lot_it = lot_index_.find(lot_id);
  if (lot_it == lot_index_.end()) return SpaceCommandOutcome::UnknownLot;
  LotRuntime& rt = *lots_[lot_it->second];
  std::optional<Alert> done = rt.watch.dismiss(alert_id, reason, now_, rt.occupancy);
  if (!done) done = rt.inside_watch.dismiss(alert_id, reason, now_);
  if (!done) return SpaceCommandOutcome::UnknownAlert;
  if (ended != nullptr) *ended = std::move(*done);
  forward_changes(rt);
  forward_watch(rt);
  settle(lot_it->second, now_);
  return SpaceCommandOutcome::Done;
}

void Engine::release_hold(std::string_view lot_id, std::string_view plate, TimeMs now) {
  advance(now);
  auto lot_it = lot_index_.find(lot_id);
  if (lot_it == lot_index_.end()) return;
  LotRuntime& rt = *lots_[lot_it->second];
  if (const auto space = rt.occupancy.find_hold(plate)) {
    rt.occupancy.release_hold(*space, now_);
    settle(lot_it->second, now_);
  }
}

SpaceCommandOutcome Engine::close_space(std::string_view lot_id, std::string_view space_id, TimeMs now,
                                         std::string reason) {
  return set_closed(lot_id, space_id, true, now, std::move(reason));
}

SpaceCommandOutcome Engine::open_space(std::string_view lot_id, std::string_view space_id, TimeMs now) {
  return set_closed(lot_id, space_id, false, now, {});
}

void Engine::car_entered(std::string_view lot_id, CarInside car, TimeMs now) {
  advance(now);
  auto lot_it = lot_index_.find(lot_id);
  if (lot_it == lot_index_.end()) return;
  LotRuntime& rt = *lots_[lot_it->second];
  begin_record_if_known(rt);
  const bool visitor = car.visitor;
  const TimeMs entered_at = car.entered_at;
  const std::string plate = car.plate;
  if (const auto replaced = rt.inside.enter(std::move(car)); replaced && replaced->entered_at != entered_at) {
    rt.inside_watch.car_out(plate, now_, "entered again");  // its exit was missed: a new stay begins
  }
  if (visitor) rt.inside_watch.visitor_in(*rt.inside.find(plate));
  rt.inside.take_changes(inside_changes_);
  count_inside(rt, now_);
  forward_watch(rt);
  settle(lot_it->second, now_);
}

void Engine::car_left(std::string_view lot_id, std::string_view plate, TimeMs now, std::string how) {
  advance(now);
  auto lot_it = lot_index_.find(lot_id);
  if (lot_it == lot_index_.end()) return;
  LotRuntime& rt = *lots_[lot_it->second];
  begin_record_if_known(rt);
  rt.inside.leave(plate);
  rt.inside_watch.car_out(plate, now_, std::move(how));
  rt.inside.take_changes(inside_changes_);
  count_inside(rt, now_);
  forward_watch(rt);
  settle(lot_it->second, now_);
}

void Engine::begin_record_if_known(LotRuntime& rt) {
  if (rt.inside.begun()) return;
  const StateCounts& counts = rt.occupancy.lot_counts();
  if (counts[SpaceState::Unknown] > 0 && now_ - started_at_ < static_cast<TimeMs>(rt.lot.timing().stale_after_ms)) return;
  // The cars parked now that the record does not name came in before it: counted, not named.
  const std::uint32_t occupied = counts[SpaceState::Occupied];
  rt.inside.begin(occupied > rt.inside.named() ? occupied - rt.inside.named() : 0);
}

void Engine::take_inside_changes(std::vector<InsideChange>& into) {
  into.insert(into.end(), std::make_move_iterator(inside_changes_.begin()),
              std::make_move_iterator(inside_changes_.end()));
  inside_changes_.clear();
}

SpaceCommandOutcome Engine::restore_inside(std::string_view lot_id, std::optional<std::uint32_t> unnamed,
                                           std::vector<CarInside> cars, TimeMs now) {
  now = observe(now);
  auto lot_it = lot_index_.find(lot_id);
  if (lot_it == lot_index_.end()) return SpaceCommandOutcome::UnknownLot;
  LotRuntime& rt = *lots_[lot_it->second];
  rt.inside.restore(unnamed, std::move(cars));
  for (const auto& [plate, car] : rt.inside.cars()) rt.inside_watch.visitor_in(car);
  count_inside(rt, now);
  settle(lot_it->second, now);
  return SpaceCommandOutcome::Done;
}

std::vector<Alert> Engine::active_alerts(std::size_t lot) const {
  const LotRuntime& rt = *lots_[lot];
  std::vector<Alert> all = rt.watch.active();
  all.insert(all.end(), rt.inside_watch.active().begin(), rt.inside_watch.active().end());
  return all;
}

std::array<std::size_t, kAlertKindCount> Engine::active_alert_counts(std::size_t lot) const {
  const LotRuntime& rt = *lots_[lot];
  std::array<std::size_t, kAlertKindCount> counts{};
  for (const auto* active : {&rt.watch.active(), &rt.inside_watch.active()}) {
    for (const Alert& a : *active) ++counts[static_cast<std::size_t>(a.kind)];
  }
  return counts;
}

void Engine::count_inside(LotRuntime& rt, TimeMs at) {
  // Until the record begins there is nothing to hold the spaces against.
  if (!rt.inside.begun()) return;
  rt.inside_watch.on_counts(rt.occupancy.lot_counts()[SpaceState::Occupied], rt.inside.count(), at);
}

std::string_view Engine::closed_reason(std::size_t lot, SpaceIndex space) const {
  const auto& reasons = lots_[lot]->closed_reasons;
  const auto it = reasons.find(space);
  return it == reasons.end() ? std::string_view() : std::string_view(it->second);
}

void Engine::forward_changes(LotRuntime& rt) {
  if (rt.occupancy.changes().empty() && !rt.occupancy.has_unused_holds()) return;
  // The watch may flag spaces as it goes; their changes come round in the next pass.
  TimeMs last_change = -1;
  while (!rt.occupancy.changes().empty() || rt.occupancy.has_unused_holds()) {
    rt.occupancy.take_changes(rt.change_batch);
    for (const SpaceChange& change : rt.change_batch) {
      sink_.space_changed(rt.lot, change);
      rt.watch.on_change(change, rt.occupancy);
    }
    if (!rt.change_batch.empty()) last_change = rt.change_batch.back().at;
    rt.occupancy.take_unused_holds(rt.hold_batch);
    for (const UnusedHold& hold : rt.hold_batch) rt.watch.on_unused_hold(hold);
  }
  rt.guidance.mark_dirty();
  if (last_change >= 0) count_inside(rt, last_change);
  forward_watch(rt);
}

void Engine::forward_watch(LotRuntime& rt) {
  if (rt.watch.has_effects()) {
    rt.watch.take_alert_changes(rt.alert_batch);
    for (const Alert& alert : rt.alert_batch) sink_.alert_changed(rt.lot, alert);
    rt.watch.take_strike_changes(rt.strike_batch);
    for (SpaceIndex space : rt.strike_batch) sink_.strikes_changed(rt.lot, space, rt.watch.strikes(space));
  }
  if (rt.inside_watch.has_effects()) {
    rt.inside_watch.take_alert_changes(rt.alert_batch);
    for (const Alert& alert : rt.alert_batch) sink_.alert_changed(rt.lot, alert);
  }
  rt.watch_due = std::min(rt.watch.next_due(), rt.inside_watch.next_due());
}

void Engine::settle(std::size_t lot, TimeMs at) {
  LotRuntime& rt = *lots_[lot];
  forward_changes(rt);
  const TimeMs due = std::min({rt.occupancy.next_due(), rt.guidance.next_due(at), rt.watch_due});
  if (due < rt.scheduled) {
    rt.scheduled = due;
    wakes_.push(Wake{due, lot});
  }
}

void Engine::advance(TimeMs now) {
  now = observe(now);
  // Each lot is stepped to its own wake-up time, not to `now`, so that across a jump every
  // lot's events come out in time order, interleaved, as they would have in real time.
  while (!wakes_.empty() && wakes_.top().due <= now) {
    const Wake wake = wakes_.top();
    wakes_.pop();
    LotRuntime& rt = *lots_[wake.lot];
    if (wake.due != rt.scheduled) continue;  // superseded by an earlier wake-up
    rt.scheduled = kNever;
    const TimeMs step = wake.due;
    rt.occupancy.advance(step);
    forward_changes(rt);
    rt.watch.advance(step, rt.occupancy);
    rt.inside_watch.advance(step, rt.inside);
    forward_changes(rt);
    forward_watch(rt);
    rt.guidance.advance(step, rt.occupancy, sink_);
    settle(wake.lot, step);
  }
}

TimeMs Engine::next_wake() {
  while (!wakes_.empty() && wakes_.top().due != lots_[wakes_.top().lot]->scheduled) wakes_.pop();
  return wakes_.empty() ? kNever : wakes_.top().due;
}

}  // namespace parkd
