#!/bin/sh
# The host migrates this VM, running, into a QEMU with the tracker
# (-incoming) while the scenario waits; only the copy made after the
# migration is tracked.
set -eu
. /scenarios/lib-secret.sh
cp "$S" /tmp/before-migrate.txt
st_wait_host migrate
cp "$S" /tmp/after-migrate.txt
st_fact_file "$S" /tmp/after-migrate.txt
st_same /tmp/before-migrate.txt /tmp/after-migrate.txt
