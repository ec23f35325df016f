"""Run test guests with the secret-tracker device and read its flow graph.

Builds on stguest.TestGuest: adds the device, keeps QEMU alive after the
guest powers off (so the tracker can be queried), picks the scenario on the
kernel command line, and decides whether KVM can boot the guest at all.
"""

import argparse
import hashlib
import os
import platform
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stguest  # noqa: E402

SKIP = 77


class TrackedGuest(stguest.TestGuest):
    """A test guest with -device secret-tracker."""

    def __init__(self, qemu, guest_dir, log_dir, scenario=None,
                 files='/srv/secret/*', accel='tcg', smp=1, device_props='',
                 extra_args=(), memory='512M', machine=None):
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
                         append='st.scenario=' + scenario if scenario else '',
                         extra_args=('-device', props,
                                     '-action', 'shutdown=pause',
                                     '-trace', 'secret_tracker_probe_e*',
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


def kvm_boot_probe(qemu, guest_dir, cache_dir, timeout=40):
    """Can this host boot the test guest under KVM?  (ok, reason)

    Boots the guest with -accel kvm and waits for its "up" marker.  The
    answer is cached per host kernel, CPU and QEMU binary.
    """
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        return False, '/dev/kvm is missing or not accessible'
    with open('/proc/cpuinfo') as f:
        cpu = [ln for ln in f if ln.startswith(('model name', 'flags'))][:2]
    key = hashlib.sha256(('%s|%s|%s|%s' % (
        platform.release(), ''.join(cpu), os.path.getmtime(qemu),
        os.path.getmtime(os.path.join(guest_dir, 'vmlinuz')))).encode()
    ).hexdigest()
    # One answer per guest kernel: tests of two kernels would thrash one.
    cache = os.path.join(cache_dir, 'kvm-probe-%s.txt'
                         % os.path.basename(os.path.normpath(guest_dir)))
    try:
        with open(cache) as f:
            k, ok, reason = f.read().split('\n', 2)
            if k == key:
                return ok == 'yes', reason.strip()
    except (OSError, ValueError):
        pass
    g = stguest.TestGuest(qemu, guest_dir,
                          os.path.join(cache_dir, 'kvm-probe'), accel='kvm')
    try:
        g.launch()
        ok = g.wait_for(stguest.UP_MARKER, timeout)
    except Exception as exc:  # noqa: BLE001 - any launch failure is a "no"
        ok, reason = False, 'QEMU could not start with -accel kvm: %s' % exc
    else:
        reason = ('KVM boots the guest' if ok else
                  'KVM cannot boot the test guest here: no "%s" within %ds'
                  ' (e.g. a paravirtual KVM that emulates ring 0)'
                  % (stguest.UP_MARKER, timeout))
    finally:
        try:
            g.shutdown()
        except Exception:  # noqa: BLE001
            pass
    os.makedirs(cache_dir, exist_ok=True)
    with open(cache, 'w') as f:
        f.write('%s\n%s\n%s\n' % (key, 'yes' if ok else 'no', reason))
    return ok, reason


def test_args(extra=None):
    """Parse the options every tracker e2e test takes (--qemu, --guest,
    --log-dir, --accel); EXTRA(parser) adds a test's own.  Exits 77 with
    the reason when --accel kvm cannot boot the guest on this host."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--log-dir', required=True)
    ap.add_argument('--accel', default='tcg')
    ap.add_argument('--machine', default=None)
    ap.add_argument('--memory', default='512M')
    if extra:
        extra(ap)
    args = ap.parse_args()
    require_accel(args)
    return args


def require_accel(args):
    """Exit 77 with the reason if ARGS.accel is kvm and KVM cannot boot."""
    if args.accel != 'kvm':
        return
    ok, reason = kvm_boot_probe(args.qemu, args.guest,
                                os.path.dirname(os.path.abspath(args.log_dir)))
    if not ok:
        print('SKIP: %s' % reason)
        sys.exit(SKIP)
