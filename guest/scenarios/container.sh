#!/bin/sh
# A container given one directory of a volume (issue 13.6): in a mount
# namespace of its own, root bind-mounts /srv/vault/d on a view, then
# unmounts the volume there, so that no mount of the volume's root is
# above the view; the secret is read through the view.  Only the mount
# outside names it /srv/vault/d/data.txt, which the pattern
# /srv/vault/d/* matches.  Negative control first: a public file of the
# volume, read the same way.  Files are made under other names, then
# moved, so that no open before the container's labels them.
set -eu
. /scenarios/lib.sh
mkdir -p /srv/vault /tmp/out/view
mount -t tmpfs vault /srv/vault
mkdir /srv/vault/stage /srv/vault/pub /srv/vault/d
printf 'public data\n' >/srv/vault/stage/pub.txt
printf 'container secret\n' >/srv/vault/stage/secret.txt
mv /srv/vault/stage/pub.txt /srv/vault/pub/data.txt
mv /srv/vault/stage/secret.txt /srv/vault/d/data.txt

st-alias container /srv/vault pub /tmp/out/view data.txt /tmp/out/pub.txt
st-same /srv/vault/pub/data.txt /tmp/out/pub.txt

st-alias container /srv/vault d /tmp/out/view data.txt /tmp/out/secret.txt
st-same /srv/vault/d/data.txt /tmp/out/secret.txt
