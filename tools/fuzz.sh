#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang under ASan + UBSan and runs each one for a
# bounded time, starting from its seed corpus (tests/fuzz/corpus/<target>; what it discovers
# goes to a scratch folder, not into the repository). A crash stops with the reproducer's path:
# copy it to tests/fuzz/regressions/<target>/ (every build replays those) and fix the bug.
# Usage: tools/fuzz.sh [seconds per target, default 30] [target ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(sensor_report gate_event plate lot_config parkd_config registry_csv gate_inbox)
build=${PARKD_FUZZ_BUILD:-$root/build-fuzz}
# The same configuration as tools/test.sh's ASan + UBSan build, so that one serves both.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1 -DNDEBUG" -DPARKD_FUZZ=ON -DPARKD_SANITIZE=address,undefined \
  -DPARKD_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null
mkdir -p "$root/var"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
run() {  # TARGET: fuzz it; its log says how it went
  local t=$1
  local rc=0
  mkdir -p "$scratch/$t"
  (cd "$scratch" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$root/var/fuzz-$t-" "$scratch/$t" "$root/tests/fuzz/corpus/$t" >"$scratch/$t.log" 2>&1) || rc=$?
  echo "$rc" >"$scratch/$t.rc"
}
# One target per core at a time: each is single-threaded.
jobs=$(nproc)
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run "$t" &
done
wait
failed=0
for t in "${targets[@]}"; do
  log=$scratch/$t.log
  if [ "$(cat "$scratch/$t.rc")" != 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: $t crashed; the input is $root/var/fuzz-$t-* — add it to tests/fuzz/regressions/$t/" >&2
    failed=1
    continue
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $t: ${runs} inputs in ${seconds} s, no crash (coverage ${cov} edges, corpus $(ls "$scratch/$t" | wc -l) new inputs)"
done
exit "$failed"
