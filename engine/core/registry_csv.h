// Reading the property office's CSV files: households and vehicles, in the spec's columns.
// All or nothing: any problem, reported with its line and column, means nothing is imported.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "billing.h"
#include "registry.h"

namespace parkd {

struct CsvIssue {
  int line = 0;    // 1-based, counting the header
  int column = 0;  // 1-based field number; 0 for the whole line
  std::string message;
  std::string to_string() const;
};

struct HouseholdImport {
  std::vector<Household> households;  // empty when issues is not
  std::vector<CsvIssue> issues;
};

struct VehicleImport {
  std::vector<Vehicle> vehicles;  // plates normalised; empty when issues is not
  std::vector<CsvIssue> issues;
};

// household_id,building,room,household_type,lease_end (owner|tenant; lease_end empty for owners)
HouseholdImport parse_households_csv(std::string_view text);
// plate,household_id,registered_on[,needs_accessible,electric] (yes/no, empty: no);
// `known_households` are the ids a vehicle may name; a row
// whose permit would share a day with one `on_record` (if given) is refused.
VehicleImport parse_vehicles_csv(std::string_view text, const std::set<std::string>& known_households,
                                 const Registry* on_record = nullptr);

// RFC 4180 records: fields split on commas, quotes honoured, CRLF or LF, a UTF-8 BOM skipped.
// Returns false (with `error`) on an unterminated quote.
bool split_csv(std::string_view text, std::vector<std::vector<std::string>>& records, std::vector<int>& record_lines,
               std::string& error);

}  // namespace parkd
