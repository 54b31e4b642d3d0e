// The core's OccupancyHistory over the occupancy_sample table.
#pragma once

#include "core/occupancy_history.h"
#include "sqlite_database.h"

namespace parkd {

class SqliteOccupancyHistory : public OccupancyHistory {
 public:
  explicit SqliteOccupancyHistory(SqliteDatabase& db) : db_(db) {}
  std::error_code record(std::span<const OccupancySample> samples) override;
  std::error_code between(TimeMs from, TimeMs to, std::vector<OccupancySample>& out) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace parkd
