#!/bin/sh
# Scenario 7: processes that never touch the secret write files.
set -eu -o pipefail
. /scenarios/lib-secret.sh
echo hello >/tmp/x
cp /etc/hostname /tmp/y
cat /etc/passwd | gzip -c >/tmp/z.gz
ls /srv/secret >/tmp/listing
grep -qx plans.txt /tmp/listing
