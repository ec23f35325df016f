#!/bin/sh
# A tracked process hands the kernel pointers into a device's MMIO BAR
# (QEMU's edu device, -device edu); then copies the secret.
set -eu
. /scenarios/lib-secret.sh
bar=
for d in /sys/bus/pci/devices/*; do
    if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]
    then
        bar=$d/resource0
    fi
done
[ -n "$bar" ] || st_fail "no edu device"
st-mmio "$bar" "$S" /tmp/mmio-copy.txt
st_fact_file /tmp/mmio-copy.txt
st_same /tmp/mmio-copy.txt
