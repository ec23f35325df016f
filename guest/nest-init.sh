#!/bin/sh
# PID 1 of the nest's L1 (built by st-nest.sh, driven by tests/e2e/stnest.py):
# load Debian's own KVM modules, then serve the host's requests to run test
# guests (L2) under -accel kvm with our QEMU.
#
# Serial ports: ttyS0, L1's console (kernel messages, this script's
# progress), then the four ports of L0's PCI card, linked here by their
# channel (which ttyS each gets depends on the 8250 driver's free slots):
#   /dev/nest-ctl   control: one request per line from the host, replies
#                   and events
#   /dev/nest-qmp   the running L2's QMP monitor
#   /dev/nest-con   the running L2's serial console
#   /dev/nest-host  the running L2's second serial port (the tests' host
#                   steps)
# Requests (ID: a word the host picks, echoed in the replies):
#   RUN ID N      then N lines, one argument each: start QEMU with them;
#                 replies STARTED ID PID, later EXITED ID STATUS (128+n for
#                 signal n), after writing "NEST-EOR ID" on nest-qmp and
#                 nest-con
#   KILL ID RUN SIG  signal run RUN's QEMU; replies OK ID
#   CLEAN ID RUN  remove run RUN's files; replies OK ID
#   GET ID PATH   replies DATA ID SIZE, base64 lines, END ID (or ERROR ID ..)
#   EXITS-ON ID   start counting L2 exits (kvm_exit histogram); OK ID
#   EXITS-OFF ID  stop; replies DATA/END with the histogram, then the
#                 exits debugfs counts (live VMs only)
#   PING ID       replies PONG ID
#   POWEROFF      powers L1 off
# Fatal problems are reported as "FATAL text" on nest-ctl and ttyS0.
export PATH=/usr/local/bin:/bin:/sbin:/usr/bin:/usr/sbin
set -f
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run

say() { echo "NEST: $*"; }
fatal() {
    echo "NEST: FATAL $*"
    [ -e /dev/nest-ctl ] && echo "FATAL $*" >/dev/nest-ctl
    sync
    poweroff -f
}

# The card's ports are the four of highest I/O address (the console's is
# 0x3f8), in channel order.
set +f
for t in /sys/class/tty/ttyS*; do
    [ "$(cat "$t/type" 2>/dev/null)" != 0 ] || continue
    echo "$(($(cat "$t/port"))) ${t##*/}"
done | sort -n | tail -n 4 >/run/nest-ports
set -f
set -- ctl qmp con host
while read -r _ tty; do
    ln -s "/dev/$tty" "/dev/nest-$1"
    say "nest-$1 is $tty"
    shift
done </run/nest-ports
for p in ctl qmp con host; do
    [ -c /dev/nest-$p ] || fatal "serial port nest-$p missing (L0 arguments wrong?)"
    stty -F /dev/nest-$p raw -echo -ixon -ixoff -crtscts clocal ||
        fatal "cannot set nest-$p raw"
done
exec 3>/dev/nest-ctl

grep -qw svm /proc/cpuinfo ||
    fatal "no SVM: the L0 CPU model lacks AMD-V (flag svm not in L1's /proc/cpuinfo); nested KVM needs e.g. -cpu max"
grep -qw npt /proc/cpuinfo ||
    say "warning: no npt flag, KVM will use shadow paging"
# Module parameters from the kernel command line (nest.kvm=..., nest.kvm-amd=
# ..., comma-separated), e.g. nest.kvm=halt_poll_ns=0.
modargs() {
    for a in $(cat /proc/cmdline); do
        case "$a" in
            nest.$1=*) echo "${a#nest.$1=}" | tr ',' ' ' ;;
        esac
    done
}
for m in irqbypass kvm ccp kvm-amd; do
    if ! err=$(insmod /lib/nest-modules/$m.ko $(modargs $m) 2>&1); then
        fatal "module $m did not load: $err; $(dmesg | tail -n 3 | tr '\n' ' ')"
    fi
