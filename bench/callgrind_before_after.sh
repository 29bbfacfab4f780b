#!/usr/bin/env bash
# Instructions (callgrind, so the machine's load does not change them) of whole eyemap processes and of
# per-eyemap benchmark calls, for two builds side by side: the check that a refactor costs nothing.
#   bench/callgrind_before_after.sh --before DIR --after DIR [--types N] [--work DIR]
# DIR holds an `eyemap` binary and bench_svg (copies from a build of each commit).
# Rows: the default 6-type sample and an N-type release (default 100) through `eyemap batch`, null sink
# and files, SVG (1 job, so the count is the same every run); then the marginal instructions per call
# (two runs of different lengths, bench/cg_per_call.py) of writing one SVG eyemap (detail::write_svg in
# BM_SvgEyemap); one type's 12 SVG eyemaps end to end is the `render one type` row.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
before="" after="" types=100 work=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --before) before="$(realpath "$2")"; shift 2 ;;
        --after) after="$(realpath "$2")"; shift 2 ;;
        --types) types="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done
[[ -x "$before/eyemap" && -x "$after/eyemap" ]] || { echo "need --before DIR and --after DIR with eyemap and bench_svg" >&2; exit 1; }
command -v valgrind > /dev/null || { echo "needs valgrind" >&2; exit 1; }
[[ -n "$work" ]] || work="$(mktemp -d)"
mkdir -p "$work" && cd "$work"
"$after/eyemap" sample --out-dir sample6 > /dev/null
"$after/eyemap" sample --out-dir release --types "$types" > /dev/null
total() {  # total instructions of one command under callgrind
    valgrind --tool=callgrind --callgrind-out-file=cg.out "$@" > /dev/null 2> cg.err || { cat cg.err >&2; exit 1; }
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' cg.err
}
row() {  # row LABEL ARGS...: the same eyemap command with both binaries
    local label="$1"; shift
    rm -rf out; local b; b=$(total "$before/eyemap" "$@")
    rm -rf out; local a; a=$(total "$after/eyemap" "$@")
    awk -v l="$label" -v b="$b" -v a="$a" 'BEGIN { printf "%-34s %15.0f %15.0f  %.4f\n", l, b, a, a / b }'
}
printf '%-34s %15s %15s  %s\n' "whole process (instructions)" before after after/before
row "sample (72 eyemaps), null sink" batch --data sample6/data.csv --columns sample6/columns.csv --out-dir out --jobs 1 -q --sink null
row "sample (72 eyemaps), files" batch --data sample6/data.csv --columns sample6/columns.csv --out-dir out --jobs 1 -q --no-sync
row "sample, files + pages" batch --data sample6/data.csv --columns sample6/columns.csv --out-dir out --jobs 1 -q --no-sync --pages
row "$types types ($((types * 12)) eyemaps), null sink" batch --data release/data.csv --columns release/columns.csv --out-dir out --jobs 1 -q --sink null
row "$types types, files" batch --data release/data.csv --columns release/columns.csv --out-dir out --jobs 1 -q --no-sync
row "$types types, files + pages" batch --data release/data.csv --columns release/columns.csv --out-dir out --jobs 1 -q --no-sync --pages
row "render one type, 12 SVGs" render --data sample6/data.csv --columns sample6/columns.csv --type "$(sed -n '2s/,.*//p' sample6/data.csv)" --out-dir out
per_call() {  # per_call LABEL BINARY FILTER FUNCTION: marginal instructions per call
    local label="$1" bin="$2" filter="$3" fn="$4" side
    local -a m=()
    for side in before after; do
        local dir="$before"; [[ $side == after ]] && dir="$after"
        for t in 0.05 0.2; do
            valgrind --tool=callgrind --callgrind-out-file="cg.$side.$t" "$dir/$bin" --benchmark_filter="$filter" --benchmark_min_time=$t > /dev/null 2>&1
        done
        m[${#m[@]}]=$(python3 "$here/cg_per_call.py" "cg.$side.0.05" "cg.$side.0.2" -- "$fn" | sed -n 's/.*marginal \([0-9.]*\) M per call.*/\1/p')
    done
    awk -v l="$label" -v b="${m[0]}" -v a="${m[1]}" 'BEGIN { printf "%-34s %13.3f M %13.3f M  %.4f\n", l, b, a, a / b }'
}
printf '\n%-34s %15s %15s  %s\n' "per call (marginal instructions)" before after after/before
per_call "one SVG eyemap (892 hexagons)" bench_svg 'BM_SvgEyemap/1$' 'eyemap::detail::write_svg'
