#!/bin/sh
# Scenario 9: a file registered over QMP while the guest runs, then
# copied.  The host registers /srv/other/* at the "register" step.
set -eu
. /scenarios/lib.sh
mkdir -p /srv/other
echo 'late secret' >/srv/other/late.txt
st_wait_host register
cp /srv/other/late.txt /tmp/late-copy.txt
st-same /srv/other/late.txt /tmp/late-copy.txt
