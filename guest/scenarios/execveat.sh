#!/bin/sh
# A program reads the secret, writes it to a file, then execveat()s the
# shell (relative to a directory fd), which writes it to another file.
set -eu
. /scenarios/lib-secret.sh
st-execveat "$S" /tmp/before-exec.txt /tmp/after-exec.txt
st_fact_file /tmp/before-exec.txt /tmp/after-exec.txt
st_same /tmp/before-exec.txt /tmp/after-exec.txt
