#!/bin/sh
# Red team: a program copies the secret with a read and a write entered
# with the trap flag set (the kernel returns through iret); then, as the
# negative control, a clean file the same way, whose copy must not be
# reported.
set -eu
. /scenarios/lib-secret.sh
st-tf "$S" /tmp/tf.txt
st_fact_file /tmp/tf.txt
st_same /tmp/tf.txt
printf 'public release notes\n' >/tmp/public.txt
st-tf /tmp/public.txt /tmp/tf-clean.txt
cmp /tmp/public.txt /tmp/tf-clean.txt
