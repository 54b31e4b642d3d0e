// parksim's drivers at the barriers: the gate events sent and not yet decided, and how far the
// simulated time may run on before their decisions come.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time_ms.h"
#include "gate_event_key.h"

namespace parkd::sim {

// In the compound a driver waits seconds at the barrier for parkd's decision. Played thousands
// of times faster, the same real milliseconds of parkd's (or a busy machine's) delay are minutes
// of simulated time: a car that reads its decision minutes late reaches its space after the hold
// and its grace have ended (an hour late, it parks elsewhere), and parkd counts a strike against
// a space with nothing wrong (the likely cause of three BLOCKED_SUSPECT for nothing in CI's
// soak, beside other tests on a busy machine). So the play holds its
// simulated time at most `sim_wait` past a gate event still undecided, for at most `patience` of
// real time: a parkd that is offline, or a broker that lost the event, is not waited for.
class BarrierWait {
 public:
  using WallClock = std::chrono::steady_clock;

  BarrierWait(TimeMs sim_wait, WallClock::duration patience) : sim_wait_(sim_wait), patience_(patience) {}

  void sent(GateEventKey key, TimeMs at, WallClock::time_point now);
  // A decision seen when the play had reached `played_to`: its event's time, if this run sent
  // it and had not seen its decision yet.
  std::optional<TimeMs> decided(const GateEventKey& key, TimeMs played_to);
  // The simulated time the play may reach now (kNever: nothing to wait for). `parkd_online`
  // says whether a lot's parkd is there to decide; events of a lot without one are not waited
  // for, nor those waited for `patience` already (they stay undecided).
  TimeMs limit(WallClock::time_point now, const std::function<bool(const std::string& lot)>& parkd_online);
  // Sent and not decided (also those no longer waited for), of one lot.
  std::size_t undecided(const std::string& lot) const;
  bool empty() const { return waiting_.empty(); }
  // How much simulated time each decision seen came after its event, in the order seen.
  const std::vector<TimeMs>& lags() const { return lags_; }

 private:
  struct Waiting {
    TimeMs at = 0;
    WallClock::time_point sent;
    bool given_up = false;
  };
  const TimeMs sim_wait_;
  const WallClock::duration patience_;
  std::map<GateEventKey, Waiting> waiting_;
  std::vector<TimeMs> lags_;
};

}  // namespace parkd::sim
