// Where a gate event waits between its arrival and the record of its decision: appended on
// Paho's thread before the acknowledgement (so nothing acknowledged is lost when parkd dies),
// read back at start-up, and let go once the decision is recorded. An interface of the core's
// own, over an append-only file in engine/store/.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "time_ms.h"

namespace parkd {

struct InboxEvent {
  std::string lot_id;
  std::string gate_id;
  std::uint64_t seq = 0;
  std::string payload;  // the GateEvent as received
  std::string topic;
  TimeMs received_at = 0;
  friend bool operator==(const InboxEvent&, const InboxEvent&) = default;
};

// Orders appends: a later append has a larger position. 0 is "not in the inbox".
using InboxPosition = std::uint64_t;

struct PendingEvent {
  InboxEvent event;
  InboxPosition position = 0;
};

class GateInbox {
 public:
  virtual ~GateInbox() = default;
  // Survives parkd being killed once it returns without error. Safe to call from one thread
  // while release_through() runs on another.
  virtual std::error_code append(const InboxEvent& event, InboxPosition& position) = 0;
  // Everything appended and not released, in the order it was appended (at start-up, before
  // any append); released events may come back too (the store lets go in whole files), so the
  // caller skips what it has decided. Repeated events are there as often as they arrived.
  // `damaged` counts records that had to be skipped because they were damaged on disk.
  virtual std::error_code pending(std::vector<PendingEvent>& out, std::uint64_t& damaged) = 0;
  // Every event at or before `position` has its decision recorded elsewhere, or needs none.
  virtual std::error_code release_through(InboxPosition position) = 0;
};

}  // namespace parkd
