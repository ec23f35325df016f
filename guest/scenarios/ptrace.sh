#!/bin/sh
# Red team: a tracer rewrites the fd of its tracee's write, at the system
# call's entry, from /dev/null to the output file.  Then, as the negative
# control, a clean file the same way, whose copy must not be reported.
set -eu
. /scenarios/lib-secret.sh
st-ptrace "$S" /tmp/ptrace.txt
st_fact_file /tmp/ptrace.txt
st_same /tmp/ptrace.txt
printf 'public release notes\n' >/tmp/public.txt
st-ptrace /tmp/public.txt /tmp/ptrace-clean.txt
cmp /tmp/public.txt /tmp/ptrace-clean.txt
