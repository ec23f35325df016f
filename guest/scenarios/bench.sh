#!/bin/sh
# Benchmark workload (make bench, tests/e2e/bench.py): a fixed, syscall-heavy
# busybox workload, in three phases the host brackets by their markers:
#   nodata  shell built-ins only (test -e, test -r, cd): one stat, access or
#           chdir each, no data moved, no process created
#   mixed   cp, cat, tar, gzip, sed, dd, sh loops over small public files
#           and copies of the secret
#   secret  dd with 1-byte blocks over a copy of the secret: every read and
#           write moves secret bytes
# Each phase prints "bench NAME start", sleeps (the host starts counting
# then), runs, prints "bench NAME done T0 T1" (its /proc/uptime at start and
# end) and sleeps again (the host stops counting).  No timing is asserted.
set -eu
. /scenarios/lib-secret.sh
d=/tmp/bench
mkdir -p $d/src $d/out
i=0
while [ $i -lt 20 ]; do
    echo "public line $i of the benchmark's plain data" >>$d/public.txt
    i=$((i + 1))
done

bench_phase() {
    echo "SECRET-TRACKER-GUEST: bench $1 start"
    sleep 5
    read -r t0 rest </proc/uptime
    "bench_$1"
    read -r t1 rest </proc/uptime
    echo "SECRET-TRACKER-GUEST: bench $1 done $t0 $t1"
    sleep 5
}

bench_nodata() {
    n=0
    while [ $n -lt 1000 ]; do
        [ -e "$S" ]
        [ -r /etc/hostname ]
        cd /tmp
        n=$((n + 1))
    done
    cd /root
}

bench_mixed() {
    r=0
    while [ $r -lt 3 ]; do
        rm -rf $d/src $d/out $d/*.tar $d/*.gz $d/all.txt
        mkdir -p $d/src $d/out
        i=0
        while [ $i -lt 8 ]; do
            cp "$S" $d/src/secret$i.txt
            cat $d/public.txt /etc/hostname >$d/src/public$i.txt
            sed -e "s/line/row $i/" $d/public.txt >>$d/src/public$i.txt
            i=$((i + 1))
        done
        tar -cf $d/src.tar -C $d src
        gzip -c $d/src.tar >$d/src.tar.gz
        gzip -dc $d/src.tar.gz | tar -xf - -C $d/out
        for f in $d/src/*.txt; do
            cat "$f" >>$d/all.txt
        done
        sed -e 's/Q3/Q4/' -e 's/public/open/' $d/all.txt >$d/edited.txt
        dd if=$d/edited.txt of=$d/blocks.txt bs=64 2>/dev/null
        dd if=/dev/zero of=$d/zero.bin bs=512 count=64 2>/dev/null
        cat $d/zero.bin $d/blocks.txt | gzip -c >$d/mix.gz
        r=$((r + 1))
    done
    cmp -s $d/src/secret0.txt "$S" || st_fail "copy differs"
}

bench_secret() {
    i=0
    while [ $i -lt 16 ]; do
        cat "$S" >>$d/secret16.txt
        i=$((i + 1))
    done
    dd if=$d/secret16.txt of=$d/secret16.bytes bs=1 2>/dev/null
    cmp -s $d/secret16.txt $d/secret16.bytes || st_fail "dd copy differs"
}

bench_phase nodata
bench_phase mixed
bench_phase secret
