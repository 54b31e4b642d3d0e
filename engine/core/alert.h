// Alerts: what parkd found wrong with a space or a lot, said in Chinese and English, with how it
// ended. The kinds and their names are part of the contract (SPEC "Spaces that lie").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "time_ms.h"

namespace parkd {

enum class AlertKind : std::uint8_t {
  BlockedSuspect,
  LongOccupancy,
  OccupiedWithoutEntry,
  MissedExits,
  FlappingSensor,
  VisitorOverstay,
};
inline constexpr std::size_t kAlertKindCount = 6;

// "BLOCKED_SUSPECT", ...: the stable names of the contract.
std::string_view name_of(AlertKind k);
std::optional<AlertKind> parse_alert_kind(std::string_view name);

struct Alert {
  std::string alert_id;  // stable and usable as an MQTT topic level
  std::string lot_id;
  AlertKind kind = AlertKind::BlockedSuspect;
  std::string space_id;  // empty for a lot's alert
  std::string plate;     // empty unless about a car
  TimeMs raised_at = 0;
  TimeMs cleared_at = 0;  // 0 while active
  std::string detail_zh;
  std::string detail_en;
  // How it ended: "occupied", "freed", "closed", "opened", "quiet", "dismissed: <reason>".
  std::string cleared_by;

  bool active() const { return cleared_at == 0; }
  bool operator==(const Alert&) const = default;
};

// How an alert ended by hand begins: "dismissed: " and the operator's reason.
inline constexpr std::string_view kDismissedBy = "dismissed: ";

// `{space or plate}-{kind in lower case}-{raised_at}`: unique, and readable in a topic.
std::string make_alert_id(std::string_view subject, AlertKind kind, TimeMs raised_at);

// A span for an alert's text, in Chinese and English: "26小时"/"26 h" below two days, else
// "3天"/"3 days" (rounded up).
std::pair<std::string, std::string> duration_words(TimeMs span);

}  // namespace parkd
