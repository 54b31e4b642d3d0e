// What must survive a crash at the gates: every gate event as received (stored before MQTT
// acknowledges it), which of them were decided, and the visitor sessions. An interface of the
// core's own, over SQLite in engine/store/.
#pragma once

#include <cstdint>
#include <optional>
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

// A decision and what it did to visitor sessions.
struct DecisionRecord {
  InboxEvent event;  // lot, gate and seq identify it; payload and topic are not needed
  TimeMs decided_at = 0;
  std::optional<VisitorSession> opened;  // the visitor's open session after an admitted entry
  std::vector<VisitorSession> closed;
  std::string reason;  // the decision's stable reason code
  bool admitted = false;
};

class GateLedger {
 public:
  virtual ~GateLedger() = default;
  // Durable when it returns without error. Called on Paho's thread, before the acknowledgement.
  virtual std::error_code append(const InboxEvent& event, TimeMs received_at, InboxAppend& result) = 0;
  // Events stored but not decided (after a crash), in the order they were received.
  virtual std::error_code undecided(std::vector<InboxEvent>& out) = 0;
  // Marks the events decided and writes what the decisions did to visitor sessions, all in one
  // transaction (a group commit: one per batch of input).
  virtual std::error_code record(std::span<const DecisionRecord> decisions) = 0;
  virtual std::error_code open_sessions(std::vector<VisitorSession>& out) = 0;

  // For the bills and the notice, from a connection of their own.
  // Visitor sessions that ended with from <= left_at < to, in the order they ended.
  virtual std::error_code sessions_left_between(TimeMs from, TimeMs to, std::vector<VisitorSession>& out) = 0;
  // Decisions made with from <= decided_at < to: how many per (reason, admitted).
  struct DecisionCount {
    std::string reason;
    bool admitted = false;
    std::uint64_t count = 0;
  };
  virtual std::error_code decisions_between(TimeMs from, TimeMs to, std::vector<DecisionCount>& out) = 0;
};

}  // namespace parkd
