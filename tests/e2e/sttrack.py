"""Run test guests with the secret-tracker device and read its flow graph.

Builds on stguest.TestGuest: adds the device, keeps QEMU alive after the
guest powers off (so the tracker can be queried), picks the scenario on the
kernel command line, and decides where -accel kvm guests run: on this host's
KVM where it boots them, else under KVM in a nested guest (stnest.py).
"""

import argparse
import fcntl
import hashlib
import os
import platform
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stguest  # noqa: E402

class TrackedGuest(stguest.TestGuest):
    """A test guest with -device secret-tracker."""

    def __init__(self, qemu, guest_dir, log_dir, scenario=None,
                 files='/srv/secret/*', accel='tcg', smp=1, device_props='',
                 extra_args=(), memory='512M', machine=None, append=''):
        props = 'secret-tracker'
        if files:
            props += ',files=' + files
        props += ',log=' + os.path.join(log_dir, 'flows.jsonl')
        if device_props:
            props += ',' + device_props
        os.makedirs(log_dir, exist_ok=True)
        log = os.path.join(log_dir, 'flows.jsonl')
        if os.path.exists(log):
            os.unlink(log)
        super().__init__(qemu, guest_dir, log_dir, accel=accel, smp=smp,
                         memory=memory, machine=machine,
                         append=('st.scenario=' + scenario if scenario
                                 else '') + ' ' + append,
                         extra_args=('-device', props,
                                     '-action', 'shutdown=pause',
                                     '-trace', 'secret_tracker_probe_e*',
                                     '-trace', 'secret_tracker_probe_*_error',
                                     '-trace', 'secret_tracker_probe_user_cr3',
                                     '-trace', 'secret_tracker_probe_dcache*',
                                     '-D', os.path.join(log_dir, 'trace.log'),
                                     *extra_args))

    def hmp(self, line):
        return self.vm.cmd('human-monitor-command', command_line=line)

    def status(self):
        return self.vm.cmd('query-secret-tracker')

    def wait_state(self, state, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status()
            if st['state'] == state:
                return st
            if st['state'] == 'error':
                raise AssertionError('tracker error: %s' % st.get('error'))
            time.sleep(0.2)
        raise AssertionError('tracker not %s after %ds: %s'
                             % (state, timeout, self.status()))

    def run_to_end(self, timeout=240):
        """Wait for the scenario's end marker (failing with the console
        unless the scenario exited 0), then for the guest to power off
        and every flow to be published: see wait_published()."""
        deadline = time.monotonic() + timeout
        while stguest.END_MARKER not in self.serial():
            # A guest that stopped without the marker (a kernel panic
            # powers it off) will not print it: fail now, not at timeout.
            stopped = not self.vm.cmd('query-status')['running']
            if (stopped and stguest.END_MARKER not in self.serial() or
                    time.monotonic() > deadline):
                raise AssertionError('no end marker (guest %s); console '
                                     'tail:\n%s'
                                     % ('stopped' if stopped else 'timed out',
                                        self.serial()[-3000:]))
            time.sleep(0.2)
        if 'scenario exited 0' not in self.serial():
            raise AssertionError('scenario failed; console tail:\n'
                                 + self.serial()[-3000:])
        return self.wait_published()

    def flow_events(self):
        """The data of every SECRET_FLOW event received so far, in order."""
        if not hasattr(self, '_flow_events'):
            self._flow_events = []
        for e in self.vm.get_qmp_events(wait=False):
            if e.get('event') == 'SECRET_FLOW':
                self._flow_events.append(e['data'])
        return self._flow_events

    def wait_published(self, timeout=60):
        """Wait until the guest has stopped (powered off, or paused) and
        the tracker is quiet: one SECRET_FLOW event received for every
        recorded flow, and two status reads in a row the same.  Returns
        that status.  Flows are published, and file paths resolved, from
        the main loop after the vCPU that found them has gone on."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            run = self.vm.cmd('query-status')
            st = self.status()
            events = self.flow_events()
            if (not run['running'] and st == last and
                    len(events) >= st['counters']['flows']):
                return st
            last = st
            time.sleep(0.1)
        flows = [f['id'] for f in self.flows()]
        events = [e['id'] for e in self.flow_events()]
        raise AssertionError('tracker not quiet after %ds: guest %s; '
                             'SECRET_FLOW events for flows %s, flows %s; '
                             'status %s'
                             % (timeout, self.vm.cmd('query-status'),
                                events, flows, self.status()))

    def flows(self, since=None):
        args = {} if since is None else {'since': since}
        return self.vm.cmd('query-secret-flows', **args)


class HostChannel:
    """Host-to-guest steps over the guest's second serial port (ttyS1).

    The guest asks for a step with a console line "SECRET-TRACKER-GUEST:
    wait STEP" and blocks reading ttyS1 (guest/scenarios/lib.sh,
    st_wait_host); the host does what the step needs, then answers STEP.
    Pass ARGS to the guest's QEMU; connect() once it is launched."""

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        self.path = os.path.join(log_dir, 'ttyS1.sock')
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.args = ('-chardev', 'socket,id=st-host,path=%s,server=on,'
                     'wait=off' % self.path, '-serial', 'chardev:st-host')
        self.sock = None

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)

    def step(self, guest, name, timeout=240):
        """Wait for the guest to ask for step NAME; the caller acts, then
        calls reply()."""
        if not guest.wait_for('SECRET-TRACKER-GUEST: wait ' + name, timeout):
            raise AssertionError('the guest never asked for step %r; '
                                 'console tail:\n%s'
                                 % (name, guest.serial()[-3000:]))

    def reply(self, name):
        self.sock.sendall((name + '\n').encode())

    def close(self):
        if self.sock:
            self.sock.close()


