// The byte format of a space's changes packed into one row of its history (schema 13): what a
// save of the store writes for each space it touched, and what the console's history reads.
//
// Why packed (issue #16): a row per change cost an entry in the by-space index each, and those
// entries land on as many index pages as there are spaces, every page rewritten at each save:
// in a standalone SQLite test of a flood (17 changes a second on each of 1,000 spaces), 3.7 us
// a change with 100,000 rows kept, 7.4 us with 700,000. One row per space and save holding all
// its changes of that save: 0.2-0.3 us a change there; a quiet lot's save still has one change
// per row, as before.
//
// Format, per change in the order they happened: one byte, the state (0 free, 1 occupied,
// 2 held, 3 closed, 4 unknown, 5 suspect; fixed here, never the enum's order); the change's
// time as a zigzag varint of its difference from the previous change's time (the first one's
// from the row's `from_ms`), so a clock set back packs too; the note's length as a varint and
// its UTF-8 bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/space_state.h"
#include "core/time_ms.h"

namespace parkd {

struct PackedChange {
  SpaceState state = SpaceState::Unknown;
  TimeMs at = 0;
  std::string note;
  bool operator==(const PackedChange&) const = default;
};

// Appends changes to one row's blob; `from` is the time the row's first change is measured from.
class SpaceChangePacker {
 public:
  explicit SpaceChangePacker(TimeMs from) : previous_(from) {}
  void add(SpaceState state, TimeMs at, std::string_view note);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  TimeMs previous_;
};

// The changes of one row, in the order they happened; nullopt when the bytes are not this
// format (a truncated blob, an unknown state byte), which the store reports as a corrupt row.
std::optional<std::vector<PackedChange>> unpack_space_changes(std::string_view bytes, TimeMs from);

}  // namespace parkd
