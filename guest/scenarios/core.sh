#!/bin/sh
# A tracked process dumps core (guest/progs/st-core.c): the kernel writes
# its memory, the secret among it, with no system call.  "file": into the
# core file core_pattern names; "pipe": into the pipe of a |helper
# core_pattern, whose helper saves it.  Each core is checked in the guest
# to hold the secret's bytes.  Negative controls first: the same dumps of
# a process that read only public bytes.
set -eu
. /scenarios/lib-secret.sh
mkdir -p /tmp/st-cores
printf 'public release notes\n' >/tmp/public.txt
# the dumping process is reaped only once its helper is done
echo 1 >/proc/sys/kernel/core_pipe_limit
echo '/tmp/st-cores/%e.core' >/proc/sys/kernel/core_pattern
st-core dump /tmp/public.txt clean
st-core check /tmp/public.txt /tmp/st-cores/core-clean.core clean-chk
st-core dump "$S" file
st-core check "$S" /tmp/st-cores/core-file.core file-chk
echo '|/bin/st-core helper /tmp/st-cores/%e.out' \
    >/proc/sys/kernel/core_pattern
st-core dump /tmp/public.txt pclean
st-core check /tmp/public.txt /tmp/st-cores/core-pclean.out pclean-chk
st-core dump "$S" pipe
st-core check "$S" /tmp/st-cores/core-pipe.out pipe-chk
