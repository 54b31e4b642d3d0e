// The pact's money, in integer fen: monthly permit fees by household type and car rank, pro rata
// by days, and visitor fees with the free half hour, started hours and the 24-hour cap.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "time_ms.h"

namespace parkd {

using Fen = std::int64_t;

enum class HouseholdType : std::uint8_t { Owner, Tenant };
constexpr const char* name_of(HouseholdType t) { return t == HouseholdType::Owner ? "owner" : "tenant"; }

// Every figure is configuration; the defaults are xj5's pact.
struct PactTerms {
  std::vector<Fen> owner_monthly = {15'000, 30'000, 60'000};  // by rank; the last applies to every further car
  std::vector<Fen> tenant_monthly = {20'000, 40'000};         // by rank; tenant_max_cars at most
  std::uint32_t tenant_max_cars = 2;
  TimeMs visitor_free_ms = 30 * 60'000;
  Fen visitor_per_started_hour = 500;
  Fen visitor_cap_per_24h = 4'000;
  TimeMs overstay_after_ms = 24 * 3'600'000;
  // Days after a tenant's lease ends that its cars are still let in as residents' (not charged
  // as visitors, not billed either), so a renewal typed in late leaves no gap. A renewal within
  // them continues the lease from its end; a new lease after them is a new household's history.
  std::uint32_t lease_grace_days = 0;
};

// The monthly fee of the car of `rank` (1 = first registered); nothing for a tenant's car past
// the limit (it is treated as a visitor's).
std::optional<Fen> monthly_fee(const PactTerms& terms, HouseholdType type, std::uint32_t rank);

// round_half_up(fee x days / days_in_month), exactly, in integers.
Fen pro_rata(Fen monthly, int days, int days_in_month);

int days_in_month(int year, int month);

struct VisitorFee {
  Fen amount = 0;
  std::int64_t whole_days = 0;    // complete 24-hour periods from entry, each capped
  std::int64_t started_hours = 0; // of the last, incomplete period
  bool overstay = false;          // inside longer than overstay_after
};

// A stay up to the free time is free; otherwise each started hour of the whole stay costs the
// hourly fee, and each 24 hours counted from entry costs at most the cap.
VisitorFee visitor_fee(const PactTerms& terms, TimeMs entered_at, TimeMs left_at);

}  // namespace parkd
