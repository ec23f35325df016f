#!/bin/sh
# A program reads the secret and writes it with pwrite64.
set -eu
. /scenarios/lib-secret.sh
st-pwrite "$S" /tmp/pwrite.txt
st_fact_file /tmp/pwrite.txt
st_same /tmp/pwrite.txt
