// Parses the MQTT topics parkd listens on into what they name; pure string work, no copies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parkd {

enum class TopicKind : std::uint8_t { SensorReport, GateEvent, SimClock, Unknown };

struct Topic {
  TopicKind kind = TopicKind::Unknown;
  std::string_view lot_id;     // empty for SimClock and Unknown
  std::string_view device_id;  // sensor or gate id; empty for SimClock and Unknown
};

// parking/{lot}/sensors/{sensor_id}/report, parking/{lot}/gates/{gate_id}/event, parking/sim/clock.
// Views point into `topic`.
Topic parse_topic(std::string_view topic);

inline constexpr std::string_view kSimClockTopic = "parking/sim/clock";

std::string sensor_report_topic(std::string_view lot, std::string_view sensor_id);
std::string gate_event_topic(std::string_view lot, std::string_view gate_id);
std::string gate_decision_topic(std::string_view lot, std::string_view gate_id);
std::string display_frame_topic(std::string_view lot, std::string_view display_id);
std::string engine_status_topic(std::string_view lot);
// parkd to itself, QoS 0, empty: keeps Paho's receive thread from idling (MqttSession).
std::string engine_tick_topic(std::string_view lot);
// parkd to itself, QoS 1, through its sensor and gate subscriptions (SubscriptionProbe): a topic
// each subscription matches and no device uses (sensors publish .../report; no gate may be
// called kProbeDeviceId).
std::string sensor_probe_topic(std::string_view lot);
std::string gate_probe_topic(std::string_view lot);

}  // namespace parkd
