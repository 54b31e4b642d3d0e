#!/usr/bin/env bash
# Builds the Debian package from a build folder and checks it as an administrator would meet it:
# its files and conffiles, lintian (no error or warning), `systemd-analyze verify` of the unit,
# then parkd run from the unpacked tree (dpkg -x into a scratch root) against a broker of its
# own: --version, --check-config of the installed configuration, `parkctl status`, residents
# imported and a day played by parksim, and a backup that restores into a fresh state
# directory with the same bill and notice.
# Usage: tools/package.sh BUILD   (ctest runs it as PackageTest.BuildsInstallsAndRestores)
set -euo pipefail
build=$(realpath "${1:?usage: tools/package.sh BUILD}")
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${PARKD_PACKAGE_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package: FAILED: $*" >&2; exit 1; }
step() { echo "package: $*"; }

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/parkd_"$version"_*.deb)
step "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# The files an administrator looks for.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/contents"
for f in /usr/sbin/parkd /usr/bin/parkctl /usr/bin/parksim /usr/bin/parkd-broker-setup \
         /etc/parkd/parkd.textproto /etc/parkd/lots/xj5.textproto /etc/mosquitto/conf.d/parkd.conf \
         /lib/systemd/system/parkd.service /usr/share/man/man8/parkd.8.gz /usr/share/man/man1/parkctl.1.gz \
         /usr/share/doc/parkd/copyright /usr/share/doc/parkd/changelog.gz /usr/share/doc/parkd/operations.md \
         /usr/share/parkd/console/index.html /usr/share/parkd/console/public.html /usr/share/parkd/console/js/app.js; do
  grep -qx "$f" "$work/contents" || fail "$f is not in the package"
done
printf '/etc/parkd/parkd.textproto\n/etc/parkd/lots/xj5.textproto\n/etc/mosquitto/conf.d/parkd.conf\n' >"$work/conffiles.want"
dpkg-deb --info "$deb" conffiles >"$work/conffiles"
diff -u "$work/conffiles.want" "$work/conffiles" || fail "conffiles"
dpkg-deb -f "$deb" Depends | grep -q 'libpaho-mqttpp3' || fail "Depends lacks the shared libraries: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -q 'adduser' || fail "Depends lacks adduser (the postinst makes the parkd user)"
step "contents, conffiles and dependencies as expected"

lintian_rc=0
lintian --fail-on error,warning "$deb" >"$work/lintian.txt" 2>&1 || lintian_rc=$?
grep -v 'running with root privileges' "$work/lintian.txt" || true
[ "$lintian_rc" -eq 0 ] || fail "lintian found errors or warnings (above)"
step "lintian: no error, no warning"

root=$work/root
dpkg -x "$deb" "$root"
# The unit as installed, with ExecStart at the unpacked binary (verify checks it exists).
mkdir -p "$work/unit"
sed "s|/usr/sbin/parkd|$root/usr/sbin/parkd|" "$root/lib/systemd/system/parkd.service" >"$work/unit/parkd.service"
# It exits 0 on an unknown or misspelt key and only says so: any word from it is a failure.
verify_rc=0
MANPATH=$root/usr/share/man systemd-analyze verify "$work/unit/parkd.service" >"$work/verify.txt" 2>&1 || verify_rc=$?
[ "$verify_rc" -eq 0 ] && [ ! -s "$work/verify.txt" ] || { cat "$work/verify.txt"; fail "systemd-analyze verify"; }
step "systemd-analyze verify parkd.service: clean"

