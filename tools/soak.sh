#!/usr/bin/env bash
# The month-long soak (tests/soak/soak_test.cpp): parksim plays 30 simulated days of xj5 against
# the real parkd, Mosquitto and SQLite with its faults on; the property office changes the
# registry every day; the broker is restarted and parkd killed and restarted once. It checks the
# counts throughout, parkd's memory against a bound, and every month's bill against its own
# ledger, and prints the figures. ctest runs a 4-day version of the same test.
# Usage: tools/soak.sh [days, default 30] [speed in simulated seconds per second, default 6000]
#   PARKD_SOAK_START=YYYY-MM-DD (default 2026-10-20: October's 31 days and November's 30 are billed)
#   PARKD_SOAK_RSS_MB=N (the memory bound, default 64)
#   PARKD_SOAK_GROUND_LOCKS=N (default 2; 0: a month without ground locks, for false BLOCKED_SUSPECT)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PARKD_BUILD_DIR:-$root/build}
"$root/tools/install-deps.sh"
source "$root/tools/plain-build.sh"
configure_plain_build "$root" "$build"  # as tools/test.sh
cmake --build "$build" -j"$(nproc)" --target soak_tests parkd parksim parkctl >/dev/null
PARKD_SOAK_DAYS=${1:-30} PARKD_SOAK_SPEED=${2:-6000} PARKD_SOAK_START=${PARKD_SOAK_START:-2026-10-20} \
  "$build/tests/soak/soak_tests"
