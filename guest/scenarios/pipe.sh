#!/bin/sh
# Scenario 3: a pipe chain.
. /scenarios/lib-secret.sh
cat /srv/secret/plans.txt | gzip -c >/tmp/out.gz
