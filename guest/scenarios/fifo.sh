#!/bin/sh
# A named pipe between two processes: one dd reads the secret and writes
# it into the FIFO, another reads the FIFO and saves it.
set -eu
. /scenarios/lib-secret.sh
mkfifo /tmp/fifo
st_fact ino:fifo "$(stat -c %i /tmp/fifo)"
dd if="$S" of=/tmp/fifo status=none &
writer=$!
st_fact pid:writer $writer
dd if=/tmp/fifo of=/tmp/fifo-out.txt status=none &
reader=$!
st_fact pid:reader $reader
wait $writer
wait $reader
st_fact_file /tmp/fifo-out.txt
st_same /tmp/fifo-out.txt
