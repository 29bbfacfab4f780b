#!/usr/bin/env bash
# GNU parallel -j 4 over 4 shards (scripts/cluster/parallel.sh): the run verifies complete and is
# byte-identical to a one-machine run; a failed shard is reported (exit 2) and redone alone.
# Usage: parallel_test.sh PATH/TO/eyemap
EYEMAP="$(realpath "$1")"
source "$(dirname "$0")/common.sh"
command -v parallel >/dev/null || fail "GNU parallel is not installed (scripts/deps.sh installs it)"
SECONDS=0
make_release 40
par=("$REPO/scripts/cluster/parallel.sh" --eyemap "$EYEMAP" --data "$WORK/s/data.csv" --columns "$WORK/s/columns.csv"
     --out-dir "$WORK/out" --shards 4 --parallel-jobs 4)
"${par[@]}" --run p1 >&2 || fail "parallel run p1 did not verify complete"
same_as_ref p1

first=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["types"][0]["outputs"][0]["path"])' \
        "$WORK/out/p1/manifest-1-of-4.json")
mkdir -p "$WORK/out/p2/$first"
set +e
"${par[@]}" --run p2 > "$WORK/p2.txt"
rc=$?
set -e
cat "$WORK/p2.txt" >&2
[ "$rc" = 2 ] || fail "a run with a failed shard exited $rc, expected 2"
grep -q -- '--shard 1/4 --resume' "$WORK/p2.txt" || fail "verify did not print the command redoing shard 1"
[ "$(grep -c -- '--resume' "$WORK/p2.txt")" = 1 ] || fail "verify asked to redo more than shard 1"
rmdir "$WORK/out/p2/$first"
"${par[@]}" --run p2 --shard-list 1 >&2 || fail "run p2 does not verify after redoing shard 1"
same_as_ref p2
note "parallel test passed in ${SECONDS}s"
