#!/bin/sh
# make bench's workload: busybox tools copying, compressing, filtering
# and archiving files (the secret among them), a fixed number of rounds;
# prints the rounds' elapsed guest time.  Not a test scenario.
set -eu
. /scenarios/lib-secret.sh
rounds=${1:-20}
mkdir -p /tmp/bench
for f in /etc/passwd /etc/group /bin/busybox; do
    head -c 65536 "$f" >"/tmp/bench/$(basename "$f")"
done
start=$(cut -d' ' -f1 /proc/uptime)
i=0
while [ "$i" -lt "$rounds" ]; do
    cp "$S" /tmp/bench/s.txt
    cat /tmp/bench/s.txt /tmp/bench/passwd >/tmp/bench/both.txt
    gzip -c /tmp/bench/busybox >/tmp/bench/bb.gz
    gunzip -c /tmp/bench/bb.gz | md5sum >/dev/null
    sed -e 's/:/;/g' /tmp/bench/group >/tmp/bench/group.sed
    dd if=/tmp/bench/busybox of=/tmp/bench/dd.out bs=4096 count=8 2>/dev/null
    tar -cf /tmp/bench/t.tar -C /tmp/bench s.txt group.sed
    ls -l /tmp/bench >/dev/null
    rm -f /tmp/bench/t.tar /tmp/bench/dd.out
    i=$((i + 1))
done
end=$(cut -d' ' -f1 /proc/uptime)
st_fact bench:seconds "$(echo "$start $end" | awk '{printf "%.2f", $2 - $1}')"
st_fact bench:rounds "$rounds"
