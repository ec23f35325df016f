#!/bin/sh
# A secret image behind a loop device, one st-loop mode each
# (guest/progs/st-loop.c): "set-fd" (LOOP_SET_FD) and "configure"
# (LOOP_CONFIGURE) put the image behind a free loop device, and the same
# process reads the device and writes its bytes to a file; it never reads
# the image itself (the loop driver does, in the kernel).  The image is
# the secret's text padded with zeros to two 512-byte sectors.  Each run
# leaves its device attached, so each has its own: the negative controls
# (a public image, the same two ways) /dev/loop0 and 1, the secret's
# /dev/loop2 (set-fd) and 3 (configure).
set -eu
. /scenarios/lib.sh
st_modules loop
[ -e /dev/loop-control ] || st_fail "no /dev/loop-control (loop driver)"
IMG=/srv/secret/disk.img
mkdir -p /srv/secret
{ printf 'CONFIDENTIAL: merger plans for Q3.\nDo not distribute.\n'
  head -c 970 /dev/zero; } >"$IMG"
{ printf 'public release notes\n'; head -c 1003 /dev/zero; } >/tmp/public.img
st-loop set-fd /tmp/public.img /tmp/loop-clean-set.bin
st-loop configure /tmp/public.img /tmp/loop-clean-conf.bin
cmp /tmp/public.img /tmp/loop-clean-set.bin
cmp /tmp/public.img /tmp/loop-clean-conf.bin
st-loop set-fd "$IMG" /tmp/loop-set.bin
st-loop configure "$IMG" /tmp/loop-conf.bin
st-same "$IMG" /tmp/loop-set.bin /tmp/loop-conf.bin
