#!/usr/bin/env bash
# Two simulated machines sharing one disk: each shard runs in its own pid namespace with its own
# host name (unshare --pid --fork --mount-proc --uts), concurrently, 5 rounds. Pids repeat across
# the namespaces, so only the host in the temporary names tells the writers apart. Every round is
# byte-identical to a one-machine run with no temporary file left. Regression: a shard's start-up
# cleanup must not delete another host's in-flight temporary file (planted with a pid that is dead
# here), while it does remove its own host's leftover of a dead process.
# Usage: two_hosts_test.sh PATH/TO/eyemap
EYEMAP="$(realpath "$1")"
source "$(dirname "$0")/common.sh"
command -v unshare >/dev/null || fail "unshare (util-linux) is missing"
unshare --pid --fork --mount-proc --uts true || fail "unshare --pid --uts does not work here (needs root)"
SECONDS=0
make_release 40
D="$WORK/s/data.csv"; C="$WORK/s/columns.csv"

# shard HOST I/N RUN [PRE]: one "machine". PRE forks a few processes first, so the batch's pid
# inside its namespace differs between the hosts (as real machines' pids do): in the other
# namespace that pid does not exist, which is what made the old cleanup delete the other
# host's in-flight files.
shard() {
    unshare --pid --fork --mount-proc --uts bash -c '
        hostname "$1"; for ((k = 0; k < $5; k++)); do /bin/true; done
        "$2" batch --data "$6" --columns "$7" --out-dir "$8" --run "$4" --pages --jobs 1 --quiet --shard "$3"' \
        _ "$1" "$EYEMAP" "$2" "$3" "${4:-0}" "$D" "$C" "$WORK/out" 2>"$WORK/err-$1-${2%/*}.txt"
}

for round in 1 2 3 4 5; do
    run="two$round"
    mkdir -p "$WORK/out/$run/svg"  # existing folder: both shards run the start-up cleanup
    shard hostA 0/2 "$run" 3 & a=$!
    sleep 0.0$((round * 2))
    shard hostB 1/2 "$run" 0 & b=$!
    rca=0; rcb=0
    wait $a || rca=$?
    wait $b || rcb=$?
    [ $rca = 0 ] && [ $rcb = 0 ] || { cat "$WORK"/err-*.txt >&2; fail "round $round: shard exit codes $rca and $rcb"; }
    "$EYEMAP" batch --out-dir "$WORK/out" --run "$run" --index-only 2>/dev/null
    "$EYEMAP" runs verify --out-dir "$WORK/out" --run "$run" --quick >/dev/null || fail "round $round does not verify"
    same_as_ref "$run"
done

# Regression: planted temp files in an existing run folder, then a shard on host "hostB". Inside
# a pid namespace a writer's host id is "<hostname>~pidns<namespace inode>" (its pids mean nothing
# elsewhere), so the shard's own leftovers are planted from inside its namespace.
dead=$(bash -c 'echo $$')  # a pid that has just ended
run=plant
svg="$WORK/out/$run/svg"
mkdir -p "$svg"
other="$svg/.Mi1_ME_L_cell_count.svg.tmp-hostA-$dead-0123456789abcdef"
other_ns="$svg/.Mi1_ME_L_cell_count.svg.tmp-hostB-$dead-fedcba9876543211"  # hostB's name, another namespace
old_format="$svg/.Mi1_ME_L_cell_count.svg.tmp-$dead-7"
for f in "$other" "$other_ns" "$old_format"; do echo partial > "$f"; done
unshare --pid --fork --mount-proc --uts bash -c '
    hostname hostB
    id="hostB~pidns$(stat -L -c %i /proc/self/ns/pid)"
    dead=$(bash -c "echo \$\$")
    echo partial > "$1/.Mi1_ME_L_cell_count.svg.tmp-$id-$dead-fedcba9876543210"
    echo partial > "$1/.Mi1_ME_L_cell_count.svg.tmp-$id-1-00000000000000aa"
    echo "$id $dead" > "$1/../planted"
    "$2" batch --data "$3" --columns "$4" --out-dir "$5" --run plant --pages --jobs 1 --quiet --shard 1/2' \
    _ "$svg" "$EYEMAP" "$D" "$C" "$WORK/out" 2>"$WORK/err-plant.txt" || { cat "$WORK/err-plant.txt" >&2; fail "shard on hostB failed"; }
read -r id own_pid < "$WORK/out/$run/planted"
own_dead="$svg/.Mi1_ME_L_cell_count.svg.tmp-$id-$own_pid-fedcba9876543210"
own_live="$svg/.Mi1_ME_L_cell_count.svg.tmp-$id-1-00000000000000aa"
[[ $id == hostB~pidns* ]] || fail "unexpected host id in the pid namespace: $id"
[ -f "$other" ] || fail "hostB's start-up cleanup deleted hostA's in-flight temporary file"
[ -f "$other_ns" ] || fail "the cleanup deleted a temp file of hostB's name from another pid namespace (its pid proves nothing here)"
[ -f "$own_live" ] || fail "hostB's cleanup deleted the temp file of a live process (pid 1 in its namespace)"
[ -f "$old_format" ] || fail "the cleanup deleted an old-format temp file: its host is unknown, it may be another machine's in-flight file"
[ ! -e "$own_dead" ] || fail "hostB's cleanup kept its own dead process's leftover"
note "two-hosts test passed in ${SECONDS}s"
