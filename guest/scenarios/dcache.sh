#!/bin/sh
# A secret read only through a hard link, after its own name has left the
# dentry cache.  The host registers /srv/secret/* (step "register") while
# the name is cached; then the caches are dropped, and cat reads the link,
# whose path matches no pattern and whose inode has no other name cached.
# Negative control: a public file and its link, the same steps.  The
# files live on XFS (a loop device): tmpfs would pin its dentries.
set -eu
. /scenarios/lib.sh
st_mount_xfs /srv
mkdir -p /srv/secret /srv/public /srv/links
printf 'dcache secret\n' >/srv/secret/a.txt
printf 'public words\n' >/srv/public/b.txt
ln /srv/secret/a.txt /srv/links/a
ln /srv/public/b.txt /srv/links/b
st_wait_host register
sync
echo 2 >/proc/sys/vm/drop_caches
cat /srv/links/a >/tmp/dcache-out.txt
cat /srv/links/b >/tmp/dcache-pub.txt
cmp /srv/public/b.txt /tmp/dcache-pub.txt
st-same /srv/secret/a.txt /tmp/dcache-out.txt
