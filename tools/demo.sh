#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts Mosquitto on a free loopback port with a
# config of its own, parkd on the shipped xj5 lot and parksim at high speed, and shows both
# entrance signs and the zone counts live. Ctrl-C stops everything.
#   tools/demo.sh [--speed N] [--days D] [--seed S]   (defaults: --speed 600 --days 7)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/tools/install-deps.sh"
build=${PARKD_BUILD_DIR:-$root/build}
source "$root/tools/plain-build.sh"
configure_plain_build "$root" "$build"  # as tools/test.sh
cmake --build "$build" -j"$(nproc)" --target parkd parksim parkctl >/dev/null

run=$root/var/demo
rm -rf "$run"
source "$root/tools/local-broker.sh"
port=$(free_port)
http_port=$(free_port)
write_mosquitto_conf "$root" "$run" "$port"

pids=()
cleanup() {
  trap - INT TERM EXIT
  # Last started, first stopped: parkd says goodbye to the signs while the broker still runs.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  echo "demo stopped; logs in $run (parkd's metrics were at http://127.0.0.1:$http_port/metrics)"
  [ -z "${console:-}" ] || echo "(while it ran, $console)"
}
trap cleanup INT TERM EXIT

# In a session of its own, so the terminal's Ctrl-C does not stop the broker before parkd.
setsid mosquitto -c "$run/mosquitto.conf" >"$run/mosquitto.log" 2>&1 &
pids+=($!)
wait_port "$port" || true  # parkd reports a broker that is not there
"$build/bin/parkd" --broker "tcp://127.0.0.1:$port" --db "$run/parkd.db" --http "127.0.0.1:$http_port" --sim-clock \
  >"$run/parkd.log" 2>&1 &
pids+=($!)
wait_port "$http_port" || true  # parkctl below says what is wrong
args=(--speed 600 --days 7 "$@")
# The simulated residents are registered like the property office would: CSV files through
# parkctl (parkd made the token next to its database). Visitors stay unregistered.
"$build/bin/parksim" --write-registry "$run" "${args[@]}" >/dev/null
ctl=("$build/bin/parkctl" --endpoint "http://127.0.0.1:$http_port" --token-file "$run/parkd.token")
"${ctl[@]}" import households "$run/households.csv"
"${ctl[@]}" import vehicles "$run/vehicles.csv"
echo "$http_port" >"$run/http-port"  # for parkctl in another terminal: --endpoint http://127.0.0.1:PORT
token=$(grep -v '^#' "$run/parkd.token" | head -n 1 | cut -d: -f3)
console="the console: http://127.0.0.1:$http_port/ (sign in with the token $token); residents' page: http://127.0.0.1:$http_port/public"
echo "$console"
"$build/bin/parksim" --broker "tcp://127.0.0.1:$port" --view "${args[@]}" &
pids+=($!)
wait "${pids[2]}" || true
