#!/usr/bin/env python3
"""e2e: a 4-vCPU syscall storm loses no tracked flow (issue 10).

The guest (guest/scenarios/storm.sh, -smp 4) runs one dd per vCPU in a
tight 1-byte read/write loop for 60 s and copies the secret once a second
meanwhile.  Every copy's flow must be there, once, with one call and the
secret's size in bytes.  Reported, never asserted (they depend on the
host): hook hits, drops by reason, QEMU's RSS growth over the storm, and
the latency of QMP queries made all through it.

Cost: about 60 s of storm plus the boot, under TCG with 4 vCPUs on
whatever cores the host has (2 here: the guest's 60 s take longer).
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stguest  # noqa: E402
import sttrack  # noqa: E402

S = '/srv/secret/plans.txt'
SECRET_BYTES = 54
COPIES = 60


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise AssertionError('no VmRSS for pid %d' % pid)


def main():
    args = sttrack.test_args()
    os.makedirs(args.log_dir, exist_ok=True)
    log = os.path.join(args.log_dir, 'flows.jsonl')
    if os.path.exists(log):
        os.unlink(log)
    # No per-syscall trace here: the storm makes millions of syscalls.
    g = stguest.TestGuest(args.qemu, args.guest, args.log_dir,
                          accel=args.accel, smp=4, memory=args.memory,
                          machine=args.machine, append='st.scenario=storm',
                          extra_args=('-device', 'secret-tracker,files='
                                      '/srv/secret/*,log=' + log,
                                      '-action', 'shutdown=pause'))
    failures = []
    latencies = []
    g.launch()
    try:
        if not g.wait_for('SECRET-TRACKER-GUEST: storm start', 300):
            raise AssertionError('no storm start; console tail:\n'
                                 + g.serial()[-3000:])
        pid = g.vm.get_pid()
        rss0 = rss_kib(pid)
        t0 = time.monotonic()
        while 'storm done' not in g.serial():
            if not g.vm.is_running() or time.monotonic() - t0 > 900:
                raise AssertionError('storm did not end; console tail:\n'
                                     + g.serial()[-3000:])
            q0 = time.monotonic()
            g.vm.cmd('query-secret-tracker')
            latencies.append((time.monotonic() - q0) * 1000)
            time.sleep(0.5)
        rss1 = rss_kib(pid)
        storm_s = time.monotonic() - t0
        if not g.wait_for(stguest.END_MARKER, 120) or \
                'scenario exited 0' not in g.serial():
            raise AssertionError('scenario failed; console tail:\n'
                                 + g.serial()[-3000:])
        time.sleep(1.5)
        flows = g.vm.cmd('query-secret-flows')
        st = g.vm.cmd('query-secret-tracker')
    finally:
        g.vm.shutdown()
    if g.vm.exitcode() != 0:
        failures.append('QEMU ended with status %s after quit'
                        % g.vm.exitcode())

    if st['state'] != 'active':
        failures.append('state %s: %s' % (st['state'], st.get('error')))
    copies = {}
    for f in flows:
        if f['source']['kind'] == 'file' and f['source']['path'] == S:
            copies.setdefault(f['target'].get('path'), []).append(f)
    for i in range(1, COPIES + 1):
        got = copies.get('/tmp/copy%d.txt' % i, [])
        if len(got) != 1:
            failures.append('copy %d: %d flows' % (i, len(got)))
        elif (got[0]['syscall'], got[0]['count'], got[0]['bytes']) != (
                'sendfile', 1, SECRET_BYTES):
            failures.append('copy %d: %s' % (i, got[0]))
    c = st['counters']
    print('storm: %.0f s wall, %d hook hits (%s), %d events'
          % (storm_s, sum(h['hits'] for h in st['hooks']),
             ', '.join('%s %d' % (h['name'], h['hits']) for h in st['hooks']),
             c['events']))
    print('storm: drops %s, flows-dropped %d, nodes-dropped %d, '
          'read-errors %d, unpaired %d'
          % ({d['reason']: d['count'] for d in c['drops']} or 'none',
             c['flows-dropped'], c['nodes-dropped'], c['read-errors'],
             c['unpaired']))
    print('storm: QEMU RSS %d KiB -> %d KiB (%+d KiB)'
          % (rss0, rss1, rss1 - rss0))
    if latencies:
        print('storm: QMP query-secret-tracker latency over %d queries: '
              'median %.1f ms, max %.1f ms'
              % (len(latencies), statistics.median(latencies),
                 max(latencies)))
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('storm: all %d copies tracked, one flow each' % COPIES)
    return 0


if __name__ == '__main__':
    sys.exit(main())
