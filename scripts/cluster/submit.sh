#!/usr/bin/env bash
# Submits an eyemap release to Slurm: the array job (one task per shard) and the finishing job
# (index + verify) that runs when every task succeeded. Prints both job ids.
#   scripts/cluster/submit.sh --data D --columns C --out-dir O --run R --shards N
#        [--format svg,png] [--no-pages] [--plan FILE | --balance] [--jobs J] [--eyemap PATH]
#        [--redo I[,J...]] [--wait] [-- extra sbatch options]
# --balance writes a size-balanced plan first (eyemap batch --plan-out O/R.plan-N.json) and uses it.
# --redo I: resubmit only those shards (after a failure) plus a new finishing job.
# --wait: wait for the finishing job and exit with its exit code (0 complete, non-zero otherwise).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
EYEMAP="${EYEMAP:-eyemap}"; DATA=""; COLUMNS=""; OUT_DIR=""; RUN=""; SHARDS=""; FORMATS="svg"; PAGES=1
PLAN=""; BALANCE=0; JOBS=1; REDO=""; WAIT=0; EXTRA="${EXTRA:-}"
usage() { sed -n '2,11p' "$0" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
        --data) DATA="$2"; shift 2 ;;
        --columns) COLUMNS="$2"; shift 2 ;;
        --out-dir) OUT_DIR="$2"; shift 2 ;;
        --run) RUN="$2"; shift 2 ;;
        --shards) SHARDS="$2"; shift 2 ;;
        --format|--formats) FORMATS="$2"; shift 2 ;;
        --no-pages) PAGES=0; shift ;;
        --plan) PLAN="$2"; shift 2 ;;
        --balance) BALANCE=1; shift ;;
        --jobs) JOBS="$2"; shift 2 ;;
        --eyemap) EYEMAP="$2"; shift 2 ;;
        --redo) REDO="$2"; shift 2 ;;
        --wait) WAIT=1; shift ;;
        --) shift; break ;;
        *) echo "submit.sh: unknown option $1" >&2; usage ;;
    esac
done
[ -n "$DATA" ] && [ -n "$OUT_DIR" ] && [ -n "$RUN" ] && [ -n "$SHARDS" ] || usage
# Absolute paths: the jobs run elsewhere, and the manifests record them for `runs verify`.
abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
DATA="$(abs "$DATA")"; OUT_DIR="$(abs "$OUT_DIR")"
[ -n "$COLUMNS" ] && COLUMNS="$(abs "$COLUMNS")"
case "$EYEMAP" in */*) EYEMAP="$(abs "$EYEMAP")" ;; esac
mkdir -p "$OUT_DIR"
if [ "$BALANCE" = 1 ] && [ -z "$PLAN" ]; then
    PLAN="$OUT_DIR/$RUN.plan-$SHARDS.json"
    [ -f "$PLAN" ] || "$EYEMAP" batch --data "$DATA" --plan-out "$PLAN" --shards "$SHARDS"
fi
[ -n "$PLAN" ] && PLAN="$(abs "$PLAN")"
export EYEMAP DATA COLUMNS OUT_DIR RUN SHARDS FORMATS PAGES PLAN JOBS EXTRA
array="0-$((SHARDS - 1))"
[ -n "$REDO" ] && array="$REDO"
logs="$OUT_DIR/$RUN.logs"
mkdir -p "$logs"
array_id=$(sbatch --parsable --array="$array" --cpus-per-task="$JOBS" --output="$logs/shard-%A_%a.out" "$@" "$here/eyemap-array.sbatch")
array_id="${array_id%%;*}"
finish_args=(--parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes --output="$logs/finish-%j.out")
echo "submit.sh: array job $array_id (shards $array of $SHARDS), logs in $logs" >&2
set +e
finish_id=$(sbatch "${finish_args[@]}" "$@" "$here/eyemap-finish.sbatch")
rc=$?
set -e
finish_id="${finish_id%%;*}"
echo "$array_id $finish_id"
[ "$WAIT" = 1 ] || exit 0
[ "$rc" = 0 ] || { echo "submit.sh: sbatch of the finishing job failed (exit $rc)" >&2; exit 1; }
# Wait for the finishing job's final state, asking every second for the first minute and every 5 s
# after: `sbatch --wait` polls at growing intervals and returned ~30 s after the job had ended
# (bench/cluster.sh). The job's state is the verdict (a job cancelled because a shard failed,
# afterok never satisfied, is not a success).
state="" polls=0
while :; do
    state=$(scontrol show job -o "$finish_id" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
    [ -n "$state" ] || state=$(sacct -n -X -j "$finish_id" -o State 2>/dev/null | head -1 | tr -d ' ' || true)
    case "$state" in
        COMPLETED|FAILED|CANCELLED*|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE) break ;;
        "") [ "$polls" -ge 30 ] && break ;;  # the scheduler no longer knows the job
    esac
    polls=$((polls + 1))
    if [ "$polls" -le 60 ]; then sleep 1; else sleep 5; fi
done
echo "submit.sh: finishing job $finish_id: ${state:-unknown state}" >&2
[ "$state" = COMPLETED ] && exit 0
exit 1
