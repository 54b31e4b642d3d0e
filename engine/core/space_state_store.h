// Where the last known state of every space is kept across restarts: an interface of the core's
// own, implemented over SQLite in engine/store/ and faked in tests.
#pragma once

#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "space_state.h"
#include "time_ms.h"

namespace parkd {

struct StoredSpaceState {
  std::string lot_id;
  std::string space_id;
  SpaceState state = SpaceState::Unknown;
  TimeMs changed_at = 0;
  std::string note;  // why a closed space was closed, and by whom
  bool operator==(const StoredSpaceState&) const = default;
};

class SpaceStateStore {
 public:
  virtual ~SpaceStateStore() = default;
  // Saves the changes in one transaction: all of them or none.
  virtual std::error_code save(std::span<const StoredSpaceState> changes) = 0;
  virtual std::error_code load(std::vector<StoredSpaceState>& out) = 0;
};

}  // namespace parkd
