#!/bin/sh
# Scenario 4: mv and ln of a tracked file, then a read through the link.
set -eu
. /scenarios/lib-secret.sh
cp "$S" /tmp/a.txt
st_fact_file /tmp/a.txt
mv /tmp/a.txt /tmp/b.txt
ln /tmp/b.txt /tmp/c.txt
cat /tmp/c.txt >/tmp/d.txt
st_fact_file /tmp/b.txt /tmp/d.txt
st_same /tmp/b.txt /tmp/d.txt
