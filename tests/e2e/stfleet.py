"""Test guests for the fleet tests: logs, log shipping, libvirt, VM to VM.

Builds on stguest.TestGuest.  A FleetGuest runs the host-driven scenario
tests/e2e/scenarios/ctl.sh: the test sends shell command lines on the
guest's second serial port and waits for each one's answer on the
console, so flows happen exactly when the test wants them.  The guest's
initramfs is the test guest's, with an overlay archive appended (the
scenario scripts and, for networked guests, the e1000 driver taken from
the guest kernel's own Debian package).
"""

import glob
import gzip
import io
import json
import lzma
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stguest  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, 'scenarios')
READY = 'SECRET-TRACKER-GUEST: ctl ready'
SECRET = '/srv/secret/plans.txt'
SECRET_TEXT = ('CONFIDENTIAL: merger plans for Q3.\n'
               'Do not distribute.\n')


def _cpio_entry(name, data, mode):
    """One newc cpio member (no hard links, mtime 0)."""
    name_b = name.encode() + b'\0'
    hdr = '070701' + ''.join('%08X' % v for v in (
        0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
    out = hdr.encode() + name_b
    out += b'\0' * (-len(out) % 4)
    out += data
    out += b'\0' * (-len(out) % 4)
    return out


def _cpio(files):
    """A newc archive of FILES: {path in the guest: (bytes, mode)}."""
    out = b''.join(_cpio_entry(p.lstrip('/'), d, 0o100000 | m)
                   for p, (d, m) in sorted(files.items()))
    return out + _cpio_entry('TRAILER!!!', b'', 0)


def e1000_module(guest_dir):
    """The e1000 driver of the guest kernel, from its cached .deb."""
    debs = glob.glob(os.path.join(guest_dir, 'cache', 'linux-image-*.deb'))
    if not debs:
        raise RuntimeError('no kernel package cached in %s/cache' % guest_dir)
    tar = subprocess.run(['dpkg-deb', '--fsys-tarfile', debs[0]],
                         check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        for m in t.getmembers():
            if re.search(r'/e1000/e1000\.ko(\.xz)?$', m.name):
                data = t.extractfile(m).read()
                return lzma.decompress(data) if m.name.endswith('.xz') \
                    else data
    raise RuntimeError('e1000.ko not found in %s' % debs[0])


def overlay_guest(guest_dir, out_dir, network=False, copy_kernel=False):
    """A guest directory OUT_DIR: GUEST_DIR's kernel (a link to it, or a
    copy), and its initramfs with our scenarios (and the e1000 driver if
    NETWORK) appended."""
    os.makedirs(out_dir, exist_ok=True)
    files = {}
    for path in glob.glob(os.path.join(SCENARIOS, '*.sh')):
        with open(path, 'rb') as f:
            files['/scenarios/' + os.path.basename(path)] = (f.read(), 0o755)
    if network:
        files['/scenarios/e1000.ko'] = (e1000_module(guest_dir), 0o644)
    kernel = os.path.join(out_dir, 'vmlinuz')
    if os.path.lexists(kernel):
        os.unlink(kernel)
    if copy_kernel:
        shutil.copyfile(os.path.join(guest_dir, 'vmlinuz'), kernel)
    else:
        os.symlink(os.path.abspath(os.path.join(guest_dir, 'vmlinuz')),
                   kernel)
    with open(os.path.join(guest_dir, 'initrd.img'), 'rb') as f:
        base = f.read()
    with open(os.path.join(out_dir, 'initrd.img'), 'wb') as f:
        # The kernel unpacks concatenated archives in order.
        f.write(base + b'\0' * (-len(base) % 4))
        f.write(gzip.compress(_cpio(files), mtime=0))
    return out_dir


class CtlClient:
    """The host end of ctl.sh; needs serial() (the console's text) and
    running() from its subclass, and ctl_path (the guest's ttyS1)."""

    ctl = None
    k = 0

    def ctl_connect(self, timeout=240):
        if not self.wait_for(READY, timeout):
            raise AssertionError('guest not ready; console tail:\n'
                                 + self.serial()[-3000:])
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.connect(self.ctl_path)

    def send(self, line):
        """Send LINE without waiting; returns its number."""
        self.k += 1
        self.ctl.sendall(line.encode() + b'\n')
        return self.k

    def wait_done(self, k, timeout=120):
        """Wait for command K's answer; its exit status."""
        pat = re.compile(r'ctl %d rc=(\d+)' % k)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = pat.search(self.serial())
            if m:
                return int(m.group(1))
            if not self.running():
                break
            time.sleep(0.2)
        raise AssertionError('command %d had no answer; console tail:\n%s'
                             % (k, self.serial()[-3000:]))

    def run(self, line, timeout=120, check=True):
        rc = self.wait_done(self.send(line), timeout)
        if check and rc:
            raise AssertionError('guest command failed (%d): %s\n%s'
                                 % (rc, line, self.serial()[-2000:]))
        return rc

    def copies(self, first, count):
        """COUNT copies of the secret: COUNT new flows."""
        self.run('i=%d; while [ $i -lt %d ]; do cp %s /tmp/copy$i; '
                 'i=$((i + 1)); done' % (first, first + count, SECRET),
                 timeout=60 + count)

    def end(self):
        if self.ctl:
            try:
                self.ctl.sendall(b'end\n')
            except OSError:
                pass

    def ctl_close(self):
        if self.ctl:
            self.ctl.close()
            self.ctl = None


class FleetGuest(stguest.TestGuest, CtlClient):
    """A test guest running ctl.sh, with the secret-tracker device.

    DEVICE: the device's properties after "secret-tracker,"; NET: extra
    arguments for its network; IP: its address (ADDR/PREFIX) or None.
    A second QMP socket (bridge_qmp) is free for tools such as st-bridge.
    """

    def __init__(self, qemu, guest_dir, log_dir, device='', accel='tcg',
                 ip=None, net=(), extra_args=(), name=None, uuid=None):
        os.makedirs(log_dir, exist_ok=True)
        self.log_dir = log_dir
        self.ctl_path = os.path.join(log_dir, 'ctl.sock')
        self.bridge_qmp = os.path.join(log_dir, 'bridge-qmp.sock')
        for p in (self.ctl_path, self.bridge_qmp):
            if os.path.exists(p):
                os.unlink(p)
        args = ['-device', 'secret-tracker' + (',' + device if device else ''),
                '-chardev', 'socket,id=ctl,path=%s,server=on,wait=off'
                % self.ctl_path,
                '-serial', 'chardev:ctl',
                '-qmp', 'unix:%s,server=on,wait=off' % self.bridge_qmp,
                '-action', 'shutdown=pause']
        if name:
            args += ['-name', name]
        if uuid:
            args += ['-uuid', uuid]
        append = 'st.scenario=ctl' + (' st.ip=' + ip if ip else '')
        super().__init__(qemu, guest_dir, log_dir, accel=accel,
                         append=append, extra_args=(*args, *net,
                                                    *extra_args))

    def running(self):
        return self.vm.is_running()

    def start(self, timeout=240):
        if not self.vm.is_running():
            self.launch()
        self.ctl_connect(timeout)
        return self

    def status(self):
        return self.vm.cmd('query-secret-tracker')

    def flows(self, since=None):
        args = {} if since is None else {'since': since}
        return self.vm.cmd('query-secret-flows', **args)

    def wait_flows(self, n, timeout=30):
        """Wait until N flows are recorded and published."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.flows()) >= n:
                time.sleep(1.0)         # published from the main loop
                return self.flows()
            time.sleep(0.2)
        raise AssertionError('%d flows, not %d' % (len(self.flows()), n))

    def hmp(self, line):
        return self.vm.cmd('human-monitor-command', command_line=line)

    def shutdown(self):
        self.ctl_close()
        super().shutdown()


def read_lines(path):
    """The lines of a JSON-lines file: (parsed, torn) where torn are the
    lines that do not parse (with their number)."""
    parsed, torn = [], []
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        return parsed, torn
    for i, raw in enumerate(data.split(b'\n')):
        if not raw:
            continue
        try:
            parsed.append(json.loads(raw))
        except ValueError:
            torn.append((i + 1, raw[:80]))
    return parsed, torn


def flow_id(line):
    """A log line's flow id, native or ECS."""
    if 'secret_tracker' in line:
        return line['secret_tracker']['flow']['id']
    return line['id']


class Failures(list):
    def check(self, ok, msg):
        if not ok:
            self.append(msg)
        return ok

    def report(self, what):
        for f in self:
            print('FAIL:', f)
        if not self:
            print('%s: all checks passed' % what)
        return 1 if self else 0


def which(prog, package):
    path = shutil.which(prog) or next(
        (p for p in ('/usr/sbin/' + prog, '/sbin/' + prog)
         if os.path.exists(p)), None)
    if not path:
        raise AssertionError('%s not found: run "make deps" (package %s)'
                             % (prog, package))
    return path
