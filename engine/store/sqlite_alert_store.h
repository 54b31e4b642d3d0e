// The core's AlertStore over the alert and space_strike tables.
#pragma once

#include "core/alert_store.h"
#include "sqlite_database.h"

namespace parkd {

class SqliteAlertStore : public AlertStore {
 public:
  explicit SqliteAlertStore(SqliteDatabase& db) : db_(db) {}
  std::error_code save(std::span<const Alert> alerts, std::span<const StoredStrikes> strikes) override;
  std::error_code load_active(std::vector<Alert>& out) override;
  std::error_code load_strikes(std::vector<StoredStrikes>& out) override;
  std::error_code history(TimeMs from, TimeMs to, std::vector<Alert>& out) override;

 private:
  std::error_code select(const char* sql, TimeMs from, TimeMs to, std::vector<Alert>& out);
  SqliteDatabase& db_;
};

}  // namespace parkd
