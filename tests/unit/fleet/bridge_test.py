#!/usr/bin/env python3
"""Unit tests of tools/st-bridge/st_bridge.py without any QEMU: which
flows cross into which VM, with which endpoint, and virsh's event lines."""

import io
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', '..', 'tools', 'st-bridge'))
import st_bridge  # noqa: E402


class FakeVm:
    def __init__(self, name, addrs, fail=None):
        self.name, self.addrs, self.fail = name, addrs, fail
        self.calls = []

    def command(self, name, **args):
        self.calls.append((name, args))
        if self.fail:
            raise RuntimeError(self.fail)
        return {'reads-tainted': 1}


def exfil(fid=7, dst=('10.0.0.2', 5555), local=('10.0.0.1', 40000),
          labels=('/srv/secret/*',)):
    src = {'kind': 'socket', 'inode': 812, 'family': 'inet',
           'address': dst[0], 'port': dst[1]}
    if local:
        src['local-address'], src['local-port'] = local
    return {'id': fid, 'syscall': 'write', 'count': 1, 'bytes': 72,
            'labels': list(labels), 'source': src,
            'target': {'kind': 'socket', 'inode': 0, 'family': 'inet',
                       'address': dst[0], 'port': dst[1]}}


class Crossing(unittest.TestCase):
    def setUp(self):
        self.a = FakeVm('a', ['10.0.0.1'])
        self.b = FakeVm('b', ['10.0.0.2', '192.168.1.2'])
        self.vms = [self.a, self.b]

    def test_to_known_vm(self):
        vm, args = st_bridge.crossing(exfil(), self.a, self.vms)
        self.assertIs(vm, self.b)
        self.assertEqual(args, {'local-address': '10.0.0.2',
                                'local-port': 5555,
                                'peer-address': '10.0.0.1',
                                'peer-port': 40000,
                                'labels': ['/srv/secret/*']})

    def test_second_address(self):
        vm, args = st_bridge.crossing(exfil(dst=('192.168.1.2', 80)),
                                      self.a, self.vms)
        self.assertIs(vm, self.b)
        self.assertEqual(args['local-port'], 80)

    def test_unbound_sender_uses_its_vm_address(self):
        vm, args = st_bridge.crossing(exfil(local=('0.0.0.0', 41000)),
                                      self.a, self.vms)
        self.assertEqual((args['peer-address'], args['peer-port']),
                         ('10.0.0.1', 41000))

    def test_outside_the_fleet(self):
        vm, why = st_bridge.crossing(exfil(dst=('93.184.216.34', 443)),
                                     self.a, self.vms)
        self.assertIsNone(vm)
        self.assertIn('outside', why)

    def test_no_local_port(self):
        vm, why = st_bridge.crossing(exfil(local=None), self.a, self.vms)
        self.assertIsNone(vm)
        self.assertIn('no known address', why)

    def test_not_a_send_out(self):
        f = exfil()
        f['target'] = {'kind': 'file', 'dev': 2, 'inode': 5, 'path': '/x'}
        self.assertEqual(st_bridge.crossing(f, self.a, self.vms),
                         (None, None))
        f['target'] = {'kind': 'socket', 'inode': 99, 'family': 'inet',
                       'address': '10.0.0.2', 'port': 5555}
        self.assertEqual(st_bridge.crossing(f, self.a, self.vms),
                         (None, None))

    def test_not_to_itself(self):
        vm, why = st_bridge.crossing(exfil(dst=('10.0.0.1', 22)), self.a,
                                     self.vms)
        self.assertIsNone(vm)


class BridgeFlows(unittest.TestCase):
    def test_forward_once_and_report(self):
        a, b = FakeVm('a', ['10.0.0.1']), FakeVm('b', ['10.0.0.2'])
        out = io.StringIO()
        br = st_bridge.Bridge([a, b], out)
        br.flow(a, exfil())
        br.flow(a, exfil())             # the same flow (event + replay)
        br.flow(a, exfil(fid=8, dst=('8.8.8.8', 53)))
        self.assertEqual(len(b.calls), 1)
        self.assertEqual(b.calls[0][0], 'secret-tracker-add-endpoint')
        recs = [json.loads(ln) for ln in out.getvalue().splitlines()]
        self.assertEqual(len(recs), 2)
        self.assertEqual(recs[0]['to'], 'b')
        self.assertEqual(recs[0]['reads-tainted'], 1)
        self.assertIn('skipped', recs[1])

    def test_ids_handled_in_order(self):
        a, b = FakeVm('a', ['10.0.0.1']), FakeVm('b', ['10.0.0.2'])
        br = st_bridge.Bridge([a, b], io.StringIO())
        for fid in (1, 2, 4):
            br.flow(a, exfil(fid=fid, dst=('8.8.8.8', 53)))
        self.assertEqual(br.done_upto, {'a': 2, 'b': 0})
        br.flow(a, exfil(fid=3, dst=('8.8.8.8', 53)))
        self.assertEqual(br.done_upto['a'], 4)
        br.flow(a, exfil(fid=4))        # handled already: not again
        self.assertEqual(b.calls, [])

    def test_receiver_error_is_reported(self):
        a, b = FakeVm('a', ['10.0.0.1']), FakeVm('b', ['10.0.0.2'],
                                                 fail='no device')
        out = io.StringIO()
        st_bridge.Bridge([a, b], out).flow(a, exfil())
        self.assertEqual(json.loads(out.getvalue())['error'], 'no device')


class Virsh(unittest.TestCase):
    def test_event_line(self):
        data = exfil()
        ev = st_bridge.parse_virsh_event(
            "event SECRET_FLOW at 1796374298.031863 for domain "
            "'guest-a': %s\n" % json.dumps(data))
        self.assertEqual(ev, {'event': 'SECRET_FLOW', 'data': data})

    def test_null_data_and_noise(self):
        self.assertEqual(st_bridge.parse_virsh_event(
            "event STOP at 1.5 for domain 'x': <null>"),
            {'event': 'STOP', 'data': {}})
        self.assertIsNone(st_bridge.parse_virsh_event('error: lost'))

    def test_vm_specs(self):
        vm = st_bridge.parse_vm('a=qmp:/run/a.sock,addr=10.0.0.1,addr=::1',
                                None)
        self.assertIsInstance(vm, st_bridge.QmpVm)
        self.assertEqual(vm.addrs, ['10.0.0.1', '::1'])
        vm = st_bridge.parse_vm('b=libvirt:guest-b', 'qemu:///system')
        self.assertIsInstance(vm, st_bridge.LibvirtVm)
        self.assertEqual((vm.domain, vm.uri), ('guest-b', 'qemu:///system'))
        with self.assertRaises(ValueError):
            st_bridge.parse_vm('c=ssh:host', None)


if __name__ == '__main__':
    unittest.main()
