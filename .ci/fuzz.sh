#!/usr/bin/env bash
# Builds every cargo-fuzz target and runs each for N seconds (first argument, default
# 20). Exits non-zero when a target crashes; the crashing input is copied to
# tests/data/fuzz/<target>/ so that `cargo test --test fuzz_regressions` replays it.
# Seeds: fuzz/seeds/<target>/ plus tests/data/fuzz/<target>/ (the corpus grows in
# fuzz/corpus/<target>/, which is not committed).
set -euo pipefail
secs="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 2; }
targets=$(cargo fuzz list)
cargo fuzz build -O $targets >/dev/null 2>&1 || cargo fuzz build -O
status=0
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    seeds=()
    [ -d "seeds/$t" ] && seeds+=("seeds/$t")
    [ -d "$root/tests/data/fuzz/$t" ] && seeds+=("$root/tests/data/fuzz/$t")
    log="artifacts/$t/run.log"
    echo "== $t (${secs}s)"
    if cargo fuzz run -O "$t" "corpus/$t" "${seeds[@]}" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
        grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$log" | tr '\n' ' '
        echo
    else
        status=1
        echo "!! $t crashed; see fuzz/$log"
        mkdir -p "$root/tests/data/fuzz/$t"
        for f in artifacts/"$t"/crash-* artifacts/"$t"/oom-* artifacts/"$t"/timeout-*; do
            [ -f "$f" ] && cp "$f" "$root/tests/data/fuzz/$t/" && echo "   saved tests/data/fuzz/$t/$(basename "$f")"
        done
        tail -n 30 "$log"
    fi
done
exit $status
