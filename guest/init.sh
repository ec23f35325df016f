#!/bin/sh
# PID 1 of the test guest: mount the basics, run /scenario.sh, print the
# end marker and power off.  Markers go to the serial console.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
ip link set lo up
hostname -F /etc/hostname
echo "SECRET-TRACKER-GUEST: up, kernel $(uname -r)"
cd /root
scenario=/scenario.sh
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        st.scenario=*) scenario=/scenarios/${arg#st.scenario=}.sh ;;
    esac
done
echo "SECRET-TRACKER-GUEST: running $scenario"
/bin/sh "$scenario"
echo "SECRET-TRACKER-GUEST: scenario exited $?"
echo "SECRET-TRACKER-SCENARIO-END"
sync
poweroff -f
