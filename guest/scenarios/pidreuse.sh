#!/bin/sh
# Negative control: a tracked process (dd reading the secret) exits; an
# untracked process that gets its pid again writes a file.  pid_max is
# cut to 400, so pids wrap around to 300 quickly.
set -eu
. /scenarios/lib-secret.sh
echo 400 >/proc/sys/kernel/pid_max
n=0
until [ "$(sh -c 'echo $$')" -ge 300 ]; do
    n=$((n + 1))
    [ $n -le 1000 ] || st_fail "pids never reached 300"
done
dd if="$S" of=/dev/null status=none &
tracked=$!
wait $tracked
st_fact pid:reader $tracked
n=0
until [ -e /tmp/reuse.txt ]; do
    sh -c '[ $$ -ne '"$tracked"' ] || echo clean >/tmp/reuse.txt'
    n=$((n + 1))
    [ $n -le 2000 ] || st_fail "pid $tracked was never reused"
done
st_fact_file /tmp/reuse.txt
