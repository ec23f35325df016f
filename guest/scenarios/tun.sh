#!/bin/sh
# The secret moves through a TUN interface, one st-tun mode each
# (guest/progs/st-tun.c): "read", a tun reader carries what a process
# sends (a UDP datagram routed into the tun, read from its fd by another
# process); "write", a packet written into the tun reaches a local socket
# (another process receives it).  The tracker has one node for all tun
# devices (an over-approximation: once tainted, every later tun reader
# is), so the negative controls run first.
set -eu
. /scenarios/lib-secret.sh
# tun is a module (in /lib/st-modules) or built in.  A failed insmod
# ("File exists") matters only if there is no /dev/net/tun afterwards.
insmod_err=
if [ -e /lib/st-modules/tun.ko ] &&
   ! out=$(insmod /lib/st-modules/tun.ko 2>&1); then
    insmod_err=": insmod tun.ko: ${out:-failed}"
fi
if [ ! -e /dev/net/tun ] && [ -e /sys/class/misc/tun ]; then
    mkdir -p /dev/net
    mknod /dev/net/tun c 10 200
fi
[ -e /dev/net/tun ] || st_fail "no /dev/net/tun$insmod_err"
# No IPv6 on new interfaces: their router solicitations would be packets
# the tun reader reads besides the one it waits for.
d=/proc/sys/net/ipv6/conf/default/disable_ipv6
[ ! -e "$d" ] || echo 1 >"$d"
printf 'public release notes\n' >/tmp/public.txt
st-tun read /tmp/public.txt /tmp/tun-clean-read.txt
st-tun write /tmp/public.txt /tmp/tun-clean-write.txt
cmp /tmp/public.txt /tmp/tun-clean-read.txt
cmp /tmp/public.txt /tmp/tun-clean-write.txt
st-tun read "$S" /tmp/tun-read.txt
st-tun write "$S" /tmp/tun-write.txt
st_same /tmp/tun-read.txt /tmp/tun-write.txt
