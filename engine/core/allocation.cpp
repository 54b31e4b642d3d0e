// The allocation rule: nearest zones first, the night reserve for visitors, never one space twice.
#include "allocation.h"

#include <algorithm>
#include <span>
#include <vector>

#include "guidance.h"

namespace parkd {

std::string_view name_of(AllocationStatus s) {
  switch (s) {
    case AllocationStatus::Assigned: return "assigned";
    case AllocationStatus::LotFull: return "lot_full";
    case AllocationStatus::ReserveForResidents: return "reserve_for_residents";
    case AllocationStatus::UnknownLot: return "unknown_lot";
    case AllocationStatus::UnknownGate: return "unknown_gate";
  }
  return "unknown";
}

SpaceChoice choose_space(const Occupancy& occupancy, GateIndex gate, std::optional<BuildingIndex> building,
                         bool resident, SpaceNeed need, TimeMs now) {
  const Lot& lot = occupancy.lot();
  // Accessible spaces are kept for those who need one: for everyone else they are not free, and
  // the night reserve is counted without them.
  const std::uint32_t free_all = occupancy.lot_counts().free();
  const std::uint32_t free_general = free_all - occupancy.lot_free_accessible();
  if ((need == SpaceNeed::Accessible ? free_all : free_general) == 0) return {AllocationStatus::LotFull, 0};
  if (!resident && free_for_visitors(lot, free_general, now) == 0) {
    return {AllocationStatus::ReserveForResidents, 0};
  }
  std::vector<ZoneIndex> zones =
      resident && building ? lot.buildings()[*building].nearest_zones : lot.gates()[gate].nearest_zones;
  for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
    if (std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  }
  // The kind the car needs, in every zone nearest first, before any other kind: an electric car
  // is sent to a charger, an ordinary car to an ordinary space while any is left (a charger
  // only when none is), a car that needs an accessible space to one.
  static constexpr SpaceKind kForOrdinary[] = {SpaceKind::Ordinary, SpaceKind::EvCharging};
  static constexpr SpaceKind kForElectric[] = {SpaceKind::EvCharging, SpaceKind::Ordinary};
  static constexpr SpaceKind kForAccessible[] = {SpaceKind::Accessible, SpaceKind::Ordinary, SpaceKind::EvCharging};
  const std::span<const SpaceKind> kinds = need == SpaceNeed::Accessible ? std::span<const SpaceKind>(kForAccessible)
                                           : need == SpaceNeed::EvCharging ? std::span<const SpaceKind>(kForElectric)
                                                                           : std::span<const SpaceKind>(kForOrdinary);
  for (SpaceKind kind : kinds) {
    for (ZoneIndex z : zones) {
      if (auto space = occupancy.find_free_of_kind(z, kind)) return {AllocationStatus::Assigned, *space};
    }
  }
  return {AllocationStatus::LotFull, 0};
}

}  // namespace parkd
