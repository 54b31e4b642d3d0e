// The engine: every lot's occupancy, guidance and allocation behind one time-driven interface.
// Events and a time go in; frames and space changes go to the sink; next_wake() says when to
// call advance() again. Not thread-safe: one executor owns it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <queue>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "allocation.h"
#include "cars_inside.h"
#include "engine_sink.h"
#include "guidance.h"
#include "id_index.h"
#include "inside_watch.h"
#include "lot.h"
#include "occupancy.h"
#include "sensor_reading.h"
#include "space_watch.h"
#include "time_ms.h"

namespace parkd {

enum class SpaceCommandOutcome : std::uint8_t { Done, AlreadyThere, UnknownLot, UnknownSpace, UnknownAlert };
std::string_view name_of(SpaceCommandOutcome o);

class Engine {
 public:
  Engine(std::vector<Lot> lots, EngineSink& sink);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  ReportOutcome on_sensor_report(const SensorReading& reading, TimeMs now);
  // The same for many readings at one time, applied in order; `outcomes` gets one per reading.
  // Faster than one by one for large lots: the memory reads of the batch overlap. The signs get
  // the frame of the batch's end (one by one, each reading of the same instant may give one).
  void on_sensor_reports(std::span<const SensorReading> readings, TimeMs now, std::span<ReportOutcome> outcomes);
  // Picks a space for an arriving car and holds it. A car that already holds a space keeps it.
  Allocation allocate(const AllocationRequest& request, TimeMs now);
  // A space's last known state from before a restart (free, occupied or closed, with the reason
  // it was closed for; anything else is left unknown). Call before the first report.
  // `since`: when it entered that state, if known (an occupied space's time counts towards
  // LONG_OCCUPANCY).
  SpaceCommandOutcome restore_space(std::string_view lot_id, std::string_view space_id, SpaceState state, TimeMs now,
                                    std::string closed_reason = {}, TimeMs since = 0);
  // After the spaces: an alert that was active, and the strikes held against a space. Done:
  // active again; AlreadyThere: what it was about ended while parkd was down (clear it).
  SpaceCommandOutcome restore_alert(const Alert& alert);
  // An alert that ended before the restart, for what it says about the stays still going on (a
  // dismissed overstay is not raised again for the same stay).
  void restore_ended_alert(const Alert& alert);
  SpaceCommandOutcome restore_strikes(std::string_view lot_id, std::string_view space_id, std::vector<TimeMs> strikes);
  // An operator ends an alert (the rule may raise it again later); `ended`, if given, gets the
  // alert as it ended.
  SpaceCommandOutcome dismiss_alert(std::string_view lot_id, std::string_view alert_id, std::string_view reason,
                                    TimeMs now, Alert* ended = nullptr);
  // An operator takes a space out of service, saying why; closing a closed space again keeps it
  // closed with the new reason.
  SpaceCommandOutcome close_space(std::string_view lot_id, std::string_view space_id, TimeMs now,
                                  std::string reason = {});
  // A car that leaves no longer needs the space held for it.
  void release_hold(std::string_view lot_id, std::string_view plate, TimeMs now);
  SpaceCommandOutcome open_space(std::string_view lot_id, std::string_view space_id, TimeMs now);

  // The gates' record of the cars inside (SPEC "Spaces that lie"). An admitted entry: a visitor
  // is raised VISITOR_OVERSTAY if still inside at its `overstay_at`.
  void car_entered(std::string_view lot_id, CarInside car, TimeMs now);
  // An exit, or a stay the office settled: `how` ends a visitor's overstay ("left", "settled").
  void car_left(std::string_view lot_id, std::string_view plate, TimeMs now, std::string how);
  // What the record's changes were since the last call, for the store (with the decisions).
  void take_inside_changes(std::vector<InsideChange>& into);
  // After a restart, after the spaces and before the alerts: the record as it was kept (no
  // unnamed count: it had not begun). The counts are held against each other from `now`: a
  // restart is no evidence of how long they have disagreed.
  SpaceCommandOutcome restore_inside(std::string_view lot_id, std::optional<std::uint32_t> unnamed,
                                     std::vector<CarInside> cars, TimeMs now);
  const CarsInside& cars_inside(std::size_t lot) const { return lots_[lot]->inside; }

