// Visitor bill rows: one per session, the fee as recorded when the visitor left.
#include "visitor_bill.h"

#include <cstdio>

#include "billing.h"
#include "civil_day.h"

namespace parkd {

std::string local_time_text(TimeMs at, int utc_offset_minutes) {
  const CivilDay day = local_day(at, utc_offset_minutes);
  const int minute = local_minute_of_day(at, utc_offset_minutes);
  char buf[32];
  std::snprintf(buf, sizeof buf, " %02d:%02d", minute / 60, minute % 60);
  return format_civil_day(day) + buf;
}

std::string visitor_bill_csv(const std::string& month, const std::vector<VisitorSession>& sessions,
                             int utc_offset_minutes, bool excel_bom) {
  std::string out = excel_bom ? "\xEF\xBB\xBF" : "";
  out += "month,lot_id,plate,entry_gate,entered_at,exit_gate,left_at,minutes,amount,overstay,note\n";
  for (const VisitorSession& s : sessions) {
    const TimeMs left = s.left_at.value_or(s.entered_at);
    // An exit without an entry has no entry time to count from: nothing is charged.
    const bool no_entry = s.entry_gate.empty();
    out += month + "," + csv_field(s.lot_id) + "," + csv_field(s.plate) + "," + csv_field(s.entry_gate) + "," +
           (no_entry ? "" : local_time_text(s.entered_at, utc_offset_minutes)) + "," + csv_field(s.exit_gate) + "," +
           local_time_text(left, utc_offset_minutes) + "," +
           (no_entry ? "" : std::to_string((left - s.entered_at) / kMsPerMinute)) + "," + yuan(s.fee_fen) + "," +
           (s.overstay ? "yes" : "no") + "," + csv_field(s.note) + "\n";
  }
  return out;
}

}  // namespace parkd
