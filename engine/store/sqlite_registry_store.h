// The core's RegistryStore over the household and vehicle tables.
#pragma once

#include "core/registry_store.h"
#include "sqlite_database.h"

namespace parkd {

class SqliteRegistryStore : public RegistryStore {
 public:
  explicit SqliteRegistryStore(SqliteDatabase& db) : db_(db) {}
  std::error_code put_households(std::span<const Household> households, CivilDay effective_from,
                                 const AuditEntry* audit) override;
  std::error_code add_vehicles(std::span<const Vehicle> vehicles, const AuditEntry* audit) override;
  std::error_code change_permits(std::span<const Vehicle> rewritten, std::span<const Vehicle> added,
                                 const AuditEntry* audit) override;
  std::error_code load(std::vector<Household>& households, std::vector<Vehicle>& vehicles) override;

 private:

  SqliteDatabase& db_;
};

}  // namespace parkd
