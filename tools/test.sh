#!/usr/bin/env bash
# Installs what is missing, builds what ships, the benchmarks and the soak (GCC, -O2, warnings
# on) and runs the soak, the package, the district and the NATS cluster tests there; runs every
# other test under AddressSanitizer + UndefinedBehaviorSanitizer in a clang build that also makes
# the libFuzzer targets, each then run for PARKD_FUZZ_SECONDS (default 20) from its seeds; and
# parkd's threaded parts (the daemon's unit and broker tests, with parkd itself instrumented)
# under ThreadSanitizer.
# Usage (from anywhere, as root on a fresh Debian 12): tools/test.sh [extra ctest arguments]
#   PARKD_SANITIZERS=off tools/test.sh   builds everything plain and runs every test there, no sanitizer
#                                        or fuzzing build (a quick local run)
set -euo pipefail
# Each stage says how long it took (issue #16: the command should take under 15 minutes).
# With the CPU time the stage's processes used (user + system, from the shell's `times`): a stage
# that used much less than 2 cores x its time waits on something, and could overlap with another.
times_file=$(mktemp)
background=
# On a failed stage, a background build or fuzzing run (below) goes with the script.
trap 'rm -f "$times_file"; if [ -n "$background" ]; then kill -- "-$background" 2>/dev/null; fi; true' EXIT
cpu_seconds() {  # of this shell's finished children so far, into $cpu (`times` in this shell, not a subshell)
  times >"$times_file"
  cpu=$(tail -1 "$times_file" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
}
stage_start=$SECONDS
cpu_seconds
stage_cpu=$cpu
stage_done() {
  cpu_seconds
  echo "== $1: $((SECONDS - stage_start)) s ($((cpu - stage_cpu)) s of CPU)"
  stage_start=$SECONDS
  stage_cpu=$cpu
}
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
jobs=$(nproc)
build=${PARKD_BUILD_DIR:-$root/build}
# Every build here is a unity build (see plain-build.sh); a plain cmake configure is not.
unity=-DCMAKE_UNITY_BUILD=ON
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
source "$root/tools/plain-build.sh"
configure_plain_build "$root" "$build"

if [[ ${PARKD_SANITIZERS:-on} == off ]]; then
  # A quick local run: everything built plain and every test run there.
  cmake --build "$build" -j"$jobs"
  stage_done "plain build"
  (cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 300 "$@")
  stage_done "plain tests"
  exit 0
fi

# The plain build (GCC, -O2) makes what ships, the benchmarks and the soak (target plain_checks);
# it runs only the tests that need an optimised, uninstrumented build: the soak (parkd's memory
# over days of the compound, played as fast as two cores allow) and the package. Every other
# test runs once, under the sanitizers below.
cmake --build "$build" -j"$jobs" --target plain_checks
stage_done "plain build (what ships, the benchmarks, the soak)"

# The instrumented builds with line tables only (-g1): what the sanitizers need for their reports.
# The ASan + UBSan build unoptimised: clang compiles the daemon's heaviest unity source (Beast) in
# 27 s at -O0 against 64 s at -O1, and its tests mostly wait on brokers; the code the fuzz targets
# exercise is -O1 there all the same (tests/fuzz/CMakeLists.txt). TSan's checks are slower, so its
# build (the threaded parts only) stays at -O1.
asan_flags="-O0 -g1 -DNDEBUG"
tsan_flags="-O1 -g1 -DNDEBUG"
# A build or a fuzzing run in the background at the lowest priority, beside tests that mostly wait
# on brokers and parkds (measured: the ASan tests used 232 s of CPU in 154 s on 2 cores): it takes
# the idle share and the tests keep the cores whenever they want them. Never beside the soak,
# which plays as fast as two cores let it (277 s of CPU in 155 s alone; 246-290 s beside the ASan
# build, using more CPU, not less). In a process group of its own (setsid), so that a failed stage
# can stop it with all its compilers. A new session is a new scheduling autogroup too (Debian's
# kernel has sched_autogroup_enabled=1), and autogroups share the CPU fairly whatever their tasks'
# nice values: the group itself gets nice 19.
start_background() {  # LOG COMMAND...: into $background
  local log=$1
  shift
  # shellcheck disable=SC2016  # $@ is the inner shell's
  setsid bash -c '[ ! -w /proc/self/autogroup ] || echo 19 >/proc/self/autogroup; exec nice -n 19 "$@"' background "$@" \
    >"$log" 2>&1 &
  background=$!
}
finish_background() {  # WHAT LOG: waits for $background; on failure shows its log's end
  local status=0
  wait "$background" || status=$?
  background=
  if [ "$status" -ne 0 ]; then
    tail -60 "$2" >&2
    echo "test.sh: $1 failed (whole log: $2)" >&2
    exit 1
  fi
}

(cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 300 -L "soak|package|district" "$@")
stage_done "plain tests: the soak, the package and the district"

asan=$build-asan
cmake -S "$root" -B "$asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$asan_flags" -DPARKD_FUZZ=ON -DPARKD_BUILD_BENCH=OFF \
  -DPARKD_SANITIZE=address,undefined $unity >/dev/null
start_background "$asan/build.log" cmake --build "$asan" -j"$jobs"

# The NATS cluster tests (a node killed under load) on the plain build too: their failover times
# are figures worth reading in the log, and an instrumented parkd would blur them. One at a time,
# beside the ASan build at the lowest priority: they mostly wait on kills and elections (beside
# the soak, the sensors' test took 120-215 s against 23 s alone).
echo "== the NATS cluster tests (the ASan + UBSan build in the background)"
(cd "$build" && ctest --output-on-failure -j1 --timeout 600 -L cluster "$@")
stage_done "plain tests: the NATS cluster (the ASan build beside them)"
finish_background "the ASan + UBSan build" "$asan/build.log"
stage_done "ASan + UBSan build (with the fuzz targets), what was left of it"

tsan=$build-tsan
cmake -S "$root" -B "$tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$tsan_flags" \
  -DPARKD_BUILD_BENCH=OFF -DPARKD_SANITIZE=thread $unity >/dev/null
start_background "$tsan/build.log" cmake --build "$tsan" -j"$jobs" \
  --target parkd parkctl daemon_tests daemon_unit_tests parkctl_tests

echo "== AddressSanitizer + UndefinedBehaviorSanitizer (clang): every test but the soak, the package, the district and the cluster"
# One more test at a time than cores, for the same reason as the background build.
(cd "$asan" && PARKD_TEST_TIME_SCALE=3 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$root/tests/lsan.supp \
  UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j$((jobs + 1)) --timeout 600 -LE "soak|package|district|cluster" "$@")
stage_done "ASan + UBSan tests (the TSan build beside them)"
finish_background "the TSan build" "$tsan/build.log"
stage_done "TSan build, what was left of it (the CPU figure is the whole build's)"

# libFuzzer runs each target for a fixed time, so beside the TSan tests it loses executions, not
# wall time; it gets whatever the tests leave.
fuzz_log=$asan/fuzz.log
echo "== libFuzzer (in the background): each target for ${PARKD_FUZZ_SECONDS:-20} s from its seed corpus, under ASan + UBSan"
start_background "$fuzz_log" env PARKD_FUZZ_BUILD="$asan" "$root/tools/fuzz.sh" "${PARKD_FUZZ_SECONDS:-20}"

echo "== ThreadSanitizer: the daemon (Paho's threads, the strand, the store workers)"
# A race report makes parkd exit with 66, which the tests see as a failed shut-down.
(cd "$tsan" && PARKD_TEST_TIME_SCALE=4 TSAN_OPTIONS=exitcode=66:halt_on_error=0:suppressions=$root/tests/tsan.supp ctest --output-on-failure -j$((jobs + 1)) --timeout 600 \
  -R '^(ParkdTest|ParkdEventsTest|BrowserSessions|EngineHostTest|EngineHostGates|EngineHostStates|ControlApiTest|HttpServerTest|StoreWorker|ParkctlTest|DaemonOptions|ListenAddress|HttpTarget)\.' "$@")
stage_done "TSan tests (the fuzzing beside them)"
finish_background "fuzzing" "$fuzz_log"
cat "$fuzz_log"
stage_done "fuzzing, what was left of it (a background job's CPU counts in the stage it ended in)"
