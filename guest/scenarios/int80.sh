#!/bin/sh
# Red team: 32-bit system calls.  A 64-bit program copies the secret with
# int $0x80 (i386 open, read, write); then, as the negative control, a
# clean file the same way, whose copy must not be reported.  A 32-bit
# program copies both the same way (its C library enters through sysenter
# or the compat syscall instruction).  Then kernel-held data through the
# gate: an i386 setxattr of a clean file's bytes and an i386 getxattr of
# them (the negative control: the tracker keeps one node for every
# attribute, so it runs first), then of the secret's.
set -eu
. /scenarios/lib-secret.sh
st-int80 "$S" /tmp/int80.txt
st_fact_file /tmp/int80.txt
printf 'public release notes\n' >/tmp/public.txt
st-int80 /tmp/public.txt /tmp/int80-clean.txt
cmp /tmp/public.txt /tmp/int80-clean.txt
st-copy32 /tmp/public.txt /tmp/copy32-clean.txt
cmp /tmp/public.txt /tmp/copy32-clean.txt
st-copy32 "$S" /tmp/copy32.txt
st-int80 xattr-set /tmp/public.txt
st-int80 xattr-get /tmp/i80-clean-xattr.txt
cmp /tmp/public.txt /tmp/i80-clean-xattr.txt
st-int80 xattr-set "$S"
st-int80 xattr-get /tmp/i80-xattr.txt
st_same /tmp/int80.txt /tmp/copy32.txt /tmp/i80-xattr.txt
