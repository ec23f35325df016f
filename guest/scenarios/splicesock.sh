#!/bin/sh
# splice from the secret into a pipe, and from the pipe into a loopback
# TCP socket; nc listens and saves what it receives.
set -eu
. /scenarios/lib-secret.sh
nc -l -p 5559 >/tmp/recv.bin &
listener=$!
st_fact pid:listen $listener
st_wait_listen 5559
st-splice "$S" tcp:127.0.0.1:5559
wait $listener
st_same /tmp/recv.bin
