#!/bin/sh
# Scenario 1: cp of a secret (busybox cp copies with sendfile).
set -eu
. /scenarios/lib-secret.sh
cp "$S" /tmp/copy.txt
st_fact_file "$S" /tmp/copy.txt
st_same /tmp/copy.txt
