// Validation of lot specs: every rule reports where the problem is and what it is.
#include "core/lot.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/test_lots.h"

namespace parkd {
namespace {

bool has_issue(const LotBuild& b, const std::string& text, int line = 0) {
  return std::any_of(b.issues.begin(), b.issues.end(), [&](const ConfigIssue& i) {
    return i.message.find(text) != std::string::npos && (line == 0 || i.line == line);
  });
}

TEST(Lot, SmallLotBuildsWithContiguousZones) {
  const Lot lot = test::small_lot();
  ASSERT_EQ(lot.zones().size(), 2u);
  EXPECT_EQ(lot.spaces().size(), 7u);
  EXPECT_EQ(lot.zones()[1].first_space, 4u);
  EXPECT_EQ(lot.zones()[1].space_count, 3u);
  EXPECT_EQ(lot.find_sensor("s-S2"), lot.find_space("S2"));
  EXPECT_EQ(lot.spaces()[*lot.find_space("S2")].zone, 1u);
  EXPECT_EQ(lot.zones()[0].name_zh, "北区");
  EXPECT_FALSE(lot.find_space("X9"));
}

TEST(Lot, SensorLookupWorksForShortAndLongIds) {
  LotSpec spec = test::small_lot_spec();
  spec.zones[0].spaces[0].sensor_id = "magnetometer-serial-0000000042";  // too long to keep in the slot
  spec.zones[0].spaces[1].space_id = "N2-with-a-rather-long-space-name";
  const LotBuild b = Lot::build(spec);
  ASSERT_TRUE(b.lot) << b.issues.front().to_string();
  const Lot& lot = *b.lot;
  EXPECT_EQ(lot.find_sensor("magnetometer-serial-0000000042"), SpaceIndex{0});
  const auto m = lot.match_sensor("s-N2");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->space, 1u);
  EXPECT_EQ(m->space_id, "N2-with-a-rather-long-space-name");
  EXPECT_EQ(lot.match_sensor("s-S3")->space_id, "S3");
  EXPECT_FALSE(lot.find_sensor("magnetometer-serial-0000000043"));
  EXPECT_FALSE(lot.find_sensor("s-N"));
  EXPECT_FALSE(lot.find_sensor(""));
}

TEST(Lot, DuplicateZoneIsReportedAtItsLine) {
  LotSpec spec = test::small_lot_spec();
  spec.file = "lots/tiny.textproto";
  ZoneSpec again = spec.zones[0];
  again.at = {17, 1};
  again.spaces = {SpaceSpec{"N9", "s-N9", SpaceKind::Ordinary, {}}};
  spec.zones.push_back(again);
  const LotBuild b = Lot::build(spec);
  EXPECT_FALSE(b.lot);
  ASSERT_TRUE(has_issue(b, "zone 'N' is defined twice", 17));
  EXPECT_EQ(b.issues.front().to_string(), "lots/tiny.textproto:17:1: zone 'N' is defined twice");
}

TEST(Lot, DuplicateSpaceAndSensorMappedTwiceAreRejected) {
  LotSpec spec = test::small_lot_spec();
  spec.zones[1].spaces.push_back(SpaceSpec{"N1", "s-new", SpaceKind::Ordinary, {30, 3}});
  spec.zones[1].spaces.push_back(SpaceSpec{"S9", "s-N2", SpaceKind::Ordinary, {31, 3}});
  const LotBuild b = Lot::build(spec);
  EXPECT_FALSE(b.lot);
  EXPECT_TRUE(has_issue(b, "space 'N1' is defined twice", 30));
  EXPECT_TRUE(has_issue(b, "sensor 's-N2' is mapped to a second space ('S9')", 31));
}

TEST(Lot, UnknownZonesAndMissingArrowsAreRejected) {
  LotSpec spec = test::small_lot_spec();
  spec.buildings[0].nearest_zones.push_back(ZoneRef{"Q", {40, 5}});
  spec.gates[0].nearest_zones.push_back(ZoneRef{"S", {41, 5}});
  spec.displays[0].arrows.pop_back();
  spec.displays[0].at = {42, 1};
  spec.gates[0].display_id = "nowhere";
  const LotBuild b = Lot::build(spec);
  EXPECT_FALSE(b.lot);
  EXPECT_TRUE(has_issue(b, "building 'b1' names unknown zone 'Q'", 40));
  EXPECT_TRUE(has_issue(b, "gate 'g' lists zone 'S' twice", 41));
  EXPECT_TRUE(has_issue(b, "display 'd' has no arrow toward zone 'S'", 42));
  EXPECT_TRUE(has_issue(b, "gate 'g' names unknown display 'nowhere'"));
}

TEST(Lot, ZoneWithoutSpacesAndEmptyLotAreRejected) {
  LotSpec spec = test::small_lot_spec();
  spec.zones.push_back(ZoneSpec{"E", "", "", {}, {50, 1}});
  EXPECT_TRUE(has_issue(Lot::build(spec), "zone 'E' has no spaces", 50));

  LotSpec empty;
  empty.lot_id = "void";
  EXPECT_TRUE(has_issue(Lot::build(empty), "lot 'void' has no zones"));
}

TEST(Lot, BadNumbersAreRejected) {
  LotSpec spec = test::small_lot_spec();
  spec.timing.stale_after_ms = 1'000;
  spec.timing.debounce_ms = 2'000;
  spec.timing.hold_ms = 0;
  spec.utc_offset_minutes = 2'000;
  spec.reserve.night_start_minute = 1'500;
  const LotBuild b = Lot::build(spec);
  EXPECT_FALSE(b.lot);
  EXPECT_TRUE(has_issue(b, "debounce_ms (2000) must be shorter than stale_after_ms (1000)"));
  EXPECT_TRUE(has_issue(b, "hold_ms must be above 0"));
  EXPECT_TRUE(has_issue(b, "utc_offset_minutes 2000 is outside"));
  EXPECT_TRUE(has_issue(b, "visitor reserve time 1500 is not a minute of the day"));
}

TEST(Lot, IdsMustBeUsableInTopics) {
  LotSpec spec = test::small_lot_spec();
  spec.zones[0].spaces[0].sensor_id = "s/N1";
  spec.lot_id = "";
  const LotBuild b = Lot::build(spec);
  EXPECT_TRUE(has_issue(b, "sensor of space 'N1' id 's/N1' is not usable"));
  EXPECT_TRUE(has_issue(b, "lot has no id"));
  EXPECT_TRUE(is_valid_id("sensor-A01"));
  EXPECT_FALSE(is_valid_id("a b"));
  EXPECT_FALSE(is_valid_id("a+"));
  EXPECT_FALSE(is_valid_id(std::string(65, 'x')));
}

TEST(Lot, NoGateMayTakeTheIdOfParkdsProbe) {
  LotSpec spec = test::small_lot_spec();
  ASSERT_FALSE(spec.gates.empty());
  spec.gates[0].gate_id = std::string(kProbeDeviceId);
  const LotBuild b = Lot::build(spec);
  EXPECT_FALSE(b.lot);
  EXPECT_TRUE(has_issue(b, "gate id 'parkd-probe' is reserved"));
}

}  // namespace
}  // namespace parkd
