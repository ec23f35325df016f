#!/bin/sh
# Negative control: a copy made before its source is registered (the
# host registers /srv/late/* at the "register" step) is no flow; a copy
# made after is.
set -eu
. /scenarios/lib.sh
mkdir -p /srv/late
echo 'late secret' >/srv/late/a.txt
cp /srv/late/a.txt /tmp/before.txt
st_wait_host register
cp /srv/late/a.txt /tmp/after.txt
cat /tmp/before.txt >/tmp/before-copy.txt
st_fact_file /tmp/before.txt /tmp/after.txt
st-same /srv/late/a.txt /tmp/after.txt
cmp /tmp/before.txt /tmp/before-copy.txt
