#!/bin/sh
# A program maps the secret (PROT_READ, MAP_PRIVATE) and writes the
# mapped bytes to a file; it never read()s the secret.
set -eu
. /scenarios/lib-secret.sh
st-mmap "$S" /tmp/mmap.txt
st_fact_file /tmp/mmap.txt
st_same /tmp/mmap.txt
