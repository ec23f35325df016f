#!/bin/sh
# Scenario 1: cp of a secret.
. /scenarios/lib-secret.sh
cp /srv/secret/plans.txt /tmp/copy.txt
