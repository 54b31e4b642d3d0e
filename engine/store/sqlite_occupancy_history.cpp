// Occupancy samples: one row per lot and sample time; a repeated time replaces the row.
#include "sqlite_occupancy_history.h"

namespace parkd {

std::error_code SqliteOccupancyHistory::record(std::span<const OccupancySample> samples) {
  if (samples.empty()) return {};
  return in_transaction(db_, [&] {
    SqliteStatement insert(db_.handle(),
                           "INSERT OR REPLACE INTO occupancy_sample (lot_id, at_ms, free, occupied, held, closed, "
                           "unknown, stale_sensors, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    int rc = insert.prepare_result();
    for (std::size_t i = 0; rc == SQLITE_OK && i < samples.size(); ++i) {
      const OccupancySample& s = samples[i];
      bind_text(insert.get(), 1, s.lot_id);
      sqlite3_bind_int64(insert.get(), 2, s.at);
      int column = 3;
      for (std::uint32_t v : {s.free, s.occupied, s.held, s.closed, s.unknown, s.stale_sensors, s.total}) {
        sqlite3_bind_int64(insert.get(), column++, v);
      }
      rc = step_and_reset(insert.get());
    }
    return rc;
  });
}

std::error_code SqliteOccupancyHistory::between(TimeMs from, TimeMs to, std::vector<OccupancySample>& out) {
  SqliteStatement select(db_.handle(),
                         "SELECT lot_id, at_ms, free, occupied, held, closed, unknown, stale_sensors, total "
                         "FROM occupancy_sample WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY at_ms, lot_id");
  if (select.prepare_result() != SQLITE_OK) return sqlite_error(select.prepare_result());
  sqlite3_bind_int64(select.get(), 1, from);
  sqlite3_bind_int64(select.get(), 2, to);
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    auto count = [&](int c) { return static_cast<std::uint32_t>(sqlite3_column_int64(select.get(), c)); };
    out.push_back(OccupancySample{column_text(select.get(), 0), sqlite3_column_int64(select.get(), 1), count(2),
                                  count(3), count(4), count(5), count(6), count(7), count(8)});
  }
  return rc == SQLITE_DONE ? std::error_code() : sqlite_error(rc);
}

}  // namespace parkd
