#!/usr/bin/env python3
"""e2e: a secret sent from VM A to VM B over TCP is followed into B.

Two QEMUs with a tracker each, joined by a QEMU network backend (-netdev
dgram over two unix sockets) and e1000 NICs with static addresses.  The
bridge (tools/st-bridge/st_bridge.py) reads A's SECRET_FLOW events from
A's second QMP socket and gives B's tracker the labels of the connection
(secret-tracker-add-endpoint on B's second QMP socket).  Three transfers:

1. the secret, while B's receiving nc is stopped: the labels reach B
   before the data is read, and nc becomes tracked when it reads;
2. public data (the negative control): nothing is tracked in B;
3. the secret while the bridge is stopped: B's nc reads the data before
   the labels exist; when the bridge goes on, B's tracker taints it after
   the fact (remembered reads, property remote-reads).

B's guest compares what arrived with the secret's bytes each time.
"""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stfleet  # noqa: E402
import stschema  # noqa: E402
import sttrack  # noqa: E402

A_IP, B_IP = '10.0.0.1', '10.0.0.2'
LABEL = '/srv/secret/*'


def net_args(me, other, mac):
    return ('-netdev', 'dgram,id=n0,local.type=unix,local.path=%s,'
            'remote.type=unix,remote.path=%s' % (me, other),
            '-device', 'e1000,netdev=n0,mac=%s' % mac)


def wait_until(what, fn, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.3)
    raise AssertionError('timed out waiting for %s' % what)


def listen(b, port, out):
    """Start nc listening in B; returns the shell variable of its pid."""
    b.run('nc -l -p %d >%s & p%d=$!; n=0; until netstat -ltn | '
          'grep -q ":%d "; do n=$((n + 1)); [ $n -lt 100 ] || exit 1; '
          'sleep 0.1; done' % (port, out, port, port))
    return '$p%d' % port


def nc_procs(b):
    """B's tracked receivers (the cmp that checks a tainted copy is
    tracked too, and not counted here)."""
    return sorted((p['node']['tgid'], p['node']['comm'], p['labels'])
                  for p in b.vm.cmd('query-secret-processes')
                  if p['node']['comm'] == 'nc')


def remote(b):
    return b.status()['remote']


