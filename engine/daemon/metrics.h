// parkd's /metrics page in the Prometheus text format (version 0.0.4).
#pragma once

#include <span>
#include <string>

#include "connect_limiter.h"
#include "engine_host.h"
#include "event_feed.h"
#include "latency_histogram.h"
#include "mqtt_session_figures.h"
#include "session_store_keeper.h"

namespace parkd {

// `events` may be null (no console feed); `publish_to_ack` is every MQTT session's, added up;
// `sessions` one entry per MQTT session; `connects` (may be null) the limit their connects share,
// read on the thread that owns it; `session_stream` (may be null) what SessionStoreKeeper found.
std::string render_metrics(const EngineHost& host, TimeMs started_at_ms, const EventFeed* events = nullptr,
                           const LatencyHistogram* publish_to_ack = nullptr,
                           std::span<const MqttSessionFigures> sessions = {}, const ConnectLimiter* connects = nullptr,
                           const SessionStoreKeeper::Figures* session_stream = nullptr);

}  // namespace parkd
