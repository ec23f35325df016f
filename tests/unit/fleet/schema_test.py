#!/usr/bin/env python3
"""The log lines' JSON Schemas (docs/system/devices/secret-tracker-log*.
schema.json) are valid schemas, accept real lines of both formats (data/,
written by the device in e2e runs) and reject broken ones."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'e2e'))
import stschema  # noqa: E402


def lines(name):
    with open(os.path.join(HERE, 'data', name)) as f:
        return [json.loads(ln) for ln in f if ln.strip()]


class Schemas(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vals = stschema.validators()

    def check(self, fmt):
        real = lines(fmt + '.jsonl')
        self.assertGreaterEqual(len(real), 3)
        self.assertEqual(stschema.errors(real, fmt, self.vals), [])
        for ln in real:
            self.assertEqual(stschema.self_test(ln, fmt, self.vals), [])
        # Each format's lines are not the other's.
        other = 'ecs' if fmt == 'native' else 'native'
        self.assertTrue(stschema.errors(real[:1], other, self.vals))

    def test_native(self):
        self.check('native')

    def test_ecs(self):
        self.check('ecs')

    def test_ecs_network_fields(self):
        net = [ln for ln in lines('ecs.jsonl') if 'network' in ln]
        self.assertTrue(net)
        bad = json.loads(json.dumps(net[0]))
        bad['network']['direction'] = 'sideways'
        self.assertTrue(stschema.errors([bad], 'ecs', self.vals))


if __name__ == '__main__':
    unittest.main()
