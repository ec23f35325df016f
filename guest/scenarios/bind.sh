#!/bin/sh
# A unix datagram socket bound to /tmp/st.sock receives the secret from
# a socket connected to that path, and its owner saves it.
set -eu
. /scenarios/lib-secret.sh
st-bind "$S" /tmp/st.sock /tmp/bind.txt
st_fact_file /tmp/bind.txt
st_same /tmp/bind.txt