class ProbeFailure(Exception):
    """QEMU failed or died while the KVM probe booted the guest."""


def _probe_key(qemu, guest_dir):
    with open('/proc/cpuinfo') as f:
        cpu = [ln for ln in f if ln.startswith(('model name', 'flags'))][:2]
    st = os.stat(qemu)
    with open(os.path.join(guest_dir, 'kernel.txt')) as f:
        kernel = f.read()
    return hashlib.sha256(('%s|%s|%s|%s|%s' % (
        platform.release(), ''.join(cpu), st.st_mtime_ns, st.st_size,
        kernel)).encode()).hexdigest()


def kvm_boot_probe(qemu, guest_dir, cache_dir, log_dir, timeout=40):
    """Can this host's KVM boot the test guest?  (ok, reason)

    "No" only where the host cannot: no usable /dev/kvm, or KVM boots
    nothing within TIMEOUT (the guest stays silent, or KVM stops it with an
    internal error, as a paravirtual kvm_pvm host does).  A QEMU that cannot
    start, or dies while booting, raises ProbeFailure: a crash is a failure,
    never a "no".  Only answers from a boot are cached (per host kernel,
    CPU, QEMU binary and guest kernel); concurrent probes of one guest wait
    for each other, and each boots with its own LOG_DIR.
    """
    if not os.path.exists('/dev/kvm'):
        return False, '/dev/kvm does not exist'
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        return False, '/dev/kvm is not accessible to this user'
    key = _probe_key(qemu, guest_dir)
    os.makedirs(cache_dir, exist_ok=True)
    # One answer per guest kernel: tests of two kernels would thrash one.
    cache = os.path.join(cache_dir, 'kvm-probe-%s.txt'
                         % os.path.basename(os.path.normpath(guest_dir)))
    with open(cache + '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(cache) as f:
                k, ok, reason = f.read().split('\n', 2)
            if k == key:
                return ok == 'yes', reason.strip() + ' (cached)'
        except (OSError, ValueError):
            pass
        ok, reason = _probe_boot(qemu, guest_dir, log_dir, timeout)
        with open(cache + '.tmp', 'w') as f:
            f.write('%s\n%s\n%s\n' % (key, 'yes' if ok else 'no', reason))
        os.replace(cache + '.tmp', cache)
    return ok, reason


def _probe_boot(qemu, guest_dir, log_dir, timeout):
    g = stguest.TestGuest(qemu, guest_dir, log_dir, accel='kvm',
                          native=True)
    t0 = time.monotonic()
    try:
        try:
            g.launch()
        except Exception as exc:  # noqa: BLE001 - reported, not swallowed
            raise ProbeFailure('QEMU could not start with -accel kvm: %s '
                               '(log in %s)' % (exc, log_dir)) from exc
        if g.wait_for(stguest.UP_MARKER, timeout):
            return True, 'KVM booted the guest in %.1f s' % (
                time.monotonic() - t0)
        if not g.vm.is_running():
            raise ProbeFailure(
                'QEMU died while booting the guest under KVM (exit status '
                '%s); console tail:\n%s\nQEMU output:\n%s'
                % (g.vm.exitcode(), g.serial()[-2000:],
                   (g.vm.get_log() or '')[-2000:]))
        state = g.vm.cmd('query-status')['status']
        why = ('KVM stopped it with an internal error (an emulation '
               'failure)' if state == 'internal-error' else
               'state %s, console %s' % (
                   state, 'empty' if not g.serial().strip() else
                   'stopped short of it'))
        return False, ('KVM cannot boot the test guest here: no "%s" within'
                       ' %d s; %s (e.g. a paravirtual KVM that emulates '
                       'ring 0)' % (stguest.UP_MARKER, timeout, why))
    finally:
        try:
            g.shutdown()
        except Exception:  # noqa: BLE001 - the probe's answer stands
            pass


def _megabytes(size):
    size = str(size).strip().upper()
    scale = {'K': 1.0 / 1024, 'M': 1, 'G': 1024, 'T': 1024 * 1024}
    if size[-1:] in scale:
        return int(float(size[:-1]) * scale[size[-1]])
    return int(size)


def kvm_route(qemu, guest_dir, log_dir, nest_image, memory='512M',
              say=print, cache_dir=None):
    """Decide where -accel kvm guests of this process run, say why, and
    return (route, reason): 'native' where the probe shows this host's KVM
    boots the guest, else 'nest' (one per process, booted at the first
    launch: later accel='kvm' TestGuests run in it).  ST_KVM_ROUTE=nest
    (or native) forces the route; ST_NEST_CPU overrides L0's CPU model
    (-cpu max).  The probe's answer is cached in CACHE_DIR (default:
    LOG_DIR's parent).  Raises ProbeFailure or stnest.NestError: never a
    skip."""
    forced = os.environ.get('ST_KVM_ROUTE', '')
    if forced not in ('', 'native', 'nest'):
        raise ValueError('ST_KVM_ROUTE=%s: use native or nest' % forced)
    if forced == 'nest':
        ok, probe = False, 'not run: ST_KVM_ROUTE=nest'
    else:
        ok, probe = kvm_boot_probe(
            qemu, guest_dir,
            cache_dir or os.path.dirname(os.path.abspath(log_dir)),
            os.path.join(log_dir, 'kvm-probe'))
    say('kvm probe: %s' % probe)
    if ok or forced == 'native':
        reason = ('this host\'s KVM boots the guest' if ok else
                  'forced by ST_KVM_ROUTE=native')
        say('kvm route: native (%s)' % reason)
        return 'native', reason
    import stnest
    l2 = _megabytes(memory)
    nest = stnest.prepare(qemu, nest_image, os.path.join(log_dir, 'nest'),
                          memory_mb=max(2048, l2 + 1536),
                          cpu=os.environ.get('ST_NEST_CPU', 'max'), say=say)
    stguest.use_nest(nest)
    reason = ('under a real KVM nested in a TCG guest, as this host\'s '
              'KVM cannot run it' if forced != 'nest' else
              'under a real KVM nested in a TCG guest, forced by '
              'ST_KVM_ROUTE=nest')
    say('kvm route: nest (%s); L1 boots at the first launch' % reason)
    return 'nest', reason


def test_args(extra=None):
    """Parse the options every tracker e2e test takes (--qemu, --guest,
    --log-dir, --accel, --nest-image); EXTRA(parser) adds a test's own.
    With --accel kvm, decides (and prints) where KVM runs: see
    kvm_route()."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--log-dir', required=True)
    ap.add_argument('--accel', default='tcg')
    ap.add_argument('--machine', default=None)
    ap.add_argument('--memory', default='512M')
    ap.add_argument('--nest-image', default=None,
                    help='the nest image (default: GUEST/../nest)')
    if extra:
        extra(ap)
    args = ap.parse_args()
    if args.nest_image is None:
        args.nest_image = os.path.join(
            os.path.dirname(os.path.abspath(args.guest)), 'nest')
    require_accel(args)
    return args


def require_accel(args):
    """For --accel kvm, choose native KVM or the nest (kvm_route); a probe
    crash or a nest that does not start raises: a failure, never a skip."""
    if args.accel != 'kvm':
        return None
    import stnest
    try:
        route, _ = kvm_route(args.qemu, args.guest, args.log_dir,
                             args.nest_image, args.memory)
    except (ProbeFailure, stnest.NestError) as e:
        print('FAIL: %s' % e)
        sys.exit(1)
    return route
