#!/bin/sh
# Sourced by scenarios: the helpers, and the secret $S (54 bytes), which
# the tracker's pattern /srv/secret/* matches when it is opened.
. /scenarios/lib.sh
S=/srv/secret/plans.txt
mkdir -p /srv/secret
printf 'CONFIDENTIAL: merger plans for Q3.\nDo not distribute.\n' >"$S"

# Exit 0 only if each file holds exactly the secret's bytes (one st-same
# process reads the secret and each file).
st_same() {
    st-same "$S" "$@"
}
