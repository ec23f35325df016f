#!/usr/bin/env python3
"""e2e: a running guest migrated into a QEMU that has the tracker.

The source QEMU has no tracker (a tracker blocks migration); the
destination is started with -incoming defer and -device secret-tracker,
so the hooks are armed on a kernel that was already running, with user
space busy, when it arrives (this crashed QEMU in 4 of 4 runs once: a
hook fired before the profile was published).  The guest copies the
secret before (untracked: no tracker yet) and after the migration (must
be tracked), then checks both copies hold the secret.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stgraph  # noqa: E402
import stguest  # noqa: E402
import sttrack  # noqa: E402

S = '/srv/secret/plans.txt'
AFTER = '/tmp/after-migrate.txt'
BEFORE = '/tmp/before-migrate.txt'


def wait_migrated(src, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = src.vm.cmd('query-migrate').get('status')
        if st == 'completed':
            return
        if st in ('failed', 'cancelled'):
            raise AssertionError('migration %s: %s'
                                 % (st, src.vm.cmd('query-migrate')))
        time.sleep(0.2)
    raise AssertionError('migration did not complete in %d s' % timeout)


def main():
    args = sttrack.test_args()
    if args.accel != 'tcg':
        raise SystemExit('incoming_test.py runs under TCG only')
    sock = os.path.join(args.log_dir, 'migrate.sock')
    if os.path.exists(sock):
        os.unlink(sock)
    src_chan = sttrack.HostChannel(os.path.join(args.log_dir, 'src'))
    src = stguest.TestGuest(args.qemu, args.guest,
                            os.path.join(args.log_dir, 'src'),
                            append='st.scenario=migrate',
                            extra_args=src_chan.args)
    dst_chan = sttrack.HostChannel(os.path.join(args.log_dir, 'dst'))
    dst = sttrack.TrackedGuest(args.qemu, args.guest,
                               os.path.join(args.log_dir, 'dst'),
                               scenario='migrate',
                               extra_args=dst_chan.args +
                               ('-incoming', 'defer'))
    failures = []
    src.launch()
    try:
        src_chan.connect()
        src_chan.step(src, 'migrate')
        dst.launch()
        dst.vm.cmd('migrate-incoming', uri='unix:' + sock)
        src.vm.cmd('migrate', uri='unix:' + sock)
        wait_migrated(src)
        src_chan.close()
        src.shutdown()
        dst_chan.connect()
        dst_chan.reply('migrate')
        dst.run_to_end()
        flows = dst.flows()
        st = dst.status()
        print(dst.hmp('info secret-flows'))
        print(dst.hmp('info secret-tracker'))
    finally:
        src_chan.close()
        dst_chan.close()
        src.shutdown()
        dst.shutdown()
    facts = stgraph.facts(dst.serial())
    edges = {(f['source'].get('path'), f['target'].get('path'), f['syscall'])
             for f in flows}
    if st['state'] != 'active':
        failures.append('state %s: %s' % (st['state'], st.get('error')))
    if (S, AFTER, 'sendfile') not in edges:
        failures.append('the copy after the migration is not tracked: %s'
                        % sorted(map(str, edges)))
    # Negative control: before the migration there was no tracker.
    if any(BEFORE in (e[0], e[1]) for e in edges):
        failures.append('a flow names the copy made before the migration: '
                        '%s' % sorted(map(str, edges)))
    if 'file:' + AFTER not in facts:
        failures.append('the guest did not report its copy: %s' % facts)
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('migrated in, then tracked: %d flows' % len(flows))
    return 0


if __name__ == '__main__':
    sys.exit(main())
