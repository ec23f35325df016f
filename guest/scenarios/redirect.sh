#!/bin/sh
# Scenario 2: shell redirection.
. /scenarios/lib-secret.sh
cat /srv/secret/plans.txt >/tmp/out.txt
