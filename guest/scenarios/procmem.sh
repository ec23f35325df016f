#!/bin/sh
# Red team (issue 14): the secret moves from one process's memory to
# another's, one st-procmem mode each (guest/progs/st-procmem.c):
# process_vm_readv and process_vm_writev, ptrace PEEKDATA and POKEDATA,
# /proc/PID/mem read and written.  Then, as the negative control, a clean
# file every way, whose copies must not be reported.
set -eu
. /scenarios/lib-secret.sh
MODES="vmreadv vmwritev peek poke memread memwrite"
for m in $MODES; do
    st-procmem "$m" "$S" "/tmp/pm-$m.txt"
done
st_same $(for m in $MODES; do echo "/tmp/pm-$m.txt"; done)
printf 'public release notes\n' >/tmp/public.txt
for m in $MODES; do
    st-procmem "$m" /tmp/public.txt "/tmp/pm-clean-$m.txt"
    cmp /tmp/public.txt "/tmp/pm-clean-$m.txt"
done
