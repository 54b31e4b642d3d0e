// Fee arithmetic. No floating point anywhere: money is integer fen.
#include "fees.h"

#include <algorithm>

namespace parkd {

std::optional<Fen> monthly_fee(const PactTerms& terms, HouseholdType type, std::uint32_t rank) {
  if (rank == 0) return std::nullopt;
  const std::vector<Fen>& table = type == HouseholdType::Owner ? terms.owner_monthly : terms.tenant_monthly;
  if (type == HouseholdType::Tenant && rank > terms.tenant_max_cars) return std::nullopt;
  if (table.empty()) return std::nullopt;
  return table[std::min<std::size_t>(rank, table.size()) - 1];
}

Fen pro_rata(Fen monthly, int days, int month_days) {
  if (days <= 0 || month_days <= 0) return 0;
  // round_half_up(a / b) = floor((2a + b) / 2b) for a, b >= 0.
  const Fen a = monthly * days;
  const Fen b = month_days;
  return (2 * a + b) / (2 * b);
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[(month - 1) % 12];
}

VisitorFee visitor_fee(const PactTerms& terms, TimeMs entered_at, TimeMs left_at) {
  VisitorFee fee;
  const TimeMs stay = std::max<TimeMs>(0, left_at - entered_at);
  fee.overstay = stay > terms.overstay_after_ms;
  if (stay <= terms.visitor_free_ms) return fee;
  constexpr TimeMs kHour = 3'600'000;
  constexpr TimeMs kDay = 24 * kHour;
  fee.whole_days = stay / kDay;
  const TimeMs rest = stay % kDay;
  fee.started_hours = (rest + kHour - 1) / kHour;
  const Fen per_day = std::min<Fen>(24 * terms.visitor_per_started_hour, terms.visitor_cap_per_24h);
  fee.amount = fee.whole_days * per_day +
               std::min<Fen>(fee.started_hours * terms.visitor_per_started_hour, terms.visitor_cap_per_24h);
  return fee;
}

}  // namespace parkd
