// The core's BillArchive over the issued_bill and issued_bill_line tables.
#pragma once

#include "core/bill_archive.h"
#include "sqlite_database.h"

namespace parkd {

class SqliteBillArchive : public BillArchive {
 public:
  explicit SqliteBillArchive(SqliteDatabase& db) : db_(db) {}
  std::error_code issued_file(const std::string& month, std::optional<std::string>& csv) override;
  std::error_code closed(std::set<std::string>& months, std::vector<BillLine>& lines) override;
  std::error_code close_month(const std::string& month, TimeMs closed_at, const std::string& csv,
                              std::span<const BillLine> lines, const AuditEntry* audit) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace parkd
