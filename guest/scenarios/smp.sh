#!/bin/sh
# Scenario 8: concurrent copies on two vCPUs (run with -smp 2): odd ones
# pinned to CPU 1, even ones to CPU 0, each shell checking in
# /proc/PID/stat (field 39, the CPU it last ran on) that it ran there.
set -eu
. /scenarios/lib-secret.sh
[ "$(cat /sys/devices/system/cpu/online)" = 0-1 ] || st_fail "not 2 vCPUs"
pids=
for i in 1 2 3 4 5 6; do
    taskset -c $((i % 2)) sh -c '
        cp "$1" "/tmp/cp$2.txt"
        cat "$1" >"/tmp/cat$2.txt"
        cut -d" " -f39 /proc/$$/stat >"/tmp/cpu$2"' sh "$S" $i &
    pids="$pids $!"
done
for p in $pids; do
    wait "$p"
done
for i in 1 2 3 4 5 6; do
    [ "$(cat /tmp/cpu$i)" = $((i % 2)) ] ||
        st_fail "copy $i ran on CPU $(cat /tmp/cpu$i), not $((i % 2))"
done
st_same /tmp/cp?.txt /tmp/cat?.txt
