// Alerts' way out of the engine: each one raised or cleared goes to the broker (retained while
// active; when cleared, the Alert with cleared_at_ms, then an empty retained payload, so the
// topic holds exactly the active ones), to the store with the strikes (on the store thread, in
// order), and is counted for /metrics. At start it puts back what was active before.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

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

  // `store` may be null (nothing kept); `worker` may be null (saved inline). With the simulated
  // clock every settle saves what it changed (simulated time has no real-time pace to wait for).
  AlertDesk(Publisher& publisher, AlertStore* store, StoreWorker* worker, boost::asio::any_io_executor strand,
            bool every_settle);

  // All on the strand.
  void changed(const Alert& alert);
  void strikes_changed(StoredStrikes strikes);
  // After a settle: its alerts go to the store at once, in one transaction with any strikes
  // waiting; strikes alone wait up to a tenth of a second. Why (issue #16): a flood of flapping
  // sensors changes strikes at every report, and a transaction for each space's strikes was over
  // half of the store thread's CPU; strikes only matter at the next start, which save_now() at
  // shut-down serves (a crash loses at most that tenth of a second of them).
  void save_soon();
  void save_now();
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

  Publisher& publisher_;
  AlertStore* store_;
  StoreWorker* worker_;
  bool every_settle_;
  std::vector<Alert> unsaved_alerts_;
  std::vector<StoredStrikes> unsaved_strikes_;  // in order; a space's later list replaces its earlier
  boost::asio::steady_timer timer_;
  bool scheduled_ = false;
  Counters counters_;
  RateLimitedLog log_;
};

}  // namespace parkd
