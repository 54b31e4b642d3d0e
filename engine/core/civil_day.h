// Calendar days as the pact counts them: a day number (days since 1970-01-01) and YYYY-MM-DD.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parkd {

using CivilDay = std::int32_t;

CivilDay civil_day(int year, int month, int day);
void civil_date(CivilDay d, int& year, int& month, int& day);
// Strict YYYY-MM-DD with a real date; nullopt otherwise.
std::optional<CivilDay> parse_civil_day(std::string_view text);
std::string format_civil_day(CivilDay d);

// The local calendar day at `now` (Unix ms) for a place `utc_offset_minutes` east of UTC, and
// the Unix ms at which a local day begins.
CivilDay local_day(std::int64_t now_ms, int utc_offset_minutes);
std::int64_t local_day_start_ms(CivilDay day, int utc_offset_minutes);

// "YYYY-MM" -> year and month; false when it is not a month.
bool parse_month(std::string_view text, int& year, int& month);

}  // namespace parkd
