#!/usr/bin/env bash
# End-to-end benchmark of `eyemap batch`.
#
#   bench/batch_e2e.sh [--eyemap PATH] [--work DIR] [--types N] [--repeat R] [--quick] [--svg-only] [--keep]
#
# 1. Generates N (default 1000) types on the sample layout (12 eyemaps each) with `eyemap sample`.
# 2. Times `eyemap batch` with --jobs 1 and --jobs 2, with the null sink and with files, for SVG (and
#    PNG when this build can write it); prints eyemaps/s and the 1 -> 2 thread speed-up.
# 3. Peak RSS (/usr/bin/time -v) of the null-sink batch on ~10^5 and ~10^7-row inputs: streaming
#    means it should not grow with the input (target: within 1.2x).
# Targets: 12,000 SVG eyemaps in <= 2.5 s on 2 cores (null sink); >= 1.8x from 1 to 2 threads.
# With --repeat R, --jobs 1 and --jobs 2 run alternately R times (so that a noisy moment hits both
# alike); each figure is the best of its R runs and the speed-up of every pair is listed too.
# On a machine shared with other work the wall-clock
# numbers are noisy: the script prints the load average so a reader can judge, and the CPU time
# (user + system) of each run, which the load inflates much less (eyemaps per CPU second measures
# the work; CPU(2 threads) / CPU(1 thread) near 1 means parallelism costs no extra work).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eyemap=""
work="${TMPDIR:-/tmp}/eyemap-batch-e2e"
types=1000
repeat=1
quick=0
keep=0
svg_only=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --eyemap) eyemap="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --types) types="$2"; shift 2 ;;
        --repeat) repeat="$2"; shift 2 ;;
        --quick) quick=1; shift ;;   # skip the 10^7-row input
        --svg-only) svg_only=1; shift ;;
        --keep) keep=1; shift ;;     # keep generated inputs between invocations
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done
if [[ -z "$eyemap" ]]; then
    for c in "$here/build/eyemap" "$here/build-batch/eyemap"; do
        [[ -x "$c" ]] && { eyemap="$c"; break; }
    done
fi
[[ -x "$eyemap" ]] || { echo "eyemap binary not found; build it or pass --eyemap PATH" >&2; exit 1; }
if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (apt-get install time) for peak RSS" >&2
    (apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1; }) || true
fi
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

mkdir -p "$work"
echo "eyemap batch end-to-end benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$eyemap" --version)"

# sample DIR TYPES: generates once (kept with --keep), echoes the data row count.
sample() {
    local dir="$1" n="$2"
    if [[ ! -s "$dir/data.csv" || ! -s "$dir/rows" || "$(cat "$dir/types" 2>/dev/null)" != "$n" ]]; then
        rm -rf "$dir"
        "$eyemap" sample --out-dir "$dir" --types "$n" 2> "$dir.log" || { cat "$dir.log" >&2; exit 1; }
        sed -n 's/.*(\([0-9]*\) types, \([0-9]*\) rows).*/\2/p' "$dir.log" > "$dir/rows"
        echo "$n" > "$dir/types"
    fi
    cat "$dir/rows"
}

# run_once ARGS...: runs `eyemap batch ARGS` once under /usr/bin/time -v; sets run_s (wall
# seconds), run_eyemaps (eyemaps rendered), run_rss_kb and run_cpu (user + system seconds).
run_once() {
    local log="$work/run.log"
    if ! /usr/bin/time -v "$eyemap" batch "$@" -q 2> "$log"; then
        cat "$log" >&2
        echo "eyemap batch $*: failed" >&2
        exit 1
    fi
    run_s=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    run_rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    run_cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s + 0 }' "$log")
    run_eyemaps=$(sed -n 's/^eyemap batch: .*: \([0-9]*\) eyemaps rendered.*/\1/p' "$log")
}

# report LABEL S EYEMAPS CPU RSS_KB: one line of figures.
report() {
    printf '  %-30s %7.2f s  %6d eyemaps  %7.0f eyemaps/s  cpu %6.2f s (%5.0f eyemaps/cpu-s)  peak RSS %5.1f MiB\n' \
        "$1" "$2" "$3" "$(awk -v e="$3" -v s="$2" 'BEGIN { print (s > 0 ? e / s : 0) }')" \
        "$4" "$(awk -v e="$3" -v s="$4" 'BEGIN { print (s > 0 ? e / s : 0) }')" "$(awk -v k="$5" 'BEGIN { print k / 1024 }')"
}

# run_batch LABEL ARGS...: the best of R runs; sets best_s, best_eyemaps, best_rss_kb, best_cpu.
run_batch() {
    local label="$1"; shift
    best_s=""
    for ((i = 0; i < repeat; ++i)); do
        run_once "$@"
        if [[ -z "$best_s" ]] || awk -v a="$run_s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
            best_s="$run_s"; best_eyemaps="$run_eyemaps"; best_rss_kb="$run_rss_kb"; best_cpu="$run_cpu"
        fi
    done
    report "$label" "$best_s" "$best_eyemaps" "$best_cpu" "$best_rss_kb"
}

