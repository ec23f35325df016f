#!/bin/sh
# A program writes the secret through fd 10 duplicated (dup3) from file
# A, then through fd 10 duplicated again from file B.
set -eu
. /scenarios/lib-secret.sh
st-dup3 "$S" /tmp/dup-a.txt /tmp/dup-b.txt
st_fact_file /tmp/dup-a.txt /tmp/dup-b.txt
st_same /tmp/dup-a.txt /tmp/dup-b.txt
