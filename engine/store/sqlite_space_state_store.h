// The core's SpaceStateStore over the space_state (latest) and space_history (each space's changes,
// packed a save to a row: packed_space_changes.h) tables.
#pragma once

#include "core/space_state_store.h"
#include "sqlite_database.h"

namespace parkd {

class SqliteSpaceStateStore : public SpaceStateStore {
 public:
  explicit SqliteSpaceStateStore(SqliteDatabase& db) : db_(db) {}
  std::error_code save(std::span<const StoredSpaceState> latest, std::span<const StoredSpaceState> changes) override;
  std::error_code load(std::vector<StoredSpaceState>& out) override;
  std::error_code history(const std::string& lot_id, const std::string& space_id, std::size_t limit, TimeMs before,
                          std::vector<StoredSpaceState>& out) override;

 private:
  SqliteDatabase& db_;
  // The newest change time at the last pruning: old changes go once per simulated or real hour,
  // not on every save (a delete that finds nothing still reads the index).
  TimeMs pruned_at_ = 0;
};

}  // namespace parkd
