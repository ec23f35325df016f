#!/bin/sh
# A unix stream socket pair: a child reads the secret and writes it into
# one end, its parent reads the other end and saves it.
set -eu
. /scenarios/lib-secret.sh
st-socketpair "$S" /tmp/pair.txt
st_fact_file /tmp/pair.txt
st_same /tmp/pair.txt
