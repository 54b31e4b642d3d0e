// Topic names of the MQTT contract (SPEC.md, "MQTT topics and messages").
#include "topic.h"

#include <array>

#include "core/lot.h"

namespace parkd {

Topic parse_topic(std::string_view topic) {
  if (topic == kSimClockTopic) return Topic{TopicKind::SimClock, {}, {}};
  std::array<std::string_view, 5> level{};
  std::size_t n = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = topic.find('/', start);
    if (n == level.size()) return {};
    level[n++] = topic.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (n != 5 || level[0] != "parking" || level[1].empty() || level[3].empty()) return {};
  if (level[2] == "sensors" && level[4] == "report") return Topic{TopicKind::SensorReport, level[1], level[3]};
  if (level[2] == "gates" && level[4] == "event") return Topic{TopicKind::GateEvent, level[1], level[3]};
  return {};
}

namespace {
std::string join(std::string_view lot, std::string_view kind, std::string_view id, std::string_view leaf) {
  std::string t;
  t.reserve(16 + lot.size() + kind.size() + id.size() + leaf.size());
  t.append("parking/").append(lot).append("/").append(kind).append("/").append(id).append("/").append(leaf);
  return t;
}
}  // namespace

std::string sensor_report_topic(std::string_view lot, std::string_view sensor_id) {
  return join(lot, "sensors", sensor_id, "report");
}
std::string gate_event_topic(std::string_view lot, std::string_view gate_id) {
  return join(lot, "gates", gate_id, "event");
}
std::string gate_decision_topic(std::string_view lot, std::string_view gate_id) {
  return join(lot, "gates", gate_id, "decision");
}
std::string display_frame_topic(std::string_view lot, std::string_view display_id) {
  return join(lot, "displays", display_id, "frame");
}
std::string engine_status_topic(std::string_view lot) { return "parking/" + std::string(lot) + "/engine/status"; }
std::string engine_tick_topic(std::string_view lot) { return "parking/" + std::string(lot) + "/engine/tick"; }
std::string sensor_probe_topic(std::string_view lot) {
  return "parking/" + std::string(lot) + "/sensors/" + std::string(kProbeDeviceId) + "/probe";
}
std::string gate_probe_topic(std::string_view lot) { return gate_event_topic(lot, kProbeDeviceId); }

}  // namespace parkd
