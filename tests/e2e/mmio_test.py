#!/usr/bin/env python3
"""e2e: user pointers into device memory (issue 10, finding 2).

A tracked process maps the BAR of QEMU's edu device and passes pointers
into it to rename() and sendto().  The tracker reads those arguments from
outside the guest; reading them through a walker that could reach MMIO
once took the BQL under the tracker's lock (a deadlock any guest root
could cause).  Guest reads are RAM-only now: the reads are refused and
counted, QEMU stays responsive, and tracking goes on (the copy after is
tracked).  The guest checks that the BAR really was mapped (the device's
identification register) and that the copy holds the secret.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stgraph  # noqa: E402
import sttrack  # noqa: E402

S = '/srv/secret/plans.txt'
COPY = '/tmp/mmio-copy.txt'


def main():
    args = sttrack.test_args()
    g = sttrack.TrackedGuest(args.qemu, args.guest, args.log_dir,
                             scenario='mmio', accel=args.accel,
                             extra_args=('-device', 'edu'))
    failures = []
    g.launch()
    try:
        # QMP answers promptly all along (a deadlock would stop it).
        worst = 0.0
        deadline = time.monotonic() + 240
        while 'SECRET-TRACKER-GUEST: scenario exited' not in g.serial():
            t = time.monotonic()
            g.status()
            worst = max(worst, time.monotonic() - t)
            if time.monotonic() > deadline:
                raise AssertionError('the scenario did not end; console:\n'
                                     + g.serial()[-3000:])
            time.sleep(0.1)
        g.run_to_end()
        flows = g.flows()
        st = g.status()
    finally:
        g.shutdown()
    print('slowest QMP answer while the guest ran: %.3f s' % worst)
    facts = stgraph.facts(g.serial())
    print('facts:', facts)
    edges = set(stgraph.names_of(flows))
    print('flows:', sorted(edges))
    print('counters:', st['counters'])
    if facts.get('mmio:id', '').lower() != '0x010000ed':
        failures.append('the edu BAR was not mapped (id %r)'
                        % facts.get('mmio:id'))
    for call in ('rename', 'sendto'):
        if not facts.get('mmio:' + call, '').startswith('-1 '):
            failures.append('%s with a pointer into the BAR did not fail in '
                            'the kernel: %r' % (call, facts.get('mmio:' +
                                                                call)))
    if st['state'] != 'active':
        failures.append('state %s: %s' % (st['state'], st.get('error')))
    for want in ((S, 'proc:st-mmio', 'read'), ('proc:st-mmio', COPY,
                                                  'write')):
        if want not in edges:
            failures.append('missing flow %s -> %s [%s]' % want)
    drops = {d['reason']: d['count'] for d in st['counters']['drops']}
    if not drops.get('peer'):
        failures.append('the sendto address in the BAR was not refused and '
                        'counted: drops %s' % drops)
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('pointers into MMIO refused and counted; tracking went on')
    return 0


if __name__ == '__main__':
    sys.exit(main())
