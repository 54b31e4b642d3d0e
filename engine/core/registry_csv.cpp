// CSV parsing and the checks of every household and vehicle row.
#include "registry_csv.h"

#include <map>

#include "permit_change.h"
#include "plate.h"

namespace parkd {

std::string CsvIssue::to_string() const {
  std::string out = "line " + std::to_string(line);
  if (column > 0) out += ", column " + std::to_string(column);
  return out + ": " + message;
}

bool split_csv(std::string_view text, std::vector<std::vector<std::string>>& records, std::vector<int>& record_lines,
               std::string& error) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  int line = 1;
  int record_line = 1;
  auto end_record = [&] {
    record.push_back(std::move(field));
    field.clear();
    const bool blank = record.size() == 1 && record[0].empty() && !field_started;
    if (!blank) {
      records.push_back(std::move(record));
      record_lines.push_back(record_line);
    }
    record.clear();
    field_started = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      field_started = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_record();
      record_line = ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) {
    error = "line " + std::to_string(record_line) + ": a quoted field is never closed";
    return false;
  }
  if (field_started || !field.empty() || !record.empty()) end_record();
  return true;
}

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

template <typename Import>
bool read_records(std::string_view text, const std::vector<std::string>& header, Import& out,
                  std::vector<std::vector<std::string>>& rows, std::vector<int>& lines,
                  const std::vector<std::string>& optional_tail = {}) {
  std::string error;
  if (!split_csv(text, rows, lines, error)) {
    out.issues.push_back(CsvIssue{0, 0, error});
    return false;
  }
  std::string expected;
  for (const auto& h : header) expected += (expected.empty() ? "" : ",") + h;
  if (rows.empty()) {
    out.issues.push_back(CsvIssue{1, 0, "the file is empty; the first row must be the header " + expected});
    return false;
  }
  std::vector<std::string> got;
  for (const auto& f : rows[0]) got.push_back(trim(f));
  std::vector<std::string> longer = header;
  longer.insert(longer.end(), optional_tail.begin(), optional_tail.end());
  if (got != header && (optional_tail.empty() || got != longer)) {
    std::string with_tail = expected;
    for (const auto& h : optional_tail) with_tail += "," + h;
    out.issues.push_back(CsvIssue{lines[0], 0, "the header must be " + expected + (optional_tail.empty() ? "" : " or " + with_tail)});
    return false;
  }
  return true;
}

}  // namespace

HouseholdImport parse_households_csv(std::string_view text) {
  HouseholdImport out;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;
  if (!read_records(text, {"household_id", "building", "room", "household_type", "lease_end"}, out, rows, lines)) return out;
  std::map<std::string, int> seen;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const int line = lines[r];
    auto issue = [&](int column, std::string message) { out.issues.push_back(CsvIssue{line, column, std::move(message)}); };
    if (rows[r].size() != 5) {
      issue(0, "expected 5 fields, found " + std::to_string(rows[r].size()));
      continue;
    }
    Household h;
    h.household_id = trim(rows[r][0]);
    h.building = trim(rows[r][1]);
    h.room = trim(rows[r][2]);
    const std::string type = trim(rows[r][3]);
    const std::string lease = trim(rows[r][4]);
    if (h.household_id.empty()) issue(1, "household_id is empty");
    if (auto [it, fresh] = seen.emplace(h.household_id, line); !fresh && !h.household_id.empty()) {
      issue(1, "household '" + h.household_id + "' is listed twice (first on line " + std::to_string(it->second) + ")");
    }
    if (h.building.empty()) issue(2, "building is empty");
    if (h.room.empty()) issue(3, "room is empty");
    if (type == "owner") {
      h.type = HouseholdType::Owner;
      if (!lease.empty()) issue(5, "an owner household has no lease_end; leave it empty");
    } else if (type == "tenant") {
      h.type = HouseholdType::Tenant;
      if (lease.empty()) {
        issue(5, "a tenant household needs lease_end (YYYY-MM-DD), the lease's last day");
      } else if (auto d = parse_civil_day(lease)) {
        h.lease_end = *d;
      } else {
        issue(5, "lease_end '" + lease + "' is not a date YYYY-MM-DD");
      }
    } else {
      issue(4, "household_type '" + type + "' is neither owner nor tenant");
    }
    out.households.push_back(std::move(h));
  }
  if (!out.issues.empty()) out.households.clear();
  return out;
}

VehicleImport parse_vehicles_csv(std::string_view text, const std::set<std::string>& known_households,
                                 const Registry* on_record) {
  VehicleImport out;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;
  if (!read_records(text, {"plate", "household_id", "registered_on"}, out, rows, lines, {"needs_accessible", "electric"})) {
    return out;
  }
  const std::size_t fields = rows[0].size();
  std::map<std::string, int> seen;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const int line = lines[r];
    auto issue = [&](int column, std::string message) { out.issues.push_back(CsvIssue{line, column, std::move(message)}); };
    if (rows[r].size() != fields) {
      issue(0, "expected " + std::to_string(fields) + " fields, found " + std::to_string(rows[r].size()));
      continue;
    }
    Vehicle v;
    const PlateCheck plate = check_plate(rows[r][0]);
    v.plate = plate.normalised;
    if (!plate.ok()) issue(1, "plate: " + plate.why);
    if (auto [it, fresh] = seen.emplace(v.plate, line); !fresh && plate.ok()) {
      issue(1, "plate '" + v.plate + "' is listed twice (first on line " + std::to_string(it->second) + ")");
    }
    v.household_id = trim(rows[r][1]);
    if (v.household_id.empty()) {
      issue(2, "household_id is empty");
    } else if (known_households.count(v.household_id) == 0) {
      issue(2, "household '" + v.household_id + "' is not registered");
    }
    const std::string date = trim(rows[r][2]);
    if (auto d = parse_civil_day(date)) {
      v.registered_on = *d;
    } else {
      issue(3, "registered_on '" + date + "' is not a date YYYY-MM-DD");
    }
    for (std::size_t c = 3; c < fields; ++c) {
      const std::string flag = trim(rows[r][c]);
      bool& to = c == 3 ? v.needs_accessible : v.electric;
      if (flag == "yes" || flag == "1" || flag == "true") {
        to = true;
      } else if (!flag.empty() && flag != "no" && flag != "0" && flag != "false") {
        issue(static_cast<int>(c + 1), std::string(c == 3 ? "needs_accessible" : "electric") + " '" + flag +
                                           "' is neither yes nor no (empty: no)");
      }
    }
    if (on_record != nullptr && plate.ok() && v.registered_on != 0) {
      if (auto why = permit_conflict(*on_record, v)) issue(1, *why);
    }
    v.registration_order = static_cast<std::uint64_t>(r);
    out.vehicles.push_back(std::move(v));
  }
  if (!out.issues.empty()) out.vehicles.clear();
  return out;
}

}  // namespace parkd
