"""Real KVM on any host: run test guests under -accel kvm inside a nest.

L0 is our QEMU under TCG with -cpu max (which has AMD SVM with nested
paging); L1 is the image guest/st-nest.sh builds (a stock Debian kernel with
its own kvm-amd module, our QEMU, the test guests); L2 is the test guest,
started by L1's QEMU under -accel kvm -cpu host with the arguments the test
asked for.  guest/nest-init.sh is L1's side of the conversation.

Five serial lines join L1 to this process, each an L0 chardev on one end of
a socketpair (no connection race): L1's console (a file), the control line
(requests and replies), the running L2's QMP monitor, its serial console
and its second serial port (the host steps of sttrack.HostChannel, relayed
from the unix socket the test connects to).
NestMachine offers the part of python/qemu.machine.QEMUMachine the tests
use, so a test runs unchanged in the nest.  One L1 serves any number of L2
runs, one after another.

Exit counting (for benchmarks): Nest.exit_counts_start() / exit_counts_stop()
bracket a workload with a kvm_exit histogram by exit reason in L1.
"""

import atexit
import base64
import ctypes
import json
import os
import signal
import socket
import subprocess
import threading
import time

import stnest_exits

READY_TIMEOUT = 300         # L1 boot under TCG: ~10 s alone, more when busy
GREETING_TIMEOUT = 180      # L2 QEMU start to its QMP greeting
REPLY_TIMEOUT = 120         # a control request's reply
QMP_TIMEOUT = 300           # a QMP command's response
L1_PORTS = ('ctl', 'qmp', 'con', 'host')  # /dev/nest-NAME in L1
L1_QMP_TTY = '/dev/nest-qmp'
UP_MARKER = b'SECRET-TRACKER-GUEST: up'     # stguest.UP_MARKER (for timing)
L1_CON_TTY = '/dev/nest-con'
L1_HOST_TTY = '/dev/nest-host'
EOR = b'NEST-EOR '
# L1's kernel command line.  Under TCG, L1's Spectre mitigations and an
# unstable TSC (hpet as clocksource, no stable kvmclock for L2) cost more
# than half the run time; halt polling in L1 only burns L0's CPU.
# 8250.nr_uarts=5: room for the PCI card's fourth port.  ST_NEST_APPEND adds
# to it.
L1_APPEND = ('console=ttyS0 panic=-1 no_timer_check mitigations=off '
             'tsc=reliable 8250.nr_uarts=5 '
             'nest.kvm=halt_poll_ns=0')

class NestError(Exception):
    """The nest could not start or broke: always a test failure."""


class QMPError(Exception):
    """A QMP command of L2 returned an error."""


def _tail(path, n=3000):
    try:
        with open(path, 'r', errors='replace') as f:
            return f.read()[-n:]
    except OSError:
        return '(no %s)' % path


def _die_with_parent():
    # L0 must not outlive the test (meson kills tests on timeout).
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG


