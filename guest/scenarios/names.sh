#!/bin/sh
# Names the guest chooses (issue 10 item 11): a process whose command name
# and a file whose name hold ESC, CR, BEL and bytes that are not UTF-8.
# The process is a script, so its comm is the script's file name; it
# reads the secret with a builtin and writes it to the file.
set -e
. /scenarios/lib-secret.sh
prog="/tmp/$(printf 'e\033[2J\r\377x')"
out="/tmp/$(printf 'f\033]0;pwn\007\r\376')"
printf '#!/bin/sh\nread -r line </srv/secret/plans.txt\necho "$line" >"$1"\n' \
    >"$prog"
chmod +x "$prog"
"$prog" "$out"
head -n 1 /srv/secret/plans.txt | cmp -s - "$out"