  // Fires what is due at or before `now`: debounces, staleness, hold expiries, frames.
  void advance(TimeMs now);
  // When advance() next has something to do, or kNever.
  TimeMs next_wake();
  // The engine's time: the latest time handed in. It never runs backwards.
  TimeMs now() const { return now_; }

  std::size_t lot_count() const { return lots_.size(); }
  const Lot& lot(std::size_t i) const { return lots_[i]->lot; }
  const Occupancy& occupancy(std::size_t i) const { return lots_[i]->occupancy; }
  std::optional<std::size_t> find_lot(std::string_view lot_id) const;
  // Why a space is closed ("" when it is not, or no reason was given).
  std::string_view closed_reason(std::size_t lot, SpaceIndex space) const;
  // The space rules' and the record rules' active alerts, in the order each raised them.
  std::vector<Alert> active_alerts(std::size_t lot) const;
  // How many of them there are of each kind, without copying them (/metrics asks at every scrape,
  // and a flood of flapping sensors raises one per space).
  std::array<std::size_t, kAlertKindCount> active_alert_counts(std::size_t lot) const;
  std::span<const TimeMs> strikes(std::size_t lot, SpaceIndex space) const { return lots_[lot]->watch.strikes(space); }
  const ReportCounters& report_counters() const { return report_counters_; }

 private:
  struct LotRuntime {
    explicit LotRuntime(Lot l)
        : lot(std::move(l)), occupancy(lot), guidance(lot), watch(lot), inside(lot.id()), inside_watch(lot) {}
    Lot lot;
    Occupancy occupancy;
    Guidance guidance;
    SpaceWatch watch;
    CarsInside inside;
    InsideWatch inside_watch;
    std::vector<SpaceChange> change_batch;  // reused: forwarding allocates nothing in the steady state
    std::vector<UnusedHold> hold_batch;
    std::vector<Alert> alert_batch;
    std::vector<SpaceIndex> strike_batch;
    TimeMs scheduled = kNever;  // due time of this lot's live entry in wakes_
    // The watch's next due time, kept here so that a report that changes nothing never touches
    // the watch (with many lots, its lines would be one more cache miss per report).
    TimeMs watch_due = kNever;
    std::unordered_map<SpaceIndex, std::string> closed_reasons;  // closed spaces only
  };
  struct Wake {
    TimeMs due;
    std::size_t lot;
    bool operator>(const Wake& o) const { return due > o.due; }
  };

  TimeMs observe(TimeMs now);
  ReportOutcome apply_report(std::size_t lot, const SensorReading& reading, const std::optional<SensorTable::Match>& match,
                             TimeMs now);
  void forward_changes(LotRuntime& rt);  // to the watch and the sink; marks the lot's signs dirty
  void forward_watch(LotRuntime& rt);    // the watch's alerts and strikes to the sink; its due time
  void settle(std::size_t lot, TimeMs at);  // forwards changes, re-arms the lot's wake-up
  void count_inside(LotRuntime& rt, TimeMs at);  // the record rules see the counts
  // The record begins once parkd knows what is parked: every space heard from, or, with some
  // sensor silent, a staleness period after the engine's start (every live sensor has spoken).
  void begin_record_if_known(LotRuntime& rt);
  SpaceCommandOutcome set_closed(std::string_view lot_id, std::string_view space_id, bool closed, TimeMs now,
                                 std::string reason);

  EngineSink& sink_;
  std::vector<std::unique_ptr<LotRuntime>> lots_;
  IdIndex<std::size_t> lot_index_;
  std::priority_queue<Wake, std::vector<Wake>, std::greater<>> wakes_;
  ReportCounters report_counters_;
  std::vector<InsideChange> inside_changes_;
  TimeMs now_ = 0;
  TimeMs started_at_ = 0;
  bool started_ = false;
};

}  // namespace parkd