class Nest:
    """One L1 guest: L0 QEMU under TCG booting the nest image."""

    def __init__(self, qemu, image, log_dir, memory_mb=2048, smp=None,
                 cpu='max', say=print):
        if smp is None and os.environ.get('ST_NEST_SMP'):
            smp = int(os.environ['ST_NEST_SMP'])
        self.say = say
        self.qemu = qemu
        self.image = image
        self.log_dir = log_dir
        self.memory_mb = memory_mb
        self.smp = smp
        self.cpu = cpu
        self.guests = {}
        self.release = None
        self.boot_seconds = None
        self.banner = ''
        self._proc = None
        self._cond = threading.Condition()
        self._replies = []          # (kind, id, text or bytes)
        self._fatal = None
        self._ctl_closed = False
        self._run = None            # the NestMachine whose L2 is current
        self._seq = 0
        self._threads = []
        self._t0 = time.monotonic()
        self._closed = False

    # -- L1 -------------------------------------------------------------------

    def check_image(self):
        """NestError unless the image is complete; read its guest list."""
        for f in ('kernel', 'initrd.img', 'guests.txt'):
            if not os.path.exists(os.path.join(self.image, f)):
                raise NestError('nest image %s lacks %s: build it (ninja '
                                'nest-image, or make)' % (self.image, f))
        with open(os.path.join(self.image, 'guests.txt')) as f:
            for ln in f:
                name, key = ln.split()
                self.guests[name] = key
        return self

    def start(self, smp=1, timeout=READY_TIMEOUT):
        """Boot L1 (with SMP vCPUs unless given at creation) and wait until
        it serves requests; NestError if not.  No-op once booted."""
        if self._proc is not None:
            if not self.alive():
                raise self._failure('L1 to be up')
            return self
        if self.smp is None:
            self.smp = smp
        try:
            self.check_image()
            self._start(timeout)
        except BaseException:
            self.close()
            raise
        self.say('nest: %s' % self.describe())
        return self

    def _start(self, timeout):
        os.makedirs(self.log_dir, exist_ok=True)
        self.console_log = os.path.join(self.log_dir, 'l1-console.log')
        self.l0_log = os.path.join(self.log_dir, 'l0.log')
        self.ctl_log = open(os.path.join(self.log_dir, 'control.log'), 'w')
        self.qmp_log = open(os.path.join(self.log_dir, 'qmp.log'), 'w')
        pairs = {p: socket.socketpair() for p in L1_PORTS}
        args = [self.qemu, '-accel', 'tcg', '-cpu', self.cpu,
                '-smp', str(self.smp), '-m', '%dM' % self.memory_mb,
                '-display', 'none', '-vga', 'none', '-nic', 'none',
                '-no-reboot',
                '-kernel', os.path.join(self.image, 'kernel'),
                '-initrd', os.path.join(self.image, 'initrd.img'),
                '-append', (L1_APPEND + ' ' +
                            os.environ.get('ST_NEST_APPEND', '')).strip(),
                '-serial', 'file:' + self.console_log]
        for p in L1_PORTS:
            args += ['-chardev', 'socket,id=%s,fd=%d'
                     % (p, pairs[p][1].fileno())]
        args += ['-device', 'pci-serial-4x,' + ','.join(
            'chardev%d=%s' % (i + 1, p) for i, p in enumerate(L1_PORTS))]
        self.l0_args = args
        t0 = self._t0 = time.monotonic()
        with open(self.l0_log, 'w') as out:
            out.write(' '.join(args) + '\n')
            out.flush()
            self._proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=[pairs[p][1].fileno() for p in L1_PORTS],
                preexec_fn=_die_with_parent)
        for p in L1_PORTS:
            pairs[p][1].close()
        self._socks = {p: pairs[p][0] for p in L1_PORTS}
        atexit.register(self.close)
        for p, fn in (('ctl', self._ctl_reader), ('qmp', self._qmp_reader),
                      ('con', self._con_reader),
                      ('host', self._host_reader)):
            t = threading.Thread(target=fn, args=(self._socks[p],),
                                 daemon=True, name='nest-' + p)
            t.start()
            self._threads.append(t)
        ready = self._wait_reply(lambda r: r[0] in ('READY',), timeout,
                                 'L1 to boot and report ready')
        self.boot_seconds = time.monotonic() - t0
        self.release = ready[1]
        for ln in _tail(self.console_log, 20000).splitlines():
            if ln.startswith('NEST: kvm') or 'Nested' in ln:
                self.banner = ln.replace('NEST: ', '').strip(' ;')
        return self

    def describe(self):
        return ('L0 %s -accel tcg -cpu %s -smp %d -m %dM; L1 Linux %s with '
                'kvm-amd (%s), booted in %.1f s; log in %s'
                % (os.path.basename(self.qemu), self.cpu, self.smp,
                   self.memory_mb, self.release, self.banner or 'loaded',
                   self.boot_seconds or 0, self.log_dir))

    def _clock(self):
        return time.monotonic() - self._t0

    def alive(self):
        return self._proc is not None and self._proc.poll() is None

    def _failure(self, waiting_for):
        """A NestError that says what broke, from what L1 and L0 left."""
        if self._fatal:
            return NestError('nest: L1 reports: %s' % self._fatal)
        if self._ctl_closed and self.alive():
            try:        # L0 closes its sockets as it exits
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        console = _tail(self.console_log, 20000)
        if not self.alive():
            rc = self._proc.returncode if self._proc else None
            for ln in console.splitlines():
                if 'Kernel panic' in ln:
                    return NestError('nest: L1 kernel panic while waiting '
                                     'for %s: %s\nL1 console tail:\n%s'
                                     % (waiting_for, ln.strip(),
                                        console[-2000:]))
            return NestError('nest: L0 QEMU exited (status %s) while waiting'
                             ' for %s.\nL0 output:\n%s\nL1 console tail:\n%s'
                             % (rc, waiting_for, _tail(self.l0_log, 2000),
                                console[-2000:]))
        if self._ctl_closed:
            return NestError('nest: control line closed while waiting for '
                             '%s' % waiting_for)
        return NestError('nest: timed out waiting for %s.\nL1 console tail:'
                         '\n%s' % (waiting_for, console[-2000:]))

    def _wait_reply(self, pred, timeout, waiting_for):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i, r in enumerate(self._replies):
                    if pred(r):
                        del self._replies[i]
                        return r
                if self._fatal or self._ctl_closed or not self.alive():
                    raise self._failure(waiting_for)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._failure(waiting_for)
                self._cond.wait(min(left, 0.5))

    def _send(self, line):
        if '\n' in line:
            raise NestError('nest: a request may not contain a newline: %r'
                            % line)
        self._log(self.ctl_log, '%7.2f > %s\n' % (self._clock(), line))
        try:
            self._socks['ctl'].sendall((line + '\n').encode())
        except OSError as e:
            raise NestError('nest: control line broken: %s' % e)

    def _next_id(self):
        self._seq += 1
        return 'r%d' % self._seq

    def request(self, verb, arg='', timeout=REPLY_TIMEOUT):
        """Send VERB ID ARG; return the reply (kind, id, payload)."""
        rid = self._next_id()
        self._send(('%s %s %s' % (verb, rid, arg)).rstrip())
        return self._wait_reply(lambda r: r[1] == rid, timeout,
                                'the reply to %s' % verb)

    def get_file(self, path):
        """L1 file PATH as bytes, or None if it does not exist."""
        kind, _, data = self.request('GET', path)
        if kind == 'DATA':
            return data
        if data.startswith('no file'):
            return None
        raise NestError('nest: copying %s out of L1: %s' % (path, data))

    def close(self):
        """Power L1 off (kill L0 if it does not stop)."""
        if self._proc is None or self._closed:
            return
        self._closed = True
        if self.alive():
            try:
                self._send('POWEROFF')
                self._proc.wait(15)
            except (NestError, subprocess.TimeoutExpired):
                pass
        if self.alive():
            self._proc.kill()
        self._proc.wait()
        for s in getattr(self, '_socks', {}).values():
            try:
                s.close()
            except OSError:
                pass

    @staticmethod
    def _log(f, text):
        try:
            f.write(text)
            f.flush()
        except ValueError:      # closed at exit
            pass

    # -- readers (threads) --------------------------------------------------

    @staticmethod
    def _chunks(sock):
        """What SOCK receives, until it closes or breaks."""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b''
            if not data:
                return
            yield data

    @staticmethod
    def _lines(sock):
        buf = b''
        for data in Nest._chunks(sock):
            buf += data
            while b'\n' in buf:
                ln, buf = buf.split(b'\n', 1)
                yield ln.rstrip(b'\r')

    def _ctl_reader(self, sock):
        data = None
        for raw in self._lines(sock):
            ln = raw.decode(errors='replace')
            if data is not None:
                if ln != 'END ' + data[0]:
                    data[2].append(ln.strip())
                    continue
                try:
                    blob = base64.b64decode(''.join(data[2]),
                                            validate=True)
                except ValueError:
                    blob = None
                with self._cond:
                    if blob is not None and len(blob) == data[1]:
                        self._replies.append(('DATA', data[0], blob))
                    else:
                        self._replies.append(('ERROR', data[0],
                                              'corrupt transfer'))
                    self._cond.notify_all()
                data = None
                continue
            self._log(self.ctl_log, '%7.2f < %s\n' % (self._clock(), ln))
            words = ln.split(' ', 2)
            kind = words[0]
            rid = words[1] if len(words) > 1 else ''
            rest = words[2] if len(words) > 2 else ''
            if kind == 'DATA':
                data = (rid, int(rest) if rest.isdigit() else -1, [])
                continue
            with self._cond:
                if kind == 'FATAL':
                    self._fatal = ln[len('FATAL '):]
                elif kind == 'EXITED' and self._run and \
                        self._run.run_id == rid:
                    self._run._exited(int(rest))
                self._replies.append((kind, rid, rest))
                self._cond.notify_all()
        with self._cond:
            self._ctl_closed = True
            self._cond.notify_all()

    def _qmp_reader(self, sock):
        for raw in self._lines(sock):
            self._log(self.qmp_log, '%7.2f %s\n' % (
                self._clock(), raw.decode(errors='replace')))
            with self._cond:
                run = self._run
                if raw.startswith(EOR):
                    if run and raw[len(EOR):].decode() == run.run_id:
                        run._qmp_eor = True
                elif run:
                    try:
                        msg = json.loads(raw)
                    except ValueError:
                        continue
                    run._qmp_message(msg)
                self._cond.notify_all()

    def _con_reader(self, sock):
        held = b''
        for data in self._chunks(sock):
            data = held + data
            held = b''
            with self._cond:
                run = self._run
                at = data.find(b'\n' + EOR)
                if at >= 0:
                    end = data.find(b'\n', at + 1)
                    if end < 0:
                        held = data
                        continue
                    if run and data[at + 1 + len(EOR):end].decode(
                            errors='replace') == run.run_id:
                        run._console_write(data[:at])
                        run._con_eor = True
                    data = data[end + 1:]
                # Hold back what may be the start of a marker.
                for k in range(min(len(EOR) + 1, len(data)), 0, -1):
                    if (b'\n' + EOR).startswith(data[-k:]):
                        held = data[-k:]
                        data = data[:-k]
                        break
                if run and not run._con_eor:
                    run._console_write(data)
                self._cond.notify_all()

    def _host_reader(self, sock):
        """What L2 writes to its second serial port: to the run's host
        channel if it has one (the tests' guests only read it)."""
        for data in self._chunks(sock):
            with self._cond:
                conn = self._run._host_conn if self._run else None
            if conn:
                try:
                    conn.sendall(data)
                except OSError:
                    pass

    # -- L2 runs --------------------------------------------------------------

    def _begin(self, run, argv):
        with self._cond:
            if self._run and self._run.is_running():
                raise NestError('nest: an L2 run is still active')
            self._run = run
        self._send('RUN %s %d' % (run.run_id, len(argv)))
        for a in argv:
            if '\n' in a:
                raise NestError('nest: argument with a newline: %r' % a)
            self._send(a)
        kind, _, rest = self._wait_reply(
            lambda r: r[1] == run.run_id and r[0] in ('STARTED', 'ERROR'),
            REPLY_TIMEOUT, 'L1 to start L2')
        if kind == 'ERROR':
            raise NestError('nest: L1 could not start L2: %s' % rest)

    def new_run_id(self):
        return self._next_id()

    # -- exit counting --------------------------------------------------------

    def exit_counts_start(self):
        """Start counting L2's exits in L1 (kvm_exit histogram)."""
        kind, _, rest = self.request('EXITS-ON')
        if kind != 'OK':
            raise NestError('nest: cannot count exits: %s' % rest)

    def exit_counts_stop(self):
        """Stop counting; return {'by-reason': {code: n}, 'names': {code:
        name}, 'total': n, 'debugfs': {name: n}} (debugfs counts cover the
        VMs alive now, so read them while L2 still runs)."""
        kind, _, data = self.request('EXITS-OFF')
        if kind != 'DATA':
            raise NestError('nest: no exit counts: %s' % data)
        return stnest_exits.parse(data)


