#!/bin/sh
# Secrets first read under another name (issue 13.6): through a hard link
# made before the secret's own name was used, through a bind mount made
# by an ordinary user in a user and mount namespace, and by file handle.
# Each secret is a file of its own, never opened before (made under a
# public name, then moved into /srv/secret), so each is labelled by its
# own mechanism.  Negative controls first: public files the same ways.
set -eu
. /scenarios/lib-secret.sh
mkdir -p /srv/stage /srv/pub /srv/links /tmp/out/view
chmod 1777 /tmp/out
for f in link bind handle; do
    printf 'public data\n' >"/srv/stage/pub-$f.txt"
    printf 'alias secret\n' >"/srv/stage/$f.txt"
done
ln /srv/stage/pub-link.txt /srv/links/pub-link
ln /srv/stage/link.txt /srv/links/link
for f in link bind handle; do
    mv "/srv/stage/pub-$f.txt" "/srv/pub/$f.txt"
    mv "/srv/stage/$f.txt" "/srv/secret/alias-$f.txt"
done

cat /srv/links/pub-link >/tmp/out/pub-link.txt
st-alias bind /srv/pub /tmp/out/view bind.txt /tmp/out/pub-bind.txt
st-alias handle /srv/pub/handle.txt /tmp/out/pub-handle.txt
st-same /srv/pub/link.txt /tmp/out/pub-link.txt /tmp/out/pub-bind.txt \
    /tmp/out/pub-handle.txt

cat /srv/links/link >/tmp/out/link.txt
st-alias bind /srv/secret /tmp/out/view alias-bind.txt /tmp/out/bind.txt
st-alias handle /srv/secret/alias-handle.txt /tmp/out/handle.txt
st-same /srv/secret/alias-link.txt /tmp/out/link.txt /tmp/out/bind.txt \
    /tmp/out/handle.txt
