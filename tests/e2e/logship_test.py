#!/usr/bin/env python3
"""e2e: the flow log through a QEMU chardev, into a real receiver.

The receiver is rsyslogd (Debian's rsyslog), started by the test with
its own configuration: imtcp, imudp or imptcp (unix socket) writing each
message as received into a file.  The guest makes flows on command; every
line must reach the file, parse, carry the VM's -name and -uuid, and
match its JSON Schema (docs/system/devices/secret-tracker-log*.json).

Modes:
  tcp   ECS lines over TCP; the receiver is stopped and started again:
        lines made meanwhile wait (counted), the VM runs on, the chardev
        reconnects and the stream resumes with nothing lost
  udp   native lines, one datagram each
  unix  native lines over a unix stream socket
  file  native lines through -chardev file
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stfleet  # noqa: E402
import stschema  # noqa: E402
import sttrack  # noqa: E402

NAME = 'shipper-test-vm'
UUID = '5e0c7e7a-1a2b-4c3d-8e9f-00112233aa55'


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Rsyslog:
    """rsyslogd in the foreground with one input, writing raw messages."""

    def __init__(self, d, mode, port=None, path=None):
        self.d, self.out = d, os.path.join(d, 'received.log')
        self.conf = os.path.join(d, 'rsyslog.conf')
        self.bin = stfleet.which('rsyslogd', 'rsyslog')
        inp = {
            'tcp': 'module(load="imtcp")\ninput(type="imtcp" '
                   'address="127.0.0.1" port="%s")' % port,
            'udp': 'module(load="imudp")\ninput(type="imudp" '
                   'address="127.0.0.1" port="%s")' % port,
            'unix': 'module(load="imptcp")\ninput(type="imptcp" '
                    'path="%s" unlink="on")' % path,
        }[mode]
        with open(self.conf, 'w') as f:
            f.write('global(workDirectory="%s")\n%s\n'
                    'template(name="raw" type="string" string="%%rawmsg%%\\n")\n'
                    '*.* action(type="omfile" file="%s" template="raw")\n'
                    % (d, inp, self.out))
        self.proc = None

    def start(self, ready):
        self.proc = subprocess.Popen(
            [self.bin, '-n', '-f', self.conf, '-i',
             os.path.join(self.d, 'rsyslogd.pid')],
            stdout=open(os.path.join(self.d, 'rsyslogd.out'), 'a'),
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError('rsyslogd did not start; see %s'
                                     % self.d)
            time.sleep(0.1)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc = None

    def lines(self):
        return stfleet.read_lines(self.out)


def connectable(family, addr):
    def ready():
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.connect(addr)
            return True
        except OSError:
            return False
        finally:
            s.close()
    return ready


def udp_bound(port):
    def ready():
        with open('/proc/net/udp') as f:
            return any(ln.split()[1].endswith(':%04X' % port)
                       for ln in list(f)[1:])
    return ready


def wait_lines(rs, n, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines, torn = rs.lines()
        if len(lines) + len(torn) >= n:
            return lines, torn
        time.sleep(0.2)
    return rs.lines()


def wait_log(g, what, fn, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = g.status()['log']
        if fn(log):
            return log
        time.sleep(0.2)
    raise AssertionError('log never %s: %s' % (what, g.status()['log']))


def check_lines(lines, torn, fmt, n, fail):
    fail.check(not torn, 'torn lines: %s' % torn)
    ids = sorted(stfleet.flow_id(ln) for ln in lines)
    fail.check(ids == list(range(1, n + 1)),
               'received ids %s, not 1..%d once each' % (ids, n))
    errs = stschema.errors(lines, fmt)
    fail.check(not errs, 'schema: %s' % errs[:5])
    if lines:
        bad = stschema.self_test(lines[0], fmt)
        fail.check(not bad, 'the %s schema accepts broken lines: %s'
                   % (fmt, bad))
    for ln in lines:
        if fmt == 'ecs':
            who = (ln.get('host', {}).get('name'), ln.get('host', {}).get('id'))
        else:
            who = (ln['vm'].get('name'), ln['vm'].get('uuid'))
        if not fail.check(who == (NAME, UUID), 'VM identity %s' % (who,)):
            break


def main():
    args = sttrack.test_args(lambda ap: ap.add_argument(
        'mode', choices=['tcp', 'udp', 'unix', 'file']))
    mode = args.mode
    d = os.path.join(args.log_dir, 'rsyslog')
    os.makedirs(d, exist_ok=True)
    for f in ('received.log', 'qemu-file.log'):
        if os.path.exists(os.path.join(d, f)):
            os.unlink(os.path.join(d, f))
    fmt = 'ecs' if mode == 'tcp' else 'native'
    rs = None
    if mode == 'tcp':
        port = free_port()
        rs = Rsyslog(d, 'tcp', port=port)
        ready = connectable(socket.AF_INET, ('127.0.0.1', port))
        chardev = ('socket,id=stlog,host=127.0.0.1,port=%d,reconnect-ms=300'
                   % port)
    elif mode == 'udp':
        port = free_port(socket.SOCK_DGRAM)
        rs = Rsyslog(d, 'udp', port=port)
        ready = udp_bound(port)
        chardev = 'udp,id=stlog,host=127.0.0.1,port=%d' % port
    elif mode == 'unix':
        path = os.path.join(d, 'log.sock')
        rs = Rsyslog(d, 'unix', path=path)
        ready = connectable(socket.AF_UNIX, path)
        chardev = 'socket,id=stlog,path=%s,reconnect-ms=300' % path
    else:
        out = os.path.join(d, 'received.log')
        chardev = 'file,id=stlog,path=%s' % out
    if rs:
        rs.start(ready)

    g = stfleet.FleetGuest(
        args.qemu, stfleet.overlay_guest(args.guest,
                                         os.path.join(args.log_dir, 'guest')),
        args.log_dir, accel=args.accel, name=NAME, uuid=UUID,
        device='files=/srv/secret/*,chardev=stlog,log-format=' + fmt,
        extra_args=('-chardev', chardev))
    fail = stfleet.Failures()
    try:
        g.start()
        g.copies(0, 5)
        g.wait_flows(5)
        if rs:
            lines, torn = wait_lines(rs, 5)
        else:
            lines, torn = stfleet.read_lines(os.path.join(d, 'received.log'))
        n = 5
        if mode == 'tcp':
            # The receiver goes away: lines wait, the VM runs on.
            rs.stop()
            wait_log(g, 'disconnected', lambda log: not log['connected'])
            g.copies(5, 5)
            g.wait_flows(10)
            log = g.status()['log']
            fail.check(log['lines-queued'] == 5 and log['disconnects'] == 1
                       and log['lines-lost'] == 0 and
                       'connected' in (log.get('last-error') or ''),
                       'receiver away: %s' % log)
            fail.check(g.status()['state'] == 'active', 'tracker state')
            hmp = g.hmp('info secret-tracker')
            fail.check('not connected' in hmp and '5 queued' in hmp,
                       'HMP while away: %s' % hmp)
            print('receiver away:', json.dumps(log, sort_keys=True))
            print(hmp)
            # It comes back: the chardev reconnects, the queue drains.
            rs.start(ready)
            wait_log(g, 'drained', lambda log: log['connected'] and
                     not log['lines-queued'])
            g.copies(10, 5)
            g.wait_flows(15)
            n = 15
            lines, torn = wait_lines(rs, 15)
        log = g.status()['log']
        fail.check(log['destination'] == 'chardev:stlog' and
                   log['lines-written'] == n and log['lines-lost'] == 0 and
                   log['lines-torn'] == 0 and log['format'] == fmt,
                   'log counters: %s' % log)
        g.end()
    finally:
        g.shutdown()
        if rs:
            rs.stop()
    check_lines(lines, torn, fmt, n, fail)
    return fail.report('log over %s' % mode)


if __name__ == '__main__':
    sys.exit(main())
