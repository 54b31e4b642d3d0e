// The monthly bill of the pact: each household's cars ranked by registration day by day, the fee
// of each rank under the pact version in force that day, pro rata by days, in integer fen.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "civil_day.h"
#include "fees.h"

namespace parkd {

struct Household {
  std::string household_id;
  std::string building;
  std::string room;
  HouseholdType type = HouseholdType::Owner;
  std::optional<CivilDay> lease_end;  // tenants: the lease's last day in force
  // History: a household may appear once per version; a version applies from valid_from (none:
  // from the beginning) until the next version's. A lease extended on 11-05 leaves October's
  // bill as it was.
  std::optional<CivilDay> valid_from;
  // A version that starts a new history under a reused household_id (a new tenant after the old
  // lease lapsed): permits registered before valid_from are not in force under it.
  bool starts_history = false;
};

// The version of each household in force on a day, by household_id.
class HouseholdVersions {
 public:
  explicit HouseholdVersions(const std::vector<Household>& households);
  // nullptr when the household is unknown or has no version yet on `day`.
  const Household* on(const std::string& household_id, CivilDay day) const;
  // The latest version of each household, in household_id order.
  std::vector<const Household*> latest() const;

 private:
  std::map<std::string, std::vector<const Household*>> by_id_;  // each by valid_from
};

struct Vehicle {
  std::string plate;  // normalised
  std::string household_id;
  CivilDay registered_on = 0;           // the first day in force
  std::optional<CivilDay> removed_on;   // the first day without the permit
  std::uint64_t registration_order = 0; // ties on the same day: the earlier registration ranks first
  bool needs_accessible = false;        // its driver needs an accessible space
  bool electric = false;                // it charges (a new-energy plate says so by itself)
};

// The day rules of the pact: registered_on counts, removed_on does not, a lease's end is its
// last day in force. `h` is the household's version on day `d`.
bool in_force(const Vehicle& v, const Household& h, CivilDay d);

struct PactVersion {
  std::string name;        // e.g. "2026-01"
  CivilDay effective_from = 0;
  PactTerms terms;
};

// One line per car and stretch of days with the same rank and pact version: a car whose rank
// changes mid-month (another car was removed) gets a line for each rank.
struct BillLine {
  std::string month;  // YYYY-MM
  std::string household_id;
  std::string building;
  std::string room;
  HouseholdType type = HouseholdType::Owner;
  std::string plate;
  std::uint32_t rank = 0;
  Fen monthly_fee = 0;
  int days_billed = 0;
  Fen amount = 0;
  std::string pact_version;
  CivilDay first_day = 0;  // the stretch, for the record
  CivilDay last_day = 0;
  // An adjustment line (see bill_adjustments.h): the closed month it corrects, and why; empty
  // on the month's own lines.
  std::string corrects_month;
  std::string note;
};

// `versions` in any order; a day before every version is not billed. Lines come ordered by
// household, then plate, then first day.
std::vector<BillLine> monthly_bill(int year, int month, const std::vector<Household>& households,
                                   const std::vector<Vehicle>& vehicles, const std::vector<PactVersion>& versions);

// The version in force on `day`: the latest that starts on or before it; nullptr if none.
const PactVersion* pact_version_on(const std::vector<PactVersion>& versions, CivilDay day);

// The export: UTF-8 CSV, the spec's columns plus pact_version, corrects_month and note, money in
// yuan with 2 decimals. An adjustment line leaves rank and monthly fee empty: it sums stretches.
std::string bill_csv(const std::vector<BillLine>& lines, bool excel_bom = false);
std::string yuan(Fen fen);
std::string csv_field(const std::string& value);

}  // namespace parkd
