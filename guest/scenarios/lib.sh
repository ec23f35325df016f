#!/bin/sh
# Sourced by scenarios: helpers.  Scenarios run with set -eu and
# pipefail, so any failing command fails the scenario.

# A fact for the host-side test (see tests/e2e/stgraph.py): NAME VALUE.
# Printed by an untracked shell only: once a process has read a secret,
# whatever it writes, the console included, is a flow.
st_fact() {
    echo "SECRET-TRACKER-FACT $1 $2"
}

# Facts file:PATH "DEV INO" for each PATH.
st_fact_file() {
    # Not "f": sh has no local variables, and scenarios use $f (deep did:
    # its st-same then read the last file twice).
    for st_fact_path in "$@"; do
        st_fact "file:$st_fact_path" "$(stat -c '%d %i' "$st_fact_path")"
    done
}

# Fail the scenario with a message.
st_fail() {
    echo "SECRET-TRACKER-GUEST: FAILED: $*"
    exit 1
}

# Wait (bounded) until a TCP socket listens on local port $1 (IPv4 or
# IPv6: busybox nc -l listens on IPv6 where the kernel has it).
st_wait_listen() {
    hex=$(printf ':%04X ' "$1")
    n=0
    until cat /proc/net/tcp /proc/net/tcp6 | grep -q "$hex.* 0A "; do
        n=$((n + 1))
        [ $n -le 600 ] || st_fail "nothing listens on port $1"
        sleep 0.1
    done
}

# Ask the host for step $1 (it watches the console for the marker) and
# wait for its reply, the same word, on the second serial port.
st_wait_host() {
    exec 8</dev/ttyS1
    echo "SECRET-TRACKER-GUEST: wait $1"
    read -r reply <&8
    exec 8<&-
    [ "$reply" = "$1" ] || st_fail "host replied '$reply' to '$1'"
}

# Load the modules $@ (NAME.ko in /lib/st-modules, in this order) that
# the guest has; one built into the kernel is not there.  A failed insmod
# ("File exists") is printed, and matters only if the caller's feature
# is then missing.
st_modules() {
    for st_mod in "$@"; do
        [ -e "/lib/st-modules/$st_mod.ko" ] || continue
        insmod "/lib/st-modules/$st_mod.ko" 2>&1 |
            sed "s|^|SECRET-TRACKER-GUEST: insmod $st_mod: |" || true
    done
}

# Mount the guest's empty XFS image (/lib/st-xfs.img.gz, reflinks on) on
# $1 through a loop device: a disk filesystem, unlike tmpfs.
st_mount_xfs() {
    st_modules loop crc32c_generic libcrc32c xfs
    [ -e /dev/loop-control ] || st_fail "no /dev/loop-control (loop driver)"
    grep -qw xfs /proc/filesystems || st_fail "no xfs in /proc/filesystems"
    gunzip -c /lib/st-xfs.img.gz >/tmp/xfs.img
    mkdir -p "$1"
    mount -o loop -t xfs /tmp/xfs.img "$1"
}
