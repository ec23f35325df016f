#!/usr/bin/env python3
"""e2e: SIGKILL QEMU mid-run; the JSON-lines log keeps what QMP showed
(issue 10).

The guest (guest/scenarios/killnine.sh) copies the secret over and over.
Once QMP has reported at least MIN_FLOWS flows, the test reads them once
more and kills QEMU with SIGKILL at once.  Then every complete line of
the log must parse (a last line cut by the kill may not), the ids must
be 1, 2, 3... with no gap or repeat, and every flow QMP reported before
the kill must be in the log with the same source, target, syscall and
labels (nodes compared by identity: a path may be resolved after the
flow was first reported).
"""

import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sttrack  # noqa: E402

MIN_FLOWS = 30


def ident(node):
    """A node's identity: a path may be resolved later than the flow."""
    if node['kind'] == 'file':
        return ('file', node['dev'], node['inode'])
    if node['kind'] == 'process':
        return ('process', node['tgid'], node['pid'])
    return (node['kind'], node['inode'])


def main():
    args = sttrack.test_args()
    g = sttrack.TrackedGuest(args.qemu, args.guest, args.log_dir,
                             scenario='killnine', accel=args.accel,
                             memory=args.memory, machine=args.machine)
    failures = []
    killed = False
    g.launch()
    try:
        deadline = time.monotonic() + 300
        flows = []
        while len(flows) < MIN_FLOWS:
            if time.monotonic() > deadline or not g.vm.is_running():
                raise AssertionError('%d flows only; console tail:\n%s'
                                     % (len(flows), g.serial()[-3000:]))
            time.sleep(0.2)
            flows = g.flows()
        flows = g.flows()
        os.kill(g.vm.get_pid(), signal.SIGKILL)
        killed = True
    finally:
        if killed:
            # reap it: its status is ours (-9), not a crash to report
            g.vm.kill()
        else:
            g.shutdown()

    with open(os.path.join(args.log_dir, 'flows.jsonl'), 'rb') as f:
        raw = f.read()
    lines = raw.split(b'\n')
    if lines[-1]:
        print('the kill cut the last line (%d bytes): allowed'
              % len(lines[-1]))
    logged = []
    for n, line in enumerate(lines[:-1], 1):
        try:
            logged.append(json.loads(line.decode('utf-8', 'strict')))
        except (UnicodeDecodeError, ValueError) as e:
            failures.append('log line %d does not parse: %s: %r'
                            % (n, e, line[:200]))
    ids = [rec.get('id') for rec in logged]
    if ids != list(range(1, len(ids) + 1)):
        failures.append('log ids are not 1..%d in order: %s'
                        % (len(ids), ids))
    by_id = {rec.get('id'): rec for rec in logged}
    for f in flows:
        rec = by_id.get(f['id'])
        if rec is None:
            failures.append('flow %d, reported over QMP before the kill, is '
                            'not in the log' % f['id'])
        elif (ident(rec['source']), ident(rec['target']), rec['syscall'],
              rec['labels']) != (ident(f['source']), ident(f['target']),
                                 f['syscall'], f['labels']):
            failures.append('flow %d differs: log %s, QMP %s'
                            % (f['id'], rec, f))
    print('kill -9: %d flows reported over QMP before the kill, %d complete '
          'lines in the log' % (len(flows), len(logged)))
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('kill -9: every QMP flow is in the log; every line parses')
    return 0


if __name__ == '__main__':
    sys.exit(main())
