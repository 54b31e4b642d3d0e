// parkd's /metrics page in the Prometheus text format (version 0.0.4).
#pragma once

#include <string>

#include "engine_host.h"
#include "event_feed.h"

namespace parkd {

// `events` may be null (no console feed).
std::string render_metrics(const EngineHost& host, TimeMs started_at_ms, const EventFeed* events = nullptr);

}  // namespace parkd
