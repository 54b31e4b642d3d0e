// The core's GateLedger over the gate_inbox and visitor_session tables.
#pragma once

#include <mutex>

#include "core/gate_ledger.h"
#include "sqlite_database.h"

namespace parkd {

// `inbox_db` is used only by append() (Paho's thread); `db` by everything else (the strand).
// Two connections to one WAL file: SQLite serialises their writes, the busy timeout waits.
class SqliteGateLedger : public GateLedger {
 public:
  SqliteGateLedger(SqliteDatabase& db, SqliteDatabase& inbox_db) : db_(db), inbox_db_(inbox_db) {}
  std::error_code append(const InboxEvent& event, TimeMs received_at, InboxAppend& result) override;
  std::error_code undecided(std::vector<InboxEvent>& out) override;
  std::error_code record(const InboxEvent& event, TimeMs decided_at, const VisitorSession* opened,
                         std::span<const VisitorSession> closed) override;
  std::error_code open_sessions(std::vector<VisitorSession>& out) override;

 private:
  SqliteDatabase& db_;
  SqliteDatabase& inbox_db_;
  std::mutex append_mutex_;  // Paho's callbacks are serial, but nothing here relies on it
};

}  // namespace parkd
