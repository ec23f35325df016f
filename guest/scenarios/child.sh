#!/bin/sh
# Scenario 5: a shell reads the secret with a builtin, then its child
# (cp, run by busybox in a forked shell) copies a clean file.  After the
# read the shell is tracked: it prints nothing more.
set -eu
. /scenarios/lib-secret.sh
st_fact pid:parent $$
st_fact size:/etc/hostname "$(stat -c %s /etc/hostname)"
read -r line <"$S"
[ "$line" = 'CONFIDENTIAL: merger plans for Q3.' ]
cp /etc/hostname /tmp/h
