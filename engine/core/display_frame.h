// What one entrance sign shows: the core's form of the DisplayFrame message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "space_state.h"
#include "time_ms.h"

namespace parkd {

struct ZoneGuidance {
  std::string zone_id;
  std::uint32_t free = 0;
  Arrow arrow = Arrow::Straight;
  bool full = false;                 // nothing free for anybody (accessible spaces aside)
  std::uint32_t free_accessible = 0; // kept for those who need one, not in `free`
};

struct DisplayFrame {
  std::string lot_id;
  std::string display_id;
  std::uint64_t seq = 0;  // rising per display
  TimeMs generated_at_ms = 0;
  std::uint32_t free_total = 0;
  std::uint32_t free_for_visitors = 0;
  std::uint32_t free_accessible = 0;
  std::vector<ZoneGuidance> zones;
  std::vector<std::string> lines_zh;
  std::vector<std::string> lines_en;
  bool engine_online = true;
};

}  // namespace parkd
