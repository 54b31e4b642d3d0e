// What the engine's host tells whoever shows the lot live (the event feed of the console), on the
// strand, as it happens. Implementations must be quick: they run inside the engine's work.
#pragma once

#include <cstddef>
#include <string>

#include "core/alert.h"
#include "core/display_frame.h"
#include "core/lot.h"

namespace parkd {

class LiveEventSink {
 public:
  virtual ~LiveEventSink() = default;
  // A space's effective state changed (the engine's state is already the new one).
  virtual void space_changed(std::size_t lot, SpaceIndex space) = 0;
  virtual void frame_published(const DisplayFrame& frame) = 0;
  // A decision handed to the broker for a barrier: its wire payload (parking.v1.GateDecision).
  virtual void decision_sent(const std::string& payload) = 0;
  // An alert raised (cleared_at 0) or cleared.
  virtual void alert_changed(const Alert& alert) = 0;
};

}  // namespace parkd
