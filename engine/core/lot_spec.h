// A lot as written in its configuration, before validation: plain values plus where each came from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "space_state.h"

namespace parkd {

// Where an item was written; line and column are 1-based, 0 when unknown.
struct SpecLocation {
  int line = 0;
  int column = 0;
};

struct SpaceSpec {
  std::string space_id;
  std::string sensor_id;
  SpaceKind kind = SpaceKind::Ordinary;
  SpecLocation at;
};

struct ZoneSpec {
  std::string zone_id;
  std::string name_zh;
  std::string name_en;
  std::vector<SpaceSpec> spaces;
  SpecLocation at;
};

struct ZoneRef {
  std::string zone_id;
  SpecLocation at;
};

struct ArrowSpec {
  std::string zone_id;
  Arrow arrow = Arrow::Straight;
  SpecLocation at;
};

struct DisplaySpec {
  std::string display_id;
  std::vector<ArrowSpec> arrows;
  SpecLocation at;
};

struct GateSpec {
  std::string gate_id;
  std::string display_id;
  std::vector<ZoneRef> nearest_zones;
  SpecLocation at;
};

struct BuildingSpec {
  std::string building_id;
  std::vector<ZoneRef> nearest_zones;
  SpecLocation at;
};

struct LotTiming {
  std::uint32_t debounce_ms = 2'000;
  std::uint32_t stale_after_ms = 180'000;
  std::uint32_t frame_interval_ms = 500;
  std::uint32_t hold_ms = 300'000;
  std::uint32_t low_battery_mv = 2'500;
};

// Between night_start and night_end (local time, may wrap midnight) a visitor is refused when
// fewer than reserve_spaces would stay free for residents after admitting it.
struct VisitorReserve {
  int night_start_minute = 18 * 60;
  int night_end_minute = 7 * 60;
  std::uint32_t reserve_spaces = 10;
};

// The thresholds of the rules that find spaces that lie (see docs/alerts.md).
struct AlertRules {
  // BLOCKED_SUSPECT: this many guided cars parked elsewhere within the window, no occupation
  // of the space in between.
  std::uint32_t blocked_strikes = 3;
  std::int64_t blocked_window_ms = 72LL * 3'600'000;
  // BLOCKED_SUSPECT at night: free this long within [night_start, night_end) local time while
  // no more than the night reserve was free in the whole lot. 0: off, the default — measured in
  // the soak, the reserve itself stays free all night whenever nobody comes home late, so the
  // rule alone raises legitimate spaces (docs/alerts.md).
  std::int64_t night_free_ms = 0;
  int night_start_minute = 20 * 60;
  int night_end_minute = 6 * 60;
  // LONG_OCCUPANCY: occupied without a break this long.
  std::int64_t long_occupancy_ms = 14LL * 86'400'000;
  // FLAPPING_SENSOR: this many accepted changes within the window raise it; a window with
  // fewer than flapping_quiet_changes clears it.
  std::uint32_t flapping_changes = 20;
  std::uint32_t flapping_quiet_changes = 5;
  std::int64_t flapping_window_ms = 3'600'000;
  // OCCUPIED_WITHOUT_ENTRY: occupied spaces exceed the cars inside by the gates' record by at
  // least this many for this long; at most the clear excess for record_clear_ms clears it.
  std::uint32_t unentered_excess = 5;
  std::int64_t unentered_ms = 3LL * 3'600'000;
  std::uint32_t unentered_clear_excess = 2;
  // MISSED_EXITS: the cars inside exceed the occupied spaces, likewise.
  std::uint32_t missed_exits_excess = 10;
  std::int64_t missed_exits_ms = 24LL * 3'600'000;
  std::uint32_t missed_exits_clear_excess = 3;
  std::int64_t record_clear_ms = 3'600'000;
};

struct LotSpec {
  std::string file;  // the file it was read from, for messages
  std::string lot_id;
  std::string name;
  int utc_offset_minutes = 480;
  LotTiming timing;
  VisitorReserve reserve;
  AlertRules alert_rules;
  std::vector<ZoneSpec> zones;
  std::vector<DisplaySpec> displays;
  std::vector<GateSpec> gates;
  std::vector<BuildingSpec> buildings;
  SpecLocation at;
};

}  // namespace parkd
