// Time as the core sees it: Unix milliseconds handed in by the caller, never read from a clock.
#pragma once

#include <cstdint>
#include <limits>

namespace parkd {

using TimeMs = std::int64_t;

inline constexpr TimeMs kNever = std::numeric_limits<TimeMs>::max();
inline constexpr TimeMs kMsPerMinute = 60'000;
inline constexpr TimeMs kMsPerDay = 24 * 60 * kMsPerMinute;

// Minute of the local day [0, 1440) at `now`, for a lot `utc_offset_minutes` east of UTC.
int local_minute_of_day(TimeMs now, int utc_offset_minutes);

// The first instant strictly after `now` at which the local clock shows `minute_of_day`.
TimeMs next_local_minute(TimeMs now, int minute_of_day, int utc_offset_minutes);

// True when `minute` lies in the local window [start, end), which may wrap past midnight.
bool in_local_window(int minute, int start, int end);

}  // namespace parkd
