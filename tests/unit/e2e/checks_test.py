#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit test of the e2e checks (tests/e2e/stgraph.py, stcontract.py) on
hand-made query results: they accept the exact graph and contracts, and
reject each kind of deviation they exist to catch (no QEMU needed)."""

import copy
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'e2e'))
import stcontract  # noqa: E402
import stgraph  # noqa: E402
import scenarios  # noqa: E402
from scenarios import Scenario, S, LABEL  # noqa: E402
from stgraph import Edge  # noqa: E402


def f_(ino, path, dev=2):
    return {'kind': 'file', 'dev': dev, 'inode': ino, 'path': path}


def p_(tgid, comm):
    return {'kind': 'process', 'pid': tgid, 'tgid': tgid, 'comm': comm}


def flow(fid, src, dst, syscall, count=1, nbytes=54):
    return {'id': fid, 'source': src, 'target': dst, 'syscall': syscall,
            'count': count, 'bytes': nbytes, 'first-ns': 100 * fid,
            'last-ns': 100 * fid, 'labels': [LABEL]}


SEC = f_(10, S)
OUT = f_(11, '/tmp/out')
NC1, NC2 = p_(50, 'nc'), p_(51, 'nc')
EXPECT = [Edge(S, 'proc:nc#a', 'read', 54, 1),
          Edge('proc:nc#a', '/tmp/out', 'write', 54, 1),
          Edge(S, 'proc:nc#b', 'read', 54)]


def good():
    return [flow(1, SEC, NC1, 'read'), flow(2, NC1, OUT, 'write'),
            flow(3, SEC, NC2, 'read', count=3)]


class GraphTest(unittest.TestCase):
    def errors(self, flows, fact=None, expected=EXPECT):
        return stgraph.match(flows, expected, fact=fact)[1]

    def test_exact_graph_matches(self):
        names, errs = stgraph.match(good(), EXPECT)
        self.assertEqual(errs, [])
        self.assertEqual(names[('process', 50)], 'proc:nc#a')

    def test_duplicate_edge_fails(self):
        flows = good() + [flow(4, NC1, OUT, 'write')]
        self.assertTrue(self.errors(flows))

    def test_extra_node_with_same_name_fails(self):
        flows = good() + [flow(4, SEC, p_(52, 'nc'), 'read')]
        self.assertIn('3 distinct node(s)', self.errors(flows)[0])

    def test_one_node_where_two_are_expected_fails(self):
        flows = good()
        flows[2]['target'] = NC1
        self.assertTrue(self.errors(flows))

    def test_missing_edge_fails(self):
        self.assertTrue(self.errors(good()[:2]))

    def test_bytes_and_count_exact(self):
        flows = good()
        flows[0]['bytes'] = 53
        self.assertIn('53 bytes', '\n'.join(self.errors(flows)))
        flows = good()
        flows[1]['count'] = 2
        self.assertIn('2 calls', '\n'.join(self.errors(flows)))

    def test_open_bytes_need_one_byte(self):
        flows = good()
        flows[2]['bytes'] = 0
        self.assertIn('no bytes', '\n'.join(self.errors(
            flows, expected=EXPECT[:2] + [Edge(S, 'proc:nc#b', 'read')])))

    def test_facts_pin_processes_and_files(self):
        self.assertEqual(self.errors(good(), {'pid:a': '50'}), [])
        self.assertTrue(self.errors(good(), {'pid:a': '51', 'pid:b': '51'}))
        self.assertEqual(self.errors(good(), {'file:/tmp/out': '2 11'}), [])
        self.assertTrue(self.errors(good(), {'file:/tmp/out': '2 12'}))

    def test_fact_bytes(self):
        exp = [Edge(S, '/tmp/out', 'sendfile', 'fact:size:x', 1)]
        flows = [flow(1, SEC, OUT, 'sendfile')]
        self.assertEqual(self.errors(flows, {'size:x': '54'}, exp), [])
        self.assertTrue(self.errors(flows, {'size:x': '55'}, exp))

    def test_bytes_from_facts(self):
        # a size known only where compat returns are seen
        spec = scenarios.compat_return_bytes(54)
        exp = [Edge(S, '/tmp/out', 'sendfile', spec, 1)]
        seen = {'host:compat-returns': '30'}
        unseen = {'host:compat-returns': '0'}
        flows = [flow(1, SEC, OUT, 'sendfile')]
        self.assertEqual(self.errors(flows, seen, exp), [])
        self.assertIn('expected 0', '\n'.join(self.errors(flows, unseen,
                                                           exp)))
        flows[0]['bytes'] = 0
        self.assertEqual(self.errors(flows, unseen, exp), [])
        self.assertIn('expected 54', '\n'.join(self.errors(flows, seen, exp)))

    def test_compat_returns_from_info(self):
        info = ('hook syscall-exit   at 0xffffffff81: 9 hits, mean 1\r\n'
                'hook compat-exit    at 0xffffffff82: 30 hits, mean 2\r\n'
                'hook compat-exit-fast at 0xffffffff83: 2 hits, mean 3\r\n')
        self.assertEqual(stcontract.compat_returns(info), 32)
        self.assertEqual(stcontract.compat_returns(info.splitlines()[0]), 0)

    def test_kernel_dev(self):
        self.assertEqual(stgraph.kernel_dev(2), 2)
        self.assertEqual(stgraph.kernel_dev(0x801), 8 << 20 | 1)
        self.assertEqual(stgraph.kernel_dev(0x100003), 0x103)

    def test_no_flows_expected(self):
        self.assertEqual(self.errors([], expected=[]), [])
        self.assertTrue(self.errors(good()[:1], expected=[]))


class ContractTest(unittest.TestCase):
    sc = Scenario(EXPECT)

    def test_events_match(self):
        flows = good()
        events = copy.deepcopy(flows)
        events[2]['count'] = 1
        self.assertEqual(stcontract.check_events(flows, events, self.sc), [])

    def test_events_missing_duplicated_or_different(self):
        flows = good()
        self.assertTrue(stcontract.check_events(flows, flows[:2], self.sc))
        self.assertTrue(stcontract.check_events(flows, flows + flows[2:],
                                                self.sc))
        events = copy.deepcopy(flows)
        events[1]['target']['path'] = '/tmp/other'
        self.assertTrue(stcontract.check_events(flows, events, self.sc))
        events = copy.deepcopy(flows)
        events[0]['bytes'] = 99
        self.assertTrue(stcontract.check_events(flows, events, self.sc))

    def test_events_autobound_socket(self):
        sock = {'kind': 'socket', 'inode': 9, 'family': 'inet',
                'local-address': '0.0.0.0', 'local-port': 51919}
        flows = good()
        flows[1]['target'] = dict(sock)
        events = copy.deepcopy(flows)
        # the event went out before the send's return bound the port
        events[1]['target']['local-port'] = 0
        self.assertEqual(stcontract.check_events(flows, events, self.sc), [])
        # any other port, or another address, is a difference
        events[1]['target']['local-port'] = 4000
        self.assertTrue(stcontract.check_events(flows, events, self.sc))
        events[1]['target']['local-port'] = 0
        events[1]['target']['local-address'] = '10.0.0.1'
        self.assertTrue(stcontract.check_events(flows, events, self.sc))

    def log(self, lines):
        fd, path = tempfile.mkstemp()
        with os.fdopen(fd, 'w') as fh:
            fh.write(''.join(line + '\n' for line in lines))
        self.addCleanup(os.unlink, path)
        return path

    def test_log_line_by_line(self):
        events = good()
        extras = {'time': '2026-12-04T11:53:31.760297Z',
                  'vm': {'host': 'vm'}}
        lines = [json.dumps(dict(e, **extras)) for e in events]
        self.assertEqual(stcontract.check_log(self.log(lines), events), [])
        # The event's data alone, or a line without its VM, is not enough.
        self.assertTrue(stcontract.check_log(
            self.log([json.dumps(e) for e in events]), events))
        self.assertTrue(stcontract.check_log(
            self.log(lines[:2] + [json.dumps(dict(events[2],
                                                  time=extras['time']))]),
            events))
        self.assertTrue(stcontract.check_log(self.log(lines[:2]), events))
        self.assertTrue(stcontract.check_log(
            self.log(lines[:2] + ['{"id": 3']), events))
        bad = dict(copy.deepcopy(events[2]), **extras)
        bad['bytes'] = 1
        self.assertTrue(stcontract.check_log(
            self.log(lines[:2] + [json.dumps(bad)]), events))

    def test_since(self):
        flows = good()
        since = {n: [f for f in flows if f['id'] > n] for n in range(5)}
        self.assertEqual(stcontract.check_since(flows, since), [])
        since[1] = flows
        self.assertTrue(stcontract.check_since(flows, since))

    def tracked(self, node, gone=False, registered=False):
        return {'node': node, 'labels': [LABEL], 'first-seen-ns': 1,
                'registered': registered, 'gone': gone}

    def test_nodes(self):
        files = [self.tracked(SEC, registered=True), self.tracked(OUT)]
        procs = [self.tracked(NC1, True), self.tracked(NC2, True)]
        check = stcontract.check_nodes
        self.assertEqual(check(good(), files, procs, self.sc), [])
        self.assertTrue(check(good(), files + files[1:], procs, self.sc))
        self.assertTrue(check(good(), files[:1], procs, self.sc))
        self.assertTrue(check(good(), files, procs[:1], self.sc))
        self.assertTrue(check(good(), files,
                              [self.tracked(NC1), procs[1]], self.sc))
        self.assertTrue(check(good(), [self.tracked(SEC), files[1]], procs,
                              self.sc))

    def test_nodes_found_at_registration(self):
        files = [self.tracked(SEC, registered=True), self.tracked(OUT)]
        procs = [self.tracked(NC1, True), self.tracked(NC2, True)]
        check = stcontract.check_nodes
        # a file the pattern names, registered by the lookup, on no flow
        other = self.tracked(f_(12, '/srv/secret/other.txt'), registered=True)
        self.assertEqual(check(good(), files + [other], procs, self.sc), [])
        # not registered, or not named by the pattern: unexpected
        other['registered'] = False
        self.assertTrue(check(good(), files + [other], procs, self.sc))
        stray = self.tracked(f_(13, '/tmp/stray'), registered=True)
        self.assertTrue(check(good(), files + [stray], procs, self.sc))

    def status(self, flows=3, dropped=0, drops=(), accel='tcg', exits=5,
               wanted=2, seen=2, compat64=0, trap=0):
        return {'state': 'active', 'accelerator': accel,
                'hooks': [{'name': 'syscall-entry', 'hits': 5},
                          {'name': 'syscall-exit', 'hits': exits}],
                'counters': {'flows': flows, 'flows-dropped': dropped,
                             'nodes-dropped': 0, 'read-errors': 0,
                             'returns-wanted': wanted, 'returns-seen': seen,
                             'compat-from-64bit': compat64,
                             'trap-flag': trap, 'drops': list(drops)}}

    def test_alerts(self):
        check = stcontract.check_status
        # alerts are exact: none unless the scenario expects them
        self.assertTrue(check(self.status(compat64=1), good(), self.sc))
        self.assertTrue(check(self.status(trap=2), good(), self.sc))
        sc = Scenario(EXPECT, alerts={'trap-flag': 2})
        self.assertEqual(check(self.status(trap=2), good(), sc), [])
        self.assertTrue(check(self.status(trap=1), good(), sc))
        self.assertTrue(check(self.status(), good(), sc))

    def test_return_hook(self):
        check = stcontract.check_status
        # KVM arms the return hook on demand: no hit when none was wanted
        self.assertEqual(check(self.status(accel='kvm', exits=0, wanted=0,
                                           seen=0), good(), self.sc), [])
        # TCG keeps it armed: it must fire
        self.assertTrue(check(self.status(exits=0, wanted=0, seen=0),
                              good(), self.sc))
        # every return seen was a hit, and was wanted
        self.assertTrue(check(self.status(accel='kvm', exits=1, seen=2),
                              good(), self.sc))
        self.assertTrue(check(self.status(wanted=1, seen=2), good(),
                              self.sc))

    def test_status(self):
        check = stcontract.check_status
        self.assertEqual(check(self.status(), good(), self.sc), [])
        unpaired = [{'reason': 'unpaired', 'count': 2}]
        self.assertEqual(check(self.status(drops=unpaired), good(), self.sc),
                         [])
        self.assertTrue(check(self.status(flows=4), good(), self.sc))
        self.assertTrue(check(self.status(
            drops=[{'reason': 'peer', 'count': 1}]), good(), self.sc))
        sc = Scenario(EXPECT, flows_dropped=2)
        drops = [{'reason': 'flows', 'count': 2}]
        self.assertTrue(check(self.status(drops=drops), good(), self.sc))
        self.assertTrue(check(self.status(), good(), sc))
        self.assertEqual(check(self.status(dropped=2, drops=drops), good(),
                               sc), [])


if __name__ == '__main__':
    unittest.main()
