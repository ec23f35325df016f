#!/bin/sh
# Scenario 10: long names deep down, and a second tmpfs mount.
. /scenarios/lib-secret.sh
d=/srv/deep/this-directory-name-is-longer-than-forty-characters
d=$d/and-so-is-this-one-which-keeps-going-for-a-while/third
mkdir -p "$d"
cp /srv/secret/plans.txt "$d/a-file-name-that-is-also-over-forty-characters.txt"
mkdir -p /mnt/second
mount -t tmpfs second /mnt/second
mkdir -p /mnt/second/sub/dir
cp /srv/secret/plans.txt /mnt/second/sub/dir/copy.txt
