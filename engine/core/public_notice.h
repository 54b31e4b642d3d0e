// The public notice of a month for the notice board: what the pact charged and how the lot was
// used, with no household named and plates masked. Its money figures are the bill's, summed.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "alert.h"
#include "billing.h"
#include "gate_ledger.h"
#include "occupancy_history.h"

namespace parkd {

struct NoticeInput {
  std::string month;  // YYYY-MM
  std::string compound;
  int utc_offset_minutes = 480;
  std::vector<BillLine> bill;
  std::vector<VisitorSession> visitor_sessions;  // those that ended in the month
  std::vector<OccupancySample> samples;          // taken in the month
  std::vector<GateLedger::DecisionCount> decisions;
  TimeMs sample_interval_ms = 5 * 60'000;  // a gap longer than twice this counts as no data
  // The night of the pact's visitor reserve (local minutes of the day; the lot's configuration),
  // so residents can check the reserve against how full the lot was then.
  int night_start_minute = 18 * 60;
  int night_end_minute = 7 * 60;
  // Alerts active at some moment of the month. One still active counts its hours up to the
  // month's latest occupancy sample (the notice is a function of the records: the same database
  // gives the same notice whatever the clock says), or up to `now` when there is none.
  std::vector<Alert> alerts;
  TimeMs now = kNever;
};

struct NoticeFigures {
  struct RankRow {
    HouseholdType type = HouseholdType::Owner;
    std::uint32_t rank = 0;
    std::uint32_t cars = 0;      // distinct plates billed at this rank
    std::int64_t car_days = 0;
    Fen amount = 0;
  };
  struct NightRow {
    std::string lot_id;
    std::uint32_t total = 0;
    std::uint32_t peak_taken = 0;  // occupied + held
    TimeMs peak_at = 0;
    double average_taken = 0;
    std::size_t samples = 0;
  };
  std::string month;
  std::string compound;
  int utc_offset_minutes = 0;
  std::vector<RankRow> ranks;
  std::map<HouseholdType, Fen> fees_by_type;   // adjustments included
  std::map<HouseholdType, std::uint32_t> cars_by_type;  // distinct plates billed
  std::uint32_t cars_total = 0;
  Fen adjustments = 0;  // corrections of closed months carried by this month's bill
  Fen fees_total = 0;
  std::size_t visitor_sessions = 0;
  std::size_t visitor_free_sessions = 0;
  Fen visitor_takings = 0;
  std::vector<std::pair<std::string, std::int64_t>> overstays;  // masked plate, hours inside
  std::vector<NightRow> night;
  int night_start_minute = 0;
  int night_end_minute = 0;
  std::map<std::string, std::uint64_t> refused_by_reason;
  std::uint64_t admitted_entries = 0;  // residents and visitors
  std::uint64_t service_entries = 0;   // service vehicles and special passes
  std::uint64_t opened_by_guard = 0;   // barriers opened by hand
  double stale_sensor_hours = 0;
  struct AlertRow {
    std::uint32_t raised = 0;       // raised in the month
    double hours_active = 0;        // within the month, every alert of the kind together
    std::uint32_t still_active = 0; // at the month's end (or now)
  };
  std::array<AlertRow, kAlertKindCount> alerts{};  // by AlertKind
};

NoticeFigures notice_figures(const NoticeInput& input);
std::string notice_markdown(const NoticeFigures& figures);
// A self-contained printable page (A4, no scripts, no external resources).
std::string notice_html(const NoticeFigures& figures);

}  // namespace parkd
