#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit test of scripts/st-demo.py's route tree and Graphviz output, on
hand-made query-secret-* results (no QEMU needed)."""

import importlib.util
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, '..', '..', '..', 'scripts', 'st-demo.py')
spec = importlib.util.spec_from_file_location('st_demo', SCRIPT)
st_demo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(st_demo)

LABEL = '/srv/secret/*'


def f_(ino, path):
    return {'kind': 'file', 'dev': 2, 'inode': ino, 'path': path}


def p_(tgid, comm):
    return {'kind': 'process', 'pid': tgid, 'tgid': tgid, 'comm': comm}


def flow(fid, src, dst, syscall, count=1, nbytes=10, labels=(LABEL,)):
    return {'id': fid, 'source': src, 'target': dst, 'syscall': syscall,
            'count': count, 'bytes': nbytes, 'first-ns': fid * 100,
            'last-ns': fid * 100, 'labels': list(labels)}


def tracked(node, registered=False, gone=False, labels=(LABEL,)):
    return {'node': node, 'labels': list(labels), 'first-seen-ns': 1,
            'registered': registered, 'gone': gone}


def graph(flows, history=None):
    files, procs = {}, {}
    for fl in flows:
        for n in (fl['source'], fl['target']):
            d = procs if n['kind'] == 'process' else files
            d[st_demo.node_key(n)] = tracked(n, labels=fl['labels'])
    return files, procs, history if history is not None else flows


class RouteTree(unittest.TestCase):

    def build(self, flows, secrets, history=None, gone=()):
        files, procs, hist = graph(flows, history)
        for s in secrets:
            files[st_demo.node_key(s['node'])] = s
        for k in gone:
            (procs if k[0] == 'process' else files)[k]['gone'] = True
        return st_demo.FlowGraph(flows, files.values(), procs.values(), hist)

    def test_chain_with_rename(self):
        secret = f_(10, '/srv/secret/a')
        cat, out_old, out_new = p_(50, 'cat'), f_(11, '/tmp/a'), \
            f_(11, '/tmp/b')
        nc = p_(51, 'nc')
        sock = {'kind': 'socket', 'inode': 99, 'family': 'inet',
                'address': '192.0.2.7', 'port': 80}
        flows = [flow(1, secret, cat, 'read'),
                 flow(2, cat, out_old, 'write', count=3, nbytes=2048),
                 flow(3, out_old, out_new, 'rename', nbytes=0),
                 flow(4, out_new, nc, 'read'),
                 flow(5, nc, sock, 'sendto')]
        g = self.build(flows, [tracked(secret, registered=True)],
                       gone=[('process', 50)])
        lines = st_demo.route_tree(g, g.secrets()[0])
        self.assertEqual(lines, [
            '/srv/secret/a   [secret: /srv/secret/*]',
            '    `-- read x1, 10 B -> process cat[50] (exited)',
            '        `-- write x3, 2.0 KiB -> /tmp/a',
            '            `-- renamed /tmp/a -> /tmp/b',
            '                `-- read x1, 10 B -> process nc[51]',
            '                    `-- sendto x1, 10 B -> socket:[99] peer '
            'inet 192.0.2.7:80, LEAVES THE VM',
        ])
        self.assertIn('sent out of the VM to inet 192.0.2.7:80',
                      st_demo.reached_summary(g, g.secrets()[0]))

    def test_rename_self_edge_old_path_from_history(self):
        # Both ends carry the new path; the old one is in an older flow.
        secret, sh = f_(10, '/s'), p_(7, 'sh')
        new = f_(11, '/new')
        flows = [flow(1, secret, sh, 'read'),
                 flow(2, sh, new, 'write'),
                 flow(3, new, new, 'rename', nbytes=0)]
        history = [dict(flows[0]), dict(flows[1], target=f_(11, '/old')),
                   dict(flows[2])]
        g = self.build(flows, [tracked(secret, registered=True)], history)
        lines = st_demo.route_tree(g, g.secrets()[0])
        self.assertEqual(lines[2], '        `-- write x1, 10 B -> /old')
        self.assertEqual(lines[3], '            `-- renamed /old -> /new')

    def test_cycle_and_shared_node(self):
        secret = f_(10, '/s')
        a, b, shared = p_(1, 'a'), p_(2, 'b'), f_(20, '/shared')
        flows = [flow(1, secret, a, 'read'),
                 flow(2, secret, b, 'read'),
                 flow(3, a, shared, 'write'),
                 flow(4, b, shared, 'write'),
                 flow(5, shared, a, 'read'),      # back into a: a cycle
                 flow(6, a, secret, 'write')]     # and back to the root
        g = self.build(flows, [tracked(secret, registered=True)])
        lines = st_demo.route_tree(g, g.secrets()[0])
        self.assertEqual(lines, [
            '/s   [secret: /srv/secret/*]',
            '    |-- read x1, 10 B -> process a[1]',
            '    |   |-- write x1, 10 B -> /shared',
            '    |   |   `-- read x1, 10 B -> process a[1]   '
            '(back to an earlier step)',
            '    |   `-- write x1, 10 B -> /s   (back to an earlier step)',
            '    `-- read x1, 10 B -> process b[2]',
            '        `-- write x1, 10 B -> /shared   (continues above)',
        ])

    def test_follows_only_the_secrets_labels(self):
        s1, s2 = f_(10, '/one'), f_(11, '/two')
        p = p_(5, 'cp')
        o1, o2 = f_(20, '/o1'), f_(21, '/o2')
        flows = [flow(1, s1, p, 'read', labels=['one']),
                 flow(2, s2, p, 'read', labels=['two']),
                 flow(3, p, o1, 'write', labels=['one', 'two']),
                 flow(4, s2, o2, 'sendfile', labels=['two'])]
        g = self.build(flows, [tracked(s1, True, labels=['one']),
                               tracked(s2, True, labels=['two'])])
        by_path = {t['node']['path']: t for t in g.secrets()}
        one = st_demo.route_tree(g, by_path['/one'])
        two = st_demo.route_tree(g, by_path['/two'])
        self.assertFalse(any('/o2' in ln for ln in one))
        self.assertTrue(any('/o1' in ln for ln in one))
        self.assertTrue(any('/o2' in ln for ln in two))

    def test_unresolved_path_and_unix_socket(self):
        secret = f_(10, '')
        p = p_(3, 'x')
        us = {'kind': 'socket', 'inode': 7, 'family': 'unix',
              'path': '/run/s'}
        flows = [flow(1, secret, p, 'read'), flow(2, p, us, 'write')]
        g = self.build(flows, [tracked(secret, registered=True)])
        lines = st_demo.route_tree(g, g.secrets()[0])
        self.assertTrue(lines[0].startswith(
            'file 2:10 (path not resolved)'))
        self.assertIn('socket:[7] peer unix:/run/s', lines[2])

    def test_long_chain_is_cut(self):
        # A chain far longer than the tree shows must neither recurse
        # without bound nor print every step.
        nodes = [f_(10, '/s')]
        flows = []
        for i in range(1, 2001):
            nodes.append(p_(i, 'p%d' % i) if i % 2 else f_(10 + i, '/f%d' % i))
            flows.append(flow(i, nodes[i - 1], nodes[i],
                              'read' if i % 2 else 'write'))
        g = self.build(flows, [tracked(nodes[0], registered=True)])
        lines = st_demo.route_tree(g, g.secrets()[0])
        self.assertEqual(len(lines), st_demo.ROUTE_MAX_DEPTH + 1)
        self.assertTrue(lines[-1].endswith('(further steps: see flows.json)'))


class Dot(unittest.TestCase):

    def test_shapes_and_edges(self):
        secret, p, pipe = f_(10, '/s'), p_(3, 'cat'), \
            {'kind': 'pipe', 'inode': 55}
        sock = {'kind': 'socket', 'inode': 8, 'family': 'inet',
                'address': '127.0.0.1', 'port': 4444}
        flows = [flow(1, secret, p, 'read'), flow(2, p, pipe, 'write'),
                 flow(3, p, sock, 'write', count=2, nbytes=5)]
        files, procs, hist = graph(flows)
        files[st_demo.node_key(secret)]['registered'] = True
        g = st_demo.FlowGraph(flows, files.values(), procs.values(), hist)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'f.dot')
            st_demo.write_dot(g, path)
            with open(path) as fh:
                text = fh.read()
        self.assertEqual(text.count(' -> '), 3)
        self.assertIn('shape=note', text)
        self.assertIn('shape=cds', text)
        self.assertIn('shape=ellipse', text)
        self.assertIn('shape=hexagon', text)
        self.assertIn('"#3 write\\n2x, 5 B"', text)
        self.assertIn('SECRET\\n/s', text)


if __name__ == '__main__':
    sys.exit(unittest.main())
