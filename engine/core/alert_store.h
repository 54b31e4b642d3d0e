// Where alerts and the strikes held against spaces are kept across restarts, and the alert
// history read back: an interface of the core's own, implemented over SQLite in engine/store/.
#pragma once

#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "alert.h"
#include "time_ms.h"

namespace parkd {

struct StoredStrikes {
  std::string lot_id;
  std::string space_id;
  std::vector<TimeMs> strikes;  // empty: none left
  bool operator==(const StoredStrikes&) const = default;
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;
  // One transaction: every alert (by id: raised, or its record updated as cleared) and the
  // strikes of every space listed (replacing what was kept).
  virtual std::error_code save(std::span<const Alert> alerts, std::span<const StoredStrikes> strikes) = 0;
  virtual std::error_code load_active(std::vector<Alert>& out) = 0;
  virtual std::error_code load_strikes(std::vector<StoredStrikes>& out) = 0;
  // Alerts active at some moment of [from, to), oldest first.
  virtual std::error_code history(TimeMs from, TimeMs to, std::vector<Alert>& out) = 0;
};

}  // namespace parkd
