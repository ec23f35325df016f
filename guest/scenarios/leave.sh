#!/bin/sh
# The secret sent with a socket family that leaves the VM, and received
# here, one st-leave mode each (guest/progs/st-leave.c): "packet", a
# frame on the loopback interface from one AF_PACKET socket to another;
# "vsock", a stream to CID 1 (the loopback transport).  The send is an
# exfiltration, and the receiver (another process) writes what it got to
# a file.  The tracker has one node per family for such local receivers
# (an over-approximation: once tainted, every later reader of a packet or
# vsock socket is), so the negative controls run first.
set -eu
. /scenarios/lib-secret.sh
st_modules af_packet vsock vmw_vsock_virtio_transport_common vsock_loopback
printf 'public release notes\n' >/tmp/public.txt
st-leave packet /tmp/public.txt /tmp/packet-clean.txt
st-leave vsock /tmp/public.txt /tmp/vsock-clean.txt
cmp /tmp/public.txt /tmp/packet-clean.txt
cmp /tmp/public.txt /tmp/vsock-clean.txt
st-leave packet "$S" /tmp/packet.txt
st-leave vsock "$S" /tmp/vsock.txt
st_same /tmp/packet.txt /tmp/vsock.txt
