#!/bin/sh
# Negative control (run with files= matching nothing): copies, a pipe
# and loopback TCP with a file that is no secret.
set -eu -o pipefail
. /scenarios/lib-secret.sh
cp "$S" /tmp/copy.txt
cat "$S" | gzip -c >/tmp/out.gz
nc -l -p 5555 >/tmp/recv.bin &
listener=$!
st_wait_listen 5555
nc 127.0.0.1 5555 <"$S"
wait $listener
st_same /tmp/copy.txt /tmp/recv.bin
