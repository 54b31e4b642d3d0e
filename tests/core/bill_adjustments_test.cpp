// Closed months and their corrections: where adjustments go, and a property test of billing over
// random registries edited the way an office does (adds, removals, corrections, moves), month by
// month, each month issued when it ends.
#include "core/bill_adjustments.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/civil_day.h"
#include "core/permit_change.h"
#include "support/test_data.h"

namespace parkd {
namespace {

using test::day;

const std::vector<PactVersion> kPact = {PactVersion{"2026-01", day("2026-01-01"), {}}};

std::vector<BillLine> bill_of(const Registry& r, const std::string& month) {
  int y = 0;
  int m = 0;
  parse_month(month, y, m);
  return monthly_bill(y, m, r.households(), r.vehicles(), kPact);
}

TEST(BillAdjustments, CorrectionsGoToTheFirstOpenMonthAfterTheOneTheyCorrect) {
  EXPECT_EQ(next_month("2026-12"), "2027-01");
  EXPECT_EQ(first_open_month_after("2026-09", {"2026-09", "2026-10"}), "2026-11");
  EXPECT_EQ(first_open_month_after("2026-08", {"2026-08", "2026-10"}), "2026-09");

  // H1's 沪A10001 billed 150.00 in August and October (both issued); September is still open.
  // Then the car is found to have been removed on 2026-08-01.
  const std::vector<Household> h = {{"H1", "3", "101", HouseholdType::Owner, std::nullopt, std::nullopt}};
  const Registry before(h, {{"沪A10001", "H1", day("2026-01-01"), std::nullopt, 1}});
  std::vector<BillLine> issued = bill_of(before, "2026-08");
  for (BillLine l : bill_of(before, "2026-10")) issued.push_back(std::move(l));
  const std::set<std::string> closed = {"2026-08", "2026-10"};
  const Registry after(h, {{"沪A10001", "H1", day("2026-01-01"), day("2026-08-01"), 1}});
  const auto recompute = [&](const std::string& c) { return bill_of(after, c); };
  // August's credit goes to September (open); October's to November.
  const std::vector<BillLine> september = adjustment_lines("2026-09", closed, issued, recompute);
  ASSERT_EQ(september.size(), 1u);
  EXPECT_EQ(september[0].corrects_month, "2026-08");
  EXPECT_EQ(september[0].amount, -150'00);
  EXPECT_EQ(september[0].days_billed, -31);
  const std::vector<BillLine> november = adjustment_lines("2026-11", closed, issued, recompute);
  ASSERT_EQ(november.size(), 1u);
  EXPECT_EQ(november[0].corrects_month, "2026-10");
  EXPECT_TRUE(adjustment_lines("2026-12", closed, issued, recompute).empty());
  // Once September is issued with August's credit, nothing of August is left to correct.
  std::vector<BillLine> with_september = issued;
  for (BillLine l : september) with_september.push_back(std::move(l));
  EXPECT_TRUE(adjustment_lines("2026-11", {"2026-08", "2026-09", "2026-10"}, with_september, recompute).size() == 1u);
}

// The registry with a plan applied the way the store applies it.
Registry applied(const Registry& before, const PermitPlan& plan, std::uint64_t& next_id) {
  std::vector<Vehicle> vehicles = before.vehicles();
  for (const Vehicle& v : plan.rewritten) {
    for (Vehicle& stored : vehicles) {
      if (stored.registration_order == v.registration_order) stored = v;
    }
  }
  for (Vehicle v : plan.added) {
    v.registration_order = next_id++;
    vehicles.push_back(std::move(v));
  }
  return Registry(before.households(), std::move(vehicles));
}

TEST(BillingProperty, NoPlateIsBilledTwiceADayIssuedMonthsNeverChangeAndCorrectionsAddUp) {
  const std::vector<Household> households = {
      {"H1", "1", "101", HouseholdType::Owner, std::nullopt, std::nullopt},
      {"H2", "1", "102", HouseholdType::Owner, std::nullopt, std::nullopt},
      {"H3", "2", "201", HouseholdType::Tenant, day("2026-09-30"), std::nullopt},
      {"H4", "2", "202", HouseholdType::Tenant, day("2027-06-30"), std::nullopt},
      // H2 turns tenant on 2026-07-01.
      {"H2", "1", "102", HouseholdType::Tenant, day("2027-06-30"), day("2026-07-01")}};
  const std::vector<std::string> ids = {"H1", "H2", "H3", "H4"};
  for (unsigned seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    Registry registry(households, {});
    std::uint64_t next_id = 1;
    std::set<std::string> closed;
    std::vector<BillLine> issued;
    std::map<std::string, std::string> files;  // month -> the file as issued
    const auto random_day = [&](CivilDay up_to) { return day("2025-11-01") + static_cast<CivilDay>(rng() % (up_to - day("2025-11-01") + 1)); };
    int applied_changes = 0;
    for (int month = 1; month <= 13; ++month) {
      const int y = month == 13 ? 2027 : 2026;
      const int m = month == 13 ? 1 : month;
      const CivilDay month_end = civil_day(y, m, 1) + days_in_month(y, m) - 1;
      for (int op = 0; op < 6; ++op) {
        const std::string plate = "沪A1000" + std::to_string(rng() % 8);
        const std::string household = ids[rng() % ids.size()];
        const CivilDay d = random_day(month_end + 20);  // backdated, today, or set for later
        PermitPlan plan;
        switch (rng() % 4) {
          case 0: plan = plan_add_permit(registry, {plate, household, d, std::nullopt, 0}); break;
          case 1: plan = plan_end_permit(registry, plate, d); break;
          case 2: {
            const CivilDay a = random_day(month_end);
            plan = plan_correct_permit(registry, plate, 0, a, rng() % 2 ? std::optional<CivilDay>(a + static_cast<CivilDay>(rng() % 90)) : std::nullopt);
            break;
          }
          default: plan = plan_move_permit(registry, plate, household, d); break;
        }
        if (!plan.ok()) continue;
        ++applied_changes;
        registry = applied(registry, plan, next_id);
        // One permit a plate a day, so no plate is billed for more days than a month has.
        for (const Vehicle& v : registry.vehicles()) {
          for (const Vehicle* other : registry.records_of(v.plate)) {
            if (other->registration_order == v.registration_order) continue;
            const bool empty = (v.removed_on && *v.removed_on <= v.registered_on) ||
                               (other->removed_on && *other->removed_on <= other->registered_on);
            const bool disjoint = (v.removed_on && *v.removed_on <= other->registered_on) ||
                                  (other->removed_on && *other->removed_on <= v.registered_on);
            ASSERT_TRUE(empty || disjoint) << "seed " << seed << ": " << v.plate << " " << permit_days(v) << " and " << permit_days(*other);
          }
        }
        for (int mm = 1; mm <= month; ++mm) {
          const int yy = mm == 13 ? 2027 : 2026;
          std::map<std::string, int> days;
          for (const BillLine& l : monthly_bill(yy, mm == 13 ? 1 : mm, registry.households(), registry.vehicles(), kPact)) {
            days[l.plate] += l.days_billed;
          }
          for (const auto& [p, n] : days) ASSERT_LE(n, days_in_month(yy, mm == 13 ? 1 : mm)) << "seed " << seed << ": " << p;
        }
      }
      // The month ends and is issued, its corrections of earlier months included.
      char text[32];
      std::snprintf(text, sizeof text, "%04d-%02d", y, m);
      std::vector<BillLine> lines = bill_of(registry, text);
      for (BillLine& l : adjustment_lines(text, closed, issued, [&](const std::string& c) { return bill_of(registry, c); })) {
        lines.push_back(std::move(l));
      }
      files[text] = bill_csv(lines);
      closed.insert(text);
      for (BillLine& l : lines) issued.push_back(std::move(l));
    }
    EXPECT_GT(applied_changes, 20) << "seed " << seed << ": too few changes to mean anything";
    // Every 2026 month, corrected by everything issued since, adds up to its bill now, car by car:
    // the last changes of 2026 were carried by January 2027.
    for (int m = 1; m <= 12; ++m) {
      char text[32];
      std::snprintf(text, sizeof text, "2026-%02d", m);
      std::map<std::string, Fen> due;
      std::map<std::string, Fen> billed;
      for (const BillLine& l : bill_of(registry, text)) due[l.household_id + l.plate + std::string(name_of(l.type))] += l.amount;
      for (const BillLine& l : issued) {
        if ((l.corrects_month.empty() && l.month == text) || l.corrects_month == text) {
          billed[l.household_id + l.plate + std::string(name_of(l.type))] += l.amount;
        }
      }
      std::erase_if(billed, [](const auto& kv) { return kv.second == 0; });
      std::erase_if(due, [](const auto& kv) { return kv.second == 0; });
      EXPECT_EQ(due, billed) << "seed " << seed << ", " << text;
      // The file as issued is what its issued lines say, and is never made again differently.
      std::vector<BillLine> own;
      for (const BillLine& l : issued) {
        if (l.month == text) own.push_back(l);
      }
      EXPECT_EQ(files[text], bill_csv(own));
    }
  }
}

}  // namespace
}  // namespace parkd
