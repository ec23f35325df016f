#!/bin/sh
# The secret moves through a FUSE file system, one st-fuse mode each
# (guest/progs/st-fuse.c), its daemon speaking the raw protocol on
# /dev/fuse: "write", a FUSE daemon carries what a process writes (a
# process writes the secret into a FUSE file, the daemon reads the WRITE
# request from /dev/fuse and writes it to a file); "read", a FUSE daemon
# serves what it reads (the daemon reads the secret to answer a READ
# request, and another process reads it from the FUSE file under another
# name).  The tracker has one node for all FUSE file systems (an
# over-approximation: once tainted, every later reader of a FUSE file or
# of /dev/fuse is), so the negative controls run first.
set -eu
. /scenarios/lib-secret.sh
# fuse is a module (in /lib/st-modules) or built in.  A failed insmod
# ("File exists") matters only if there is no /dev/fuse afterwards.
insmod_err=
if [ -e /lib/st-modules/fuse.ko ] &&
   ! out=$(insmod /lib/st-modules/fuse.ko 2>&1); then
    insmod_err=": insmod fuse.ko: ${out:-failed}"
fi
if [ ! -e /dev/fuse ] && [ -e /sys/class/misc/fuse ]; then
    mknod /dev/fuse c 10 229
fi
[ -e /dev/fuse ] || st_fail "no /dev/fuse$insmod_err"
printf 'public release notes\n' >/tmp/public.txt
st-fuse write /tmp/public.txt /tmp/fuse-clean-write.txt
st-fuse read /tmp/public.txt /tmp/fuse-clean-read.txt
cmp /tmp/public.txt /tmp/fuse-clean-write.txt
cmp /tmp/public.txt /tmp/fuse-clean-read.txt
st-fuse write "$S" /tmp/fuse-write.txt
st-fuse read "$S" /tmp/fuse-read.txt
st_same /tmp/fuse-write.txt /tmp/fuse-read.txt
