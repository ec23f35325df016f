#!/bin/sh
# A tracked process killed by SIGKILL makes no exit call: the tracker
# finds it gone by reading its leader's task in guest memory (exit_state,
# and the pid and start time still its own).  A shell reads the secret's
# first line, saves it, and blocks opening a FIFO until it is killed.
set -eu
. /scenarios/lib-secret.sh
mkfifo /tmp/st-wait
printf 'CONFIDENTIAL: merger plans for Q3.\n' >/tmp/line1.txt
# shellcheck disable=SC2016
sh -c 'read -r line <"$1"; printf "%s\n" "$line" >/tmp/held.txt
       read -r w </tmp/st-wait' sh "$S" &
held=$!
st_fact pid:held "$held"
i=0
while [ ! -s /tmp/held.txt ] && [ "$i" -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
st-same /tmp/line1.txt /tmp/held.txt
kill -9 "$held"
wait "$held" || true
# the tracker checks live processes once a second, a few at a time
sleep 3
