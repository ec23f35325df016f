#!/bin/sh
# A program reads the secret and writes it with pwritev (two buffers).
set -eu
. /scenarios/lib-secret.sh
st-pwritev "$S" /tmp/pwritev.txt
st_fact_file /tmp/pwritev.txt
st_same /tmp/pwritev.txt
