// The core's SpaceStateStore over the space_state table.
#pragma once

#include "core/space_state_store.h"
#include "sqlite_database.h"

namespace parkd {

class SqliteSpaceStateStore : public SpaceStateStore {
 public:
  explicit SqliteSpaceStateStore(SqliteDatabase& db) : db_(db) {}
  std::error_code save(std::span<const StoredSpaceState> changes) override;
  std::error_code load(std::vector<StoredSpaceState>& out) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace parkd
