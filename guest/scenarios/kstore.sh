#!/bin/sh
# Red team (issue 14): the secret moves through data the kernel keeps,
# one st-kstore mode each (guest/progs/st-kstore.c): a SysV and a POSIX
# message queue (the receiver already blocked), an extended attribute, a
# key, a pseudo-terminal.  Extended attributes, keys and ptys are one
# node each in the tracker (an over-approximation: once tainted, every
# later reader is), so their negative controls run first; the queues'
# run after.
set -eu
. /scenarios/lib-secret.sh
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
printf 'public release notes\n' >/tmp/public.txt
st-kstore xattr-set /tmp/public.txt -
st-kstore xattr-get - /tmp/ks-clean-xattr.txt
st-kstore key-add /tmp/public.txt -
st-kstore key-read - /tmp/ks-clean-key.txt
st-kstore pty /tmp/public.txt /tmp/ks-clean-pty.txt
for f in xattr key pty; do
    cmp /tmp/public.txt "/tmp/ks-clean-$f.txt"
done
st-kstore msg "$S" /tmp/ks-msg.txt
st-kstore mq "$S" /tmp/ks-mq.txt
st-kstore xattr-set "$S" -
st-kstore xattr-get - /tmp/ks-xattr.txt
st-kstore key-add "$S" -
st-kstore key-read - /tmp/ks-key.txt
st-kstore pty "$S" /tmp/ks-pty.txt
st_same /tmp/ks-msg.txt /tmp/ks-mq.txt /tmp/ks-xattr.txt /tmp/ks-key.txt \
    /tmp/ks-pty.txt
st-kstore msg /tmp/public.txt /tmp/ks-clean-msg.txt
st-kstore mq /tmp/public.txt /tmp/ks-clean-mq.txt
cmp /tmp/public.txt /tmp/ks-clean-msg.txt
cmp /tmp/public.txt /tmp/ks-clean-mq.txt
