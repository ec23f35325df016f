#!/bin/sh
# Negative control: clean data over loopback TCP while a secret exists.
set -eu
. /scenarios/lib-secret.sh
nc -l -p 5558 >/tmp/recv.bin &
listener=$!
st_wait_listen 5558
nc 127.0.0.1 5558 </etc/hostname
wait $listener
cmp /etc/hostname /tmp/recv.bin
