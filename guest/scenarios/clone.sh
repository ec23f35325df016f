#!/bin/sh
# Reflinks on XFS, one st-clone mode each (guest/progs/st-clone.c):
# "clone" (FICLONE) and "range" (FICLONERANGE) make a file share the
# secret's extents, by a process that never reads the secret; "dedupe"
# (FIDEDUPERANGE) shares them with a file that already holds the same
# bytes, written by a shell that guessed them (the tracker over-taints:
# the dedupe confirms the guess, and the file now is the secret's).  The
# guest's XFS image (/lib/st-xfs.img.gz, reflinks on) is mounted on /srv
# through a loop device, so the secret, a public file and the copies all
# live on it.  Negative controls first: the public file, the same two
# ways.
set -eu
. /scenarios/lib.sh
st_mount_xfs /srv
. /scenarios/lib-secret.sh
mkdir -p /srv/public /srv/out
printf 'public release notes\n' >/srv/public/notes.txt
st-clone clone /srv/public/notes.txt /srv/out/clean-clone.txt
st-clone range /srv/public/notes.txt /srv/out/clean-range.txt
printf 'public release notes\n' >/srv/out/clean-dedupe.txt
st-clone dedupe /srv/public/notes.txt /srv/out/clean-dedupe.txt
cmp /srv/public/notes.txt /srv/out/clean-clone.txt
cmp /srv/public/notes.txt /srv/out/clean-range.txt
st-clone clone "$S" /srv/out/clone.txt
st-clone range "$S" /srv/out/range.txt
printf 'CONFIDENTIAL: merger plans for Q3.\nDo not distribute.\n' \
    >/srv/out/dedupe.txt
st-clone dedupe "$S" /srv/out/dedupe.txt
st_same /srv/out/clone.txt /srv/out/range.txt /srv/out/dedupe.txt
