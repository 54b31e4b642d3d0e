// Values and files the unit tests share: days written as text, minutes and hours in ms, and
// files read whole (one definition each, so the suites also build as unity builds).
#pragma once

#include <filesystem>
#include <string>

#include "core/civil_day.h"
#include "core/time_ms.h"

namespace parkd::test {

inline constexpr TimeMs kMinute = kMsPerMinute;
inline constexpr TimeMs kHour = 60 * kMinute;

// "2026-10-31" → the day; the text must be a valid day (a test's own literal).
CivilDay day(const char* text);

// A whole file, or "" when it cannot be read.
std::string read_bytes(const std::filesystem::path& path);
// A file of the source tree, by its path from the repository root.
std::string read_source_file(const std::string& relative);

}  // namespace parkd::test
