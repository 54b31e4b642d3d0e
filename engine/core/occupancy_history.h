// Recorded occupancy over time, for the public notice's night figures and stale-sensor hours.
// An interface of the core's own, over SQLite in engine/store/.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "state_counts.h"
#include "time_ms.h"

namespace parkd {

struct OccupancySample {
  std::string lot_id;
  TimeMs at = 0;  // parkd's time
  std::uint32_t free = 0;
  std::uint32_t occupied = 0;
  std::uint32_t held = 0;
  std::uint32_t closed = 0;
  std::uint32_t unknown = 0;
  std::uint32_t stale_sensors = 0;
  std::uint32_t total = 0;
};

class OccupancyHistory {
 public:
  virtual ~OccupancyHistory() = default;
  virtual std::error_code record(std::span<const OccupancySample> samples) = 0;
  // Samples with from <= at < to, oldest first.
  virtual std::error_code between(TimeMs from, TimeMs to, std::vector<OccupancySample>& out) = 0;
};

}  // namespace parkd