"$root/usr/sbin/parkd" --version | grep -qx "parkd $version" || fail "parkd --version"
"$root/usr/bin/parkctl" --version | grep -qx "parkctl $version" || fail "parkctl --version"
"$root/usr/sbin/parkd" --check-config --config "$root/etc/parkd/parkd.textproto" >"$work/check.txt" || { cat "$work/check.txt"; fail "--check-config"; }
grep -q '/var/lib/parkd/parkd.db' "$work/check.txt" || fail "the installed configuration does not keep the database in /var/lib/parkd"
step "installed configuration valid: $(grep -m1 '^lot ' "$work/check.txt")"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mqtt=$(port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt" >"$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$mqtt") 2>/dev/null && break; sleep 0.1; done

# The installed configuration names the console at /usr/share/parkd/console; unpacked, it is under $root.
grep -q 'console_dir: "/usr/share/parkd/console"' "$root/etc/parkd/parkd.textproto" || fail "the configuration does not name the installed console"
sed "s|\"/usr/share/parkd/console\"|\"$root/usr/share/parkd/console\"|" "$root/etc/parkd/parkd.textproto" >"$root/etc/parkd/unpacked.textproto"

parkd_pid=
start_parkd() {  # STATE_DIR HTTP_PORT [--sim-clock]
  "$root/usr/sbin/parkd" --config "$root/etc/parkd/unpacked.textproto" --broker "tcp://127.0.0.1:$mqtt" \
    --db "$1/parkd.db" --http "127.0.0.1:$2" ${3:-} >>"$1/parkd.log" 2>&1 &
  parkd_pid=$!
  pids+=("$parkd_pid")
  for _ in $(seq 100); do
    [ -f "$1/parkd.token" ] && "$root/usr/bin/parkctl" --endpoint "http://127.0.0.1:$2" --token-file "$1/parkd.token" status \
      >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$1/parkd.log"
  fail "parkd from the package did not answer parkctl status"
}
stop_parkd() {
  kill -TERM "$parkd_pid"
  wait "$parkd_pid" || fail "parkd did not stop cleanly"
}

state=$work/var/lib/parkd
mkdir -p "$state"
http=$(port)
start_parkd "$state" "$http" --sim-clock  # parksim plays a day in seconds
ctl=("$root/usr/bin/parkctl" --config "$root/etc/parkd/parkd.textproto" --endpoint "http://127.0.0.1:$http" --token-file "$state/parkd.token")
"${ctl[@]}" status >"$work/status.txt"
grep -q 'xj5' "$work/status.txt" || { cat "$work/status.txt"; fail "parkctl status does not show the xj5 lot"; }
step "parkd from the package answers: $(head -1 "$work/status.txt")"
python3 -c 'import sys, urllib.request; sys.exit(0 if b"<!doctype html>" in urllib.request.urlopen(sys.argv[1]).read() else 1)' \
  "http://127.0.0.1:$http/" || fail "the console is not served at /"
step "the console is served from /usr/share/parkd/console"

sim=("$root/usr/bin/parksim" --config "$root/etc/parkd/parkd.textproto")
"${sim[@]}" --write-registry "$work" --start 2026-11-30 >/dev/null
"${ctl[@]}" import households "$work/households.csv" >/dev/null
"${ctl[@]}" import vehicles "$work/vehicles.csv" >/dev/null
# --truth: parksim waits until parkd has decided every gate event, so what the backup holds is
# what parkd billed (a backup taken while the gates decide is ParkctlTest's). The day played is
# November's last, so parkd's clock ends in December and November is a closed month: a month in
# progress changes when the restored parkd, on the system's clock, finds what fell due since (a
# visitor inside since the 29th raises VISITOR_OVERSTAY dated the 30th).
"${sim[@]}" --broker "tcp://127.0.0.1:$mqtt" --speed 3000 --days 1 --start 2026-11-30 --truth "$work/truth.txt" >/dev/null
# Then wait until parkd's clock reads parksim's last SimClock: the sensor reports and clock before
# it are applied and their effects (an alert raised, an occupancy sample) queued before the backup.
clock=$(awk '$1 == "clock" {print $2}' "$work/truth.txt")
python3 - "http://127.0.0.1:$http/v1/status" "$state/parkd.token" "$clock" <<'PY' || fail "parkd never reached parksim's last clock"
import json, sys, time, urllib.request
url, token_file, clock = sys.argv[1], sys.argv[2], int(sys.argv[3])
token = next(l for l in open(token_file).read().splitlines() if l.strip() and not l.startswith("#")).rsplit(":", 1)[-1]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    if int(json.load(urllib.request.urlopen(req))["now_ms"]) >= clock:
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PY
"${ctl[@]}" backup "$work/backup.db" >/dev/null
[ "$(stat -c %a "$work/backup.db")" = 600 ] || fail "the backup is not mode 0600"
"${ctl[@]}" bill --month 2026-11 --preview >"$work/bill-before.csv"
"${ctl[@]}" notice --month 2026-11 >"$work/notice-before.txt"
# Who is inside and since when (minutes and the fee so far run with parkd's clock).
"${ctl[@]}" visitors | awk '{print $1, $2, $3, $4, $5}' >"$work/visitors-before.txt"
stop_parkd
[ "$(wc -l <"$work/bill-before.csv")" -gt 100 ] || fail "the bill has too few lines: $(wc -l <"$work/bill-before.csv")"

# Restore into a fresh state directory, as on a new box (a new token is made there), with the
# system's clock as in service (with --sim-clock the visitors inside come back only at the
# first SimClock).
fresh=$work/new-box/var/lib/parkd
mkdir -p "$fresh"
cp "$work/backup.db" "$fresh/parkd.db"
http2=$(port)
start_parkd "$fresh" "$http2"
ctl2=("$root/usr/bin/parkctl" --config "$root/etc/parkd/parkd.textproto" --endpoint "http://127.0.0.1:$http2" --token-file "$fresh/parkd.token")
"${ctl2[@]}" bill --month 2026-11 --preview >"$work/bill-after.csv"
"${ctl2[@]}" notice --month 2026-11 >"$work/notice-after.txt"
"${ctl2[@]}" visitors | awk '{print $1, $2, $3, $4, $5}' >"$work/visitors-after.txt"
stop_parkd
same() {  # BEFORE AFTER WHAT: the difference is printed, so a CI log says what moved
  diff -u "$1" "$2" >&2 || fail "$3"
}
same "$work/bill-before.csv" "$work/bill-after.csv" "the restored database bills November differently"
same "$work/notice-before.txt" "$work/notice-after.txt" "the restored database's notice differs"
same "$work/visitors-before.txt" "$work/visitors-after.txt" "the restored database has other visitors inside"
step "backup restored into a fresh state directory: the same bill ($(wc -l <"$work/bill-after.csv") lines), notice and $(tail -1 "$work/visitors-after.txt")"
echo "package: OK"
