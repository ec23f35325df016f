#!/usr/bin/env python3
"""e2e: the tracker re-arms after a guest reboot, and the new boot's files
are not taken for the old boot's (tmpfs inode numbers start over).
"""

import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stgraph  # noqa: E402
import sttrack  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402

# The cp scenario's edges, named (its nodes never share a name).
EDGES = [(e.src, e.dst, e.syscall) for e in SCENARIOS['cp'].edges]


def wait_markers(g, n, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if g.serial().count(sttrack.stguest.END_MARKER) >= n:
            return True
        time.sleep(0.2)
    return False


def wait_status(g, ok, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok(g.vm.cmd('query-status')['status']):
            return True
        time.sleep(0.1)
    return False


def main():
    args = sttrack.test_args()
    failures = []

    # Real resets here (the test guests otherwise run with -no-reboot).
    g = sttrack.TrackedGuest(args.qemu, args.guest, args.log_dir,
                             scenario='cp', accel=args.accel,
                             extra_args=('-action', 'reboot=reset'))
    g.launch()
    try:
        g.run_to_end()
        first = g.status()
        first_flows = g.flows()
        # Reset once the guest has powered itself off (it is then paused),
        # and resume once the main loop has carried the reset out.
        if not wait_status(g, lambda s: s == 'shutdown', 60):
            raise AssertionError('the guest did not power off')
        g.vm.cmd('system_reset')
        if not wait_status(g, lambda s: s != 'shutdown', 60):
            raise AssertionError('the reset was not carried out')
        if g.vm.cmd('query-status')['status'] != 'running':
            g.vm.cmd('cont')
        if not wait_markers(g, 2, 240):
            raise AssertionError('the guest did not run again after reset')
        second = g.wait_published()
        flows = g.flows()
        files = g.vm.cmd('query-secret-files')
    finally:
        g.shutdown()

    if second['state'] != 'active':
        failures.append('after reboot: state %s %s'
                        % (second['state'], second.get('error')))
    hits = {h['name']: h['hits'] for h in second['hooks']}
    if not hits.get('syscall-entry'):
        failures.append('no hook hits after the reboot: %s' % hits)
    failures += stgraph.match(first_flows, SCENARIOS['cp'].edges)[1]
    # Each boot's copy (and check) is its own edge: none merged.
    got = collections.Counter(stgraph.names_of(flows))
    want = collections.Counter(EDGES * 2)
    if got != want:
        failures.append('expected each edge of the cp scenario once per '
                        'boot, got %s' % sorted(got.items()))
    gone = [n for n in files if n['gone']]
    live = [n for n in files if not n['gone']]
    if len(gone) != 2 or len(live) != 2:
        failures.append('expected the first boot\'s 2 files gone and 2 live,'
                        ' got %s' % files)
    if first['hooks'][0]['address'] == second['hooks'][0]['address']:
        print('note: same entry address after reboot (KASLR slide equal)')
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('re-armed after reboot: entry 0x%x -> 0x%x; one copy edge per boot'
          % (first['hooks'][0]['address'], second['hooks'][0]['address']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
