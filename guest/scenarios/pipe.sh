#!/bin/sh
# Scenario 3: a pipe chain, then the archive unpacked again.
set -eu -o pipefail
. /scenarios/lib-secret.sh
cat "$S" | gzip -c >/tmp/out.gz &
st_fact pid:compress $!
wait $!
st_fact size:/tmp/out.gz "$(stat -c %s /tmp/out.gz)"
gzip -dc /tmp/out.gz >/tmp/out.txt &
st_fact pid:expand $!
wait $!
st_fact_file /tmp/out.gz /tmp/out.txt
st_same /tmp/out.txt
