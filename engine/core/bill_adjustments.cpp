// Adjustment lines: a closed month's bill recomputed and compared with what was issued for it.
#include "bill_adjustments.h"

#include <cstdio>
#include <map>
#include <tuple>

#include "civil_day.h"

namespace parkd {

std::string next_month(const std::string& month) {
  int year = 0;
  int m = 0;
  if (!parse_month(month, year, m)) return month;
  if (++m > 12) {
    m = 1;
    ++year;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d", year, m);
  return text;
}

std::string first_open_month_after(const std::string& month, const std::set<std::string>& closed) {
  std::string m = next_month(month);
  while (closed.count(m) > 0) m = next_month(m);
  return m;
}

namespace {

struct Sum {
  int days = 0;
  Fen amount = 0;
  const BillLine* sample = nullptr;  // where building, room and pact version come from
};
using Key = std::tuple<std::string, std::string, HouseholdType>;  // household, plate, type

void add(std::map<Key, Sum>& sums, const BillLine& l, int sign) {
  Sum& s = sums[{l.household_id, l.plate, l.type}];
  s.days += sign * l.days_billed;
  s.amount += sign * l.amount;
  if (s.sample == nullptr || sign > 0) s.sample = &l;
}

}  // namespace

std::vector<BillLine> adjustment_lines(const std::string& month, const std::set<std::string>& closed,
                                       const std::vector<BillLine>& issued,
                                       const std::function<std::vector<BillLine>(const std::string&)>& bill_of) {
  std::vector<BillLine> out;
  for (const std::string& c : closed) {
    if (c >= month || first_open_month_after(c, closed) != month) continue;
    const std::vector<BillLine> now = bill_of(c);
    std::map<Key, Sum> due;    // what C's bill is now
    std::map<Key, Sum> billed; // what was issued for C
    for (const BillLine& l : now) add(due, l, +1);
    for (const BillLine& l : issued) {
      if ((l.corrects_month.empty() && l.month == c) || l.corrects_month == c) add(billed, l, +1);
    }
    std::map<Key, Sum> keys = due;
    for (const auto& [key, sum] : billed) keys.try_emplace(key, Sum{0, 0, sum.sample});
    for (const auto& [key, any] : keys) {
      const Sum& d = due[key];
      const Sum& b = billed[key];
      if (d.amount == b.amount && d.days == b.days) continue;
      const BillLine& sample = *(d.sample != nullptr ? d.sample : b.sample);
      BillLine line{month, std::get<0>(key), sample.building, sample.room, std::get<2>(key),
                    std::get<1>(key), 0, 0, d.days - b.days, d.amount - b.amount, sample.pact_version,
                    sample.first_day, sample.last_day, c, ""};
      line.note = "registry changed after " + c + " was issued: billed " + std::to_string(b.days) + " days " +
                  yuan(b.amount) + "; due " + std::to_string(d.days) + " days " + yuan(d.amount);
      out.push_back(std::move(line));
    }
  }
  return out;
}

}  // namespace parkd
