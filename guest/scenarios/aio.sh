#!/bin/sh
# Red team: a program copies the secret with Linux AIO (io_submit with
# IOCB_CMD_PREAD, then IOCB_CMD_PWRITE); then, as the negative control, a
# clean file the same way, whose copy must not be reported.
set -eu
. /scenarios/lib-secret.sh
st-aio "$S" /tmp/aio.txt
st_fact_file /tmp/aio.txt
st_same /tmp/aio.txt
printf 'public release notes\n' >/tmp/public.txt
st-aio /tmp/public.txt /tmp/aio-clean.txt
cmp /tmp/public.txt /tmp/aio-clean.txt
