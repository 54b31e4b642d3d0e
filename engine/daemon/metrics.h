// parkd's /metrics page in the Prometheus text format (version 0.0.4).
#pragma once

#include <string>

#include "engine_host.h"

namespace parkd {

std::string render_metrics(const EngineHost& host, TimeMs started_at_ms);

}  // namespace parkd
