// The allocation rule: nearest zones first, the night reserve for visitors, never one space twice.
#include "allocation.h"

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
  const std::uint32_t free_total = occupancy.lot_counts().free();
  if (free_total == 0) return {AllocationStatus::LotFull, 0};
  if (!resident && free_for_visitors(lot, free_total, now) == 0) {
    return {AllocationStatus::ReserveForResidents, 0};
  }
  const std::vector<ZoneIndex>& preferred =
      resident && building ? lot.buildings()[*building].nearest_zones : lot.gates()[gate].nearest_zones;
  for (ZoneIndex z : preferred) {
    if (auto space = occupancy.find_free(z, need)) return {AllocationStatus::Assigned, *space};
  }
  for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
    if (auto space = occupancy.find_free(z, need)) return {AllocationStatus::Assigned, *space};
  }
  return {AllocationStatus::LotFull, 0};
}

}  // namespace parkd
