#!/bin/sh
# Scenario 6: loopback TCP with busybox nc.
set -eu
. /scenarios/lib-secret.sh
nc -l -p 5555 >/tmp/recv.bin &
listener=$!
st_fact pid:listen $listener
st_wait_listen 5555
nc 127.0.0.1 5555 <"$S"
wait $listener
st_same /tmp/recv.bin
