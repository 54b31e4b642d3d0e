// Builders for the test lots.
#include "support/test_lots.h"

#include <stdexcept>

namespace parkd::test {

LotSpec small_lot_spec(const std::string& lot_id) {
  LotSpec spec;
  spec.lot_id = lot_id;
  spec.timing.debounce_ms = 2'000;
  spec.timing.stale_after_ms = 180'000;
  spec.timing.frame_interval_ms = 500;
  spec.timing.hold_ms = 300'000;
  spec.reserve.reserve_spaces = 2;
  // Ids are built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string at -O3.
  auto add_spaces = [](ZoneSpec& zone, int count) {
    for (int i = 1; i <= count; ++i) {
      std::string id = zone.zone_id;
      id += std::to_string(i);
      std::string sensor = "s-";
      sensor += id;
      zone.spaces.push_back(SpaceSpec{id, sensor, SpaceKind::Ordinary, {}});
    }
  };
  ZoneSpec n{"N", "北区", "North", {}, {}};
  add_spaces(n, 4);
  ZoneSpec s{"S", "南区", "South", {}, {}};
  add_spaces(s, 3);
  spec.zones = {n, s};
  spec.displays = {DisplaySpec{"d", {ArrowSpec{"N", Arrow::Left, {}}, ArrowSpec{"S", Arrow::Right, {}}}, {}}};
  spec.gates = {GateSpec{"g", "d", {ZoneRef{"S", {}}}, {}}};
  spec.buildings = {BuildingSpec{"b1", {ZoneRef{"N", {}}, ZoneRef{"S", {}}}, {}},
                    BuildingSpec{"b2", {ZoneRef{"S", {}}}, {}}};
  return spec;
}

Lot small_lot(const std::string& lot_id) {
  LotBuild built = Lot::build(small_lot_spec(lot_id));
  if (!built.lot) throw std::runtime_error("small test lot does not validate: " + built.issues.front().to_string());
  return std::move(*built.lot);
}

std::vector<Lot> small_lots() {
  std::vector<Lot> lots;
  lots.push_back(small_lot());
  return lots;
}

SensorReading reading(std::string_view lot, std::string_view sensor, std::string_view space, bool occupied,
                      std::uint64_t seq, std::uint32_t boot, std::uint32_t battery_mv) {
  SensorReading r;
  r.lot_id = lot;
  r.sensor_id = sensor;
  r.space_id = space;
  r.boot_id = boot;
  r.seq = seq;
  r.occupied = occupied;
  r.battery_mv = battery_mv;
  return r;
}

}  // namespace parkd::test
