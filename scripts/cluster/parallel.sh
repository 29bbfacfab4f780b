#!/usr/bin/env bash
# An eyemap release with GNU parallel: N shards, J at a time, on this machine or over ssh
# (-S host1,host2 with OUT_DIR on a disk every host shares), then index + verify.
#   scripts/cluster/parallel.sh --data D --columns C --out-dir O --run R --shards N
#        [--parallel-jobs J] [--format svg,png] [--no-pages] [--plan FILE] [--jobs T] [--eyemap PATH]
#        [--shard-list "2 5"] [-- extra parallel options, e.g. -S host1,host2]
# Exit: 0 complete; 2 incomplete (verify lists the shards and the commands to redo them).
# Redo failed shards: the same command with --shard-list "I J" (each runs with --resume).
set -euo pipefail
EYEMAP="${EYEMAP:-eyemap}"; DATA=""; COLUMNS=""; OUT_DIR=""; RUN=""; SHARDS=""; FORMATS="svg"; PAGES=1
PLAN=""; JOBS=1; PJOBS=""; LIST=""
usage() { sed -n '2,8p' "$0" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
        --data) DATA="$2"; shift 2 ;;
        --columns) COLUMNS="$2"; shift 2 ;;
        --out-dir) OUT_DIR="$2"; shift 2 ;;
        --run) RUN="$2"; shift 2 ;;
        --shards) SHARDS="$2"; shift 2 ;;
        --parallel-jobs) PJOBS="$2"; shift 2 ;;
        --format|--formats) FORMATS="$2"; shift 2 ;;
        --no-pages) PAGES=0; shift ;;
        --plan) PLAN="$2"; shift 2 ;;
        --jobs) JOBS="$2"; shift 2 ;;
        --eyemap) EYEMAP="$2"; shift 2 ;;
        --shard-list) LIST="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "parallel.sh: unknown option $1" >&2; usage ;;
    esac
done
[ -n "$DATA" ] && [ -n "$OUT_DIR" ] && [ -n "$RUN" ] && [ -n "$SHARDS" ] || usage
# The batch's limit (kMaxShards), checked before any process starts: 70000 started 70000 failing
# batches, 0 ended with "cannot list folder".
case "$SHARDS" in
    '' | *[!0-9]*) echo "parallel.sh: --shards '$SHARDS': must be a whole number from 1 to 65536" >&2; exit 1 ;;
esac
if [ "${#SHARDS}" -gt 5 ] || [ "$SHARDS" -lt 1 ] || [ "$SHARDS" -gt 65536 ]; then
    echo "parallel.sh: --shards '$SHARDS': must be a whole number from 1 to 65536 (the most shards a batch can have)" >&2; exit 1
fi
command -v parallel >/dev/null || { echo "parallel.sh: GNU parallel is not installed (apt-get install parallel)" >&2; exit 1; }
abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
DATA="$(abs "$DATA")"; OUT_DIR="$(abs "$OUT_DIR")"
[ -n "$COLUMNS" ] && COLUMNS="$(abs "$COLUMNS")"
[ -n "$PLAN" ] && PLAN="$(abs "$PLAN")"
case "$EYEMAP" in */*) EYEMAP="$(abs "$EYEMAP")" ;; esac
[ -n "$PJOBS" ] || PJOBS="$SHARDS"
[ -n "$LIST" ] || LIST="$(seq 0 $((SHARDS - 1)))"
args=(batch --data "$DATA" --out-dir "$OUT_DIR" --run "$RUN" --format "$FORMATS" --jobs "$JOBS" --resume --quiet)
[ -n "$COLUMNS" ] && args+=(--columns "$COLUMNS")
[ "$PAGES" = 1 ] && args+=(--pages)
[ -n "$PLAN" ] && args+=(--plan "$PLAN")
mkdir -p "$OUT_DIR"
# --halt never: a failed shard does not stop the others; verify reports it afterwards.
# shellcheck disable=SC2086
parallel --will-cite -q --halt never -j "$PJOBS" "$@" "$EYEMAP" "${args[@]}" --shard "{}/$SHARDS" ::: $LIST || true
[ "$PAGES" = 1 ] && "$EYEMAP" batch --out-dir "$OUT_DIR" --run "$RUN" --index-only
exec "$EYEMAP" runs verify --out-dir "$OUT_DIR" --run "$RUN" --shards "$SHARDS"
