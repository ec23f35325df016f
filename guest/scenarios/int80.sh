#!/bin/sh
# Red team: a 64-bit program copies the secret with int $0x80 (i386
# open, read, write); then, as the negative control, a clean file the same
# way, whose copy must not be reported.
set -eu
. /scenarios/lib-secret.sh
st-int80 "$S" /tmp/int80.txt
st_fact_file /tmp/int80.txt
st_same /tmp/int80.txt
printf 'public release notes\n' >/tmp/public.txt
st-int80 /tmp/public.txt /tmp/int80-clean.txt
cmp /tmp/public.txt /tmp/int80-clean.txt
