#!/bin/sh
# Scenario 8: concurrent copies (run with -smp 2).
. /scenarios/lib-secret.sh
for i in 1 2 3 4 5 6; do
    cp /srv/secret/plans.txt /tmp/cp$i.txt &
    cat /srv/secret/plans.txt >/tmp/cat$i.txt &
done
wait
