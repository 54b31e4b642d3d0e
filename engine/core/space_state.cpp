// Stable names of the space vocabulary: these strings appear in the API, logs and exports.
#include "space_state.h"

namespace parkd {

std::string_view name_of(SpaceState s) {
  switch (s) {
    case SpaceState::Free: return "free";
    case SpaceState::Occupied: return "occupied";
    case SpaceState::Held: return "held";
    case SpaceState::Closed: return "closed";
    case SpaceState::Unknown: return "unknown";
    case SpaceState::Suspect: return "suspect";
  }
  return "unknown";
}

std::string_view name_of(SpaceKind k) {
  switch (k) {
    case SpaceKind::Ordinary: return "ordinary";
    case SpaceKind::Accessible: return "accessible";
    case SpaceKind::EvCharging: return "ev_charging";
  }
  return "ordinary";
}

std::string_view name_of(Arrow a) {
  switch (a) {
    case Arrow::Left: return "left";
    case Arrow::Right: return "right";
    case Arrow::Straight: return "straight";
  }
  return "straight";
}

std::optional<SpaceState> parse_space_state(std::string_view name) {
  for (auto s : {SpaceState::Free, SpaceState::Occupied, SpaceState::Held, SpaceState::Closed,
                 SpaceState::Unknown, SpaceState::Suspect}) {
    if (name_of(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view glyph_of(Arrow a) {
  switch (a) {
    case Arrow::Left: return "←";
    case Arrow::Right: return "→";
    case Arrow::Straight: return "↑";
  }
  return "↑";
}

}  // namespace parkd
