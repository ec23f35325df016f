#!/bin/sh
# Host-driven scenario (tests/e2e/stfleet.py): the host sends shell
# command lines on the second serial port (/dev/ttyS1); each is run here
# and answered on the console with its number and exit status.  "end"
# ends the scenario.  The secret /srv/secret/plans.txt exists, and the
# e1000 driver and an address come from the kernel command line
# (st.ip=ADDR/PREFIX).
. /scenarios/lib-secret.sh
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        st.ip=*)
            insmod /scenarios/e1000.ko
            ip addr add "${arg#st.ip=}" dev eth0
            ip link set eth0 up
            ;;
    esac
done
exec 3</dev/ttyS1
stty -F /dev/ttyS1 -echo 2>/dev/null
echo "SECRET-TRACKER-GUEST: ctl ready"
k=0
while IFS= read -r line <&3; do
    [ "$line" = end ] && break
    k=$((k + 1))
    eval "$line"
    echo "SECRET-TRACKER-GUEST: ctl $k rc=$?"
done
