// Closed months: a month's bill, once issued, never changes. What a later change of the registry
// would have altered in it is billed (or credited) in the next open month as adjustment lines
// naming the month they correct, the way accounting does.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "billing.h"

namespace parkd {

// The month after "YYYY-MM".
std::string next_month(const std::string& month);

// The first month after `month` that is not closed: where its corrections are billed.
std::string first_open_month_after(const std::string& month, const std::set<std::string>& closed);

// The adjustment lines of open month `month`: for each closed month C whose corrections go to
// `month`, what C's bill is now (`bill_of(C)`) minus everything issued for C (its own lines and
// the adjustments issued since), per household, plate and household type. `issued` holds every
// line of every closed month (an adjustment's `month` is where it was billed).
std::vector<BillLine> adjustment_lines(const std::string& month, const std::set<std::string>& closed,
                                       const std::vector<BillLine>& issued,
                                       const std::function<std::vector<BillLine>(const std::string&)>& bill_of);

}  // namespace parkd
