#!/usr/bin/env bash
# A throw-away single-node Slurm cluster (slurm-wlm 22.05 + munge), no systemd, everything in one
# folder. Source it, then:
#   slurm_start DIR     writes DIR/{munge,slurm}, starts munged, slurmctld and slurmd, waits for the
#                       node to be idle; exports SLURM_CONF (and PATH is unchanged). Fails loudly.
#   slurm_stop          stops every daemon slurm_start started (by pid), idempotent.
# Ports are picked free at start, so two of these can run side by side.
# Used by tests/cluster/slurm_test.sh and bench/cluster.sh.

_slurm_pids=()

_slurm_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

slurm_start() {
    local d="$1"
    local dep
    for dep in munged slurmctld slurmd sbatch squeue scontrol python3; do
        command -v "$dep" >/dev/null 2>&1 || [ -x "/usr/sbin/$dep" ] || {
            echo "local_slurm: $dep not found: install slurm-wlm munge (scripts/deps.sh)" >&2; return 1; }
    done
    export PATH="$PATH:/usr/sbin"
    [ "$(id -u)" -eq 0 ] || { echo "local_slurm: needs root (slurmd runs jobs as their users)" >&2; return 1; }
    mkdir -p "$d/munge" "$d/state" "$d/spool" "$d/log"
    chmod 700 "$d/munge"
    # munge: a fresh key; root runs munged (--force: the folders are not munge's own).
    dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$d/munge/munge.key"
    munged --force --key-file="$d/munge/munge.key" --socket="$d/munge/munge.sock" \
        --pid-file="$d/munge/munged.pid" --log-file="$d/log/munged.log" --seed-file="$d/munge/munged.seed" \
        || { echo "local_slurm: munged did not start:" >&2; cat "$d/log/munged.log" >&2; return 1; }
    _slurm_pids+=("$(cat "$d/munge/munged.pid")")
    local ctld_port node_port mem cpus
    ctld_port=$(_slurm_free_port); node_port=$(_slurm_free_port)
    while [ "$node_port" = "$ctld_port" ]; do node_port=$(_slurm_free_port); done
    cpus=$(nproc)
    mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
    cat > "$d/slurm.conf" <<CONF
ClusterName=eyemaptest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool/slurmd-%n
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerParameters=sched_interval=1
SchedulerType=sched/backfill
MailProg=/bin/true
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
    printf 'CgroupPlugin=autodetect\nIgnoreSystemd=yes\n' > "$d/cgroup.conf"
    export SLURM_CONF="$d/slurm.conf"
    slurmctld -i -f "$SLURM_CONF" || { echo "local_slurm: slurmctld did not start:" >&2; cat "$d/log/slurmctld.log" >&2; return 1; }
    local i
    for i in $(seq 50); do [ -s "$d/slurmctld.pid" ] && break; sleep 0.1; done
    _slurm_pids+=("$(cat "$d/slurmctld.pid")")
    slurmd -N localhost -f "$SLURM_CONF" || { echo "local_slurm: slurmd did not start:" >&2; cat "$d/log/slurmd.log" >&2; return 1; }
    for i in $(seq 50); do [ -s "$d/slurmd.pid" ] && break; sleep 0.1; done
    _slurm_pids+=("$(cat "$d/slurmd.pid")")
    # Wait for the node to take jobs.
    for i in $(seq 150); do
        if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then return 0; fi
        sleep 0.2
    done
    echo "local_slurm: the node did not become idle in 30 s:" >&2
    sinfo -N -l >&2 || true
    tail -20 "$d/log/slurmctld.log" "$d/log/slurmd.log" >&2 || true
    return 1
}

slurm_stop() {
    local p i
    for p in "${_slurm_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${_slurm_pids[@]}"; do
        for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    _slurm_pids=()
}
