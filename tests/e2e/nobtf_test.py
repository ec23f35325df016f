#!/usr/bin/env python3
"""e2e: a guest kernel with no BTF at all.

The kernel is the demo guest's own (Debian's 6.1), booted from its
vmlinux with the .BTF section wiped (zeroes; the kernel does not need it
to run) through QEMU's PVH entry, so that no BTF is anywhere in guest
memory.  With no configuration the tracker must stop in state "error"
saying BTF is missing and naming the ISF route (profile=, st-profile-gen);
with the ISF that st-profile-gen makes from the unmodified vmlinuz it
must track the cp scenario as usual.
"""

import lzma
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sttrack  # noqa: E402

S = '/srv/secret/plans.txt'
BTF_HEADER = struct.pack('<HBBI', 0xeb9f, 1, 0, 24)


def vmlinux_from_bzimage(image):
    """The xz-compressed vmlinux ELF inside a bzImage."""
    pos = 0
    while True:
        pos = image.find(b'\xfd7zXZ\x00', pos)
        if pos < 0:
            raise AssertionError('no xz payload in the kernel image')
        try:
            elf = lzma.LZMADecompressor().decompress(image[pos:])
        except lzma.LZMAError:
            elf = b''
        if elf[:4] == b'\x7fELF':
            return bytearray(elf)
        pos += 1


def wipe_btf(elf):
    """Zero the .BTF section in place; return its size."""
    shoff, = struct.unpack_from('<Q', elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', elf, 0x3a)

    def section(i):
        return struct.unpack_from('<IIQQQQIIQQ', elf, shoff + i * shentsize)

    names = section(shstrndx)[4]
    for i in range(shnum):
        sh = section(i)
        name = elf[names + sh[0]:elf.index(b'\0', names + sh[0])]
        if name == b'.BTF':
            off, size = sh[4], sh[5]
            elf[off:off + size] = bytes(size)
            return size
    raise AssertionError('the vmlinux has no .BTF section')


def make_guest(guest, out):
    """OUT/vmlinuz: the guest's vmlinux without BTF; OUT/initrd.img: its."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(guest, 'vmlinuz'), 'rb') as f:
        elf = vmlinux_from_bzimage(f.read())
    size = wipe_btf(elf)
    if BTF_HEADER in elf:
        raise AssertionError('a BTF header is left in the image')
    with open(os.path.join(out, 'vmlinuz'), 'wb') as f:
        f.write(elf)
    initrd = os.path.join(out, 'initrd.img')
    if os.path.lexists(initrd):
        os.unlink(initrd)
    os.symlink(os.path.abspath(os.path.join(guest, 'initrd.img')), initrd)
    print('vmlinux of %d bytes, .BTF (%d bytes) wiped' % (len(elf), size))


def error_state(g, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = g.status()
        if st['state'] == 'error':
            return st
        time.sleep(0.2)
    raise AssertionError('tracker not in error after %ds: %s'
                         % (timeout, g.status()))


def main():
    args = sttrack.test_args(
        lambda ap: ap.add_argument('--profile-gen', required=True))
    failures = []
    guest = os.path.join(args.log_dir, 'guest-nobtf')
    make_guest(args.guest, guest)

    # 1. no configuration: a clear error
    g = sttrack.TrackedGuest(args.qemu, guest,
                             os.path.join(args.log_dir, 'zero-config'),
                             scenario='idle', accel=args.accel)
    g.launch()
    try:
        st = error_state(g, 240)
    finally:
        g.shutdown()
    err = st.get('error', '')
    print('zero-config error: %s' % err)
    for word in ('BTF', 'profile=', 'st-profile-gen'):
        if word not in err:
            failures.append('the error does not say %r: %s' % (word, err))

    # 2. the ISF route: st-profile-gen on the unmodified image
    isf = os.path.join(args.log_dir, 'profile.json')
    subprocess.run([args.profile_gen, os.path.join(args.guest, 'vmlinuz'),
                    isf], check=True)
    g = sttrack.TrackedGuest(args.qemu, guest,
                             os.path.join(args.log_dir, 'isf'),
                             scenario='cp', accel=args.accel,
                             device_props='profile=' + isf)
    g.launch()
    try:
        g.run_to_end()
        flows = g.flows()
        st = g.status()
        text = g.hmp('info secret-tracker')
    finally:
        g.shutdown()
    print(text)
    if st['state'] != 'active':
        failures.append('with the ISF: state %s: %s'
                        % (st['state'], st.get('error')))
    if st.get('profile-source') != 'isf':
        failures.append('profile source %r, not isf'
                        % st.get('profile-source'))
    edges = {(f['source'].get('path'), f['target'].get('path'), f['syscall'])
             for f in flows}
    if (S, '/tmp/copy.txt', 'sendfile') not in edges:
        failures.append('with the ISF: no %s -> /tmp/copy.txt sendfile flow '
                        'in %s' % (S, sorted(map(str, edges))))
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('no BTF: a clear error, and the ISF route tracks (%d flows)'
          % len(flows))
    return 0


if __name__ == '__main__':
    sys.exit(main())
