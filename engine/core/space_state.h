// The vocabulary of spaces and signs: states, kinds and arrows, with their stable names.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace parkd {

// `unknown`, `closed` and `suspect` never count as free. `suspect`: the sensor says free but
// the space is believed blocked (a ground lock, an object); it is not offered until cleared.
enum class SpaceState : std::uint8_t { Free, Occupied, Held, Closed, Unknown, Suspect };
inline constexpr std::size_t kSpaceStateCount = 6;

enum class SpaceKind : std::uint8_t { Ordinary, Accessible, EvCharging };

enum class Arrow : std::uint8_t { Left, Right, Straight };

std::string_view name_of(SpaceState s);
std::string_view name_of(SpaceKind k);
std::string_view name_of(Arrow a);
std::optional<SpaceState> parse_space_state(std::string_view name);

// What the sign draws for an arrow.
std::string_view glyph_of(Arrow a);

}  // namespace parkd
