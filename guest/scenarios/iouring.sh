#!/bin/sh
# Red team: a program copies the secret with io_uring READ and WRITE
# requests, three ways: submitted by io_uring_enter, by the kernel's SQPOLL
# thread (no system call moves the data), and on registered files; then,
# as the negative control, a clean file the first way, whose copy must not
# be reported.
set -eu
. /scenarios/lib-secret.sh
for mode in plain sqpoll fixed; do
    st-iouring $mode "$S" /tmp/uring-$mode.txt
done
st_fact_file /tmp/uring-plain.txt /tmp/uring-sqpoll.txt /tmp/uring-fixed.txt
st_same /tmp/uring-plain.txt /tmp/uring-sqpoll.txt /tmp/uring-fixed.txt
printf 'public release notes\n' >/tmp/public.txt
st-iouring plain /tmp/public.txt /tmp/uring-clean.txt
cmp /tmp/public.txt /tmp/uring-clean.txt
