#!/usr/bin/env bash
# The long fuzz runs recorded in fuzz/README.md (manual; not part of .ci/run).
# Usage: fuzz/long-run.sh target... — runs each target in turn until 10^7 executions or
# one hour, whichever comes first, without a sanitizer and with debug assertions (so
# integer overflow panics), in its own target dir so it does not clobber .ci/fuzz.sh's
# ASan build. Logs to fuzz/artifacts/<target>/long.log; crashes land in
# fuzz/artifacts/<target>/ as usual.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"
export RUSTC_BOOTSTRAP=1
runs="${FUZZ_RUNS:-10000000}"
secs="${FUZZ_SECS:-3600}"
tdir="${FUZZ_TARGET_DIR:-$root/fuzz/target-long}"
for t in "$@"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    seeds=()
    [ -d "seeds/$t" ] && seeds+=("seeds/$t")
    [ -d "$root/tests/data/fuzz/$t" ] && seeds+=("$root/tests/data/fuzz/$t")
    log="artifacts/$t/long.log"
    start=$(date +%s)
    echo "== $t: up to $runs runs or ${secs}s ($(date -u +%H:%M:%S))"
    cargo fuzz run -O -a -s none --target-dir "$tdir" "$t" "corpus/$t" "${seeds[@]}" -- \
        -runs="$runs" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1 || echo "!! $t failed; see fuzz/$log"
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "$log" | tr '\n' ' '
    echo "wall $(( $(date +%s) - start ))s"
done
