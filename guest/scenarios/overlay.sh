#!/bin/sh
# A secret read and written through an overlayfs view (issue 13.6).  The
# overlay's files have inodes and paths of their own; the tracker follows
# each to the real file overlayfs opened on a layer.  /srv is the lower
# layer, a tmpfs on /tmp/ovl holds the upper one.  The secret is made
# under a public name and moved, so that it is first opened, and first
# labelled, through the view.  Negative control first: a public file of
# the lower layer, read and written the same ways.
set -eu
. /scenarios/lib.sh
st_modules overlay
grep -qw overlay /proc/filesystems ||
    st_fail "no overlay in /proc/filesystems"
mkdir -p /srv/secret /srv/public /srv/stage /tmp/ovl /mnt/ovl
printf 'public words\n' >/srv/public/b.txt
printf 'overlay secret\n' >/srv/stage/ovl.txt
mv /srv/stage/ovl.txt /srv/secret/ovl.txt
mount -t tmpfs ovl /tmp/ovl
mkdir /tmp/ovl/upper /tmp/ovl/work
mount -t overlay ovl \
    -o lowerdir=/srv,upperdir=/tmp/ovl/upper,workdir=/tmp/ovl/work /mnt/ovl

cat /mnt/ovl/public/b.txt >/tmp/ovl-pub.txt
cat /mnt/ovl/public/b.txt >/mnt/ovl/pub-copy.txt
cmp /srv/public/b.txt /tmp/ovl-pub.txt
cmp /srv/public/b.txt /mnt/ovl/pub-copy.txt

cat /mnt/ovl/secret/ovl.txt >/tmp/ovl-out.txt
cat /mnt/ovl/secret/ovl.txt >/mnt/ovl/copy.txt
st-same /srv/secret/ovl.txt /tmp/ovl-out.txt /mnt/ovl/copy.txt
