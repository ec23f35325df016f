#!/bin/sh
# A little ordinary activity: a few processes and files, no secrets.
set -eu -o pipefail
ls / >/tmp/listing
cat /etc/passwd | wc -l >/tmp/count
echo done >/tmp/done
