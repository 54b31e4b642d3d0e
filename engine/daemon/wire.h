// The core's outward values in their wire form (parking.v1 Protobuf messages).
#pragma once

#include <string>

#include "core/alert.h"
#include "core/display_frame.h"
#include "core/gate_desk.h"
#include "config/version.h"
#include "core/time_ms.h"
#include "parking/v1/messages.pb.h"

namespace parkd {

parking::v1::DisplayFrame to_message(const DisplayFrame& frame);
parking::v1::GateDecision to_message(const GateDecisionOut& decision);
parking::v1::Alert to_message(const Alert& alert);
// For a reader who may not see plates: no plate field, and the plates in the details masked.
void hide_plates(parking::v1::Alert& alert);
std::string engine_status_payload(bool online, TimeMs started_at_ms);

}  // namespace parkd
