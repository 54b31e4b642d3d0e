// What must survive a crash at the gates: every gate event as received (stored before MQTT
// acknowledges it), which of them were decided, and the visitor sessions. An interface of the
// core's own, over SQLite in engine/store/.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gate_desk.h"

namespace parkd {

struct InboxEvent {
  std::string lot_id;
  std::string gate_id;
  std::uint64_t seq = 0;
  std::string payload;  // the GateEvent as received
  std::string topic;
};

enum class InboxAppend : std::uint8_t { Stored, AlreadyDecided, AlreadyPending };

class GateLedger {
 public:
  virtual ~GateLedger() = default;
  // Durable when it returns without error. Called on Paho's thread, before the acknowledgement.
  virtual std::error_code append(const InboxEvent& event, TimeMs received_at, InboxAppend& result) = 0;
  // Events stored but not decided (after a crash), in the order they were received.
  virtual std::error_code undecided(std::vector<InboxEvent>& out) = 0;
  // Marks the event decided and writes what the decision did to visitor sessions, atomically.
  virtual std::error_code record(const InboxEvent& event, TimeMs decided_at, const VisitorSession* opened,
                                 std::span<const VisitorSession> closed) = 0;
  virtual std::error_code open_sessions(std::vector<VisitorSession>& out) = 0;
};

}  // namespace parkd
