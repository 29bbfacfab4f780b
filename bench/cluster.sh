#!/usr/bin/env bash
# The overhead of going through a scheduler: a 1,000-type sample release (eyemap sample --types
# 1000, SVG only, no pages) rendered by one `eyemap batch --jobs 2`, then through a throw-away
# local Slurm (tests/cluster/local_slurm.sh) with 1, 2 and 4 shards (scripts/cluster/submit.sh
# --wait: array job + finishing job, which verifies every file's size and content hash).
# Also times `runs verify` alone, the finishing job's main cost. Needs root, slurm-wlm, munge.
#   bench/cluster.sh [BUILD_DIR] [TYPES]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="$(realpath "${1:-$repo/build}")"
types="${2:-1000}"
EYEMAP="$build/eyemap"
work="$(mktemp -d "${TMPDIR:-/tmp}/eyemap-bench-cluster-XXXXXX")"
source "$repo/tests/cluster/local_slurm.sh"
trap 'slurm_stop; rm -rf "$work"' EXIT
now() { date +%s.%N; }
el() { python3 -c "print(f'{$2 - $1:.2f}')"; }

"$EYEMAP" sample --out-dir "$work/s" --types "$types" >/dev/null 2>&1
rows=$(($(wc -l < "$work/s/data.csv") - 1))
echo "release: $types types, $rows rows; $(nproc) cores"
common=(--data "$work/s/data.csv" --columns "$work/s/columns.csv" --out-dir "$work/out")

t0=$(now); "$EYEMAP" batch "${common[@]}" --run one --jobs 2 --quiet 2>/dev/null; t1=$(now)
echo "one eyemap batch --jobs 2: $(el "$t0" "$t1") s ($(du -sh "$work/out/one" | cut -f1) of SVG)"
t0=$(now); "$EYEMAP" runs verify "$work/out/one" >/dev/null; t1=$(now)
echo "runs verify (sizes + content hashes): $(el "$t0" "$t1") s"
t0=$(now); "$EYEMAP" runs verify "$work/out/one" --quick >/dev/null; t1=$(now)
echo "runs verify --quick (sizes): $(el "$t0" "$t1") s"
rm -rf "$work/out/one"

t0=$(now); slurm_start "$work/slurm"; t1=$(now)
echo "local Slurm start: $(el "$t0" "$t1") s"
for n in 1 2 4; do
    jobs=1; [ "$n" = 1 ] && jobs=2
    t0=$(now)
    "$repo/scripts/cluster/submit.sh" --eyemap "$EYEMAP" "${common[@]}" --run "s$n" --shards "$n" --jobs "$jobs" \
        --no-pages --wait >/dev/null 2>"$work/submit.err" || { cat "$work/submit.err"; echo "slurm run with $n shards failed"; exit 1; }
    t1=$(now)
    # The finishing job's own EndTime (whole seconds) next to submit.sh's return: how long the wait
    # took to notice the end (`sbatch --wait`, used before, noticed it up to ~30 s late).
    finish_id=$(sed -n 's/.*finishing job \([0-9]*\):.*/\1/p' "$work/submit.err" | tail -1)
    end=$(scontrol show job "$finish_id" 2>/dev/null | sed -n 's/.*EndTime=\([0-9T:-]*\).*/\1/p' | head -1)
    done_s=""
    [ -n "$end" ] && done_s="; finishing job ended after $(python3 -c 'import datetime, sys; print(round(datetime.datetime.fromisoformat(sys.argv[1]).timestamp() - float(sys.argv[2])))' "$end" "$t0") s"
    echo "slurm $n shards (--jobs $jobs each): submit.sh --wait returned after $(el "$t0" "$t1") s$done_s"
    rm -rf "$work/out/s$n" "$work/out/s$n.logs"
done
