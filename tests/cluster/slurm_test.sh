#!/usr/bin/env bash
# A real single-node Slurm cluster (slurm-wlm + munge, started here, no systemd): the array job of
# scripts/cluster/ renders a 4-shard release, the finishing job indexes and verifies it, and the
# result is byte-identical to a one-machine run. Then one array task is made to fail: `runs verify`
# reports exactly that shard (exit 2), the shard is redone alone and the run verifies complete.
# Fails (never skips) when Slurm cannot run here. Usage: slurm_test.sh PATH/TO/eyemap
EYEMAP="$(realpath "$1")"
source "$(dirname "$0")/common.sh"
source "$REPO/tests/cluster/local_slurm.sh"
_cleanups+=(slurm_stop)
SECONDS=0
make_release 40
slurm_start "$WORK/slurm" || fail "could not start the local Slurm cluster (see above)"
note "slurm up after ${SECONDS}s"
submit=("$REPO/scripts/cluster/submit.sh" --eyemap "$EYEMAP" --data "$WORK/s/data.csv" --columns "$WORK/s/columns.csv"
        --out-dir "$WORK/out" --shards 4 --wait)

# 1. The whole release through Slurm.
"${submit[@]}" --run r1 || { cat "$WORK"/out/r1.logs/* >&2; fail "array + finishing job did not succeed"; }
same_as_ref r1
grep -q '^complete$' "$WORK"/out/r1.logs/finish-*.out || fail "the finishing job did not print 'complete'"
for i in 0 1 2 3; do [ -f "$WORK/out/r1/manifest-$i-of-4.json" ] || fail "no manifest of shard $i"; done
note "slurm run r1 ok after ${SECONDS}s"

# 2. Array task 2 fails: a folder where its first file must go makes it exit 3.
first=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["types"][0]["outputs"][0]["path"])' \
        "$WORK/out/r1/manifest-2-of-4.json")
mkdir -p "$WORK/out/r2/$first"
if "${submit[@]}" --run r2; then fail "the run with a failing task verified complete"; fi
set +e
"$EYEMAP" runs verify --out-dir "$WORK/out" --run r2 --json > "$WORK/verify.json"
rc=$?
set -e
[ "$rc" = 2 ] || fail "runs verify exited $rc on an incomplete run, expected 2"
python3 - "$WORK/verify.json" <<'PY' || fail "verify did not report exactly shard 2"
import json, sys
r = json.load(open(sys.argv[1]))
assert not r["complete"], r
assert r["redo_shards"] == [2], r["redo_shards"]
states = {s["index"]: s["state"] for s in r["shards"]}
assert states[2] != "complete" and all(states[i] == "complete" for i in (0, 1, 3)), states
assert any("--shard 2/4 --resume" in c and "--run r2" in c for c in r["redo_commands"]), r["redo_commands"]
PY
note "verify reported shard 2 only, exit 2"

# 3. Redo that task alone, then the run is complete and byte-identical.
rmdir "$WORK/out/r2/$first"
"${submit[@]}" --run r2 --redo 2 || { cat "$WORK"/out/r2.logs/* >&2; fail "redoing shard 2 did not succeed"; }
"$EYEMAP" runs verify --out-dir "$WORK/out" --run r2 >&2 || fail "run r2 does not verify after the redo"
same_as_ref r2
note "slurm test passed in ${SECONDS}s"
