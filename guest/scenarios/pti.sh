#!/bin/sh
# mvln under page-table isolation (booted with pti=on): the kernel's and
# the process's memory are read through PTI's pairs of top tables.
set -eu
. /scenarios/lib-secret.sh
# premise: without PTI this would be mvln again
grep -qw pti /proc/cpuinfo || { echo "st: PTI is not enabled" >&2; exit 1; }
cp "$S" /tmp/a.txt
st_fact_file /tmp/a.txt
mv /tmp/a.txt /tmp/b.txt
ln /tmp/b.txt /tmp/c.txt
cat /tmp/c.txt >/tmp/d.txt
st_fact_file /tmp/b.txt /tmp/d.txt
st_same /tmp/b.txt /tmp/d.txt
