#!/usr/bin/env python3
"""Check secret-tracker's layering from the #include graph of our files.

Layers, lowest first (ARCHITECTURE.md): abi < hooks < {vmi, engine} <
probe < device < monitor.  A file may include its own layer's files and
lower layers' files; vmi and engine never include each other; no file
may take part in an include cycle.  Tests and tools sit outside the
layers and may include anything, but nothing in a layer includes them.

usage: st-layers.py [--root DIR]     check the tree (exit 1 on a finding)
       st-layers.py --self-test      check that the checker finds faults
"""

import argparse
import os
import re
import sys
import tempfile

# (layer, rank, path prefixes relative to the repository root)
LAYERS = [
    ('abi', 0, ['include/hw/misc/secret-tracker/abi/']),
    ('hooks', 1, ['accel/exec-hook/', 'include/exec/exec-hook',
                  'target/i386/exec-hook-', 'target/i386/kvm/exec-hook-',
                  'target/i386/tcg/system/exec-hook-',
                  'target/i386/tcg/system/trace.h']),
    ('vmi', 2, ['hw/misc/secret-tracker/vmi/',
                'include/hw/misc/secret-tracker/vmi/']),
    ('engine', 2, ['hw/misc/secret-tracker/engine/',
                   'include/hw/misc/secret-tracker/engine/']),
    ('testdev', 3, ['hw/misc/exec-hook-testdev.c']),
    # The folder's trace header serves the probe and the device above it.
    ('probe', 3, ['hw/misc/secret-tracker/probe',
                  'hw/misc/secret-tracker/trace.h',
                  'include/hw/misc/secret-tracker/probe.h']),
    ('device', 4, ['hw/misc/secret-tracker/secret-tracker',
                   'include/hw/misc/secret-tracker/secret-tracker.h']),
    ('monitor', 5, ['monitor/secret-tracker', 'include/monitor/secret-tracker']),
    ('outside', 99, ['tests/', 'tools/']),
]
SOURCE_DIRS = ['accel', 'hw', 'include', 'monitor', 'target', 'tests',
               'tools']
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    best = None
    for name, rank, prefixes in LAYERS:
        for p in prefixes:
            if rel.startswith(p) and (best is None or len(p) > best[2]):
                best = (name, rank, len(p))
    return (best[0], best[1]) if best else (None, None)


def our_files(root):
    files = []
    for d in SOURCE_DIRS:
        for base, _, names in os.walk(os.path.join(root, d)):
            for n in names:
                if n.endswith(('.c', '.h', '.inc')):
                    files.append(os.path.relpath(os.path.join(base, n), root))
    return sorted(files)


def resolve(root, rel, inc):
    """Our file that `#include "inc"` in REL names, or None (upstream)."""
    for cand in (os.path.join(os.path.dirname(rel), inc),
                 os.path.join('include', inc), inc):
        cand = os.path.normpath(cand)
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def graph(root):
    edges = {}
    for rel in our_files(root):
        with open(os.path.join(root, rel), errors='replace') as f:
            text = f.read()
        edges[rel] = [t for t in (resolve(root, rel, i)
                                  for i in INCLUDE_RE.findall(text)) if t]
    return edges


def check(root):
    edges = graph(root)
    problems = []
    for src, targets in edges.items():
        sl, sr = layer_of(src)
        if sl is None:
            continue
        for dst in targets:
            dl, dr = layer_of(dst)
            if dl is None:
                continue
            if dl == 'outside' and sl != 'outside':
                problems.append('%s (%s) includes %s (tests/tools)'
                                % (src, sl, dst))
            elif sl == 'outside' or sl == dl:
                continue
            elif dr >= sr:
                problems.append('%s (%s) includes %s (%s): an arrow up or '
                                'across' % (src, sl, dst, dl))
    # cycles: iterative DFS with colours
    colour = {}
    for start in edges:
        if colour.get(start):
            continue
        stack = [(start, iter(edges.get(start, [])))]
        path = [start]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            c = colour.get(nxt)
            if c == 1:
                cyc = path[path.index(nxt):] + [nxt]
                problems.append('include cycle: ' + ' -> '.join(cyc))
            elif c is None:
                colour[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, []))))
                path.append(nxt)
    return problems, sum(len(t) for t in edges.values()), len(edges)


def self_test():
    """The checker must find an upward include, a cross include between
    vmi and engine, and a cycle, and pass a clean tree."""
    with tempfile.TemporaryDirectory() as root:
        def put(rel, *incs):
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(''.join('#include "%s"\n' % i for i in incs))
        put('include/hw/misc/secret-tracker/engine/engine.h')
        put('include/hw/misc/secret-tracker/vmi/mem.h')
        put('hw/misc/secret-tracker/probe.c',
            'hw/misc/secret-tracker/engine/engine.h',
            'hw/misc/secret-tracker/vmi/mem.h')
        clean, _, _ = check(root)
        put('hw/misc/secret-tracker/engine/rules.c',
            'hw/misc/secret-tracker/vmi/mem.h')
        put('hw/misc/secret-tracker/vmi/a.c',
            'hw/misc/secret-tracker/probe-internal.h')
        put('hw/misc/secret-tracker/probe-internal.h', 'probe-b.h')
        put('hw/misc/secret-tracker/probe-b.h', 'probe-internal.h')
        found, _, _ = check(root)
    want = ['engine/rules.c (engine) includes', 'vmi/a.c (vmi) includes',
            'include cycle']
    missing = [w for w in want if not any(w in f for f in found)]
    if clean or missing:
        print('self-test FAILED: clean tree gave %s; missing %s'
              % (clean, missing))
        return 1
    print('self-test: %d planted faults found, clean tree passes'
          % len(found))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..'))
    ap.add_argument('--self-test', action='store_true')
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    problems, n_edges, n_files = check(os.path.abspath(args.root))
    for p in problems:
        print('LAYERING:', p)
    print('%d files, %d includes of our own files, %d problems'
          % (n_files, n_edges, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
