#!/bin/sh
# kill -9: copies of the secret keep coming until the host kills QEMU.
set -e
. /scenarios/lib-secret.sh
i=0
while [ $i -lt 2000 ]; do
    i=$((i + 1))
    cp /srv/secret/plans.txt /tmp/copy$i.txt
    [ $((i % 10)) -ne 0 ] || echo "SECRET-TRACKER-GUEST: $i copies"
done
