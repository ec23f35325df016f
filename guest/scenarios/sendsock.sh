#!/bin/sh
# sendfile from the secret straight into a loopback TCP socket; nc
# listens and saves what it receives.
set -eu
. /scenarios/lib-secret.sh
nc -l -p 5556 >/tmp/recv.bin &
listener=$!
st_fact pid:listen $listener
st_wait_listen 5556
st-sendfile "$S" tcp:127.0.0.1:5556
wait $listener
st_same /tmp/recv.bin
