// Where the engine's outward effects go: frames for the signs and space changes for the record.
#pragma once

#include <span>

#include "alert.h"
#include "display_frame.h"
#include "lot.h"
#include "occupancy.h"

namespace parkd {

class EngineSink {
 public:
  virtual ~EngineSink() = default;
  // Called at most once per frame interval per display, only when what it shows changed.
  virtual void publish_frame(const DisplayFrame& frame) = 0;
  // Every change of a space's effective state, in order.
  virtual void space_changed(const Lot& lot, const SpaceChange& change) {
    (void)lot;
    (void)change;
  }
  // An alert raised (cleared_at 0) or cleared, in order.
  virtual void alert_changed(const Lot& lot, const Alert& alert) {
    (void)lot;
    (void)alert;
  }
  // The strikes held against a space changed (empty: none left); kept for the next start.
  virtual void strikes_changed(const Lot& lot, SpaceIndex space, std::span<const TimeMs> strikes) {
    (void)lot;
    (void)space;
    (void)strikes;
  }
};

}  // namespace parkd
