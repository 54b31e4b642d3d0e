// The core's GateLedger over the gate_inbox and visitor_session tables.
#pragma once

#include <mutex>

#include "core/gate_ledger.h"
#include "sqlite_database.h"

namespace parkd {

// One connection of its own, used from Paho's thread (append) and the strand (the rest): a
// mutex makes them take turns, which is cheaper than two connections waiting on SQLite's lock.
class SqliteGateLedger : public GateLedger {
 public:
  explicit SqliteGateLedger(SqliteDatabase& db);
  std::error_code append(const InboxEvent& event, TimeMs received_at, InboxAppend& result) override;
  std::error_code undecided(std::vector<InboxEvent>& out) override;
  std::error_code record(std::span<const DecisionRecord> decisions) override;
  std::error_code open_sessions(std::vector<VisitorSession>& out) override;
  std::error_code sessions_left_between(TimeMs from, TimeMs to, std::vector<VisitorSession>& out) override;
  std::error_code decisions_between(TimeMs from, TimeMs to, std::vector<DecisionCount>& out) override;

 private:
  SqliteDatabase& db_;
  std::mutex mutex_;
  // Prepared once: a gate event's commit happens on Paho's thread before its acknowledgement.
  SqliteStatement insert_;
  SqliteStatement seen_;
};

}  // namespace parkd
