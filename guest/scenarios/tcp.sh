#!/bin/sh
# Scenario 6: loopback TCP with busybox nc.
. /scenarios/lib-secret.sh
nc -l -p 5555 >/tmp/recv.bin &
listener=$!
sleep 1
nc 127.0.0.1 5555 </srv/secret/plans.txt
wait $listener
cmp /srv/secret/plans.txt /tmp/recv.bin
