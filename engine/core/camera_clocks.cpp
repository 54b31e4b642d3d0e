// Each gate's camera clock offset from its events decided on time, and the lateness of the rest.
#include "camera_clocks.h"

#include <algorithm>

namespace parkd {

TimeMs CameraClocks::observe(const std::string& lot_id, const std::string& gate_id, TimeMs camera_at,
                             TimeMs decided_at) {
  if (camera_at <= 0) return 0;
  Gate& g = gates_[{lot_id, gate_id}];
  const TimeMs sample = decided_at - camera_at;
  const TimeMs late = g.on_time.empty() ? 0 : sample - *std::min_element(g.on_time.begin(), g.on_time.end());
  if (late > kLate) {
    if (!g.late_since) g.late_since = decided_at;
    if (decided_at - *g.late_since < kClockMovedAfter) return late;
    // Late without a break for this long: not a backlog (drained in seconds) but a clock set back.
    g.on_time.clear();
    ++clocks_moved_;
  }
  g.late_since.reset();
  g.on_time.push_back(sample);
  if (g.on_time.size() > kSamples) g.on_time.pop_front();
  return 0;
}

}  // namespace parkd
