#!/bin/sh
# Four copies of the secret and a check that reads all five files (run
# with max-flows=2: the first two copies are kept as flows).
set -eu
. /scenarios/lib-secret.sh
for i in 1 2 3 4; do
    cp "$S" /tmp/m$i.txt
done
st_same /tmp/m1.txt /tmp/m2.txt /tmp/m3.txt /tmp/m4.txt
