// Where the last known state of every space is kept across restarts, with each space's recent
// changes (the console's history of a space): an interface of the core's own, implemented over
// SQLite in engine/store/ and faked in tests.
#pragma once

#include <cstddef>
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

// How long a space's changes are kept: a season, enough to see when a ground lock or a parked
// tricycle began, and ~20 MB for a compound of 185 spaces.
inline constexpr TimeMs kSpaceHistoryKeptMs = 90LL * 24 * 3'600'000;

class SpaceStateStore {
 public:
  virtual ~SpaceStateStore() = default;
  // In one transaction, all or nothing: `latest` (states known without a change: restored at
  // start) replaces spaces' last known states, then each space's last one in `changes` does,
  // and `changes` (in the order they happened) are added to the spaces' histories; changes
  // older than kSpaceHistoryKeptMs before the newest are dropped from time to time, in the
  // order they were saved (one saved after a younger one stays until those before it have gone).
  virtual std::error_code save(std::span<const StoredSpaceState> latest, std::span<const StoredSpaceState> changes) = 0;
  virtual std::error_code load(std::vector<StoredSpaceState>& out) = 0;
  // The space's changes, newest first, at most `limit`, those before `before` only (0: all).
  virtual std::error_code history(const std::string& lot_id, const std::string& space_id, std::size_t limit,
                                  TimeMs before, std::vector<StoredSpaceState>& out) = 0;
};

}  // namespace parkd
