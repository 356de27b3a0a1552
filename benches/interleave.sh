#!/usr/bin/env bash
# The tokio bench's rows by the clock, one process per run, the two engines taking
# turns: K pairs of `count ours ROW N` / `count raw ROW N`. Prints each engine's
# wall-clock and CPU (user + system) seconds, and "speed vs raw" (raw / ours, as in the
# bench's tables) two ways: the ratio of the medians, and the median of the K pairs'
# ratios (a pair runs back to back, so drift in the machine's speed falls on both of
# its runs). On a machine whose speed drifts, either is steadier than one criterion
# run.
#
#   cargo bench --features tokio --bench tokio --no-run
#   benches/interleave.sh target/release/deps/tokio-<hash> handshake13 3000 7
#
# ROW: handshake13 | handshake12 | bulk | bulk-tcp (N handshakes, or N MiB).
set -euo pipefail

if [ $# -ne 4 ]; then
    echo "usage: $0 BENCH_BINARY ROW N K" >&2
    exit 2
fi
bin=$1 row=$2 n=$3 k=$4

median() {
    sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

declare -A wall cpu
TIMEFORMAT='%R %U %S'
for ((i = 0; i < k; i++)); do
    for engine in ours raw; do
        t=$({ time "$bin" count "$engine" "$row" "$n" >/dev/null; } 2>&1 | tail -1)
        read -r w u s <<<"$t"
        wall[$engine]+="$w "
        cpu[$engine]+="$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}') "
    done
done

for engine in raw ours; do
    echo "$engine wall: ${wall[$engine]}"
    echo "$engine cpu:  ${cpu[$engine]}"
done
for kind in wall cpu; do
    declare -n times=$kind
    raw=$(tr ' ' '\n' <<<"${times[raw]}" | grep . | median)
    ours=$(tr ' ' '\n' <<<"${times[ours]}" | grep . | median)
    pairs=$(paste -d' ' <(tr ' ' '\n' <<<"${times[raw]}" | grep .) \
        <(tr ' ' '\n' <<<"${times[ours]}" | grep .) | awk '{print $1 / $2}' | median)
    awk -v k="$kind" -v r="$raw" -v o="$ours" -v p="$pairs" -v row="$row" \
        'BEGIN {printf "%s %s: medians raw %.3f s, ours %.3f s: speed vs raw %.3fx; median of pair ratios %.3fx\n", row, k, r, o, r / o, p}'
done
