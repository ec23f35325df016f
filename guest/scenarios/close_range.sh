#!/bin/sh
# A program writes the secret to file A, close_range()s A's fd, makes the
# same fd number for file B (with dup) and writes the secret through it.
set -eu
. /scenarios/lib-secret.sh
st-close-range "$S" /tmp/cr-a.txt /tmp/cr-b.txt
st_fact_file /tmp/cr-a.txt /tmp/cr-b.txt
st_same /tmp/cr-a.txt /tmp/cr-b.txt
