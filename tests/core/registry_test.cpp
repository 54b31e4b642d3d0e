// The registry's import diff: each row new, changed from the latest version, or unchanged, in
// time linear in the file and the registry.
#include "core/registry.h"

#include <gtest/gtest.h>

#include <chrono>

namespace parkd {
namespace {

Household owner(std::string id, std::string room, std::optional<CivilDay> from = std::nullopt) {
  return Household{std::move(id), "7", std::move(room), HouseholdType::Owner, std::nullopt, from};
}

TEST(HouseholdImportDiff, RowsAreNewChangedFromTheLatestVersionOrUnchanged) {
  // H1 moved from 101 to 102 on 2026-10-01: its latest version is 102.
  Registry registry({owner("H1", "101"), owner("H2", "201"), owner("H1", "102", parse_civil_day("2026-10-01"))}, {});
  const std::vector<Household> rows = {owner("H1", "102"), owner("H2", "202"), owner("H3", "301")};
  const HouseholdImportDiff diff = diff_households(registry, rows);
  EXPECT_EQ(diff.unchanged, 1u);  // H1 as it is now
  ASSERT_EQ(diff.changes.size(), 2u);
  EXPECT_EQ(diff.changes[0].after->household_id, "H2");
  ASSERT_NE(diff.changes[0].before, nullptr);
  EXPECT_EQ(diff.changes[0].before->room, "201");
  EXPECT_EQ(diff.changes[1].after->household_id, "H3");
  EXPECT_EQ(diff.changes[1].before, nullptr);
}

TEST(HouseholdImportDiff, ALargeFileAgainstALargeRegistryIsLinear) {
  std::vector<Household> on_record;
  std::vector<Household> rows;
  for (int i = 0; i < 40'000; ++i) {
    on_record.push_back(owner("H" + std::to_string(i), "1"));
    rows.push_back(owner("H" + std::to_string(i), i % 2 == 0 ? "1" : "2"));
  }
  Registry registry(std::move(on_record), {});
  const HouseholdImportDiff diff = diff_households(registry, rows);
  EXPECT_EQ(diff.unchanged, 20'000u);
  EXPECT_EQ(diff.changes.size(), 20'000u);
}

}  // namespace
}  // namespace parkd
