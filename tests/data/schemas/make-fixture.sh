#!/usr/bin/env bash
# Makes a database fixture with an older parkd, for the migration tests: run from a checkout of
# that parkd (a git worktree at the commit named in README.md here), built in BUILD:
#   tests/data/schemas/make-fixture.sh BUILD OUT   (OUT: e.g. /path/to/tests/data/schemas/schema-v5)
# It plays the compound from 2026-10-31 00:00 for a day and a half on a Mosquitto of its own:
# the registry imported through parkctl (one car removed on 11-01), sensors and gates through
# parksim. Then it stops parkd cleanly and writes OUT.db, OUT-bill-2026-10.csv (as that parkd
# billed October) and OUT.counts (rows per table, for the test to compare after migrating).
set -euo pipefail
build=$(realpath "$1")
out=$2
src=$(pwd)
run=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$run"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mqtt=$(port)
http=$(port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt" >"$run/mosquitto.conf"
mosquitto -c "$run/mosquitto.conf" >"$run/mosquitto.log" 2>&1 &
sleep 0.5
"$build/bin/parkd" --config "$src/config/parkd.textproto" --broker "tcp://127.0.0.1:$mqtt" --db "$run/parkd.db" \
  --http "127.0.0.1:$http" --sim-clock >"$run/parkd.log" 2>&1 &
parkd=$!
for _ in $(seq 50); do [ -f "$run/parkd.token" ] && break; sleep 0.1; done
sleep 1
ctl=("$build/bin/parkctl" --endpoint "http://127.0.0.1:$http" --token-file "$run/parkd.token")
"$build/bin/parksim" --config "$src/config/parkd.textproto" --write-registry "$run" --start 2026-10-31 >/dev/null
"${ctl[@]}" import households "$run/households.csv"
"${ctl[@]}" import vehicles "$run/vehicles.csv"
plate=$(sed -n 2p "$run/vehicles.csv" | cut -d, -f1)
"${ctl[@]}" vehicle remove "$plate" --removed-on 2026-11-01
"$build/bin/parksim" --config "$src/config/parkd.textproto" --broker "tcp://127.0.0.1:$mqtt" --speed 3000 --days 1.5 \
  --start 2026-10-31 >/dev/null
"${ctl[@]}" bill --month 2026-10 >"$out-bill-2026-10.csv"
kill -TERM "$parkd"
wait "$parkd"
sqlite3 "$run/parkd.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
cp "$run/parkd.db" "$out.db"
{
  echo "schema $(sqlite3 "$run/parkd.db" 'PRAGMA user_version;')"
  for table in $(sqlite3 "$run/parkd.db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;"); do
    echo "$table $(sqlite3 "$run/parkd.db" "SELECT count(*) FROM $table;")"
  done
  echo "open_visitor_sessions $(sqlite3 "$run/parkd.db" 'SELECT count(*) FROM visitor_session WHERE left_at_ms IS NULL;')"
} >"$out.counts"
cat "$out.counts"
