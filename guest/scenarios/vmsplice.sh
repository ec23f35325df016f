#!/bin/sh
# Red team: vmsplice both ways.  A program moves the secret from its
# memory into a pipe (dd saves it); cat fills a pipe with the secret and a
# program moves it into its memory (and saves it).  Then, as the negative
# control, a clean file both ways, whose copies must not be reported.
# dd, not cat, reads the first pipe: busybox cat tries sendfile() from a
# pipe first, which fails, and under KVM the return of that failed call
# may go unseen (its entry's edge then stays, with 0 bytes).
set -eu
. /scenarios/lib-secret.sh
st-vmsplice to "$S" | dd of=/tmp/vms-to.txt status=none
cat "$S" | st-vmsplice from /tmp/vms-from.txt
st_fact_file /tmp/vms-to.txt /tmp/vms-from.txt
st_same /tmp/vms-to.txt /tmp/vms-from.txt
printf 'public release notes\n' >/tmp/public.txt
st-vmsplice to /tmp/public.txt | dd of=/tmp/vms-clean1.txt status=none
cat /tmp/public.txt | st-vmsplice from /tmp/vms-clean2.txt
cmp /tmp/public.txt /tmp/vms-clean1.txt
cmp /tmp/public.txt /tmp/vms-clean2.txt