def main():
    args = sttrack.test_args(
        lambda ap: ap.add_argument('--bridge', required=True))
    base = args.log_dir
    guest = stfleet.overlay_guest(args.guest, os.path.join(base, 'guest'),
                                  network=True)
    sock_a, sock_b = (os.path.join(base, n) for n in ('net-a', 'net-b'))
    for s in (sock_a, sock_b, os.path.join(base, 'a.jsonl'),
              os.path.join(base, 'b.jsonl')):
        if os.path.exists(s):
            os.unlink(s)
    a = stfleet.FleetGuest(
        args.qemu, guest, os.path.join(base, 'a'), accel=args.accel,
        device='files=/srv/secret/*,log=%s' % os.path.join(base, 'a.jsonl'),
        ip=A_IP + '/24', net=net_args(sock_a, sock_b, '52:54:00:00:0a:01'),
        name='vm-a')
    b = stfleet.FleetGuest(
        args.qemu, guest, os.path.join(base, 'b'), accel=args.accel,
        device='remote-reads=64,log-format=ecs,log=%s'
        % os.path.join(base, 'b.jsonl'),
        ip=B_IP + '/24', net=net_args(sock_b, sock_a, '52:54:00:00:0a:02'),
        name='vm-b')
    fail = stfleet.Failures()
    bridge = None
    bridge_out = os.path.join(base, 'bridge.jsonl')
    a.launch()
    b.launch()
    try:
        a.start()
        b.start()
        a.run('n=0; until ping -c 1 -W 2 %s >/dev/null; do n=$((n + 1)); '
              '[ $n -lt 30 ] || exit 1; done' % B_IP, timeout=120)
        with open(bridge_out, 'w') as out:
            bridge = subprocess.Popen(
                [sys.executable, args.bridge,
                 '--vm', 'a=qmp:%s,addr=%s' % (a.bridge_qmp, A_IP),
                 '--vm', 'b=qmp:%s,addr=%s' % (b.bridge_qmp, B_IP)],
                stdout=out)

        # 1. Labels before the read: B's receiver is stopped meanwhile.
        pid = listen(b, 5555, '/tmp/recv1.bin')
        b.run('kill -STOP %s' % pid)
        a.run('nc %s 5555 <%s & c1=$!' % (B_IP, stfleet.SECRET))
        wait_until('labels in B', lambda: remote(b)['labels'] >= 1)
        fail.check(not nc_procs(b), 'B tracks a process before any read: %s'
                   % nc_procs(b))
        b.run('kill -CONT {0}; wait {0}; cmp {1} /tmp/recv1.bin'
              .format(pid, stfleet.SECRET))
        a.run('wait $c1')
        time.sleep(1.5)
        first = nc_procs(b)
        fail.check(len(first) == 1 and first[0][2] == [LABEL],
                   'after transfer 1, B tracks %s, not one nc with %s'
                   % (first, LABEL))

        # 2. Public data: the same path, nothing tracked.
        pid = listen(b, 5556, '/tmp/recv2.bin')
        a.run('echo public data >/tmp/public.txt; '
              'nc %s 5556 </tmp/public.txt' % B_IP)
        b.run('wait %s; cmp /tmp/public.txt /tmp/recv2.bin || '
              'grep -q "public data" /tmp/recv2.bin' % pid)
        time.sleep(1.5)
        fail.check(nc_procs(b) == first,
                   'public data made B track %s' % nc_procs(b))
        fail.check(remote(b)['labels'] == 1,
                   'public data gave B labels: %s' % remote(b))

        # 3. The read before the labels: the bridge is stopped.
        bridge.send_signal(signal.SIGSTOP)
        pid = listen(b, 5557, '/tmp/recv3.bin')
        a.run('nc %s 5557 <%s' % (B_IP, stfleet.SECRET))
        b.run('wait {0}; cmp {1} /tmp/recv3.bin'.format(pid, stfleet.SECRET))
        time.sleep(1.5)
        fail.check(nc_procs(b) == first,
                   'B tracked the third reader before any labels: %s'
                   % nc_procs(b))
        before = remote(b)
        print('B before the labels of transfer 3:', before)
        fail.check(before['remembered'] >= 1,
                   'B remembers no read: %s' % before)
        bridge.send_signal(signal.SIGCONT)
        wait_until('reads tainted in B',
                   lambda: remote(b)['reads-tainted'] >= 1)
        time.sleep(1.5)
        procs = nc_procs(b)
        fail.check(len(procs) == 2 and all(p[2] == [LABEL] for p in procs),
                   'after transfer 3, B tracks %s' % procs)

        flows_a, flows_b = a.flows(), b.flows()
        info_b = b.status()
        table_b = b.hmp('info secret-flows') + b.hmp('info secret-tracker')
        b.end()
        a.end()
    finally:
        if bridge:
            bridge.send_signal(signal.SIGCONT)
            bridge.terminate()
            bridge.wait()
        a.shutdown()
        b.shutdown()

    # A: its sends to B's ports 5555 and 5557 are endpoints, 5556 is not.
    sent = sorted(f['target']['port'] for f in flows_a
                  if f['target']['kind'] == 'socket' and
                  f['target']['inode'] == 0)
    fail.check(sent == [5555, 5557], 'A sent secrets to ports %s' % sent)
    # B: each secret transfer comes in from A's endpoint and is read.
    # (A socket read after both ends closed shows local port 0.)
    with open(bridge_out) as f:
        recs = [json.loads(ln) for ln in f if ln.strip()]
    sent_on = [r for r in recs if 'to' in r]
    net = [f for f in flows_b if f['syscall'] == 'network']
    fail.check(len(net) == 2 and len(sent_on) == 2 and
               all(f['source']['address'] == A_IP and
                   f['source']['port'] == r['peer-port'] and
                   f['target']['local-port'] in (0, r['local-port'])
                   for f, r in zip(net, sent_on)),
               'B network flows: %s' % net)
    reads = [f for f in flows_b if f['target']['kind'] == 'process' and
             f['source']['kind'] == 'socket']
    fail.check(len(reads) == 2 and
               all(f['bytes'] == len(stfleet.SECRET_TEXT) for f in reads),
               'B read flows: %s' % reads)
    files = [f['target'].get('path') for f in flows_b
             if f['target']['kind'] == 'file']
    fail.check(files == ['/tmp/recv1.bin'], 'B files reached: %s' % files)
    fail.check(all(f['labels'] == [LABEL] for f in flows_b),
               'B flows with other labels')
    fail.check(info_b['remote']['reads-tainted'] == 1,
               'B remote counters: %s' % info_b['remote'])
    fail.check(len(sent_on) == 2 and not any('error' in r for r in sent_on)
               and [r['reads-tainted'] for r in sent_on] == [0, 1],
               'bridge records: %s' % recs)
    # Both logs: every flow once, valid (A native, B ECS).
    for name, fmt, flows in (('a', 'native', flows_a), ('b', 'ecs', flows_b)):
        lines, torn = stfleet.read_lines(os.path.join(base, name + '.jsonl'))
        fail.check(not torn and sorted(stfleet.flow_id(ln) for ln in lines)
                   == [f['id'] for f in flows], '%s.jsonl: %d lines for %d '
                   'flows' % (name, len(lines), len(flows)))
        errs = stschema.errors(lines, fmt)
        fail.check(not errs, '%s.jsonl schema: %s' % (name, errs[:3]))
        if fmt == 'ecs':
            net = [ln for ln in lines if ln['event']['action'] == 'network']
            fail.check(net and all(
                ln['network']['direction'] == 'ingress' and
                ln['source']['ip'] == A_IP and
                ln['destination']['ip'] == B_IP
                for ln in net), 'B ECS network lines: %s' % net)
    print(table_b)
    print('bridge:', *recs, sep='\n  ')
    return fail.report('cross-VM')


if __name__ == '__main__':
    sys.exit(main())
