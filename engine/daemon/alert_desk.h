// Alerts' way out of the engine: each one raised or cleared goes to the broker (retained while
// active; when cleared, the Alert with cleared_at_ms, then an empty retained payload, so the
// topic holds exactly the active ones), to the store with the strikes (on the store thread, in
// order), and is counted for /metrics. At start it puts back what was active before.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/alert_store.h"
#include "core/engine.h"
#include "log.h"
#include "publisher.h"
#include "store_worker.h"

namespace parkd {

class AlertDesk {
 public:
  struct Counters {
    std::array<std::uint64_t, kAlertKindCount> raised{};
    std::array<std::uint64_t, kAlertKindCount> cleared{};
    std::uint64_t unsent = 0;  // not even queued for the broker
  };

  // `store` may be null (nothing kept); `worker` may be null (saved inline).
  AlertDesk(Publisher& publisher, AlertStore* store, StoreWorker* worker);

  // All on the strand.
  void changed(const Alert& alert);
  void strikes_changed(StoredStrikes strikes);
  // Puts back the alerts and strikes kept before a restart, after the spaces; what ended while
  // parkd was down is cleared ("ended while parkd was stopped") and taken off the broker.
  void restore(Engine& engine, TimeMs now);
  // A (re)connected session: the active alerts of the lot go out again (retained).
  void republish(const Engine& engine, const std::string& lot_id);
  const Counters& counters() const { return counters_; }
  AlertStore* store() const { return store_; }
  void set_store(AlertStore* store) { store_ = store; }

  static std::string topic_of(const Alert& alert);

 private:
  void publish(const Alert& alert);
  void save(std::vector<Alert> alerts, std::vector<StoredStrikes> strikes);

  Publisher& publisher_;
  AlertStore* store_;
  StoreWorker* worker_;
  Counters counters_;
  RateLimitedLog log_;
};

}  // namespace parkd
