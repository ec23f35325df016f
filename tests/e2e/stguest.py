"""Boot secret-tracker test guests under the built QEMU.

A thin layer over QEMU's own python/qemu.machine (from the pinned tree):
it adds the test guest's kernel and initramfs, captures the serial console
to a file, and waits for the guest's markers.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

END_MARKER = 'SECRET-TRACKER-SCENARIO-END'
UP_MARKER = 'SECRET-TRACKER-GUEST: up'

# What QEMU prints when it asserts, aborts or crashes (glib, libc, the
# sanitizers, TCG), as opposed to ordinary warnings.
CRASH_RE = re.compile(
    r'Assertion .* failed|assertion failed|\*\*\s*\n?ERROR:|^ERROR:|'
    r'Segmentation fault|Aborted|core dumped|AddressSanitizer|'
    r'LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|'
    r'qemu: fatal|qemu: uncaught target signal|Bail out!', re.M)


def _qemu_python(qemu_binary):
    """Put the pinned tree's python/ on sys.path (found from the binary)."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, '..', '..', 'subprojects', 'qemu-10.0.13', 'python')
    sys.path.insert(0, os.path.abspath(src))


# Set by use_nest(): guests asked for with accel='kvm' run in this nest
# (stnest.Nest) instead of this host's KVM.
_kvm_nest = None


def use_nest(nest):
    """Run every later -accel kvm guest of this process in NEST."""
    global _kvm_nest
    _kvm_nest = nest


class TestGuest:
    """One run of a test guest: kernel + initramfs, serial to a log file.

    With accel='kvm' after use_nest(), self.vm is a stnest.NestMachine (the
    guest runs under KVM inside the nest) instead of a QEMUMachine; native
    forces this host's own KVM (the probe uses it)."""

    def __init__(self, qemu, guest_dir, log_dir, accel='tcg', smp=1,
                 memory='512M', extra_args=(), append='', machine=None,
                 native=False):
        _qemu_python(qemu)
        from qemu.machine import QEMUMachine
        os.makedirs(log_dir, exist_ok=True)
        self.serial_log = os.path.join(log_dir, 'serial.log')
        if os.path.exists(self.serial_log):
            os.unlink(self.serial_log)
        if accel == 'kvm' and _kvm_nest is not None and not native:
            import stnest
            self.vm = stnest.NestMachine(_kvm_nest, log_dir)
        else:
            self.vm = QEMUMachine(qemu, base_temp_dir=log_dir,
                                  log_dir=log_dir)
        if machine:
            self.vm.add_args('-M', machine)
        self.vm.add_args(
            '-accel', accel, '-smp', str(smp), '-m', memory,
            '-kernel', os.path.join(guest_dir, 'vmlinuz'),
            '-initrd', os.path.join(guest_dir, 'initrd.img'),
            # no_timer_check: on a loaded host TCG can miss the kernel's
            # IO-APIC timer probe, which then panics at boot
            '-append', ('console=ttyS0 panic=-1 no_timer_check ' +
                        append).strip(),
            '-serial', 'file:' + self.serial_log,
            '-no-reboot', '-nic', 'none',
            *extra_args)

    def launch(self):
        self.vm.launch()
        return self

    def serial(self):
        try:
            with open(self.serial_log, 'r', errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def wait_for(self, marker, timeout):
        """Wait until MARKER is on the serial console; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker in self.serial():
                return True
            if not self.vm.is_running():
                return marker in self.serial()
            time.sleep(0.2)
        return False

    def wait_exit(self, timeout):
        """Wait for the guest's own poweroff; False if it did not exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.vm.is_running():
                return True
            time.sleep(0.2)
        return False

    def shutdown(self, timeout=60):
        """End QEMU with QMP quit (or reap it if the guest ended it) and
        check that it ended cleanly: exit status 0 and nothing on its
        stdout or stderr that looks like an assertion or a crash.  Raises
        AssertionError otherwise, so that a crash at unrealize fails the
        test.  A second call does nothing."""
        if getattr(self, '_ended', False):
            return
        self._ended = True
        problems = []
        try:
            if self.vm.is_running():
                self.vm.shutdown(timeout=timeout)
            else:
                self.vm.wait(timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - reported below
            problems.append('QEMU did not end on QMP quit: %s: %s'
                            % (type(exc).__name__, exc))
        code = self.vm.exitcode()
        out = self.vm.get_log() or ''
        if code != 0:
            problems.append('QEMU exited with status %s' % code)
        crash = CRASH_RE.search(out)
        if crash:
            problems.append('QEMU printed %r' % crash.group(0))
        if problems:
            raise AssertionError('; '.join(problems) +
                                 '\nQEMU output (tail):\n' + out[-3000:])
