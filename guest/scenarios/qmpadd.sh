#!/bin/sh
# Scenario 9: a file registered over QMP while the guest runs, then copied.
# The host registers /srv/other/* as soon as it sees the marker line.
mkdir -p /srv/other
echo 'late secret' >/srv/other/late.txt
echo "SECRET-TRACKER-GUEST: register now"
sleep 3
cp /srv/other/late.txt /tmp/late-copy.txt
