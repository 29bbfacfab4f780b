#!/usr/bin/env bash
# A whole release, end to end (issue 17): `eyemap batch` over a generated 1,000-type release.
#
#   bench/release.sh [--eyemap PATH] [--baseline PATH] [--work DIR] [--types N] [--runs R] [--jobs "1 2"]
#                    [--rows "null files pages png small"] [--quick] [--keep] [--report-only]
#
# Rows (each with --jobs 1 and --jobs 2):
#   null   12,000 SVGs, --sink null (nothing written)
#   files  12,000 SVGs written to a run folder
#   pages  12,000 SVGs + type pages + index (--pages)
#   png    12,000 SVGs + 12,000 PNGs at 1x + pages (--format svg,png --pages)
#   small  the default 6-type sample (72 SVG eyemaps) written to files: whole process per eyemap
#   dd     not eyemap: `dd` writing as many bytes as the last files run wrote, into one file (the
#          file system's cost for those bytes: the floor under the files row; listed with --rows)
# For every row: wall, user and system seconds (GNU time), bytes of the files and files in the run folder;
# the median of R runs (default 3). Runs are interleaved: each round runs every configuration
# once (and with --baseline, the baseline binary right before the measured one), so a load change
# hits all of them alike; ratios (row / null sink of the same round, measured / baseline) are
# medians of the per-round ratios. The machine may be shared: the load average is printed at the
# start and the end of every round.
# --quick: 100 types and 1 run (a smoke test, not figures). --types N: N types (12 eyemaps each).
# --report-only: no runs; the report of the runs recorded in --work (e.g. of an interrupted run).
#
# Each run writes into a folder of its own, deleted right after it (so the page cache does not fill
# up with earlier runs' files: on the 23 GB project VM a round's 22 GB made the later rows pay for
# memory reclaim). The folders are spread over the file system's block groups (`chattr +T` on their
# parent: ext4's Orlov allocator then places each like a top-level folder), and each round ends
# with `sync` and a 60 s pause: ext4 without a journal (the project VM) keeps a deleted inode from
# reuse for 60 s (5 min while its inode table block is dirty) and every file created in that block
# group meanwhile scans past those inodes (the kernel's recently_deleted(): 40 % of a files run's
# CPU right after deleting the previous run's 12,000 files in the same folder, perf).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eyemap=""
baseline=""
work="${TMPDIR:-/tmp}/eyemap-release"
types=1000
runs=3
jobs_list="1 2"
rows_list="null files dd pages png small"
keep=0
report_only=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --eyemap) eyemap="$2"; shift 2 ;;
        --baseline) baseline="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --types) types="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --jobs) jobs_list="$2"; shift 2 ;;
        --rows) rows_list="$2"; shift 2 ;;
        --quick) types=100; runs=1; shift ;;
        --keep) keep=1; shift ;;
        --report-only) report_only=1; keep=1; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done
if [[ -z "$eyemap" ]]; then
    for c in "$here/build/eyemap" "$here/build-bench/eyemap"; do
        [[ -x "$c" ]] && { eyemap="$c"; break; }
    done
fi
[[ -x "$eyemap" ]] || { echo "eyemap binary not found; build it or pass --eyemap PATH" >&2; exit 1; }
[[ -z "$baseline" || -x "$baseline" ]] || { echo "baseline binary not found: $baseline" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

mkdir -p "$work"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "eyemap release benchmark: $(nproc) cores, load average $(load), $("$eyemap" --version)"
echo "measured: $eyemap${baseline:+; baseline: $baseline}"

# sample DIR TYPES: generates once per type count.
sample() {
    local dir="$1" n="$2"
    if [[ ! -s "$dir/data.csv" || "$(cat "$dir/types" 2>/dev/null)" != "$n" ]]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        "$eyemap" sample --out-dir "$dir" --types "$n" 2> "$dir.log" || { cat "$dir.log" >&2; exit 1; }
        sed -n 's/.*(\([0-9]*\) types, \([0-9]*\) rows).*/\2/p' "$dir.log" > "$dir/rows"
        echo "$n" > "$dir/types"
    fi
}
big="$work/types-$types"
small="$work/types-6"
if [[ $report_only == 0 ]]; then
    sample "$big" "$types"
    sample "$small" 6
fi
echo "input: $types types, $(cat "$big/rows") rows, $(du -h "$big/data.csv" | cut -f1); small: 6 types, $(cat "$small/rows") rows"

# args_of ROW: the batch arguments of a row (without --jobs and the output folder).
args_of() {
    case "$1" in
        null) echo "--data $big/data.csv --columns $big/columns.csv --format svg --sink null" ;;
        files) echo "--data $big/data.csv --columns $big/columns.csv --format svg" ;;
        pages) echo "--data $big/data.csv --columns $big/columns.csv --format svg --pages" ;;
        png) echo "--data $big/data.csv --columns $big/columns.csv --format svg,png --pages" ;;
        small) echo "--data $small/data.csv --columns $small/columns.csv --format svg" ;;
        dd) echo "" ;;
        *) echo "unknown row $1" >&2; exit 1 ;;
    esac
}

