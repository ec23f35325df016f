#!/usr/bin/env python3
"""e2e: a kexec is seen at the reboot(LINUX_REBOOT_CMD_KEXEC) system call
(issue 10, finding 13), the hooks are taken off while the new kernel
boots, and the tracker arms again in the new kernel: the cp scenario runs
once per kernel and each copy is its own edge, and the old boot's tmpfs
files are shown as gone.

The guest kexecs into its own kernel with its own initramfs: both are
appended to the initramfs it boots from, as /kexec/vmlinuz and
/kexec/initrd.img (guest/scenarios/kexec.sh, guest/progs/st-kexec.c).
"""

import collections
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stgraph  # noqa: E402
import sttrack  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402

EDGES = [(e.src, e.dst, e.syscall) for e in SCENARIOS['cp'].edges]
KEXEC_MARKER = 'SECRET-TRACKER-GUEST: kexec into:'
UP_MARKER = 'SECRET-TRACKER-GUEST: up, kernel'


def kexec_guest(guest, out):
    """A guest folder OUT whose initramfs is GUEST's followed by a newc
    archive holding GUEST's kernel and initramfs under kexec/."""
    os.makedirs(out, exist_ok=True)
    kernel = os.path.join(guest, 'vmlinuz')
    initrd = os.path.join(guest, 'initrd.img')
    with tempfile.TemporaryDirectory(dir=out) as tree:
        os.mkdir(os.path.join(tree, 'kexec'))
        shutil.copy(kernel, os.path.join(tree, 'kexec', 'vmlinuz'))
        shutil.copy(initrd, os.path.join(tree, 'kexec', 'initrd.img'))
        extra = subprocess.run(
            ['cpio', '-o', '-H', 'newc', '--quiet'],
            input=b'kexec\nkexec/vmlinuz\nkexec/initrd.img\n', cwd=tree,
            stdout=subprocess.PIPE, check=True).stdout
    with open(os.path.join(out, 'initrd.img'), 'wb') as f:
        with open(initrd, 'rb') as base:
            # the kernel unpacks archives one after another; each starts
            # on a 4-byte boundary
            data = base.read()
        f.write(data + b'\0' * (-len(data) % 4) + extra)
    shutil.copy(kernel, os.path.join(out, 'vmlinuz'))
    return out


def main():
    args = sttrack.test_args()
    failures = []
    guest = kexec_guest(args.guest, os.path.join(args.log_dir, 'guest'))
    trace = os.path.join(args.log_dir, 'trace.log')

    g = sttrack.TrackedGuest(args.qemu, guest, args.log_dir,
                             scenario='kexec', accel=args.accel,
                             extra_args=('-trace',
                                         'secret_tracker_probe_kexec'))
    g.launch()
    try:
        if not g.wait_for(KEXEC_MARKER, 240):
            raise AssertionError('the guest did not reach its kexec; '
                                 'console tail:\n' + g.serial()[-3000:])
        first = g.status()
        g.run_to_end()
        second = g.wait_published()
        flows = g.flows()
        files = g.vm.cmd('query-secret-files')
    finally:
        g.shutdown()

    console = g.serial()
    if console.count(UP_MARKER) != 2:
        failures.append('expected two boots on the console, saw %d'
                        % console.count(UP_MARKER))
    with open(trace, errors='replace') as f:
        seen = [line for line in f if 'secret_tracker_probe_kexec' in line]
    if len(seen) != 1:
        failures.append('expected the kexec seen once at its system call, '
                        'trace has %d lines' % len(seen))
    if second['state'] != 'active':
        failures.append('after kexec: state %s %s'
                        % (second['state'], second.get('error')))
    hits = {h['name']: h['hits'] for h in second['hooks']}
    if not hits.get('syscall-entry'):
        failures.append('no hook hits after the kexec: %s' % hits)
    got = collections.Counter(stgraph.names_of(flows))
    want = collections.Counter(EDGES * 2)
    if got != want:
        failures.append('expected each edge of the cp scenario once per '
                        'kernel, got %s' % sorted(got.items()))
    gone = [n for n in files if n['gone']]
    live = [n for n in files if not n['gone']]
    if len(gone) != 2 or len(live) != 2:
        failures.append('expected the first kernel\'s 2 files gone and 2 '
                        'live, got %s' % files)
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('kexec seen at its system call; re-armed in the new kernel: '
          'entry 0x%x -> 0x%x; one copy edge per kernel'
          % (first['hooks'][0]['address'], second['hooks'][0]['address']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
