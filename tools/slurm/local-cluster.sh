#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, for the Slurm tests (tools/slurm/run-tests.sh) and for
# trying `--executor slurm` on a developer's machine. It installs nothing: it needs Debian's
# slurmctld, slurmd, slurm-client and munge (as root: apt-get install slurmctld slurmd
# slurm-client munge) and must run as root, like those daemons on a fresh machine.
#
#     tools/slurm/local-cluster.sh start    # munged (if none runs), slurmctld, slurmd; waits for the node
#     tools/slurm/local-cluster.sh status   # the daemons this script started, sinfo, squeue
#     tools/slurm/local-cluster.sh stop     # kills exactly the pids `start` recorded
#     tools/slurm/local-cluster.sh env      # prints `export SLURM_CONF=…` for your shell
#
# Everything lives in one folder, $LLSNN_SLURM_DIR (default /tmp/llsnn-slurm): slurm.conf,
# state, spool, logs, the job-completion file and the pids of the daemons started here.
# Clients find the cluster through SLURM_CONF=$LLSNN_SLURM_DIR/slurm.conf (nothing under
# /etc/slurm is written). munge uses the system's key, /etc/munge/munge.key, owned by munge;
# `start` creates it when it is missing and starts munged as user munge unless one runs.
#
# Accounting: there is no slurmdbd (it needs a MySQL server), so AccountingStorageType is
# accounting_storage/none and finished jobs are recorded by JobCompType=jobcomp/filetxt;
# `sacct --completion` reads that file (state and exit code of every finished task).
# MinJobAge=3600 keeps finished jobs in `scontrol show job` for an hour as well.
set -euo pipefail

DIR="${LLSNN_SLURM_DIR:-/tmp/llsnn-slurm}"
CONF="$DIR/slurm.conf"
PIDS="$DIR/pids"

die() { echo "local-cluster: $*" >&2; exit 1; }

need_tools() {
    [ "$(id -u)" -eq 0 ] || die "run as root (the daemons run as root with SlurmUser=root)"
    local missing=()
    for tool in munged slurmctld slurmd sbatch squeue sinfo scontrol sacct; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
    done
    [ "${#missing[@]}" -eq 0 ] || die "missing ${missing[*]}; install them with
    apt-get install slurmctld slurmd slurm-client munge"
}

# alive PID: the process runs (and is not a zombie).
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# record NAME PID: remember a daemon this script started, for `stop`.
record() { echo "$1 $2" >>"$PIDS"; }

start_munge() {
    if [ ! -s /etc/munge/munge.key ]; then
        echo "creating /etc/munge/munge.key"
        install -d -o munge -g munge -m 0700 /etc/munge
        if command -v mungekey >/dev/null 2>&1; then
            mungekey --create --keyfile=/etc/munge/munge.key
        else
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
        fi
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        echo "munged already runs (not started here, will not be stopped)"
        return
    fi
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
    rm -f /run/munge/munged.pid
    runuser -u munge -- /usr/sbin/munged
    local pid=""
    for _ in $(seq 1 50); do
        pid="$(cat /run/munge/munged.pid 2>/dev/null || true)"
        alive "$pid" && munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.1
    done
    alive "$pid" || die "munged did not start (see /var/log/munge/munged.log)"
    record munged "$pid"
    echo "munged started as user munge (pid $pid)"
}

write_conf() {
    local host cpus
    host="$(hostname -s)"
    cpus="$(nproc)"
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
    cat >"$CONF" <<EOF
# Written by tools/slurm/local-cluster.sh: a one-node cluster on localhost.
ClusterName=llsnn
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
KillWait=5
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
    need_tools
    if [ -s "$PIDS" ]; then
        while read -r name pid; do
            alive "$pid" && die "$name (pid $pid) from an earlier start still runs; run '$0 stop' first"
        done <"$PIDS"
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    : >"$PIDS"
    start_munge
    write_conf
    export SLURM_CONF="$CONF"
    # -i: ignore saved state (a fresh cluster every time); both daemons fork and write a pid file.
    /usr/sbin/slurmctld -f "$CONF" -i
    local pid=""
    for _ in $(seq 1 100); do
        pid="$(cat "$DIR/slurmctld.pid" 2>/dev/null || true)"
        alive "$pid" && break; sleep 0.1
    done
    alive "$pid" || die "slurmctld did not start; its log: $(tail -n 5 "$DIR/log/slurmctld.log" 2>/dev/null)"
    record slurmctld "$pid"
    /usr/sbin/slurmd -f "$CONF"
    pid=""
    for _ in $(seq 1 100); do
        pid="$(cat "$DIR/slurmd.pid" 2>/dev/null || true)"
        alive "$pid" && break; sleep 0.1
    done
    alive "$pid" || die "slurmd did not start; its log: $(tail -n 5 "$DIR/log/slurmd.log" 2>/dev/null)"
    record slurmd "$pid"
    # The node is usable once sinfo shows it idle (up to 30 s).
    local state=""
    for _ in $(seq 1 300); do
        state="$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)"
        [ "$state" = "idle" ] && break
        sleep 0.1
    done
    [ "$state" = "idle" ] || die "node $(hostname -s) is '${state:-unknown}', not idle; see $DIR/log"
    echo "slurm up: node $(hostname -s), $(nproc) CPUs, partition debug (SLURM_CONF=$CONF)"
}

stop() {
    [ -s "$PIDS" ] || { echo "local-cluster: nothing to stop ($PIDS is empty or missing)"; return 0; }
    # Reverse start order: slurmd, slurmctld, then munged if it was started here.
    local entries
    mapfile -t entries < <(tac "$PIDS")
    for entry in "${entries[@]}"; do
        read -r name pid <<<"$entry"
        if alive "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
            if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
            echo "stopped $name (pid $pid)"
        fi
    done
    : >"$PIDS"
}

status() {
    if [ -s "$PIDS" ]; then
        while read -r name pid; do
            if alive "$pid"; then echo "$name: pid $pid running"; else echo "$name: pid $pid gone"; fi
        done <"$PIDS"
    else
        echo "no daemons started by this script"
    fi
    [ -f "$CONF" ] || return 0
    SLURM_CONF="$CONF" sinfo || true
    SLURM_CONF="$CONF" squeue || true
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) echo "export SLURM_CONF=$CONF" ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 64 ;;
esac
