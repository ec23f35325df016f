#!/bin/sh
# Sourced by scenarios: create the secret (matched on open by the
# tracker's pattern /srv/secret/*).
mkdir -p /srv/secret
printf 'CONFIDENTIAL: merger plans for Q3.\nDo not distribute.\n' >/srv/secret/plans.txt
