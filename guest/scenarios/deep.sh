#!/bin/sh
# Scenario 10: long names deep down, and a second tmpfs mount (checked
# in /proc/mounts and by its device number: a failed mount would leave
# the same path on the first filesystem).
set -eu
. /scenarios/lib-secret.sh
d=/srv/deep/this-directory-name-is-longer-than-forty-characters
d=$d/and-so-is-this-one-which-keeps-going-for-a-while/third
f=$d/a-file-name-that-is-also-over-forty-characters.txt
mkdir -p "$d"
cp "$S" "$f"
mkdir -p /mnt/second
mount -t tmpfs second /mnt/second
grep -q '^second /mnt/second tmpfs ' /proc/mounts
[ "$(stat -c %d /mnt/second)" != "$(stat -c %d /mnt)" ]
mkdir -p /mnt/second/sub/dir
cp "$S" /mnt/second/sub/dir/copy.txt
st_fact_file "$S" "$f" /mnt/second/sub/dir/copy.txt
st_same "$f" /mnt/second/sub/dir/copy.txt