# median X...: the median of numbers.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# run_pair LABEL ARGS...: --jobs 1 and --jobs 2 alternately, R times. Sets s1, s2, c1, c2 (best
# wall and their CPU), pairs (the speed-up of every pair) and pair_median. With control=1 each
# round also runs two independent --jobs 1 processes at once: 2 x (one alone) / (both together)
# is what this machine gives two single-threaded processes that share nothing: a noisy
# reference for the speed-up of one process with two threads; sets ceilings and ceiling_median.
run_pair() {
    local label="$1"; shift
    local b1="" b2="" e1=0 e2=0 r1=0 r2=0 w1 both
    local -a ratios=() ceils=()
    pairs=""; ceilings=""
    for ((i = 0; i < repeat; ++i)); do
        if [[ "${control:-0}" == 1 ]]; then
            local t0 t1 pid
            t0=$(date +%s.%N)
            "$eyemap" batch "$@" --jobs 1 -q 2> /dev/null & pid=$!
            "$eyemap" batch "$@" --jobs 1 -q 2> /dev/null
            wait "$pid"
            t1=$(date +%s.%N)
            both=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
        fi
        [[ -n "${before_each:-}" ]] && eval "$before_each"
        run_once "$@" --jobs 1
        w1="$run_s"
        if [[ -z "$b1" ]] || awk -v a="$run_s" -v b="$b1" 'BEGIN { exit !(a < b) }'; then b1="$run_s"; c1="$run_cpu"; e1="$run_eyemaps"; r1="$run_rss_kb"; fi
        [[ -n "${before_each:-}" ]] && eval "$before_each"
        run_once "$@" --jobs 2
        if [[ -z "$b2" ]] || awk -v a="$run_s" -v b="$b2" 'BEGIN { exit !(a < b) }'; then b2="$run_s"; c2="$run_cpu"; e2="$run_eyemaps"; r2="$run_rss_kb"; fi
        pairs+="$(ratio "$w1" "$run_s")x "
        ratios+=("$(ratio "$w1" "$run_s")")
        if [[ "${control:-0}" == 1 ]]; then
            ceils+=("$(ratio "$(awk -v a="$w1" 'BEGIN { print 2 * a }')" "$both")")
            ceilings+="${ceils[-1]}x "
        fi
    done
    pair_median=$(median "${ratios[@]}")
    ceiling_median=""
    [[ ${#ceils[@]} -gt 0 ]] && ceiling_median=$(median "${ceils[@]}")
    s1="$b1"; s2="$b2"
    report "$label, --jobs 1" "$b1" "$e1" "$c1" "$r1"
    report "$label, --jobs 2" "$b2" "$e2" "$c2" "$r2"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

main_dir="$work/types-$types"
rows=$(sample "$main_dir" "$types")
echo "input: $types types requested, $rows rows, $(du -h "$main_dir/data.csv" | cut -f1) ($main_dir)"
in=(--data "$main_dir/data.csv" --columns "$main_dir/columns.csv")

formats=(svg)
tiny="$work/tiny"
sample "$tiny" 2 > /dev/null
if [[ $svg_only == 1 ]]; then
    :
elif "$eyemap" batch --data "$tiny/data.csv" --columns "$tiny/columns.csv" --sink null --format png -q 2> /dev/null; then
    formats+=(png)
else
    echo "(PNG: not available in this build; SVG only)"
fi

declare -A secs cpus
for fmt in "${formats[@]}"; do
    echo "$fmt:"
    for sink in null file; do
        out="$work/out"
        rm -rf "$out"
        if [[ $sink == null ]]; then
            control=$([[ $fmt == svg ]] && echo 1 || echo 0) before_each="" run_pair "$fmt, --sink null" "${in[@]}" --format "$fmt" --sink null
        else
            before_each='rm -rf "$out"' run_pair "$fmt, files" "${in[@]}" --format "$fmt" --out-dir "$out" --run bench
            echo "    (run folder: $(du -sh "$out/bench" | cut -f1))"
        fi
        rm -rf "$out"
        secs["$fmt-$sink-1"]="$s1"; secs["$fmt-$sink-2"]="$s2"
        cpus["$fmt-$sink-1"]="$c1"; cpus["$fmt-$sink-2"]="$c2"
        echo "    speed-up 1 -> 2 threads ($sink sink): median of pairs ${pair_median}x (per pair: $pairs); best of each: $(ratio "$s1" "$s2")x;" \
             "CPU time 2 threads / 1 thread: $(ratio "$c2" "$c1")"
        [[ -n "$ceiling_median" ]] && echo "    reference, two independent --jobs 1 processes at once (2 x alone / together): median ${ceiling_median}x (per round: $ceilings)"
        [[ $fmt == svg && $sink == null ]] && svg_pair_median="$pair_median" && svg_ceiling="$ceiling_median"
    done
done
echo "targets: 12,000 SVG eyemaps <= 2.5 s with 2 threads and the null sink (measured ${secs[svg-null-2]} s, best of $repeat);" \
     "speed-up >= 1.8x (measured: median of $repeat pairs ${svg_pair_median}x; two independent processes ${svg_ceiling}x)"
echo "memory (null sink, --jobs 2, peak RSS):"
per_type=$(( rows / types ))
small_types=$(( (100000 + per_type - 1) / per_type ))
small_dir="$work/rows-1e5"
small_rows=$(sample "$small_dir" "$small_types")
run_batch "$small_rows rows ($small_types types)" --data "$small_dir/data.csv" --columns "$small_dir/columns.csv" --sink null --jobs 2
rss_small="$best_rss_kb"
if [[ $quick == 0 ]]; then
    big_types=$(( (10000000 + per_type - 1) / per_type ))
    big_dir="$work/rows-1e7"
    echo "  (generating ~10^7 rows: $big_types types; this takes a while)"
    big_rows=$(sample "$big_dir" "$big_types")
    run_batch "$big_rows rows ($big_types types)" --data "$big_dir/data.csv" --columns "$big_dir/columns.csv" --sink null --jobs 2
    echo "  RSS ratio 10^7 / 10^5 rows: $(ratio "$best_rss_kb" "$rss_small") (target <= 1.2)"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $keep == 0 ]]; then
    rm -rf "$work"
fi
