// Registry reads and writes; every change in one transaction, all or nothing.
#include "sqlite_registry_store.h"

#include "sqlite_audit_log.h"

namespace parkd {

namespace {
constexpr const char* kFromTheBeginning = "0001-01-01";

int put_version(sqlite3* db, const Household& h, const std::string& valid_from) {
  SqliteStatement put(db,
                      "INSERT OR REPLACE INTO household_version (household_id, valid_from, building, room, "
                      "household_type, lease_end, starts_history) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (put.prepare_result() != SQLITE_OK) return put.prepare_result();
  bind_text(put.get(), 1, h.household_id);
  bind_text(put.get(), 2, valid_from);
  bind_text(put.get(), 3, h.building);
  bind_text(put.get(), 4, h.room);
  bind_text(put.get(), 5, name_of(h.type));
  bind_day(put.get(), 6, h.lease_end);
  sqlite3_bind_int(put.get(), 7, h.starts_history ? 1 : 0);
  return step_and_reset(put.get());
}

// A permit's fields after its key (?1: the plate, or the record's id), in ?2..?6.
void bind_permit(sqlite3_stmt* s, const Vehicle& v) {
  bind_text(s, 2, v.household_id);
  bind_text(s, 3, format_civil_day(v.registered_on));
  bind_day(s, 4, v.removed_on);
  sqlite3_bind_int(s, 5, v.needs_accessible ? 1 : 0);
  sqlite3_bind_int(s, 6, v.electric ? 1 : 0);
}

int insert_vehicles(sqlite3* db, std::span<const Vehicle> vehicles, const AuditEntry* audit) {
  SqliteStatement insert(db, "INSERT INTO vehicle (plate, household_id, registered_on, removed_on, needs_accessible, electric) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  int rc = insert.prepare_result();
  for (std::size_t i = 0; rc == SQLITE_OK && i < vehicles.size(); ++i) {
    bind_text(insert.get(), 1, vehicles[i].plate);
    bind_permit(insert.get(), vehicles[i]);
    rc = step_and_reset(insert.get());
  }
  if (rc == SQLITE_OK && audit != nullptr) rc = append_audit(db, *audit);
  return rc;
}

bool same_household(const Household& a, const Household& b) {
  return a.building == b.building && a.room == b.room && a.type == b.type && a.lease_end == b.lease_end;
}
}  // namespace

std::error_code SqliteRegistryStore::put_households(std::span<const Household> households, CivilDay effective_from,
                                                    const AuditEntry* audit) {
  return in_transaction(db_, [&] {
    SqliteStatement current(db_.handle(),
                            "SELECT building, room, household_type, lease_end FROM household WHERE household_id = ?1");
    SqliteStatement upsert(db_.handle(),
                           "INSERT INTO household (household_id, building, room, household_type, lease_end) "
                           "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (household_id) DO UPDATE SET "
                           "building = excluded.building, room = excluded.room, "
                           "household_type = excluded.household_type, lease_end = excluded.lease_end");
    int rc = current.prepare_result() != SQLITE_OK ? current.prepare_result() : upsert.prepare_result();
    for (std::size_t i = 0; rc == SQLITE_OK && i < households.size(); ++i) {
      const Household& h = households[i];
      bind_text(current.get(), 1, h.household_id);
      std::optional<Household> before;
      if (sqlite3_step(current.get()) == SQLITE_ROW) {
        before = Household{h.household_id, column_text(current.get(), 0), column_text(current.get(), 1),
                           column_text(current.get(), 2) == "tenant" ? HouseholdType::Tenant : HouseholdType::Owner,
                           column_day(current.get(), 3), std::nullopt};
      }
      sqlite3_reset(current.get());
      if (before && same_household(*before, h)) continue;
      bind_text(upsert.get(), 1, h.household_id);
      bind_text(upsert.get(), 2, h.building);
      bind_text(upsert.get(), 3, h.room);
      bind_text(upsert.get(), 4, name_of(h.type));
      bind_day(upsert.get(), 5, h.lease_end);
      rc = step_and_reset(upsert.get());
      // A new household is known from the beginning (its cars may be registered in the past);
      // a changed one gets a new version from the day of the change.
      if (rc == SQLITE_OK) {
        rc = put_version(db_.handle(), h, before ? format_civil_day(h.valid_from.value_or(effective_from)) : kFromTheBeginning);
      }
    }
    if (rc == SQLITE_OK && audit != nullptr) rc = append_audit(db_.handle(), *audit);
    return rc;
  });
}

std::error_code SqliteRegistryStore::add_vehicles(std::span<const Vehicle> vehicles, const AuditEntry* audit) {
  return in_transaction(db_, [&] { return insert_vehicles(db_.handle(), vehicles, audit); });
}

std::error_code SqliteRegistryStore::change_permits(std::span<const Vehicle> rewritten, std::span<const Vehicle> added,
                                                    const AuditEntry* audit) {
  return in_transaction(db_, [&] {
    SqliteStatement update(db_.handle(),
                           "UPDATE vehicle SET household_id = ?2, registered_on = ?3, removed_on = ?4, needs_accessible = ?5, "
                           "electric = ?6 WHERE vehicle_id = ?1");
    int rc = update.prepare_result();
    for (std::size_t i = 0; rc == SQLITE_OK && i < rewritten.size(); ++i) {
      sqlite3_bind_int64(update.get(), 1, static_cast<sqlite3_int64>(rewritten[i].registration_order));
      bind_permit(update.get(), rewritten[i]);
      rc = step_and_reset(update.get());
      if (rc == SQLITE_OK && sqlite3_changes(db_.handle()) == 0) rc = SQLITE_NOTFOUND;
    }
    if (rc != SQLITE_OK) return rc;
    return insert_vehicles(db_.handle(), added, audit);
  });
}

std::error_code SqliteRegistryStore::load(std::vector<Household>& households, std::vector<Vehicle>& vehicles) {
  SqliteStatement h(db_.handle(),
                    "SELECT household_id, building, room, household_type, lease_end, valid_from, starts_history FROM household_version "
                    "ORDER BY household_id, valid_from");
  if (h.prepare_result() != SQLITE_OK) return sqlite_error(h.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(h.get())) == SQLITE_ROW) {
    const std::string valid_from = column_text(h.get(), 5);
    households.push_back(Household{column_text(h.get(), 0), column_text(h.get(), 1), column_text(h.get(), 2),
                                   column_text(h.get(), 3) == "tenant" ? HouseholdType::Tenant : HouseholdType::Owner,
                                   column_day(h.get(), 4),
                                   valid_from == kFromTheBeginning ? std::nullopt : parse_civil_day(valid_from),
                                   sqlite3_column_int(h.get(), 6) != 0});
  }
  if (rc != SQLITE_DONE) return sqlite_error(rc);
  SqliteStatement v(db_.handle(),
                    "SELECT plate, household_id, registered_on, removed_on, vehicle_id, needs_accessible, electric FROM vehicle "
                    "ORDER BY vehicle_id");
  if (v.prepare_result() != SQLITE_OK) return sqlite_error(v.prepare_result());
  while ((rc = sqlite3_step(v.get())) == SQLITE_ROW) {
    vehicles.push_back(Vehicle{column_text(v.get(), 0), column_text(v.get(), 1), column_day(v.get(), 2).value_or(0),
                               column_day(v.get(), 3), static_cast<std::uint64_t>(sqlite3_column_int64(v.get(), 4)),
                               sqlite3_column_int(v.get(), 5) != 0, sqlite3_column_int(v.get(), 6) != 0});
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

}  // namespace parkd
