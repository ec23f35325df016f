#!/bin/sh
# Run the test suites; fail when any test fails, when any test is skipped
# (unless listed in EXPECTED_SKIPS below), or when none ran at all.
# usage: st-check.sh BUILD_DIR [meson test options]
set -u
build=$1
shift
# Tests the suite itself declares may skip, by meson name ("suite / name"),
# one per line, each with the reason.  None today: a -kvm test runs in the
# nest where this host's KVM cannot run it.
EXPECTED_SKIPS=''
rc=0
log=$build/meson-logs/testlog.json
rm -f "$log"
meson test -C "$build" --print-errorlogs "$@" || rc=$?
[ -f "$log" ] || { echo "st-check: no test log ($log): no test ran" >&2; exit 1; }
EXPECTED_SKIPS=$EXPECTED_SKIPS python3 - "$log" <<'EOF' || rc=1
import json
import os
import sys

expected = {ln.split('#')[0].strip()
            for ln in os.environ['EXPECTED_SKIPS'].splitlines()} - {''}
results = {}
with open(sys.argv[1]) as f:
    for ln in f:
        t = json.loads(ln)
        results[t['name'].split(':', 1)[-1].strip()] = t['result']
skipped = sorted(n for n, r in results.items() if r == 'SKIP')
bad = [n for n in skipped if n not in expected]
passed = sum(1 for r in results.values() if r == 'OK')
for n in bad:
    print('st-check: %s was SKIPPED: a skip is a failure unless the suite '
          'declares it expected (scripts/st-check.sh EXPECTED_SKIPS)' % n,
          file=sys.stderr)
if not passed:
    print('st-check: no test passed (all skipped or none defined): '
          'treating as failure', file=sys.stderr)
sys.exit(1 if bad or not passed else 0)
EOF
exit "$rc"
