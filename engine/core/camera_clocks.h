// How late each gate event reaches parkd, judged by its camera's clock against the same
// camera's earlier events, so that a camera whose clock is off by minutes is judged right.
//
// Why: after an outage (parkd restarting, the broker or the network away) the events the broker
// or the inbox kept are decided minutes after the cars came. Their drivers were let in by the
// barrier's own rules and never saw the guidance, so the hold parkd puts on the space it names
// is not a car on its way, and one that runs out unused must not count as a strike against the
// space (three in an hour raise BLOCKED_SUSPECT for a space with nothing wrong).
//
// A camera's clock is not parkd's: each gate's offset is the smallest (decided at − camera at)
// of its last kSamples events decided on time (network and queueing only add to it), and an
// event is late by how much more it took. An event judged late is not a sample, so a backlog
// of any length does not raise the offset; but a camera whose clock was set back makes every
// event look late, so after kClockMovedAfter of nothing but late events the gate starts again
// from its latest. A gate with no samples yet judges nothing late, and neither does an event
// whose camera time is not after its gate's previous one (a clock that stands still).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "time_ms.h"

namespace parkd {

class CameraClocks {
 public:
  static constexpr std::size_t kSamples = 32;
  // Later than this, a driver did not wait at the barrier for the decision.
  static constexpr TimeMs kLate = 60'000;
  static constexpr TimeMs kClockMovedAfter = 10 * 60'000;

  struct Judgement {
    TimeMs late_by = 0;  // how much later than its gate's usual it came (0: on time or unknown)
    // When its car was at the gate, by parkd's clock: `decided_at` less late_by, and never before
    // the gate's last event decided on time (a camera clock set back during the outage does not
    // take a visitor's stay back further than that).
    TimeMs came_at = 0;
  };
  // An event of (lot, gate) whose camera said `camera_at` (0: not sent), decided at parkd's
  // `decided_at`.
  Judgement observe(const std::string& lot_id, const std::string& gate_id, TimeMs camera_at, TimeMs decided_at);
  // Times a gate started again after its camera's clock moved back (see above).
  std::size_t clocks_moved() const { return clocks_moved_; }

 private:
  struct Gate {
    std::deque<TimeMs> on_time;          // decided at − camera at, the last kSamples on time
    std::optional<TimeMs> late_since;    // parkd's time of the first of the late events in a row
    TimeMs last_on_time = 0;             // parkd's time of the last event decided on time
    TimeMs last_camera_at = 0;           // the camera's time of its latest event
  };
  std::map<std::pair<std::string, std::string>, Gate> gates_;
  std::size_t clocks_moved_ = 0;
};

}  // namespace parkd
