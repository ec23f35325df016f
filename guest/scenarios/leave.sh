#!/bin/sh
# The secret sent with a socket family that leaves the VM, and received
# here, one st-leave mode each (guest/progs/st-leave.c): "packet", a
# frame on the loopback interface from one AF_PACKET socket to another;
# "udp", a UDP packet made by hand and sent as such a frame, to a UDP
# socket bound to 127.0.0.1, and "udpmsg" the same with sendmsg (the frame
# in two iovecs); "vsock", a stream to CID 1 (the loopback
# transport); "xdp", the frame of "packet" sent from an AF_XDP socket
# (from its TX ring, with a sendto of no bytes).  The send is an
# exfiltration, and the receiver (another process) writes what it got to
# a file.  The tracker has one node per family for such local receivers
# (an over-approximation: once tainted, every later reader of a packet or
# vsock socket is), so the negative controls run first, and "xdp" before
# the other packet sends: its receiver is tainted by its frame alone.
set -eu
. /scenarios/lib-secret.sh
st_modules af_packet vsock vmw_vsock_virtio_transport_common vsock_loopback
# A packet from outside the IP stack for 127.0.0.1 is a martian unless
# lo routes it (root can say so, also in a network namespace of its own).
echo 1 >/proc/sys/net/ipv4/conf/lo/route_localnet
printf 'public release notes\n' >/tmp/public.txt
for m in xdp packet udp udpmsg vsock; do
    st-leave $m /tmp/public.txt /tmp/$m-clean.txt
    cmp /tmp/public.txt /tmp/$m-clean.txt
done
for m in xdp packet udp udpmsg vsock; do
    st-leave $m "$S" /tmp/$m.txt
done
st_same /tmp/xdp.txt /tmp/packet.txt /tmp/udp.txt /tmp/udpmsg.txt \
    /tmp/vsock.txt
