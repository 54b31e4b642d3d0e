// Issued bills: written once in one transaction with their lines; read back byte for byte.
#include "sqlite_bill_archive.h"

#include "core/civil_day.h"
#include "sqlite_audit_log.h"

namespace parkd {

std::error_code SqliteBillArchive::issued_file(const std::string& month, std::optional<std::string>& csv) {
  csv.reset();
  SqliteStatement s(db_.handle(), "SELECT csv FROM issued_bill WHERE month = ?1");
  if (s.prepare_result() != SQLITE_OK) return sqlite_error(s.prepare_result());
  bind_text(s.get(), 1, month);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(s.get(), 0));
    csv.emplace(bytes != nullptr ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(s.get(), 0)));
    return {};
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteBillArchive::closed(std::set<std::string>& months, std::vector<BillLine>& lines) {
  SqliteStatement m(db_.handle(), "SELECT month FROM issued_bill");
  if (m.prepare_result() != SQLITE_OK) return sqlite_error(m.prepare_result());
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(m.get())) == SQLITE_ROW) months.insert(column_text(m.get(), 0));
  if (rc != SQLITE_DONE) return sqlite_error(rc);
  SqliteStatement l(db_.handle(),
                    "SELECT month, household_id, building, room, household_type, plate, vehicle_rank, monthly_fee_fen, "
                    "days_billed, amount_fen, pact_version, first_day, last_day, corrects_month, note "
                    "FROM issued_bill_line ORDER BY month, line_no");
  if (l.prepare_result() != SQLITE_OK) return sqlite_error(l.prepare_result());
  while ((rc = sqlite3_step(l.get())) == SQLITE_ROW) {
    sqlite3_stmt* r = l.get();
    lines.push_back(BillLine{column_text(r, 0), column_text(r, 1), column_text(r, 2), column_text(r, 3),
                             column_text(r, 4) == "tenant" ? HouseholdType::Tenant : HouseholdType::Owner,
                             column_text(r, 5), static_cast<std::uint32_t>(sqlite3_column_int64(r, 6)),
                             sqlite3_column_int64(r, 7), sqlite3_column_int(r, 8), sqlite3_column_int64(r, 9),
                             column_text(r, 10), parse_civil_day(column_text(r, 11)).value_or(0),
                             parse_civil_day(column_text(r, 12)).value_or(0), column_text(r, 13), column_text(r, 14)});
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

std::error_code SqliteBillArchive::close_month(const std::string& month, TimeMs closed_at, const std::string& csv,
                                               std::span<const BillLine> lines, const AuditEntry* audit) {
  return in_transaction(db_, [&] {
    SqliteStatement bill(db_.handle(), "INSERT INTO issued_bill (month, closed_at_ms, csv) VALUES (?1, ?2, ?3)");
    if (bill.prepare_result() != SQLITE_OK) return bill.prepare_result();
    bind_text(bill.get(), 1, month);
    sqlite3_bind_int64(bill.get(), 2, closed_at);
    sqlite3_bind_blob(bill.get(), 3, csv.data(), static_cast<int>(csv.size()), SQLITE_TRANSIENT);
    int rc = step_and_reset(bill.get());
    SqliteStatement line(db_.handle(),
                         "INSERT INTO issued_bill_line (month, line_no, household_id, building, room, household_type, plate, "
                         "vehicle_rank, monthly_fee_fen, days_billed, amount_fen, pact_version, first_day, last_day, "
                         "corrects_month, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
    if (rc == SQLITE_OK) rc = line.prepare_result();
    for (std::size_t i = 0; rc == SQLITE_OK && i < lines.size(); ++i) {
      const BillLine& l = lines[i];
      sqlite3_stmt* s = line.get();
      bind_text(s, 1, month);
      sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(i));
      bind_text(s, 3, l.household_id);
      bind_text(s, 4, l.building);
      bind_text(s, 5, l.room);
      bind_text(s, 6, name_of(l.type));
      bind_text(s, 7, l.plate);
      sqlite3_bind_int64(s, 8, l.rank);
      sqlite3_bind_int64(s, 9, l.monthly_fee);
      sqlite3_bind_int(s, 10, l.days_billed);
      sqlite3_bind_int64(s, 11, l.amount);
      bind_text(s, 12, l.pact_version);
      bind_text(s, 13, format_civil_day(l.first_day));
      bind_text(s, 14, format_civil_day(l.last_day));
      bind_text(s, 15, l.corrects_month);
      bind_text(s, 16, l.note);
      rc = step_and_reset(s);
    }
    if (rc == SQLITE_OK && audit != nullptr) rc = append_audit(db_.handle(), *audit);
    return rc;
  });
}

}  // namespace parkd
