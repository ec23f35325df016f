#!/bin/sh
# Storm (run with -smp 4): one dd per vCPU in a tight 1-byte read/write
# loop for 60 s, and one tracked copy of the secret a second meanwhile.
set -e
. /scenarios/lib-secret.sh
pids=
for cpu in 0 1 2 3; do
    taskset -c $cpu dd if=/dev/zero of=/dev/null bs=1 2>/dev/null &
    pids="$pids $!"
done
echo "SECRET-TRACKER-GUEST: storm start"
for i in $(seq 1 60); do
    cp /srv/secret/plans.txt /tmp/copy$i.txt
    sleep 1
done
kill $pids
wait || true
echo "SECRET-TRACKER-GUEST: storm done"
for i in $(seq 1 60); do
    cmp -s /srv/secret/plans.txt /tmp/copy$i.txt
done
