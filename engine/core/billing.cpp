// Monthly billing: walk the month day by day, rank what is in force, and sum stretches.
#include "billing.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <tuple>

namespace parkd {

bool in_force(const Vehicle& v, const Household& h, CivilDay d) {
  if (d < v.registered_on) return false;
  if (v.removed_on && d >= *v.removed_on) return false;
  if (h.type == HouseholdType::Tenant && h.lease_end && d > *h.lease_end) return false;
  if (h.starts_history && h.valid_from && v.registered_on < *h.valid_from) return false;
  return true;
}

HouseholdVersions::HouseholdVersions(const std::vector<Household>& households) {
  for (const Household& h : households) by_id_[h.household_id].push_back(&h);
  for (auto& [id, list] : by_id_) {
    std::stable_sort(list.begin(), list.end(), [](const Household* a, const Household* b) {
      return a->valid_from.value_or(std::numeric_limits<CivilDay>::min()) <
             b->valid_from.value_or(std::numeric_limits<CivilDay>::min());
    });
  }
}

const Household* HouseholdVersions::on(const std::string& household_id, CivilDay day) const {
  const auto it = by_id_.find(household_id);
  if (it == by_id_.end()) return nullptr;
  const Household* found = nullptr;
  for (const Household* h : it->second) {
    if (h->valid_from && *h->valid_from > day) break;
    found = h;
  }
  return found;
}

std::vector<const Household*> HouseholdVersions::latest() const {
  std::vector<const Household*> out;
  for (const auto& [id, list] : by_id_) out.push_back(list.back());
  return out;
}

const PactVersion* pact_version_on(const std::vector<PactVersion>& versions, CivilDay d) {
  const PactVersion* best = nullptr;
  for (const auto& v : versions) {
    if (v.effective_from <= d && (best == nullptr || v.effective_from > best->effective_from)) best = &v;
  }
  return best;
}

std::string yuan(Fen fen) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", fen < 0 ? "-" : "", static_cast<long long>((fen < 0 ? -fen : fen) / 100),
                static_cast<long long>((fen < 0 ? -fen : fen) % 100));
  return buf;
}

std::vector<BillLine> monthly_bill(int year, int month, const std::vector<Household>& households,
                                   const std::vector<Vehicle>& vehicles, const std::vector<PactVersion>& versions) {
  const int month_days = days_in_month(year, month);
  const CivilDay first = civil_day(year, month, 1);
  char month_text[8];
  std::snprintf(month_text, sizeof month_text, "%04d-%02d", year, month);

  std::map<std::string, std::vector<const Vehicle*>> by_household;
  for (const auto& v : vehicles) by_household[v.household_id].push_back(&v);

  const HouseholdVersions versions_of(households);
  std::vector<BillLine> lines;
  for (const Household* latest : versions_of.latest()) {
    const std::string& id = latest->household_id;
    auto cars = by_household[id];
    std::sort(cars.begin(), cars.end(), [](const Vehicle* a, const Vehicle* b) {
      return std::tie(a->registered_on, a->registration_order) < std::tie(b->registered_on, b->registration_order);
    });
    // (plate, rank, version, household type) -> the stretch of days billed so: a household that
    // turns from owner to tenant mid-month pays each type's fee for that type's days.
    std::map<std::tuple<std::string, std::uint32_t, std::string, HouseholdType>, BillLine> stretches;
    for (CivilDay d = first; d < first + month_days; ++d) {
      const PactVersion* version = pact_version_on(versions, d);
      const Household* h = versions_of.on(id, d);
      if (version == nullptr || h == nullptr) continue;
      std::uint32_t rank = 0;
      for (const Vehicle* v : cars) {
        if (!in_force(*v, *h, d)) continue;
        ++rank;
        const auto fee = monthly_fee(version->terms, h->type, rank);
        if (!fee) continue;  // a tenant's car past the limit pays as a visitor
        BillLine& line = stretches[{v->plate, rank, version->name, h->type}];
        if (line.days_billed == 0) {
          // The household as it was on the stretch's first day (building and type rarely change).
          line = BillLine{month_text, h->household_id, h->building, h->room, h->type, v->plate, rank, *fee, 0, 0,
                          version->name, d, d, {}, {}};
        }
        ++line.days_billed;
        line.last_day = d;
      }
    }
    std::vector<BillLine> own;
    for (auto& [key, line] : stretches) {
      line.amount = pro_rata(line.monthly_fee, line.days_billed, month_days);
      own.push_back(std::move(line));
    }
    std::sort(own.begin(), own.end(), [](const BillLine& a, const BillLine& b) {
      return std::tie(a.plate, a.first_day) < std::tie(b.plate, b.first_day);
    });
    lines.insert(lines.end(), own.begin(), own.end());
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const BillLine& a, const BillLine& b) { return a.household_id < b.household_id; });
  return lines;
}

// RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled.
std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string bill_csv(const std::vector<BillLine>& lines, bool excel_bom) {
  std::string out = excel_bom ? "\xEF\xBB\xBF" : "";
  out += "month,household_id,building,room,household_type,plate,vehicle_rank,monthly_fee,days_billed,amount,pact_version,"
         "corrects_month,note\n";
  for (const BillLine& l : lines) {
    const bool adjustment = !l.corrects_month.empty();
    out += l.month + "," + csv_field(l.household_id) + "," + csv_field(l.building) + "," + csv_field(l.room) + "," +
           name_of(l.type) + "," + csv_field(l.plate) + "," + (adjustment ? "" : std::to_string(l.rank)) + "," +
           (adjustment ? "" : yuan(l.monthly_fee)) + "," + std::to_string(l.days_billed) + "," + yuan(l.amount) + "," +
           csv_field(l.pact_version) + "," + l.corrects_month + "," + csv_field(l.note) + "\n";
  }
  return out;
}

}  // namespace parkd
