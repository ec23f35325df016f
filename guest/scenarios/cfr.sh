#!/bin/sh
# copy_file_range from the secret to a file on the same filesystem; the
# copying process never holds the bytes.
set -eu
. /scenarios/lib-secret.sh
st-cfr "$S" /srv/cfr-copy.txt
st_fact_file /srv/cfr-copy.txt
st_same /srv/cfr-copy.txt
