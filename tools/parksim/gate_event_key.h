// A gate event as parksim sent it, to match the broker's acknowledgement and parkd's decision.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace parkd::sim {

// The lot, the gate and the camera's sequence number: what a GateDecision names back.
struct GateEventKey {
  std::string lot, gate;
  std::uint64_t seq = 0;
  auto operator<=>(const GateEventKey&) const = default;
};

}  // namespace parkd::sim
