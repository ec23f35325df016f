#!/bin/sh
# Run the test suites; fail when any test fails or when none ran at all.
# usage: st-check.sh BUILD_DIR [meson test options]
set -u
build=$1
shift
rc=0
log=$build/meson-logs/testlog.json
rm -f "$log"
meson test -C "$build" --print-errorlogs "$@" || rc=$?
ran=0
[ -f "$log" ] && ran=$(grep -c '"result": "OK"' "$log")
if [ "$rc" -eq 0 ] && [ "$ran" -eq 0 ]; then
    echo "st-check: no test passed (all skipped or none defined): treating as failure" >&2
    rc=1
fi
exit "$rc"
