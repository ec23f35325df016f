#!/bin/sh
# Red team (issue 14): the secret moves through mapped or shared memory,
# one st-shm mode each (guest/progs/st-shm.c): mappings of any
# protection, a shared output mapped before the secret is read, a reader
# whose mapping predates the taint, MAP_SHARED|MAP_ANONYMOUS across fork,
# SysV and POSIX shared memory, a memfd, vfork and CLONE_VM children
# writing their parent's memory, and a CLONE_FILES sibling swapping an
# fd.  Then, as the negative control, a clean file every way, whose
# copies must not be reported.
set -eu
. /scenarios/lib-secret.sh
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
MODES="prot-write prot-none premap anon sysv posix memfd vfork clonevm files"
for m in $MODES; do
    st-shm "$m" "$S" "/tmp/shm-$m.txt"
done
st-shm late "$S" /tmp/shm-late.txt /tmp/shm-late.bin
st_fact_file /tmp/shm-late.bin
st_same /tmp/shm-late.bin /tmp/shm-late.txt $(for m in $MODES; do
    echo "/tmp/shm-$m.txt"; done)
printf 'public release notes\n' >/tmp/public.txt
for m in $MODES; do
    st-shm "$m" /tmp/public.txt "/tmp/shm-clean-$m.txt"
    cmp /tmp/public.txt "/tmp/shm-clean-$m.txt"
done
st-shm late /tmp/public.txt /tmp/shm-clean-late.txt /tmp/shm-clean-late.bin
cmp /tmp/public.txt /tmp/shm-clean-late.txt
