// parkd's /metrics page in the Prometheus text format (version 0.0.4).
#pragma once

#include <span>
#include <string>

#include "engine_host.h"
#include "event_feed.h"
#include "latency_histogram.h"
#include "mqtt_session_figures.h"

namespace parkd {

// `events` may be null (no console feed); `publish_to_ack` is every MQTT session's, added up;
// `sessions` one entry per MQTT session.
std::string render_metrics(const EngineHost& host, TimeMs started_at_ms, const EventFeed* events = nullptr,
                           const LatencyHistogram* publish_to_ack = nullptr,
                           std::span<const MqttSessionFigures> sessions = {});

}  // namespace parkd
