#!/bin/sh
# make demo: boot the bundled Debian demo guest under the built QEMU and
# show its console.
set -eu
build=$(cd "$1" && pwd)
guest=$build/guest/demo
qemu=$build/qemu/qemu-system-x86_64
[ -x "$qemu" ] && [ -f "$guest/vmlinuz" ] || { echo "st-demo: run 'make' first" >&2; exit 1; }
accel=tcg
echo "st-demo: booting $(sed -n 's/^package=//p' "$guest/kernel.txt") under $accel"
exec "$qemu" -accel "$accel" -m 512M -nographic -no-reboot \
    -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img" \
    -append "console=ttyS0 panic=-1 quiet"
