// The visitor bill of a month: every visitor session that ended in it, with what it cost, as
// UTF-8 CSV (`parkctl bill --visitors`).
#pragma once

#include <string>
#include <vector>

#include "gate_desk.h"

namespace parkd {

// `sessions`: those that ended in the month, in the order they ended. Times are written in the
// lot's local time (`utc_offset_minutes` east of UTC), money in yuan with 2 decimals.
std::string visitor_bill_csv(const std::string& month, const std::vector<VisitorSession>& sessions,
                             int utc_offset_minutes, bool excel_bom = false);

// "2026-10-05 14:03" in local time.
std::string local_time_text(TimeMs at, int utc_offset_minutes);

}  // namespace parkd
