#!/usr/bin/env python3
"""st-bridge: carry secret flows from one VM's tracker into another's.

When a tracked process in VM A sends a secret over the network, A's
secret-tracker reports a SECRET_FLOW whose target is an endpoint outside
A (a socket node with inode 0, with the peer's address and port), from
A's socket (with its own address and port).  If that address belongs to
another VM B that this bridge knows, the bridge tells B's tracker which
connection carries which labels, with the QMP command
secret-tracker-add-endpoint; B's receiving process then becomes tracked,
even if it read the data before the labels came (with B's device
property remote-reads).

Each VM is reached through a QMP socket of its own, or through libvirt
(virsh qemu-monitor-event and qemu-monitor-command):

    st_bridge.py --vm a=qmp:/run/a-qmp.sock,addr=10.0.0.1 \\
                 --vm b=libvirt:guest-b,addr=10.0.0.2

addr= gives the addresses under which the other VMs reach this one
(repeat it for several).  Every forwarded label set is printed as one
JSON line.  Python 3 standard library only.
"""

import argparse
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time

UNSPECIFIED = ('0.0.0.0', '::', '')


class QmpVm:
    """A VM reached through its own QMP socket (unix path or host:port)."""

    def __init__(self, name, where, addrs):
        self.name, self.where, self.addrs = name, where, addrs
        self.sock = None
        self.buf = b''
        self.events = []
        self.next_id = 0

    def connect(self, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if ':' in self.where and not self.where.startswith('/'):
                    host, port = self.where.rsplit(':', 1)
                    self.sock = socket.create_connection((host, int(port)))
                else:
                    self.sock = socket.socket(socket.AF_UNIX)
                    self.sock.connect(self.where)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self._read_message()            # the greeting
        self.command('qmp_capabilities')

    def fileno(self):
        return self.sock.fileno()

    def _read_message(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError('%s: QMP connection closed' % self.name)
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def command(self, name, **args):
        self.next_id += 1
        ident = 'st-bridge-%d' % self.next_id
        msg = {'execute': name, 'id': ident}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            reply = self._read_message()
            if 'event' in reply:
                self.events.append(reply)
            elif reply.get('id') == ident:
                if 'error' in reply:
                    raise RuntimeError(reply['error'].get('desc', reply))
                return reply.get('return')

    def read_events(self, receive=True):
        """Events received so far; with RECEIVE, read the socket first
        (call it so when the socket is readable)."""
        if receive:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError('%s: QMP connection closed'
                                      % self.name)
            self.buf += data
        while b'\n' in self.buf:
            line, self.buf = self.buf.split(b'\n', 1)
            msg = json.loads(line)
            if 'event' in msg:
                self.events.append(msg)
        out, self.events = self.events, []
        return out

    def close(self):
        if self.sock:
            self.sock.close()


# virsh qemu-monitor-event prints one line per event:
#   event SECRET_FLOW at 1764940000.123456 for domain 'a': {"id": 1, ...}
VIRSH_EVENT = re.compile(r"^event (\S+) at (\S+) for domain '(.*)': (.*)$")


def parse_virsh_event(line):
    """The QMP event of one line of virsh qemu-monitor-event, or None."""
    m = VIRSH_EVENT.match(line.strip())
    if not m:
        return None
    data = m.group(4)
    return {'event': m.group(1), 'data': json.loads(data)
            if data not in ('', '<null>') else {}}


class LibvirtVm:
    """A libvirt domain, through virsh."""

    def __init__(self, name, domain, addrs, uri):
        self.name, self.domain, self.addrs, self.uri = name, domain, addrs, uri
        self.proc = None

    def _virsh(self):
        return ['virsh', '-q'] + (['-c', self.uri] if self.uri else [])

    def connect(self, timeout=30):
        self.proc = subprocess.Popen(
            self._virsh() + ['qemu-monitor-event', '--domain', self.domain,
                             '--event', 'SECRET_FLOW', '--loop'],
            stdout=subprocess.PIPE, text=True, bufsize=1)

    def fileno(self):
        return self.proc.stdout.fileno()

    def read_events(self, receive=True):
        if not receive:
            return []
        line = self.proc.stdout.readline()
        if not line:
            raise ConnectionError('%s: virsh qemu-monitor-event ended'
                                  % self.name)
        ev = parse_virsh_event(line)
        return [ev] if ev else []

    def command(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        out = subprocess.run(self._virsh() + ['qemu-monitor-command',
                                              self.domain, json.dumps(msg)],
                             capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(out.stderr.strip() or out.stdout.strip())
        reply = json.loads(out.stdout)
        if 'error' in reply:
            raise RuntimeError(reply['error'].get('desc', reply))
        return reply.get('return')

    def close(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait()


def parse_vm(spec, uri):
    """NAME=qmp:WHERE[,addr=IP...] or NAME=libvirt:DOMAIN[,addr=IP...]."""
    name, _, rest = spec.partition('=')
    parts = rest.split(',')
    kind, _, where = parts[0].partition(':')
    addrs = [p[5:] for p in parts[1:] if p.startswith('addr=')]
    if not name or not where or kind not in ('qmp', 'libvirt'):
        raise ValueError('bad --vm %r: NAME=qmp:SOCKET[,addr=IP] or '
                         'NAME=libvirt:DOMAIN[,addr=IP]' % spec)
    if kind == 'qmp':
        return QmpVm(name, where, addrs)
    return LibvirtVm(name, where, addrs, uri)


def crossing(flow, sender, vms):
    """Where FLOW (from SENDER) lands in another known VM: (vm, args) for
    secret-tracker-add-endpoint, or (None, reason)."""
    dst, src = flow.get('target', {}), flow.get('source', {})
    if dst.get('kind') != 'socket' or dst.get('inode') != 0 or \
            'address' not in dst:
        return None, None               # not a send out of the VM
    receiver = next((v for v in vms if v is not sender and
                     dst['address'] in v.addrs), None)
    if not receiver:
        return None, 'to %s:%s, outside the known VMs' % (dst['address'],
                                                          dst.get('port'))
    peer = src.get('local-address', '')
    if peer in UNSPECIFIED:
        peer = sender.addrs[0] if sender.addrs else ''
    if not peer or not src.get('local-port'):
        return None, 'the sending socket has no known address and port'
    return receiver, {'local-address': dst['address'],
                      'local-port': dst['port'], 'peer-address': peer,
                      'peer-port': src['local-port'],
                      'labels': flow.get('labels', [])}


class Bridge:
    def __init__(self, vms, out=sys.stdout):
        self.vms, self.out = vms, out
        self.seen = set()
        self.done_upto = {vm.name: 0 for vm in vms}
        self.forwarded = 0

    def emit(self, **rec):
        self.out.write(json.dumps(rec, sort_keys=True) + '\n')
        self.out.flush()

    def flow(self, sender, flow):
        key = (sender.name, flow.get('id'))
        if key in self.seen or \
                flow.get('id', 0) <= self.done_upto[sender.name]:
            return
        self.seen.add(key)
        # Ids are dense: every id up to done_upto has been handled.
        n = self.done_upto[sender.name]
        while (sender.name, n + 1) in self.seen:
            self.seen.discard((sender.name, n + 1))
            n += 1
        self.done_upto[sender.name] = n
        receiver, args = crossing(flow, sender, self.vms)
        if receiver is None:
            if args:
                self.emit(**{'from': sender.name, 'flow': flow.get('id'),
                             'skipped': args})
            return
        rec = {'from': sender.name, 'to': receiver.name,
               'flow': flow.get('id'), **args}
        try:
            ret = receiver.command('secret-tracker-add-endpoint', **args)
            rec['reads-tainted'] = ret.get('reads-tainted', 0)
            self.forwarded += 1
        except (RuntimeError, OSError, ValueError) as e:
            rec['error'] = str(e)
        self.emit(**rec)

    def replay(self):
        """Flows not handled yet: those recorded before the bridge was
        connected, and any whose event was missed (virsh subscribes
        asynchronously, so its first events can be lost)."""
        for vm in self.vms:
            since = self.done_upto[vm.name]
            for f in vm.command('query-secret-flows', since=since) or []:
                self.flow(vm, f)

    def handle(self, vm, receive):
        for ev in vm.read_events(receive):
            if ev.get('event') == 'SECRET_FLOW':
                self.flow(vm, ev['data'])

    def run(self, until=None, poll=None):
        sel = selectors.DefaultSelector()
        for vm in self.vms:
            sel.register(vm, selectors.EVENT_READ)
        next_poll = time.monotonic() + poll if poll else None
        while until is None or time.monotonic() < until:
            if next_poll and time.monotonic() >= next_poll:
                self.replay()
                next_poll = time.monotonic() + poll
            # Events that came in with a command's reply, then the rest.
            for vm in self.vms:
                self.handle(vm, False)
            for key, _ in sel.select(timeout=1.0):
                self.handle(key.fileobj, True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--vm', action='append', required=True,
                    help='NAME=qmp:SOCKET[,addr=IP] or '
                         'NAME=libvirt:DOMAIN[,addr=IP]')
    ap.add_argument('--connect', default=os.environ.get('LIBVIRT_DEFAULT_URI'),
                    help='libvirt URI for libvirt: VMs')
    ap.add_argument('--no-replay', action='store_true',
                    help='do not forward flows recorded before the start')
    ap.add_argument('--poll', type=float, default=2.0,
                    help='also ask every VM for flows not seen yet every '
                         'this many seconds (0: never; default 2)')
    ap.add_argument('--duration', type=float,
                    help='stop after this many seconds')
    args = ap.parse_args(argv)
    vms = [parse_vm(s, args.connect) for s in args.vm]
    if len({v.name for v in vms}) != len(vms):
        ap.error('two VMs with one name')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    bridge = Bridge(vms)
    try:
        for vm in vms:
            vm.connect()
        if not args.no_replay:
            bridge.replay()
        bridge.run(time.monotonic() + args.duration if args.duration
                   else None, args.poll)
    except (ConnectionError, KeyboardInterrupt) as e:
        print('st-bridge: %s' % e, file=sys.stderr)
        return 1
    finally:
        for vm in vms:
            vm.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
