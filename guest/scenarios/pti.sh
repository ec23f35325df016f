#!/bin/sh
# mvln under page-table isolation (booted with pti=on): the kernel's and
# the process's memory are read through PTI's pairs of top tables.
set -eu
# premise: without PTI this would be mvln again
grep -qw pti /proc/cpuinfo || { echo "st: PTI is not enabled" >&2; exit 1; }
. /scenarios/mvln.sh
