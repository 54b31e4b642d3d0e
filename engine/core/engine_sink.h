// Where the engine's outward effects go: frames for the signs and space changes for the record.
#pragma once

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
};

}  // namespace parkd
