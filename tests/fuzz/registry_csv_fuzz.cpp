// Fuzz target: the property office's CSV imports. The first byte picks households or vehicles.
// All or nothing: rows come back only without issues; every issue names a line of the file;
// every vehicle has a plate that passes the check and a household it was allowed to name.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/plate.h"
#include "core/registry_csv.h"
#include "fuzz_check.h"

namespace {
void check_issues(const std::vector<parkd::CsvIssue>& issues, std::string_view text) {
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const parkd::CsvIssue& issue : issues) {
    FUZZ_CHECK(!issue.message.empty());
    FUZZ_CHECK(issue.line >= 0 && issue.line <= lines);
    FUZZ_CHECK(issue.column >= 0);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    const parkd::HouseholdImport in = parkd::parse_households_csv(text);
    check_issues(in.issues, text);
    FUZZ_CHECK(in.issues.empty() || in.households.empty());
    std::set<std::string> ids;
    for (const parkd::Household& h : in.households) FUZZ_CHECK(ids.insert(h.household_id).second);  // no id twice
    return 0;
  }
  const std::set<std::string> known = {"1-101", "1-102", "2-301"};
  static const parkd::Registry on_record({parkd::Household{"1-101", "1", "101", parkd::HouseholdType::Owner, {}, {}}},
                                         {parkd::Vehicle{"沪A12345", "1-101", 0, std::nullopt, 1}});
  const parkd::VehicleImport in = parkd::parse_vehicles_csv(text, known, &on_record);
  check_issues(in.issues, text);
  FUZZ_CHECK(in.issues.empty() || in.vehicles.empty());
  for (const parkd::Vehicle& v : in.vehicles) {
    FUZZ_CHECK(parkd::check_plate(v.plate).ok());
    FUZZ_CHECK(known.count(v.household_id) == 1);
    FUZZ_CHECK(v.plate != "沪A12345");
  }
  return 0;
}
