#!/usr/bin/env python3
"""Write the synthetic seeds of the libFuzzer targets (committed under
tests/unit/*/data/fuzz-NAME; run again only to change them).

The other seeds come from the unit tests, run with ST_FUZZ_SEED_DIR=DIR:
test-linux-btf (cut-down BTF of the real guest kernels, for fuzz-btf-profile
and fuzz-btf-scan), test-linux-btf-synth and test-linux-isf (synthetic
BTF, and the hostile shapes of issue 10), and from st-profile-gen (the
ISF of the real guest kernels: fuzz-isf/real-RELEASE.json).

usage: fuzz-seeds.py SOURCE_ROOT
"""

import lzma
import os
import struct
import sys

PAGE = 4096


def guest_mem_seeds(out):
    """Page tables in the image: 4K, 2M and 1G pages, 4 and 5 levels."""
    image = bytearray(16 * PAGE)

    def entry(table, index, value):
        struct.pack_into('<Q', image, table + index * 8, value)

    base = 0xffff888000000000
    # 4 levels: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000
    entry(0x1000, (base >> 39) & 511, 0x2000 | 3)
    entry(0x2000, 0, 0x3000 | 3)
    entry(0x2000, 1, (4 << 30) | 0x83)          # 1 GiB page at 4 GiB
    entry(0x3000, 0, 0x4000 | 3)
    entry(0x3000, 1, 0 | 0x83)                  # 2 MiB page at 0
    for i in range(16):
        entry(0x4000, i, i * PAGE | 3)
    entry(0x4000, 7, 7 * PAGE)                  # not present
    # 5 levels: PML5 0x6000 -> PML4 0x7000 -> the same PDPT
    base57 = 0xff11000000000000
    entry(0x6000, (base57 >> 48) & 511, 0x7000 | 3)
    entry(0x7000, (base57 >> 39) & 511, 0x2000 | 3)
    # a kernel pointer and a user pointer to read with read_kptr
    struct.pack_into('<QQ', image, 0x5000, base + 0x5000, 0x400000)
    for i in range(PAGE // 16, 2 * PAGE // 16):
        image[i * 16:i * 16 + 16] = b'page-walk-seed!\n'

    def header(cr3, la57, holes, reads):
        h = struct.pack('<QB3xI', cr3, la57, holes)
        for va, n in reads + [(0, 0)] * (8 - len(reads)):
            h += struct.pack('<QH', va & (2 ** 64 - 1), n)
        return h

    for name, top, cr3, la57 in (('4-level', base, 0x1000 | 0x18, 0),
                                 ('5-level', base57, 0x6000 | 0x1000, 1)):
        reads = [(top + 0xff8, 16), (top + 0x5000, 16), (top + 0x6f00, 512),
                 (top + (2 << 20) + 0x123, 100), (top + (1 << 30) + 16, 64),
                 (top + 0x8ff0, 8192), (0x0000800000000000, 8),
                 (top - 8, 16)]
        with open(os.path.join(out, 'synth-' + name), 'wb') as f:
            f.write(header(cr3, la57, 1 << 9, reads) + image)


def engine_seeds(out):
    """Programs: limits, then steps (see fuzz-engine.c)."""
    limits = bytes([31, 31, 7, 7, 3, 3])
    # step 6 (pattern 0, label 0); then entry+exit pairs: open, read, write
    prog = bytes([6, 0, 1, 0])
    task = 0x10            # tgid 100, details set
    nr_open, nr_read, nr_write = 2, 0, 1
    for nr, ret in ((nr_open, 3), (nr_read, 40), (nr_write, 40)):
        # step 2: task, syscall by index is unknown here, so by number:
        # a first byte >= 240 takes the number from the next two bytes
        prog += bytes([2, task, 250, 0, nr]) + bytes([3] * 6) + bytes([ret])
        # answers: resolve_fd (a file on disk, ino 5), name, path
        prog += bytes([7, 0, 4]) + bytes(4) + bytes([0, 1, 0, 1])
    prog += bytes([8, 1, 1, 9])
    with open(os.path.join(out, 'copy'), 'wb') as f:
        f.write(limits + prog)
    with open(os.path.join(out, 'reboot'), 'wb') as f:
        f.write(limits + bytes([5, 0, 4, 1, 0]) + prog + bytes([7]) + prog)


def isf_seeds(root, out):
    fixture = os.path.join(root, 'tests/unit/vmi/data/synthetic-isf.json')
    with open(fixture, 'rb') as f:
        text = f.read()
    with open(os.path.join(out, 'synthetic.json'), 'wb') as f:
        f.write(text)
    with open(os.path.join(out, 'synthetic.json.xz'), 'wb') as f:
        f.write(lzma.compress(text, check=lzma.CHECK_CRC64))


def main():
    root = sys.argv[1]
    dirs = {'guest-mem': 'tests/unit/vmi/data/fuzz-guest-mem',
            'engine': 'tests/unit/engine/data/fuzz-engine',
            'isf': 'tests/unit/vmi/data/fuzz-isf'}
    for d in dirs.values():
        os.makedirs(os.path.join(root, d), exist_ok=True)
    guest_mem_seeds(os.path.join(root, dirs['guest-mem']))
    engine_seeds(os.path.join(root, dirs['engine']))
    isf_seeds(root, os.path.join(root, dirs['isf']))


if __name__ == '__main__':
    main()
