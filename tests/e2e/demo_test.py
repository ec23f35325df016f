#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""e2e: make demo's script runs the demo scenario under TCG, prints the
route of /srv/secret/plans.txt to the listener's file, and writes its
output files."""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, '..', '..', 'scripts', 'st-demo.py')

# What the scenario (guest/scenarios/demo.sh) does, step by step.
EXPECTED_IN_ROUTE = [
    '/srv/secret/plans.txt   [secret: /srv/secret/*]',
    '-> /home/insider/notes.txt',
    '-> process gzip[',
    'renamed /home/insider/notes.gz -> /home/insider/holiday-photos.gz',
    '-> process nc[',
    'peer inet 127.0.0.1:4444, loopback',
    '-> /srv/inbox/received.bin',
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', required=True)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()

    r = subprocess.run([sys.executable, SCRIPT, args.build, '--out', args.out,
                        '--accel', 'tcg'], capture_output=True, text=True,
                       timeout=600)
    out = r.stdout
    failures = []
    if r.returncode != 0:
        failures.append('st-demo.py exited %d' % r.returncode)
    route = out.split('=== Diffusion route of each secret ===')[-1]
    route = route.split('=== Tracker status')[0]
    pos = 0
    for want in EXPECTED_IN_ROUTE:
        at = route.find(want, pos)
        if at < 0:
            failures.append('route lacks (in order): %r' % want)
        else:
            pos = at
    if 'state: active' not in out:
        failures.append('status does not say state: active')
    for name in ('flows.json', 'flows.jsonl', 'flows.dot', 'flows.svg',
                 'serial.log'):
        if not os.path.exists(os.path.join(args.out, name)):
            failures.append('%s was not written' % name)
    try:
        with open(os.path.join(args.out, 'flows.json')) as fh:
            data = json.load(fh)
        files = {t['node'].get('path') for t in data['files']}
        if '/srv/inbox/received.bin' not in files:
            failures.append('flows.json: received.bin is not tracked')
        if len(data['flows']) != data['tracker']['counters']['flows']:
            failures.append('flows.json: flow list and counter disagree')
    except (OSError, ValueError, KeyError) as e:
        failures.append('flows.json unreadable: %s' % e)
    try:
        with open(os.path.join(args.out, 'flows.svg')) as fh:
            svg = fh.read()
        if '<svg' not in svg or 'received.bin' not in svg:
            failures.append('flows.svg is not the flow graph')
    except OSError:
        pass
    if failures:
        sys.stdout.write(out[-6000:])
        sys.stdout.write(r.stderr[-2000:])
        for f in failures:
            print('FAIL:', f)
        return 1
    print('demo route, status and output files as expected')
    return 0


if __name__ == '__main__':
    sys.exit(main())
