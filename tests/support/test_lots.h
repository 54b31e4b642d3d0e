// Small lots built in code and a recording sink, shared by the core's unit tests.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/engine_sink.h"
#include "core/lot.h"
#include "core/lot_spec.h"
#include "core/sensor_reading.h"
#include "core/time_ms.h"

namespace parkd::test {

// 2026-11-02 12:00 Shanghai (04:00 UTC): daytime, so the visitor reserve is off.
inline constexpr TimeMs kNoonShanghai = 1'793'592'000'000;
// 2026-11-02 22:00 Shanghai: the visitor reserve is on.
inline constexpr TimeMs kNightShanghai = kNoonShanghai + 10 * 3'600'000;

// Zones "N" (4 spaces N1..N4) and "S" (3 spaces S1..S3); sensors "s-N1" ...; gate "g" with
// display "d" (N left, S right); building "b1" nearest N then S, "b2" nearest S.
LotSpec small_lot_spec(const std::string& lot_id = "tiny");
Lot small_lot(const std::string& lot_id = "tiny");
// That lot alone, as an engine takes its lots.
std::vector<Lot> small_lots();

// The views are kept as given: pass literals or strings that outlive the reading.
SensorReading reading(std::string_view lot, std::string_view sensor, std::string_view space, bool occupied,
                      std::uint64_t seq, std::uint32_t boot = 1, std::uint32_t battery_mv = 3000);

class RecordingSink : public EngineSink {
 public:
  void publish_frame(const DisplayFrame& frame) override { frames.push_back(frame); }
  void space_changed(const Lot& lot, const SpaceChange& change) override {
    changes.push_back(change);
    (void)lot;
  }
  void alert_changed(const Lot& lot, const Alert& alert) override {
    alerts.push_back(alert);
    (void)lot;
  }
  void strikes_changed(const Lot& lot, SpaceIndex space, std::span<const TimeMs> list) override {
    strikes.emplace_back(lot.spaces()[space].id, std::vector<TimeMs>(list.begin(), list.end()));
  }
  std::vector<DisplayFrame> frames;
  std::vector<SpaceChange> changes;
  std::vector<Alert> alerts;  // raised and cleared, in order
  std::vector<std::pair<std::string, std::vector<TimeMs>>> strikes;
};

}  // namespace parkd::test
