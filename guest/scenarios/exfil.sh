#!/bin/sh
# A program reads the secret and sends it in one UDP datagram to
# 10.0.2.2:5557, outside the guest (routed through lo: the guest has no
# network card).
set -eu
. /scenarios/lib-secret.sh
ip addr add 10.0.2.15/32 dev lo
ip route add 10.0.2.0/24 dev lo src 10.0.2.15
st-sendto "$S" udp:10.0.2.2:5557
