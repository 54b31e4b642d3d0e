// The core's SpecialPassStore over the special_pass table.
#pragma once

#include "core/special_pass_store.h"
#include "sqlite_database.h"

namespace parkd {

class SqliteSpecialPassStore : public SpecialPassStore {
 public:
  explicit SqliteSpecialPassStore(SqliteDatabase& db) : db_(db) {}
  std::error_code load(std::vector<SpecialPass>& out) override;
  std::error_code grant(const SpecialPass& pass, const AuditEntry* audit) override;
  std::error_code revoke(std::uint64_t id, CivilDay revoked_on, const AuditEntry* audit) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace parkd
