// Guidance for the signs of one lot: builds DisplayFrames and decides when each may go out.
#pragma once

#include <cstdint>
#include <vector>

#include "display_frame.h"
#include "engine_sink.h"
#include "lot.h"
#include "occupancy.h"
#include "time_ms.h"

namespace parkd {

// The numbers a lot's signs show; a frame goes out only when these change.
// "Free" on a sign is what anybody may take: accessible spaces are counted apart.
struct GuidanceFigures {
  std::uint32_t free_total = 0;
  std::uint32_t free_for_visitors = 0;
  std::uint32_t free_accessible = 0;
  std::vector<std::uint32_t> free_by_zone;
  std::vector<std::uint32_t> free_accessible_by_zone;
  bool operator==(const GuidanceFigures&) const = default;
};

// True between the lot's night start and end (local time).
bool visitor_reserve_active(const Lot& lot, TimeMs now);
// Free spaces a visitor may take now: all free ones by day, those above the reserve at night.
std::uint32_t free_for_visitors(const Lot& lot, std::uint32_t free_total, TimeMs now);

GuidanceFigures compute_figures(const Occupancy& occupancy, TimeMs now);
DisplayFrame render_frame(const Lot& lot, DisplayIndex display, const GuidanceFigures& figures, TimeMs now,
                          std::uint64_t seq);

class Guidance {
 public:
  explicit Guidance(const Lot& lot);

  // Something a sign shows may have changed.
  void mark_dirty() { dirty_ = true; }
  // Sends every frame due at `now`: for a display whose figures changed, no sooner than one
  // frame interval after its previous frame.
  void advance(TimeMs now, const Occupancy& occupancy, EngineSink& sink);
  // When advance() next has something to do (a throttled frame, or the reserve switching).
  TimeMs next_due(TimeMs now) const;

 private:
  struct DisplayRuntime {
    std::uint64_t seq = 0;
    TimeMs last_sent_at = 0;
    bool ever_sent = false;
    GuidanceFigures last_sent;
  };

  const Lot& lot_;
  std::vector<DisplayRuntime> displays_;
  bool dirty_ = true;      // the first advance() puts a frame on every sign
  TimeMs reserve_switch_at_ = 0;
};

}  // namespace parkd
