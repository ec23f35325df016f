#!/bin/sh
# A tracked copy is deleted; a clean file then takes its name and is
# copied: neither it nor its copy is tracked.
set -eu
. /scenarios/lib-secret.sh
cp "$S" /tmp/u.txt
st_fact_file /tmp/u.txt
st_same /tmp/u.txt
rm /tmp/u.txt
[ ! -e /tmp/u.txt ]
echo clean >/tmp/u.txt
cat /tmp/u.txt >/tmp/v.txt
grep -qx clean /tmp/v.txt
