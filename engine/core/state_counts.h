// How many spaces are in each state, for a zone or a whole lot.
#pragma once

#include <array>
#include <cstdint>

#include "space_state.h"

namespace parkd {

struct StateCounts {
  std::array<std::uint32_t, kSpaceStateCount> by_state{};

  std::uint32_t operator[](SpaceState s) const { return by_state[static_cast<std::size_t>(s)]; }
  void add(SpaceState s) { ++by_state[static_cast<std::size_t>(s)]; }
  void remove(SpaceState s) { --by_state[static_cast<std::size_t>(s)]; }
  std::uint32_t free() const { return (*this)[SpaceState::Free]; }
  std::uint32_t total() const {
    std::uint32_t t = 0;
    for (auto n : by_state) t += n;
    return t;
  }
  bool operator==(const StateCounts&) const = default;
};

}  // namespace parkd
