// Packing and unpacking a space's changes (see the header for the format).
#include "packed_space_changes.h"

#include <array>
#include <cstdint>

namespace parkd {

namespace {

// The byte of each state, by the enum's value; the bytes are the format's, the enum may grow.
constexpr std::array<std::pair<SpaceState, std::uint8_t>, kSpaceStateCount> kStateBytes = {{
    {SpaceState::Free, 0},
    {SpaceState::Occupied, 1},
    {SpaceState::Held, 2},
    {SpaceState::Closed, 3},
    {SpaceState::Unknown, 4},
    {SpaceState::Suspect, 5},
}};

std::uint8_t byte_of(SpaceState s) {
  for (const auto& [state, byte] : kStateBytes) {
    if (state == s) return byte;
  }
  return 4;  // unreachable while the table covers the enum (its size is kSpaceStateCount)
}

std::optional<SpaceState> state_of(std::uint8_t b) {
  for (const auto& [state, byte] : kStateBytes) {
    if (byte == b) return state;
  }
  return std::nullopt;
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::optional<std::uint64_t> get_varint(std::string_view bytes, std::size_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64 && at < bytes.size(); shift += 7) {
    const auto b = static_cast<std::uint8_t>(bytes[at++]);
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return std::nullopt;
}

std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

}  // namespace

void SpaceChangePacker::add(SpaceState state, TimeMs at, std::string_view note) {
  bytes_.push_back(static_cast<char>(byte_of(state)));
  // Wraps like the times' own arithmetic would; any two TimeMs differ by less than 2^63 in use.
  put_varint(bytes_, zigzag(static_cast<std::int64_t>(static_cast<std::uint64_t>(at) - static_cast<std::uint64_t>(previous_))));
  put_varint(bytes_, note.size());
  bytes_.append(note);
  previous_ = at;
}

std::optional<std::vector<PackedChange>> unpack_space_changes(std::string_view bytes, TimeMs from) {
  std::vector<PackedChange> out;
  std::size_t at = 0;
  TimeMs previous = from;
  while (at < bytes.size()) {
    PackedChange c;
    const auto state = state_of(static_cast<std::uint8_t>(bytes[at++]));
    if (!state) return std::nullopt;
    c.state = *state;
    const auto delta = get_varint(bytes, at);
    if (!delta) return std::nullopt;
    c.at = static_cast<TimeMs>(static_cast<std::uint64_t>(previous) + static_cast<std::uint64_t>(unzigzag(*delta)));
    const auto length = get_varint(bytes, at);
    if (!length || *length > bytes.size() - at) return std::nullopt;
    c.note.assign(bytes.substr(at, static_cast<std::size_t>(*length)));
    at += static_cast<std::size_t>(*length);
    previous = c.at;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace parkd
