// Publishing, keeping and restoring alerts.
#include "alert_desk.h"

#include <chrono>
#include <utility>

#include "wire.h"

namespace parkd {

AlertDesk::AlertDesk(Publisher& publisher, AlertStore* store, StoreWorker* worker, boost::asio::any_io_executor strand,
                     bool every_settle)
    : publisher_(publisher), store_(store), worker_(worker), every_settle_(every_settle), timer_(std::move(strand)) {}

std::string AlertDesk::topic_of(const Alert& alert) { return "parking/" + alert.lot_id + "/alerts/" + alert.alert_id; }

void AlertDesk::publish(const Alert& alert) {
  const std::string topic = topic_of(alert);
  // Sent again until acknowledged: an alert that never reached the office is no alert.
  auto sent = [this](const std::string& t, std::string payload, bool retained, std::string_view lot) {
    if (!publisher_.publish(lot, t, std::move(payload), retained, [] {})) ++counters_.unsent;
  };
  if (alert.active()) {
    sent(topic, to_message(alert).SerializeAsString(), true, alert.lot_id);
    return;
  }
  sent(topic, to_message(alert).SerializeAsString(), false, alert.lot_id);
  sent(topic, std::string(), true, alert.lot_id);  // an empty retained payload removes the retained one
}

void AlertDesk::changed(const Alert& alert) {
  const auto kind = static_cast<std::size_t>(alert.kind);
  if (alert.active()) {
    ++counters_.raised[kind];
    Log::warn("alerts", "{} {} {}: {}", alert.lot_id, name_of(alert.kind), alert.alert_id, alert.detail_en);
  } else {
    ++counters_.cleared[kind];
    Log::info("alerts", "{} {} {} cleared ({})", alert.lot_id, name_of(alert.kind), alert.alert_id, alert.cleared_by);
  }
  publish(alert);
  if (store_ != nullptr) unsaved_alerts_.push_back(alert);
}

void AlertDesk::strikes_changed(StoredStrikes strikes) {
  if (store_ == nullptr) return;
  unsaved_strikes_.push_back(std::move(strikes));
}

void AlertDesk::save_soon() {
  if (unsaved_alerts_.empty() && unsaved_strikes_.empty()) return;
  if (every_settle_ || !unsaved_alerts_.empty()) {
    save_now();
    return;
  }
  if (scheduled_) return;
  scheduled_ = true;
  timer_.expires_after(std::chrono::milliseconds(100));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    scheduled_ = false;
    if (!ec) save_now();
  });
}

void AlertDesk::save_now() {
  if (store_ == nullptr || (unsaved_alerts_.empty() && unsaved_strikes_.empty())) return;
  auto job = [store = store_, alerts = std::exchange(unsaved_alerts_, {}), strikes = std::exchange(unsaved_strikes_, {})] {
    // The store replaces each space's strikes in the order given: the last list of a space wins.
    if (auto e = store->save(alerts, strikes)) {
      Log::error("alerts", "cannot keep {} alerts and {} strike lists: {}", alerts.size(), strikes.size(), e.message());
    }
  };
  if (worker_ != nullptr) {
    worker_->post(std::move(job));
  } else {
    job();
  }
}

namespace {
constexpr TimeMs kOverstaysLookBackMs = 90LL * 24 * 3'600'000;
}  // namespace

void AlertDesk::restore(Engine& engine, TimeMs now) {
  if (store_ == nullptr) return;
  std::vector<StoredStrikes> strikes;
  if (auto e = store_->load_strikes(strikes)) Log::error("alerts", "cannot read the strikes held against spaces: {}", e.message());
  for (auto& s : strikes) engine.restore_strikes(s.lot_id, s.space_id, std::move(s.strikes));
  std::vector<Alert> active;
  if (auto e = store_->load_active(active)) {
    Log::error("alerts", "cannot read the active alerts: {}; they are raised again when their rules see it again", e.message());
    return;
  }
  std::size_t restored = 0;
  for (Alert& a : active) {
    switch (engine.restore_alert(a)) {
      case SpaceCommandOutcome::Done:
        ++restored;
        publish(a);  // the broker may have lost its retained copy
        break;
      default:
        // What it was about ended while parkd was stopped, or the lot or space is gone.
        a.cleared_at = std::max(now, a.raised_at);
        a.cleared_by = "ended while parkd was stopped";
        changed(a);
        break;
    }
  }
  if (!active.empty()) Log::info("alerts", "{} of {} active alerts restored", restored, active.size());
  save_now();  // those that ended while parkd was stopped
  // Overstays dismissed in the last season whose visitor is still inside stay dismissed.
  std::vector<Alert> recent;
  if (auto e = store_->history(now - kOverstaysLookBackMs, kNever, recent)) {
    Log::error("alerts", "cannot read the alert history: {}; a dismissed overstay may be raised again", e.message());
    return;
  }
  for (const Alert& a : recent) engine.restore_ended_alert(a);
}

void AlertDesk::republish(const Engine& engine, const std::string& lot_id) {
  const auto lot = engine.find_lot(lot_id);
  if (!lot) return;
  for (const Alert& a : engine.active_alerts(*lot)) publish(a);
}

}  // namespace parkd
