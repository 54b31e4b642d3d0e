// The core's GateLedger over the gate_decision, decision_outbox and visitor_session tables.
#pragma once

#include <mutex>

#include "core/gate_ledger.h"
#include "sqlite_database.h"

namespace parkd {

// A mutex makes the threads that share one ledger take turns on its connection.
class SqliteGateLedger : public GateLedger {
 public:
  explicit SqliteGateLedger(SqliteDatabase& db);
  std::error_code undecided(std::vector<InboxEvent>& out) override;
  std::error_code decided(std::span<const InboxEvent> events, std::vector<bool>& out) override;
  std::error_code last_decided_seqs(std::vector<LastSeq>& out) override;
  std::error_code record(std::span<const DecisionRecord> decisions,
                         std::span<const GateEventKey> delivered = {}) override;  // the same default
  std::error_code undelivered(std::vector<OutgoingDecision>& out) override;
  std::error_code delivered(std::span<const GateEventKey> keys) override;
  std::error_code open_sessions(std::vector<VisitorSession>& out) override;
  std::error_code decided_lately(TimeMs window, std::vector<DecidedEvent>& out) override;
  std::error_code last_decided(const std::string& lot_id, const std::string& gate_id, std::size_t count,
                               std::vector<DecidedEvent>& out) override;
  std::error_code cars_inside(std::vector<LotInside>& out) override;
  std::error_code sessions_left_between(TimeMs from, TimeMs to, std::vector<VisitorSession>& out) override;
  std::error_code decisions_between(TimeMs from, TimeMs to, std::vector<DecisionCount>& out) override;

 private:
  int take_out(std::span<const GateEventKey> keys);  // inside a transaction

  SqliteDatabase& db_;
  std::mutex mutex_;
  // record()'s statements, prepared once: it runs for every batch of gate events.
  SqliteStatement decided_;
  SqliteStatement open_session_;
  SqliteStatement close_session_;
  SqliteStatement insert_closed_;
  SqliteStatement outbox_;
  SqliteStatement sent_;
  SqliteStatement car_in_;
  SqliteStatement car_out_;
  SqliteStatement unnamed_;
};

}  // namespace parkd
