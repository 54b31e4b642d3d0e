// What the gates leave on record: every decided gate event as received, with its decision and
// what it did to visitor sessions, and the sessions themselves. An interface of the core's
// own, over SQLite in engine/store/. (Events wait for their decision in the GateInbox.)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cars_inside.h"
#include "gate_desk.h"
#include "gate_inbox.h"

namespace parkd {

// Identifies a gate event, and so its decision: a camera's seq rises per gate.
struct GateEventKey {
  std::string lot_id;
  std::string gate_id;
  std::uint64_t seq = 0;
  friend bool operator==(const GateEventKey&, const GateEventKey&) = default;
};

// A decision as it goes to the barrier, bytes and all: kept until the broker has acknowledged
// it, and sent again unchanged after a restart.
struct OutgoingDecision {
  GateEventKey key;
  std::string topic;
  std::string payload;
};

// A decision and what it did to visitor sessions.
struct DecisionRecord {
  InboxEvent event;  // as received; lot, gate and seq identify it
  TimeMs decided_at = 0;
  std::optional<VisitorSession> opened;  // the visitor's open session after an admitted entry
  std::vector<VisitorSession> closed;
  std::string reason;  // the decision's stable reason code
  bool admitted = false;
  std::string decision_topic;    // where the decision goes, and what goes there: it waits in the
  std::string decision_payload;  // outbox, in the same transaction, until the broker has it
                                 // (empty topic: nothing goes to a barrier, e.g. a settled stay)
  std::vector<InsideChange> inside{};  // what it did to the record of the cars inside, in order
};

class GateLedger {
 public:
  virtual ~GateLedger() = default;
  // Events stored here without a decision by an older parkd, which kept its inbox in the
  // database, in the order they were received; decided at start-up before the inbox's own.
  virtual std::error_code undecided(std::vector<InboxEvent>& out) = 0;
  // For each event, whether its (lot, gate, seq) has a decision on record.
  virtual std::error_code decided(std::span<const InboxEvent> events, std::vector<bool>& out) = 0;
  // Per (lot, gate), the highest seq decided: a camera's seq rises, so anything not above it is
  // a repetition, except the seqs skipped on the way up (within GateSequences::kResetGap below
  // the highest, above the lowest decided there), which may still come from a broker cluster.
  struct LastSeq {
    std::string lot_id;
    std::string gate_id;
    std::uint64_t seq = 0;
    std::vector<std::uint64_t> skipped;
  };
  virtual std::error_code last_decided_seqs(std::vector<LastSeq>& out) = 0;
  // Stores the events with their decisions, writes what the decisions did to visitor sessions
  // and puts the decisions in the outbox, all in one transaction (a group commit: one per batch
  // of input), which also takes the `delivered` decisions out of the outbox (a commit is the
  // expensive part, so acknowledgements ride along with the next record). On error nothing of
  // the batch is kept.
  virtual std::error_code record(std::span<const DecisionRecord> decisions,
                                 std::span<const GateEventKey> delivered = {}) = 0;
  // The outbox: decisions recorded and not yet acknowledged by the broker, in the order they
  // were recorded. After a restart they are published again before anything new.
  virtual std::error_code undelivered(std::vector<OutgoingDecision>& out) = 0;
  // The broker acknowledged these decisions: they leave the outbox (one transaction), when no
  // record came to take them along.
  virtual std::error_code delivered(std::span<const GateEventKey> keys) = 0;
  virtual std::error_code open_sessions(std::vector<VisitorSession>& out) = 0;
  // The events decided within `window` before the newest decision on record, oldest first: after
  // a restart the gate desk remembers its recent exits again (an entry a broker cluster delivers
  // after its car's exit is history, not an arrival).
  struct DecidedEvent {
    InboxEvent event;
    TimeMs decided_at = 0;
  };
  virtual std::error_code decided_lately(TimeMs window, std::vector<DecidedEvent>& out) = 0;
  // The last `count` decided events of one gate by seq, oldest first: its camera's clock
  // against parkd's (CameraClocks) after a restart.
  virtual std::error_code last_decided(const std::string& lot_id, const std::string& gate_id, std::size_t count,
                                       std::vector<DecidedEvent>& out) = 0;
  // The record of the cars inside, per lot that keeps one.
  struct LotInside {
    std::string lot_id;
    std::optional<std::uint32_t> unnamed;  // none: the record has not begun
    std::vector<CarInside> cars;
  };
  virtual std::error_code cars_inside(std::vector<LotInside>& out) = 0;

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