# run_one BIN ROW JOBS KEY: one batch under GNU time; appends "wall user sys bytes files" to $work/KEY.
# Each run writes into its own folder under $work/round (deleted at the end of the round).
last_files_bytes=0
run_one() {
    local bin="$1" row="$2" j="$3" key="$4" out log="$work/time.log"
    out="$(mktemp -d "$work/round/run-XXXXXX")"
    sync  # the previous run's dirty pages are not this run's cost
    if [[ $row == dd ]]; then
        [[ $last_files_bytes -gt 0 ]] || { echo "the dd row needs a files row before it (--rows \"files dd\")" >&2; exit 1; }
        /usr/bin/time -f '%e %U %S' -o "$log" dd if=/dev/zero of="$out/dd" bs=1M count=$((last_files_bytes >> 20)) status=none
        echo "$(tail -1 "$log") $(stat -c %s "$out/dd") 1" >> "$work/$key"
        rm -rf "$out"
        return
    fi
    local -a a
    read -r -a a <<< "$(args_of "$row")"
    # A baseline from before --format (a9911b1) knows only --formats (today a hidden alias that warns).
    if ! "$bin" batch --help 2>/dev/null | grep -q -- '--format '; then a=("${a[@]/#--format/--formats}"); fi
    [[ $row != null ]] && a+=(--out-dir "$out" --run r)
    if ! /usr/bin/time -f '%e %U %S' -o "$log" "$bin" batch "${a[@]}" --jobs "$j" -q 2> "$work/err.log"; then
        cat "$work/err.log" >&2
        echo "eyemap batch ${a[*]} --jobs $j: failed" >&2
        exit 1
    fi
    local bytes=0 files=0
    if [[ $row != null ]]; then
        bytes=$(find "$out/r" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')  # file bytes (du adds directories)
        files=$(find "$out/r" -type f | wc -l)
    fi
    echo "$(tail -1 "$log") $bytes $files" >> "$work/$key"
    [[ $row == files ]] && last_files_bytes=$bytes
    rm -rf "$out"
    return 0
}

# end_round: deletes the round's outputs and lets the deleted inodes age (see the header).
end_round() {
    rm -rf "$work/round"
    sync
    if [[ ${1:-} != last ]]; then sleep 60; fi
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
col() { awk -v c="$2" '{ print $c }' "$work/$1"; }  # col KEY FIELD

bins=(new)
[[ -n "$baseline" ]] && bins=(base new)
binary() { [[ $1 == base ]] && echo "$baseline" || echo "$eyemap"; }
if [[ $report_only == 1 ]]; then
    runs=$(for f in "$work"/res-*; do wc -l < "$f"; done | sort -n | tail -1)
    echo "report of the runs recorded in $work (up to $runs per configuration; medians of what each has)"
else
rm -f "$work"/res-*
for ((r = 1; r <= runs; ++r)); do
    echo "round $r/$runs: load average $(load)"
    mkdir -p "$work/round"
    chattr +T "$work/round" 2>/dev/null || true  # spread the runs' folders (ext4; ignored elsewhere)
    for row in $rows_list; do
        for j in $jobs_list; do
            for b in "${bins[@]}"; do
                if [[ $row == dd ]]; then
                    [[ $b == new ]] && run_one "" dd "$j" "res-new-dd-$j"  # one per jobs value, not per binary
                else
                    run_one "$(binary "$b")" "$row" "$j" "res-$b-$row-$j"
                fi
            done
        done
    done
    end_round "$([[ $r == "$runs" ]] && echo last)"
done
echo "load average at the end: $(load)"
fi

# Per-round ratios: KEY_A KEY_B FIELD -> median of a/b.
ratio_median() {
    local -a a b q=()
    mapfile -t a < <(col "$1" "$3")
    mapfile -t b < <(col "$2" "$3")
    for ((i = 0; i < ${#a[@]} && i < ${#b[@]}; ++i)); do q+=("$(awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN { printf "%.3f", (y > 0 ? x / y : 0) }')"); done
    median "${q[@]}"
}

printf '\nmedians of %d runs (%d types = %d eyemaps; small = 72 eyemaps)\n' "$runs" "$types" $((types * 12))
printf '%-6s %-4s %-5s %8s %8s %8s %11s %7s %10s %s\n' row bin jobs wall_s user_s sys_s bytes files per_eyemap "vs null (same round)"
for row in $rows_list; do
    for j in $jobs_list; do
        for b in "${bins[@]}"; do
            key="res-$b-$row-$j"
            [[ -s "$work/$key" ]] || continue  # not run (an interrupted run, with --report-only)
            n=$((types * 12)); [[ $row == small ]] && n=72
            [[ $row == dd ]] && b="dd"  # printed as the binary column
            wall=$(median $(col "$key" 1))
            vs=""
            nb=$b; [[ $row == dd ]] && nb=new
            if [[ $row != null && $row != small && -s "$work/res-$nb-null-$j" ]]; then vs="$(ratio_median "$key" "res-$nb-null-$j" 1)x"; fi
            printf '%-6s %-4s %-5s %8.2f %8.2f %8.2f %11d %7d %8.3fms %s\n' "$row" "$b" "$j" "$wall" "$(median $(col "$key" 2))" \
                "$(median $(col "$key" 3))" "$(median $(col "$key" 4))" "$(median $(col "$key" 5))" \
                "$(awk -v w="$wall" -v n="$n" 'BEGIN { print 1000 * w / n }')" "$vs"
        done
        if [[ -n "$baseline" && -s "$work/res-new-$row-$j" && -s "$work/res-base-$row-$j" ]]; then
            echo "       new / base (wall, median of per-round ratios): $(ratio_median "res-new-$row-$j" "res-base-$row-$j" 1)x"
        fi
    done
done
if [[ $keep == 0 ]]; then rm -rf "$work"; fi
