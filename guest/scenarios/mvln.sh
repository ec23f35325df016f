#!/bin/sh
# Scenario 4: mv and ln of a tracked file, then a read through the link.
. /scenarios/lib-secret.sh
cp /srv/secret/plans.txt /tmp/a.txt
mv /tmp/a.txt /tmp/b.txt
ln /tmp/b.txt /tmp/c.txt
cat /tmp/c.txt >/tmp/d.txt
