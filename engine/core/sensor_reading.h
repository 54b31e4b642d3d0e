// A sensor report as the core receives it (already decoded and checked), and what became of it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "time_ms.h"

namespace parkd {

enum class ReportKind : std::uint8_t { Change, Heartbeat };

// Views stay valid only for the call that receives the reading.
struct SensorReading {
  std::string_view lot_id;
  std::string_view sensor_id;
  std::string_view space_id;
  std::uint32_t boot_id = 0;
  std::uint64_t seq = 0;
  TimeMs observed_at_ms = 0;  // the sensor's claim; the core uses its own time
  bool occupied = false;
  ReportKind kind = ReportKind::Change;
  std::uint32_t battery_mv = 0;  // 0 = unknown
};

enum class ReportOutcome : std::uint8_t {
  Accepted,       // taken in (it may or may not change the space)
  Duplicate,      // same (boot_id, seq) as the last accepted one
  OutOfOrder,     // older than the last accepted one, or from the boot before the current one
  UnknownLot,
  UnknownSensor,
  SpaceMismatch,  // the sensor named a space other than its own
};
inline constexpr std::size_t kReportOutcomeCount = 6;

std::string_view name_of(ReportOutcome o);

struct ReportCounters {
  std::array<std::uint64_t, kReportOutcomeCount> by_outcome{};
  void count(ReportOutcome o) { ++by_outcome[static_cast<std::size_t>(o)]; }
  std::uint64_t operator[](ReportOutcome o) const { return by_outcome[static_cast<std::size_t>(o)]; }
};

}  // namespace parkd
