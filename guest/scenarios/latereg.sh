#!/bin/sh
# Negative control: a copy made before its source is registered (the
# host registers /srv/late/* at the "register" step) is no flow; a copy
# made after is, also one read through an fd opened (and used) before.
set -eu
. /scenarios/lib.sh
mkdir -p /srv/late
echo 'late secret' >/srv/late/a.txt
echo 'late secret' >/srv/late/held.txt
cp /srv/late/a.txt /tmp/before.txt
exec 4</srv/late/held.txt
st_wait_host register
cp /srv/late/a.txt /tmp/after.txt
cat <&4 >/tmp/held-copy.txt
cat /tmp/before.txt >/tmp/before-copy.txt
st_fact_file /tmp/before.txt /tmp/after.txt
st-same /srv/late/a.txt /tmp/after.txt /tmp/held-copy.txt
cmp /tmp/before.txt /tmp/before-copy.txt
