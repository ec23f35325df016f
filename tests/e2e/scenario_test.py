#!/usr/bin/env python3
"""e2e: real scenarios on a real Debian kernel, each with the exact flow
graph it must produce (guest/scenarios/NAME.sh).

Busybox facts the expectations rest on (checked with strace on the same
busybox-static binary): cp and cat copy with sendfile, so a copy is one
file -> file "sendfile" edge with no process in between; cat is a NOFORK
applet and runs inside the shell; nc uses read and write.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sttrack  # noqa: E402

S = '/srv/secret/plans.txt'
LABEL = '/srv/secret/*'
PORT = 5555
DEEP = ('/srv/deep/this-directory-name-is-longer-than-forty-characters/'
        'and-so-is-this-one-which-keeps-going-for-a-while/third/'
        'a-file-name-that-is-also-over-forty-characters.txt')
SRV = 'socket->127.0.0.1:%d' % PORT
CLI = 'socket->127.0.0.1:*'

EXPECT = {
    'cp': {(S, '/tmp/copy.txt', 'sendfile')},
    'redirect': {(S, '/tmp/out.txt', 'sendfile')},
    'pipe': {(S, 'pipe', 'sendfile'),
             ('pipe', 'proc:gzip', 'read'),
             ('proc:gzip', '/tmp/out.gz', 'write')},
    'mvln': {(S, '/tmp/b.txt', 'sendfile'),
             ('/tmp/a.txt', '/tmp/b.txt', 'rename'),
             ('/tmp/b.txt', '/tmp/d.txt', 'sendfile')},
    'child': {(S, 'proc:sh', 'read'),
              ('proc:sh', 'proc:sh', 'clone'),
              ('proc:sh', '/tmp/h', 'sendfile')},
    'tcp': {(S, 'proc:nc', 'read'),
            ('proc:nc', SRV, 'write'),
            (SRV, CLI, 'write'),
            (CLI, 'proc:nc', 'read'),
            ('proc:nc', '/tmp/recv.bin', 'write'),
            (S, 'proc:cmp', 'read'),
            ('/tmp/recv.bin', 'proc:cmp', 'read')},
    'negative': set(),
    'smp': {(S, '/tmp/%s%d.txt' % (c, i), 'sendfile')
            for c in ('cp', 'cat') for i in range(1, 7)},
    'qmpadd': {('/srv/other/late.txt', '/tmp/late-copy.txt', 'sendfile')},
    'deep': {(S, DEEP, 'sendfile'),
             (S, '/mnt/second/sub/dir/copy.txt', 'sendfile')},
}
SMP = {'smp': 2}


def check_extra(name, g, flows, fail):
    """What the graph alone does not show."""
    files = g.vm.cmd('query-secret-files')
    procs = g.vm.cmd('query-secret-processes')
    paths = sorted(n['node'].get('path', '') for n in files)
    if name == 'negative':
        if procs:
            fail('tracked processes: %s' % procs)
        if paths != [S]:
            fail('tracked files %s, not just the secret' % paths)
    if name == 'mvln' and '/tmp/b.txt' not in paths:
        fail('the renamed file is not tracked as /tmp/b.txt: %s' % paths)
    if name == 'mvln':
        ren = [f for f in flows if f['syscall'] == 'rename'][0]
        if (ren['source']['inode'] != ren['target']['inode'] or
                ren['source']['dev'] != ren['target']['dev']):
            fail('the rename edge joins two inodes')
    if name == 'child':
        clone = [f for f in flows if f['syscall'] == 'clone'][0]
        if clone['source']['tgid'] == clone['target']['tgid']:
            fail('the clone edge does not join two processes')
    if name == 'tcp':
        socks = [f['target'] for f in flows if f['target']['kind'] == 'socket']
        for s in socks:
            if s.get('address') != '127.0.0.1' or s.get('family') != 'inet':
                fail('socket endpoint %s is not inet 127.0.0.1' % s)
        if not any(s.get('port') == PORT for s in socks):
            fail('no socket carries port %d' % PORT)
    if name == 'qmpadd':
        if any(f['labels'] != ['late'] for f in flows):
            fail('flows do not carry the label given over QMP')
    elif any(f['labels'] != [LABEL] for f in flows):
        fail('a flow carries labels other than %s' % LABEL)
    for f in flows:
        moves_data = f['syscall'] not in ('rename', 'clone')
        if f['count'] < 1 or moves_data and f['bytes'] < 1:
            fail('flow %d has count %d, bytes %d'
                 % (f['id'], f['count'], f['bytes']))


def main():
    args = sttrack.test_args(
        lambda ap: ap.add_argument('scenario', choices=sorted(EXPECT)))
    name = args.scenario

    g = sttrack.TrackedGuest(args.qemu, args.guest, args.log_dir,
                             scenario=name, accel=args.accel,
                             smp=SMP.get(name, 1), memory=args.memory,
                             machine=args.machine)
    failures = []
    g.launch()
    try:
        if name == 'qmpadd':
            if not g.wait_for('SECRET-TRACKER-GUEST: register now', 240):
                raise AssertionError('guest never asked for registration')
            g.vm.cmd('secret-tracker-add-file', path='/srv/other/*',
                     label='late')
        g.run_to_end()
        flows = g.flows()
        st = g.status()
        try:
            sttrack.assert_graph(flows, EXPECT[name], ports=(PORT,))
        except AssertionError as e:
            failures.append(str(e))
        check_extra(name, g, flows, failures.append)
        table = g.hmp('info secret-flows') + g.hmp('info secret-tracker')
    finally:
        g.shutdown()

    c = st['counters']
    if st['state'] != 'active':
        failures.append('state %s: %s' % (st['state'], st.get('error')))
    for k in ('flows-dropped', 'nodes-dropped', 'read-errors'):
        if c[k]:
            failures.append('%s = %d' % (k, c[k]))
    # The JSON-lines log has one line per flow.
    with open(os.path.join(args.log_dir, 'flows.jsonl')) as f:
        lines = f.read().splitlines()
    if len(lines) != len(flows):
        failures.append('log has %d lines for %d flows'
                        % (len(lines), len(flows)))
    print(table)
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('scenario %s: %d flows as expected' % (name, len(flows)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
