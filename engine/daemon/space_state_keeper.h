// Keeps the last known state of every space in the store for the next start, and each change in
// the space's history: changes are collected on the strand and saved on the store thread, at
// most ten times a second (the first change after a quiet spell at once), or once a second
// while the intake holds its queue under a stream faster than a lot makes. The states are a
// convenience for the next start (sensors confirm them anyway), and a commit per change would put
// SQLite's occasional checkpoint on the path from a report to the signs.
//
// Why two paces (issue #16): a save's CPU grows with its changes, and at 1,000 changes a second
// a save a second took 4-8 ms of one core in one go, long enough to hold up the reports' and
// the gates' path on a host of two cores (in one window, a third of the latency samples over
// 2 ms came right after it); in a tenth of a second's pieces it does not. Under a flood, though, every save
// rewrites each space's latest state and the pages it touched, so saving ten times a second cost
// about 7 us more of parkd's CPU per report (medians of three runs): there the second's pace stays.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/space_state_store.h"
#include "log.h"
#include "store_worker.h"

namespace parkd {

class SpaceStateKeeper {
 public:
  // `store` may be null (nothing kept); `worker` may be null (saved inline). With the
  // simulated clock every settle saves: simulated time has no real-time pace to wait for.
  SpaceStateKeeper(SpaceStateStore* store, StoreWorker* worker, boost::asio::any_io_executor strand, bool every_settle);

  // All on the strand.
  bool keeps() const { return store_ != nullptr; }
  void changed(StoredSpaceState state);   // a change: the space's latest state, and its history
  void restored(StoredSpaceState state);  // restored at start with its own time: the latest only, no history
  // After a settle: now, or within the pace (`busy`: the intake holds its queue).
  void save_soon(bool busy);
  void save_now();                        // at shut-down, before a read of history, from save_soon()
  std::error_code load(std::vector<StoredSpaceState>& out) { return store_->load(out); }

 private:
  SpaceStateStore* store_;
  StoreWorker* worker_;
  bool every_settle_;
  RateLimitedLog log_;
  std::map<std::pair<std::string, std::string>, StoredSpaceState> restored_;  // (lot, space) -> as restored
  std::vector<StoredSpaceState> changes_;  // in order: the histories, and each space's last is its latest
  std::mutex spare_mutex_;                  // the strand and the store thread
  std::vector<StoredSpaceState> spare_changes_;  // emptied by the last save, its capacity kept
  boost::asio::steady_timer timer_;
  bool scheduled_ = false;
  std::chrono::steady_clock::time_point last_save_{};
};

}  // namespace parkd
