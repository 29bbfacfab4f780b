#!/usr/bin/env bash
# Issue 17's per-eyemap rows, before and after, interleaved in one session (load hits both alike):
#   bench/micro_before_after.sh --before DIR --after DIR [--rounds N] [--callgrind]
# DIR holds bench_raster and bench_scaling (e.g. copies from a build of the old commit). Each round
# runs the before and the after binary once for: one PNG at 1x (draw + encode, draw only, encode
# only), one PDF, and the process stage at 10^2 ... 10^6 hexagons (median of 3 repetitions). Prints
# the median CPU time over the rounds and after/before. --callgrind adds instructions per call
# (bench/cg_per_call.py: two runs of different lengths, the marginal cost) for render_png and
# render_pdf_pages: independent of the machine's load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
before="" after="" rounds=3 cg=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --before) before="$2"; shift 2 ;;
        --after) after="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --callgrind) cg=1; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done
for d in "$before" "$after"; do
    [[ -x "$d/bench_raster" && -x "$d/bench_scaling" ]] || { echo "need DIR/bench_raster and DIR/bench_scaling: '$d'" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; before: $before, after: $after"
raster='BM_Png/1$|BM_PngDrawOnly/1$|BM_PngEncodeOnly/1$|BM_Pdf$'
for ((r = 1; r <= rounds; ++r)); do
    for side in before after; do
        dir="$before"; [[ $side == after ]] && dir="$after"
        "$dir/bench_raster" --benchmark_filter="$raster" --benchmark_min_time=0.3 --benchmark_format=csv 2>/dev/null |
            awk -F, -v s="$side" 'NR > 1 && $1 ~ /BM_/ { gsub(/"/, "", $1); print s, $1, $4 }' >> "$work/cpu"
        "$dir/bench_scaling" --benchmark_filter='BM_Scale_Process' --benchmark_min_time=0.1 --benchmark_repetitions=3 \
            --benchmark_report_aggregates_only=true --benchmark_format=csv 2>/dev/null |
            awk -F, -v s="$side" 'NR > 1 && $1 ~ /_median/ { gsub(/"/, "", $1); sub(/_median/, "", $1); print s, $1, $4 }' >> "$work/cpu"
    done
    echo "round $r/$rounds done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
printf '\n%-34s %12s %12s %8s\n' benchmark "before (ms)" "after (ms)" after/before
awk '{ print $2 }' "$work/cpu" | awk '!seen[$0]++' | while read -r name; do
    med() { awk -v s="$1" -v n="$name" '$1 == s && $2 == n { print $3 }' "$work/cpu" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
    b=$(med before) a=$(med after)
    # Google Benchmark's CSV cpu_time is in the benchmark's unit: ms for the raster rows, ms for process.
    printf '%-34s %12.4f %12.4f %8.3f\n' "$name" "$b" "$a" "$(awk -v a="$a" -v b="$b" 'BEGIN { print (b > 0 ? a / b : 0) }')"
done
if [[ $cg == 1 ]]; then
    command -v valgrind >/dev/null || { echo "valgrind is missing (apt-get install valgrind)" >&2; exit 1; }
    echo
    for side in before after; do
        dir="$before"; [[ $side == after ]] && dir="$after"
        for t in 2 6; do
            valgrind --tool=callgrind --callgrind-out-file="$work/cg.png.$side.$t" "$dir/bench_raster" --benchmark_filter='BM_Png/1$' --benchmark_min_time=$t >/dev/null 2>&1
            valgrind --tool=callgrind --callgrind-out-file="$work/cg.pdf.$side.$t" "$dir/bench_raster" --benchmark_filter='BM_Pdf$' --benchmark_min_time=$t >/dev/null 2>&1
        done
        echo "$side:"
        python3 "$here/cg_per_call.py" "$work/cg.png.$side.2" "$work/cg.png.$side.6" -- render_png render_image encode_png limit_colours
        python3 "$here/cg_per_call.py" "$work/cg.pdf.$side.2" "$work/cg.pdf.$side.6" -- render_pdf_pages
    done
fi
