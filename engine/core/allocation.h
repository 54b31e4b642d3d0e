// Sending an arriving car to a space: the request, the answer, and the rule that picks a space.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lot.h"
#include "occupancy.h"
#include "time_ms.h"

namespace parkd {

struct AllocationRequest {
  std::string_view lot_id;
  std::string_view gate_id;
  std::string_view plate;        // normalised
  bool resident = false;         // a registered car with a permit in force
  std::string_view building_id;  // the resident's building; empty for visitors
  SpaceNeed need = SpaceNeed::Ordinary;
  // Decided after its car came (CameraClocks): the driver never saw the guidance, so the hold
  // counts no strike against the space if it runs out unused.
  bool late = false;
};

enum class AllocationStatus : std::uint8_t {
  Assigned,             // a space is held for the car
  LotFull,              // nothing free fit for the car
  ReserveForResidents,  // a visitor at night would leave fewer than the reserve free
  UnknownLot,
  UnknownGate,
};

std::string_view name_of(AllocationStatus s);

struct Allocation {
  AllocationStatus status = AllocationStatus::LotFull;
  std::string zone_id;   // set when Assigned
  std::string space_id;  // set when Assigned
  TimeMs held_until = 0;
};

// Picks the space for a car; does not hold it. Residents look in their building's nearest zones,
// visitors (and residents whose building is unknown) in the gate's; then every other zone.
struct SpaceChoice {
  AllocationStatus status = AllocationStatus::LotFull;
  SpaceIndex space = 0;
};
SpaceChoice choose_space(const Occupancy& occupancy, GateIndex gate, std::optional<BuildingIndex> building,
                         bool resident, SpaceNeed need, TimeMs now);

}  // namespace parkd
