#!/bin/sh
# Scenario 2: shell redirection (cat is a NOFORK applet: the shell itself
# copies, with sendfile).
set -eu
. /scenarios/lib-secret.sh
cat "$S" >/tmp/out.txt
st_fact_file /tmp/out.txt
st_same /tmp/out.txt
