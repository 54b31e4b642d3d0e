// Alert names and ids.
#include "alert.h"

#include <algorithm>
#include <array>

namespace parkd {
namespace {

constexpr std::array<std::string_view, kAlertKindCount> kNames = {
    "BLOCKED_SUSPECT", "LONG_OCCUPANCY", "OCCUPIED_WITHOUT_ENTRY", "MISSED_EXITS", "FLAPPING_SENSOR", "VISITOR_OVERSTAY",
};

}  // namespace

std::string_view name_of(AlertKind k) { return kNames[static_cast<std::size_t>(k)]; }

std::optional<AlertKind> parse_alert_kind(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<AlertKind>(i);
  }
  return std::nullopt;
}

std::string make_alert_id(std::string_view subject, AlertKind kind, TimeMs raised_at) {
  std::string id(subject);
  id += '-';
  for (char c : name_of(kind)) id += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  id += '-';
  id += std::to_string(raised_at);
  return id;
}

std::pair<std::string, std::string> duration_words(TimeMs span) {
  constexpr TimeMs kHour = 60 * kMsPerMinute;
  if (span < 48 * kHour) {
    const auto h = std::to_string(std::max<TimeMs>(1, (span + kHour - 1) / kHour));
    return {h + "小时", h + " h"};
  }
  const auto d = std::to_string((span + kMsPerDay - 1) / kMsPerDay);
  return {d + "天", d + " days"};
}

}  // namespace parkd
