// parksim's drivers at the barriers: undecided gate events and the play's limit they set.
#include "barrier_wait.h"

#include <algorithm>

namespace parkd::sim {

void BarrierWait::sent(GateEventKey key, TimeMs at, WallClock::time_point now) {
  waiting_.insert_or_assign(std::move(key), Waiting{at, now, false});
}

std::optional<TimeMs> BarrierWait::decided(const GateEventKey& key, TimeMs played_to) {
  const auto it = waiting_.find(key);
  if (it == waiting_.end()) return std::nullopt;  // a decision published again, or of an event sent before this run
  const TimeMs at = it->second.at;
  lags_.push_back(played_to - at);
  waiting_.erase(it);
  return at;
}

TimeMs BarrierWait::limit(WallClock::time_point now, const std::function<bool(const std::string& lot)>& parkd_online) {
  TimeMs limit = kNever;
  for (auto& [key, w] : waiting_) {
    if (w.given_up) continue;
    if (now - w.sent >= patience_) {
      w.given_up = true;
      continue;
    }
    if (parkd_online(key.lot)) limit = std::min(limit, w.at + sim_wait_);
  }
  return limit;
}

std::size_t BarrierWait::undecided(const std::string& lot) const {
  return static_cast<std::size_t>(
      std::count_if(waiting_.begin(), waiting_.end(), [&](const auto& e) { return e.first.lot == lot; }));
}

}  // namespace parkd::sim
