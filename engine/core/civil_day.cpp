// Day numbers from and to the civil calendar (Howard Hinnant's algorithms).
#include "civil_day.h"

#include <cstdio>

#include "fees.h"
#include "time_ms.h"

namespace parkd {

CivilDay civil_day(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_date(CivilDay z, int& year, int& month, int& day) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = yoe + era * 400 + (month <= 2);
}

std::optional<CivilDay> parse_civil_day(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto number = [&](std::size_t at, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const int y = number(0, 4);
  const int m = number(5, 2);
  const int d = number(8, 2);
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return civil_day(y, m, d);
}

std::string format_civil_day(CivilDay d) {
  int y = 0;
  int m = 0;
  int day = 0;
  civil_date(d, y, m, day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, day);
  return buf;
}

CivilDay local_day(std::int64_t now_ms, int utc_offset_minutes) {
  const std::int64_t local = now_ms + static_cast<std::int64_t>(utc_offset_minutes) * kMsPerMinute;
  return static_cast<CivilDay>(local >= 0 ? local / kMsPerDay : (local - kMsPerDay + 1) / kMsPerDay);
}

std::int64_t local_day_start_ms(CivilDay day, int utc_offset_minutes) {
  return static_cast<std::int64_t>(day) * kMsPerDay - static_cast<std::int64_t>(utc_offset_minutes) * kMsPerMinute;
}

bool parse_month(std::string_view text, int& year, int& month) {
  if (text.size() != 7 || text[4] != '-') return false;
  const auto day = parse_civil_day(std::string(text) + "-01");
  if (!day) return false;
  int d = 0;
  civil_date(*day, year, month, d);
  return true;
}

}  // namespace parkd
