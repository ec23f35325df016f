#!/bin/sh
# kexec: the cp scenario, then a kexec (kexec_file_load and
# reboot(LINUX_REBOOT_CMD_KEXEC)) into the same kernel, whose new boot runs
# the cp scenario again.  The host test appends /kexec/vmlinuz and
# /kexec/initrd.img to this guest's initramfs (tests/e2e/kexec_test.py).
set -eu
. /scenarios/lib-secret.sh
cp "$S" /tmp/copy.txt
st_fact_file "$S" /tmp/copy.txt
st_same /tmp/copy.txt
[ -s /kexec/vmlinuz ] && [ -s /kexec/initrd.img ] ||
    st_fail "no /kexec/vmlinuz or /kexec/initrd.img in the initramfs"
cmdline=$(sed 's/st\.scenario=kexec/st.scenario=cp/' /proc/cmdline)
case "$cmdline" in
    *st.scenario=cp*) ;;
    *) st_fail "no st.scenario=kexec on the command line: $cmdline" ;;
esac
echo "SECRET-TRACKER-GUEST: kexec into: $cmdline"
exec st-kexec /kexec/vmlinuz /kexec/initrd.img "$cmdline"
