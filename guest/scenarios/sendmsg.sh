#!/bin/sh
# Red team: a program sends the secret with sendmsg() naming its
# destination in msg_name, from an unconnected UDP socket, to the VM's own
# address (not loopback), where a receiver bound to 0.0.0.0 saves it.
# Then, as the negative control, a clean file the same way, whose copy
# must not be reported.
set -eu
. /scenarios/lib-secret.sh
ip addr add 10.0.2.15/32 dev lo
udp_bound() {
    hex=$(printf ':%04X ' "$1")
    n=0
    until grep -q "$hex" /proc/net/udp; do
        n=$((n + 1))
        [ $n -le 600 ] || st_fail "nothing bound to UDP port $1"
        sleep 0.1
    done
}
st-sendmsg recv 5559 /tmp/sendmsg.txt &
receiver=$!
st_fact pid:receiver $receiver
udp_bound 5559
st-sendmsg send "$S" udp:10.0.2.15:5559
wait $receiver
st_fact_file /tmp/sendmsg.txt
st_same /tmp/sendmsg.txt
printf 'public release notes\n' >/tmp/public.txt
st-sendmsg recv 5560 /tmp/sendmsg-clean.txt &
receiver=$!
udp_bound 5560
st-sendmsg send /tmp/public.txt udp:10.0.2.15:5560
wait $receiver
cmp /tmp/public.txt /tmp/sendmsg-clean.txt
