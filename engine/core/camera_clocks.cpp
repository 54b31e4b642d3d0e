// Each gate's camera clock offset from its events decided on time, and the lateness of the rest.
#include "camera_clocks.h"

#include <algorithm>

namespace parkd {

CameraClocks::Judgement CameraClocks::observe(const std::string& lot_id, const std::string& gate_id, TimeMs camera_at,
                                              TimeMs decided_at) {
  if (camera_at <= 0) return {0, decided_at};
  Gate& g = gates_[{lot_id, gate_id}];
  // A camera's events come in order: one whose time is not after the last one's is a
  // repetition, a redelivery, or a camera whose clock stands still or was reset. Its clock says
  // nothing then: judged on time (a later late one is not taken back before it), and not a sample.
  if (camera_at <= g.last_camera_at) {
    g.last_on_time = std::max(g.last_on_time, decided_at);
    return {0, decided_at};
  }
  g.last_camera_at = camera_at;
  const TimeMs sample = decided_at - camera_at;
  const TimeMs late = g.on_time.empty() ? 0 : sample - *std::min_element(g.on_time.begin(), g.on_time.end());
  if (late > kLate) {
    if (!g.late_since) g.late_since = decided_at;
    if (decided_at - *g.late_since < kClockMovedAfter) return {late, std::max(decided_at - late, g.last_on_time)};
    // Late without a break for this long: not a backlog (drained in seconds) but a clock set back.
    g.on_time.clear();
    ++clocks_moved_;
  }
  g.late_since.reset();
  g.last_on_time = std::max(g.last_on_time, decided_at);
  g.on_time.push_back(sample);
  if (g.on_time.size() > kSamples) g.on_time.pop_front();
  return {0, decided_at};
}

}  // namespace parkd
