// A validated, immutable lot: zones, spaces, sensors, displays, gates and buildings by dense index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config_issue.h"
#include "id_index.h"
#include "lot_spec.h"
#include "sensor_table.h"

namespace parkd {

using SpaceIndex = std::uint32_t;
using ZoneIndex = std::uint32_t;
using DisplayIndex = std::uint32_t;
using GateIndex = std::uint32_t;
using BuildingIndex = std::uint32_t;

struct Zone {
  std::string id;
  std::string name_zh;
  std::string name_en;
  SpaceIndex first_space = 0;  // a zone's spaces are contiguous
  std::uint32_t space_count = 0;
};

struct Space {
  std::string id;
  std::string sensor_id;
  ZoneIndex zone = 0;
  SpaceKind kind = SpaceKind::Ordinary;
};

struct Display {
  std::string id;
  std::vector<Arrow> arrow_by_zone;  // indexed by ZoneIndex
};

struct Gate {
  std::string id;
  DisplayIndex display = 0;
  std::vector<ZoneIndex> nearest_zones;
};

struct Building {
  std::string id;
  std::vector<ZoneIndex> nearest_zones;
};

class Lot;
struct LotBuild;

class Lot {
 public:
  // Validates everything and reports every problem found, not just the first one.
  static LotBuild build(const LotSpec& spec);

  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  int utc_offset_minutes() const { return utc_offset_minutes_; }
  const LotTiming& timing() const { return timing_; }
  const VisitorReserve& reserve() const { return reserve_; }
  const AlertRules& alert_rules() const { return alert_rules_; }

  const std::vector<Zone>& zones() const { return zones_; }
  const std::vector<Space>& spaces() const { return spaces_; }
  const std::vector<Display>& displays() const { return displays_; }
  const std::vector<Gate>& gates() const { return gates_; }
  const std::vector<Building>& buildings() const { return buildings_; }
  std::size_t accessible_spaces() const { return accessible_spaces_; }

  std::optional<SpaceIndex> find_space(std::string_view id) const { return find(space_index_, id); }
  std::optional<SpaceIndex> find_sensor(std::string_view id) const {
    const auto match = sensor_table_.find(id);
    if (!match) return std::nullopt;
    return match->space;
  }
  // The hot path: the sensor's space and that space's id, without touching the Space records.
  std::optional<SensorTable::Match> match_sensor(std::string_view id) const { return sensor_table_.find(id); }
  const SensorTable& sensor_table() const { return sensor_table_; }
  std::optional<ZoneIndex> find_zone(std::string_view id) const { return find(zone_index_, id); }
  std::optional<DisplayIndex> find_display(std::string_view id) const { return find(display_index_, id); }
  std::optional<GateIndex> find_gate(std::string_view id) const { return find(gate_index_, id); }
  std::optional<BuildingIndex> find_building(std::string_view id) const { return find(building_index_, id); }

 private:
  Lot() = default;

  template <typename I>
  static std::optional<I> find(const IdIndex<I>& index, std::string_view id) {
    auto it = index.find(id);
    if (it == index.end()) return std::nullopt;
    return it->second;
  }

  std::string id_;
  std::string name_;
  std::size_t accessible_spaces_ = 0;  // counted once: every sign frame asks
  int utc_offset_minutes_ = 0;
  LotTiming timing_;
  VisitorReserve reserve_;
  AlertRules alert_rules_;
  std::vector<Zone> zones_;
  std::vector<Space> spaces_;
  std::vector<Display> displays_;
  std::vector<Gate> gates_;
  std::vector<Building> buildings_;
  IdIndex<SpaceIndex> space_index_;
  SensorTable sensor_table_;
  IdIndex<ZoneIndex> zone_index_;
  IdIndex<DisplayIndex> display_index_;
  IdIndex<GateIndex> gate_index_;
  IdIndex<BuildingIndex> building_index_;
};

struct LotBuild {
  std::optional<Lot> lot;  // set only when issues is empty
  ConfigIssues issues;
};

// True when `id` can be used as an MQTT topic level and a CSV field: 1..64 characters, none of
// them '/', '+', '#', ',', '"', a control character or white space.
bool is_valid_id(std::string_view id);
// The gate id in the topic of the probe parkd sends itself through its gate-event subscription
// (MqttSession): no gate may have it.
inline constexpr std::string_view kProbeDeviceId = "parkd-probe";

}  // namespace parkd
