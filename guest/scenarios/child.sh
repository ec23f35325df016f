#!/bin/sh
# Scenario 5: a shell reads the secret with a builtin, then its child
# copies a clean file.
. /scenarios/lib-secret.sh
read -r line </srv/secret/plans.txt
cp /etc/hostname /tmp/h
