// The packed format of a space's changes: what is packed comes back, in order, and bytes that
// are not the format are refused rather than read as something else.
#include "store/packed_space_changes.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

TEST(PackedSpaceChanges, EveryStateATimeSetBackAndALongNoteComeBackInOrder) {
  const TimeMs from = 1'793'592'000'000;
  const std::string long_note(300, 'x');  // a length over one varint byte
  const std::vector<PackedChange> changes = {
      {SpaceState::Free, from, ""},
      {SpaceState::Occupied, from + 1, ""},
      {SpaceState::Held, from + 90'000, ""},
      {SpaceState::Closed, from + 90'000, "repainting lines / 重新划线"},
      {SpaceState::Unknown, from - 3'600'000, ""},  // the clock set back an hour
      {SpaceState::Suspect, from + 5, long_note},
  };
  SpaceChangePacker packed(from);
  for (const auto& c : changes) packed.add(c.state, c.at, c.note);
  const auto back = unpack_space_changes(packed.bytes(), from);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, changes);
}

TEST(PackedSpaceChanges, TheFormatIsFixedBytesNotTheEnumsLayout) {
  SpaceChangePacker packed(1'000);
  packed.add(SpaceState::Closed, 1'001, "ab");
  packed.add(SpaceState::Free, 999, "");
  // closed (3), +1 (zigzag 2), note of 2: "ab"; free (0), -2 (zigzag 3), no note.
  EXPECT_EQ(packed.bytes(), std::string("\x03\x02\x02" "ab" "\x00\x03\x00", 8));
}

TEST(PackedSpaceChanges, BytesThatAreNotTheFormatAreRefused) {
  SpaceChangePacker packed(0);
  packed.add(SpaceState::Occupied, 200, "a note");
  const std::string good = packed.bytes();
  ASSERT_TRUE(unpack_space_changes(good, 0));
  EXPECT_TRUE(unpack_space_changes("", 0)->empty()) << "no changes is a valid (if useless) row";
  for (std::size_t cut = 1; cut < good.size(); ++cut) {
    EXPECT_FALSE(unpack_space_changes(good.substr(0, cut), 0)) << "cut after " << cut << " bytes";
  }
  EXPECT_FALSE(unpack_space_changes(std::string("\x06\x00\x00", 3), 0)) << "no state has byte 6";
  EXPECT_FALSE(unpack_space_changes(std::string("\x01\x00\x7f", 3), 0)) << "a note longer than what is left";
  EXPECT_FALSE(unpack_space_changes(std::string(12, '\x81'), 0)) << "a varint that never ends";
}

}  // namespace
}  // namespace parkd