class NestMachine:
    """One L2 run in the nest, with QEMUMachine's interface as the tests
    use it: add_args, launch, cmd/qmp, get_qmp_event(s), event_wait,
    is_running, wait, exitcode, shutdown, kill, get_log.

    The test's arguments go to L1's QEMU as they are, except host paths,
    translated here: -kernel/-initrd of a guest in the image, -serial
    file:PATH (the console, streamed to PATH), -D PATH and the device's
    log=PATH (written in L1, copied to PATH when the run ends).
    """

    def __init__(self, nest, log_dir):
        self.nest = nest
        self.log_dir = log_dir
        self._args = []
        self.run_id = None
        self._status = None
        self._launched = False
        self._finished = False
        self._qmp_ready = False
        self._greeting = None
        self._responses = {}
        self._events = []
        self._qmp_eor = False
        self._con_eor = False
        self._console = None
        self._outputs = {}
        self._log = ''
        self._user_killed = False
        self._cmd_seq = 0
        self._t_start = self._t_up = self._t_exit = None
        self._con_tail = b''
        self._host_chardevs = {}    # id -> unix socket path, for -serial
        self._host_path = None
        self._host_listener = None
        self._host_conn = None

    @property
    def args(self):
        return self._args

    def add_args(self, *args):
        self._args.extend(args)

    def _smp(self):
        a = self._args
        for i, opt in enumerate(a[:-1]):
            if opt == '-smp':
                v = a[i + 1].split(',')[0].replace('cpus=', '')
                if v.isdigit():
                    return max(1, int(v))
        return 1

    # -- arguments ------------------------------------------------------------

    def _guest_path(self, path):
        d, f = os.path.split(os.path.abspath(path))
        name = os.path.basename(d)
        if f not in ('vmlinuz', 'initrd.img') or name not in self.nest.guests:
            raise NestError('nest: %s is not a test guest in the nest image '
                            '(it has: %s)'
                            % (path, ' '.join(self.nest.guests)))
        try:
            with open(os.path.join(d, '.key')) as k:
                key = k.read().strip()
        except OSError:
            key = None
        if key != self.nest.guests[name]:
            raise NestError('nest: guest %s changed since the nest image was '
                            'built: rebuild it (ninja nest-image)' % d)
        return '/guests/%s/%s' % (name, f)

    def _l1_args(self):
        run = '/run/l2/%s/' % self.run_id
        out = ['-display', 'none', '-vga', 'none',
               '-chardev', 'serial,id=nestqmp,path=' + L1_QMP_TTY,
               '-mon', 'chardev=nestqmp,mode=control']
        a = list(self._args)
        if '-cpu' not in a:
            out += ['-cpu', 'host']
        i = 0
        while i < len(a):
            opt = a[i]
            val = a[i + 1] if i + 1 < len(a) else None
            if opt in ('-kernel', '-initrd'):
                out += [opt, self._guest_path(val)]
            elif opt == '-serial' and val.startswith('file:'):
                if self._console:
                    raise NestError('nest: only one serial console')
                self._console = open(val[len('file:'):], 'ab')
                out += [opt, L1_CON_TTY]
            elif opt == '-chardev' and self._host_chardev(val):
                pass
            elif opt == '-serial' and val.startswith('chardev:') and \
                    val[len('chardev:'):] in self._host_chardevs:
                if self._host_path:
                    raise NestError('nest: only one host channel')
                self._host_path = self._host_chardevs[val[len('chardev:'):]]
                out += [opt, L1_HOST_TTY]
            elif opt == '-D':
                self._outputs[run + 'qemu-debug.log'] = val
                out += [opt, run + 'qemu-debug.log']
            elif opt == '-device' and val.split(',')[0] == 'secret-tracker':
                props = []
                for p in val.split(','):
                    if p.startswith('log='):
                        self._outputs[run + 'flows.jsonl'] = p[4:]
                        p = 'log=' + run + 'flows.jsonl'
                    props.append(p)
                out += [opt, ','.join(props)]
            elif val is not None and opt.startswith('-'):
                self._check_no_host_path(opt, val)
                out += [opt, val]
            else:
                out.append(opt)
                i += 1
                continue
            i += 2
        return out

    def _host_chardev(self, val):
        """A unix socket server chardev (sttrack.HostChannel): noted, to
        be relayed to L2's serial port on L1's host line."""
        props = dict(p.split('=', 1) for p in val.split(',')[1:] if '=' in p)
        if not val.startswith('socket,') or 'path' not in props or \
                props.get('server') not in ('on', 'yes') or 'id' not in props:
            return False
        self._host_chardevs[props['id']] = props['path']
        return True

    def _host_listen(self):
        """Listen where the test will connect; relay what it sends."""
        if os.path.exists(self._host_path):
            os.unlink(self._host_path)
        self._host_listener = socket.socket(socket.AF_UNIX,
                                            socket.SOCK_STREAM)
        self._host_listener.bind(self._host_path)
        self._host_listener.listen(1)

        def relay():
            try:
                conn, _ = self._host_listener.accept()
            except OSError:
                return
            with self.nest._cond:
                self._host_conn = conn
            for data in Nest._chunks(conn):
                try:
                    self.nest._socks['host'].sendall(data)
                except OSError:
                    return
        threading.Thread(target=relay, daemon=True,
                         name='nest-host-relay').start()

    def _host_close(self):
        for s in (self._host_conn, self._host_listener):
            if s:
                try:
                    s.close()
                except OSError:
                    pass
        self._host_conn = self._host_listener = None

    def _check_no_host_path(self, opt, val):
        """NestError if VAL names a file of this host's build or logs: L1
        cannot see it (guest paths such as files=/srv/... are fine)."""
        roots = [os.path.abspath(r) for r in (
            self.log_dir, os.path.dirname(os.path.abspath(self.nest.image)),
            os.getcwd())]
        for part in val.replace('=', ',').replace(':', ',').split(','):
            if not part.startswith('/') or not os.path.exists(part):
                continue
            p = os.path.abspath(part)
            if any(p == r or p.startswith(r + '/') for r in roots):
                raise NestError('nest: %s %s names a host file; the nest '
                                'passes only -kernel/-initrd of its guests, '
                                '-serial file:, -D and the device\'s log='
                                % (opt, val))

    # -- run ------------------------------------------------------------------

    def launch(self):
        if self._launched:
            raise NestError('nest: this machine was launched already')
        self._launched = True
        self.nest.start(smp=self._smp())
        self.run_id = self.nest.new_run_id()
        self._l1_argv = self._l1_args()
        if self._host_path:
            self._host_listen()
        self._t_start = time.monotonic()
        self.nest._begin(self, self._l1_argv)
        try:
            if not self._wait(lambda: self._greeting is not None or
                              self._status is not None, GREETING_TIMEOUT,
                              'the QMP greeting of L2'):
                raise NestError('nest: no QMP greeting from L2 within %d s'
                                % GREETING_TIMEOUT)
            if self._status is None:
                self.cmd('qmp_capabilities')
        except Exception as e:
            if self._status is None:
                try:
                    self.shutdown(hard=True)
                except NestError:
                    pass
                if isinstance(e, NestError) and self._log:
                    raise NestError('%s; L2 QEMU\'s output:\n%s'
                                    % (e, self._log[-3000:])) from None
                raise
        if self._status is not None:
            # QEMU refused its arguments: what QEMUMachine raises then.
            from qemu.machine.machine import VMLaunchFailure
            self.wait()
            raise VMLaunchFailure(self.exitcode(),
                                  'in the nest\'s L1: qemu-system-x86_64 '
                                  + ' '.join(self._l1_argv), self._log)

    def _wait(self, cond, timeout, what):
        """Wait for COND (under the nest's lock); False on timeout,
        NestError if L1 broke meanwhile."""
        deadline = time.monotonic() + timeout
        with self.nest._cond:
            while not cond():
                if not self.nest.alive() or self.nest._fatal:
                    raise self.nest._failure(what)
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.nest._cond.wait(min(left, 0.5))
        return True

    # Called by the nest's reader threads, under nest._cond.
    def _exited(self, status):
        self._status = status
        self._t_exit = time.monotonic()

    def _qmp_message(self, msg):
        if 'QMP' in msg:
            self._greeting = msg
        elif 'event' in msg:
            self._events.append(msg)
        elif 'id' in msg:
            self._responses[msg['id']] = msg

    def _console_write(self, data):
        if self._console and data:
            self._console.write(data)
            self._console.flush()
        if self._t_up is None:
            self._con_tail = (self._con_tail + data)[-256:]
            if UP_MARKER in self._con_tail:
                self._t_up = time.monotonic()

    # -- QMP ------------------------------------------------------------------

    def qmp(self, cmd, args_dict=None, conv_keys=None, **args):
        if args_dict is not None:
            args = args_dict
        elif conv_keys is None or conv_keys:
            args = {k.replace('_', '-'): v for k, v in args.items()}
        if self._status is not None:
            raise NestError('nest: QMP %s: L2 QEMU has exited (status %s)'
                            % (cmd, self._status))
        self._cmd_seq += 1
        cid = '%s-%d' % (self.run_id, self._cmd_seq)
        msg = {'execute': cmd, 'id': cid}
        if args:
            msg['arguments'] = args
        line = json.dumps(msg)
        self.nest._log(self.nest.qmp_log,
                       '%7.2f >> %s\n' % (self.nest._clock(), line))
        try:
            self.nest._socks['qmp'].sendall(line.encode() + b'\n')
        except OSError as e:
            raise NestError('nest: QMP line broken: %s' % e)
        ok = self._wait(lambda: cid in self._responses or
                        self._status is not None,
                        QMP_TIMEOUT, 'the response to QMP %s' % cmd)
        if not ok:
            raise NestError('nest: no response to QMP %s within %d s'
                            % (cmd, QMP_TIMEOUT))
        if cid in self._responses:
            return self._responses.pop(cid)
        # L2 exited; its last words may still be on their way.
        self._wait(lambda: cid in self._responses or self._qmp_eor, 30,
                   'the end of L2\'s QMP stream')
        if cid in self._responses:
            return self._responses.pop(cid)
        if cmd == 'quit':
            return {'return': {}}
        raise NestError('nest: L2 QEMU exited (status %s) before answering '
                        'QMP %s' % (self._status, cmd))

    def cmd(self, cmd, args_dict=None, conv_keys=None, **args):
        r = self.qmp(cmd, args_dict, conv_keys, **args)
        if 'error' in r:
            raise QMPError('%s: %s' % (cmd, r['error'].get('desc', r)))
        return r['return']

    def get_qmp_event(self, wait=False):
        if wait:
            self._wait(lambda: self._events, wait if isinstance(
                wait, (int, float)) and wait is not True else QMP_TIMEOUT,
                'a QMP event')
        with self.nest._cond:
            return self._events.pop(0) if self._events else None

    def get_qmp_events(self, wait=False):
        if wait:
            self.get_qmp_event(wait)
        with self.nest._cond:
            ev, self._events = self._events, []
        return ev

    @staticmethod
    def event_match(event, match):
        if match is None:
            return True
        if isinstance(match, dict) and isinstance(event, dict):
            return all(k in event and NestMachine.event_match(event[k], v)
                       for k, v in match.items())
        return event == match

    def event_wait(self, name, timeout=60.0, match=None):
        return self.events_wait([(name, match)], timeout)

    def events_wait(self, events, timeout=60.0):
        def find():
            for e in self._events:
                for name, match in events:
                    if e['event'] == name and self.event_match(e, match):
                        return e
            return None
        self._wait(lambda: find() is not None, timeout or 0, 'QMP events')
        with self.nest._cond:
            e = find()
            if e is not None:
                self._events.remove(e)
                return e
        if timeout:
            raise TimeoutError('no %s event within %s s'
                               % ([n for n, _ in events], timeout))
        return None

    # -- life -----------------------------------------------------------------

    def is_running(self):
        return self._launched and self._status is None and \
            self.nest.alive()

    def exitcode(self):
        """Like Popen: -N for signal N (the shell reports 128+N)."""
        if self._status is None:
            return None
        return -(self._status - 128) if self._status > 128 else self._status

    def wait(self, timeout=30):
        if not self._wait(lambda: self._status is not None,
                          timeout if timeout is not None else 1e9,
                          'L2 to exit'):
            raise subprocess.TimeoutExpired('L2 QEMU', timeout)
        self._finish_outputs()

    def kill(self):
        if self.is_running():
            self._user_killed = True
            self.nest.request('KILL', '%s KILL' % self.run_id)

    def shutdown(self, hard=False, timeout=30):
        if not self._launched or self._finished:
            return
        if self.is_running():
            if not hard:
                try:
                    self.cmd('quit')
                    self._wait(lambda: self._status is not None, timeout,
                               'L2 to quit')
                except (NestError, QMPError):
                    pass
            if self._status is None:
                self.kill()
        self.wait(timeout=max(timeout, 60))

    def _finish_outputs(self):
        """Once L2 exited: wait for the end of its console and QMP streams,
        copy its output files to the host paths, keep its stderr."""
        if self._finished:
            return
        self._finished = True
        self._host_close()
        if not self._wait(lambda: self._con_eor and self._qmp_eor, 60,
                          'the end of L2\'s console and QMP streams'):
            raise NestError('nest: L2\'s console or QMP stream did not end')
        if self._console:
            self._console.close()
        run = '/run/l2/%s/' % self.run_id
        for l1, host in self._outputs.items():
            data = self.nest.get_file(l1)
            if data is not None:
                with open(host, 'wb') as f:
                    f.write(data)
        self._log = (self.nest.get_file(run + 'qemu.log') or b'').decode(
            errors='replace')
        with open(os.path.join(self.log_dir, 'qemu-l2.log'), 'w') as f:
            f.write('# in L1: qemu-system-x86_64 %s\n# exit status %s\n'
                    % (' '.join(self._l1_argv), self._status))
            f.write(self._log)
        self.nest.request('CLEAN', self.run_id)
        t = self._t_start
        self.nest.say('nest: L2 run %s: %s, exit status %s after %.1f s'
                      % (self.run_id, 'guest up after %.1f s'
                         % (self._t_up - t) if self._t_up else
                         'no guest "up" marker', self._status,
                         (self._t_exit or time.monotonic()) - t))

    def get_log(self):
        return self._log


_current = None


def current():
    """The nest this process set up, or None."""
    return _current


def prepare(qemu, image, log_dir, memory_mb=2048, smp=None, cpu='max',
            say=print):
    """The nest of this process (once per process), its image checked; L1
    boots at the first L2 launch, with as many vCPUs as that L2 (or SMP),
    and is powered off at exit."""
    global _current
    if _current is None:
        _current = Nest(qemu, image, log_dir, memory_mb, smp, cpu,
                        say).check_image()
    return _current