done
[ -c /dev/kvm ] ||
    fatal "/dev/kvm absent after loading kvm-amd: $(dmesg | grep -i -e kvm -e svm | tail -n 3 | tr '\n' ' ')"
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
say "$(dmesg | grep -e 'Nested Virtualization' -e 'Nested Paging' | sed 's/^\[[^]]*\] //' | tr '\n' ';')"
trig=/sys/kernel/tracing/events/kvm/kvm_exit/trigger
hist='hist:keys=exit_reason:size=1024'

# Replies and events come from the request loop and from runs: each one
# is written whole, under a lock (mkdir is atomic), so none splits another.
reply() {       # LINE...: one message (several lines for DATA)
    until mkdir /run/ctl.lock 2>/dev/null; do
        usleep 10000
    done
    printf '%s\n' "$@" >&3
    rmdir /run/ctl.lock
}

send_file() {   # ID PATH
    if [ -f "$2" ]; then
        reply "DATA $1 $(stat -c %s "$2")" "$(base64 "$2")" "END $1"
    else
        reply "ERROR $1 no file $2"
    fi
}

run() {         # ID ARGS...: start QEMU and report, from a grandchild
    id=$1
    shift
    dir=/run/l2/$id
    mkdir -p "$dir"
    qemu-system-x86_64 "$@" </dev/null >"$dir/qemu.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    reply "STARTED $id $pid"
    wait "$pid"
    rc=$?
    printf '\nNEST-EOR %s\n' "$id" >/dev/nest-qmp
    printf '\nNEST-EOR %s\n' "$id" >/dev/nest-con
    reply "EXITED $id $rc"
}

# The request loop runs in a child of PID 1, and each run in a process
# that is not its child: busybox's read gives up (losing what it read of
# the line) when a signal such as SIGCHLD arrives, so the reader must
# have no child that can end while it reads.
agent() {
    fails=0
    while :; do
        if ! read -r cmd id arg; then
            fails=$((fails + 1))
            [ "$fails" -lt 100 ] || fatal "control channel unreadable"
            continue
        fi
        fails=0
        case "$cmd" in
            RUN)
                set --
                n=0
                while [ "$n" -lt "$arg" ] && IFS= read -r a; do
                    set -- "$@" "$a"
                    n=$((n + 1))
                done
                ( run "$id" "$@" & )
                ;;
            KILL)
                set -- $arg
                pid=$(cat "/run/l2/$1/pid" 2>/dev/null)
                [ -n "$pid" ] && kill "-${2:-KILL}" "$pid" 2>/dev/null
                reply "OK $id"
                ;;
            CLEAN)
                rm -rf "/run/l2/$arg"
                reply "OK $id"
                ;;
            GET)
                send_file "$id" "$arg"
                ;;
            EXITS-ON)
                echo "!$hist" >"$trig" 2>/dev/null
                if echo "$hist" >"$trig"; then
                    reply "OK $id"
                else
                    reply "ERROR $id cannot set a hist trigger on kvm_exit"
                fi
                ;;
            EXITS-OFF)
                {
                    echo "# kvm_exit hist"
                    cat "${trig%/trigger}/hist"
                    for f in $(ls /sys/kernel/debug/kvm | grep exits); do
                        echo "debugfs $f $(cat "/sys/kernel/debug/kvm/$f")"
                    done
                } >/run/exits.txt 2>&1
                echo "!$hist" >"$trig"
                send_file "$id" /run/exits.txt
                ;;
            PING)
                reply "PONG $id"
                ;;
            POWEROFF)
                sync
                poweroff -f
                ;;
            '')
                ;;
            *)
                reply "ERROR $id unknown request $cmd"
                ;;
        esac
    done
}

say "ready: $(uname -r), $(nproc) CPUs, $(sed -n 's/MemTotal: *//p' /proc/meminfo)"
reply "READY $(uname -r) $(nproc)"
agent </dev/nest-ctl 3>/dev/nest-ctl &
apid=$!
# Orphaned runs end as children of PID 1: their SIGCHLD may cut a wait.
while kill -0 "$apid" 2>/dev/null; do
    wait "$apid"
done
fatal "the request loop ended"
