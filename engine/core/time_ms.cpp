// Local-time arithmetic for fixed-offset lots (Shanghai has no daylight saving time).
#include "time_ms.h"

namespace parkd {
namespace {

TimeMs floor_div(TimeMs a, TimeMs b) {
  TimeMs q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

int local_minute_of_day(TimeMs now, int utc_offset_minutes) {
  const TimeMs local_minutes = floor_div(now, kMsPerMinute) + utc_offset_minutes;
  const TimeMs m = local_minutes - floor_div(local_minutes, 24 * 60) * 24 * 60;
  return static_cast<int>(m);
}

TimeMs next_local_minute(TimeMs now, int minute_of_day, int utc_offset_minutes) {
  const TimeMs offset_ms = static_cast<TimeMs>(utc_offset_minutes) * kMsPerMinute;
  const TimeMs local_now = now + offset_ms;
  const TimeMs day_start = floor_div(local_now, kMsPerDay) * kMsPerDay;
  TimeMs candidate = day_start + minute_of_day * kMsPerMinute;
  if (candidate <= local_now) candidate += kMsPerDay;
  return candidate - offset_ms;
}

bool in_local_window(int minute, int start, int end) {
  if (start == end) return false;
  if (start < end) return minute >= start && minute < end;
  return minute >= start || minute < end;
}

}  // namespace parkd
