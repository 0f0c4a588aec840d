#!/bin/sh
# A single-node SLURM cluster on loopback for the distributed regression test
# (tests/test_slurm.c): `start DIR` writes DIR/slurm.conf, starts munged (if none runs),
# slurmctld and slurmd with their state, spool, logs and pid files under DIR, and waits until
# the node takes jobs; `stop DIR` stops exactly the daemons it started (by their pid files).
# Needs root (SlurmUser=root) and the Debian packages slurm-wlm and munge (make deps).
# Prints SLURM_CONF=DIR/slurm.conf on success: the environment the SLURM commands need.
set -eu
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: slurm_cluster.sh start|stop DIR" >&2
    exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf=$dir/slurm.conf

stop_pid() { # pid file: stop the daemon and wait (10 s at most) until it has gone
    [ -f "$1" ] || return 0
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    rm -f "$1"
}

case $cmd in
start)
    if [ "$(id -u)" != 0 ]; then
        echo "slurm_cluster.sh: needs root (the test cluster runs with SlurmUser=root)" >&2
        exit 1
    fi
    for b in munged slurmctld slurmd sinfo; do
        command -v $b >/dev/null || { echo "slurm_cluster.sh: $b missing (apt-get install slurm-wlm munge)" >&2; exit 1; }
    done
    mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
    host=$(hostname -s)
    cat >"$conf" <<EOF
ClusterName=attnkit-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
# sbatch --wait polls every 2 s, then every 8 and 32 s while that is below MinJobAge/2 (default
# 300): a test job of ~12 s was then seen ended after 42 s. With 0 (never purge job records,
# harmless in a cluster that lives a minute) it stays at 2 s.
MinJobAge=0
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=4096 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    if ! pgrep -x munged >/dev/null; then
        [ -f /etc/munge/munge.key ] || mungekey -c
        mkdir -p /run/munge
        chown munge:munge /run/munge 2>/dev/null || true
        runuser -u munge -- munged --pid-file="$dir/run/munged.pid" 2>"$dir/log/munged.err" ||
            munged -f --pid-file="$dir/run/munged.pid"
    fi
    SLURM_CONF=$conf slurmctld -i -f "$conf"
    SLURM_CONF=$conf slurmd -f "$conf"
    i=0
    until SLURM_CONF=$conf sinfo -h -o %t 2>/dev/null | grep -q '^idle'; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            echo "slurm_cluster.sh: the node never became idle; sinfo says: $(SLURM_CONF=$conf sinfo 2>&1)" >&2
            echo "see $dir/log/" >&2
            exit 1
        fi
        sleep 0.2
    done
    echo "SLURM_CONF=$conf"
    ;;
stop)
    stop_pid "$dir/run/slurmd.pid"
    stop_pid "$dir/run/slurmctld.pid"
    stop_pid "$dir/run/munged.pid"
    ;;
*)
    echo "slurm_cluster.sh: unknown command '$cmd' (start or stop)" >&2
    exit 2
    ;;
esac
