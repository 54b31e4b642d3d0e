// Records each lot's counts every kInterval of parkd's time (on the store thread), for the
// public notice's night occupancy.
#pragma once

#include "core/engine.h"
#include "core/occupancy_history.h"
#include "log.h"
#include "store_worker.h"

namespace parkd {

class OccupancySampler {
 public:
  static constexpr TimeMs kInterval = 5 * 60'000;

  explicit OccupancySampler(StoreWorker* worker) : worker_(worker) {}
  void set_history(OccupancyHistory* history) { history_ = history; }  // null: no samples

  // On the strand, at every settle: a sample when one is due at `at`.
  void sample(const Engine& engine, TimeMs at);
  // When the next sample is due (kNever without a history): the host's timer wakes for it.
  TimeMs next_due() const { return history_ != nullptr ? next_at_ : kNever; }

 private:
  StoreWorker* worker_;
  OccupancyHistory* history_ = nullptr;
  TimeMs next_at_ = 0;
  RateLimitedLog log_;
};

}  // namespace parkd
