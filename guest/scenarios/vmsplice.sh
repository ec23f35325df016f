#!/bin/sh
# Red team: vmsplice both ways.  A program moves the secret from its
# memory into a pipe (cat saves it); cat fills a pipe with the secret and a
# program moves it into its memory (and saves it).  Then, as the negative
# control, a clean file both ways, whose copies must not be reported.
set -eu
. /scenarios/lib-secret.sh
st-vmsplice to "$S" | cat >/tmp/vms-to.txt
cat "$S" | st-vmsplice from /tmp/vms-from.txt
st_fact_file /tmp/vms-to.txt /tmp/vms-from.txt
st_same /tmp/vms-to.txt /tmp/vms-from.txt
printf 'public release notes\n' >/tmp/public.txt
st-vmsplice to /tmp/public.txt | cat >/tmp/vms-clean1.txt
cat /tmp/public.txt | st-vmsplice from /tmp/vms-clean2.txt
cmp /tmp/public.txt /tmp/vms-clean1.txt
cmp /tmp/public.txt /tmp/vms-clean2.txt
