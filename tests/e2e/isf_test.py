#!/usr/bin/env python3
"""e2e: profile=FILE with an ISF made by st-profile-gen.

The guest kernel's own ISF works (state active, profile source isf, a copy
of the secret is tracked); the ISF of another kernel is refused with an
error that names both kernels, and the guest keeps running.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stgraph  # noqa: E402
import sttrack  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402


def gen(tool, guest_dir, out):
    subprocess.run([tool, os.path.join(guest_dir, 'vmlinuz'), out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def banner(isf):
    """The linux_banner an ISF carries, as the loader reads it."""
    with open(isf) as f:
        data = json.load(f)['symbols']['linux_banner']['constant_data']
    return base64.b64decode(data).split(b'\n')[0].decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--other-guest', required=True)
    ap.add_argument('--profile-gen', required=True)
    ap.add_argument('--log-dir', required=True)
    args = ap.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    own = gen(args.profile_gen, args.guest,
              os.path.join(args.log_dir, 'own.json'))
    other = gen(args.profile_gen, args.other_guest,
                os.path.join(args.log_dir, 'other.json'))
    failures = []

    g = sttrack.TrackedGuest(args.qemu, args.guest,
                             os.path.join(args.log_dir, 'own'),
                             scenario='cp', device_props='profile=' + own)
    g.launch()
    try:
        st = g.wait_state('active', 240)
        g.run_to_end()
        flows = g.flows()
    finally:
        g.shutdown()
    if st.get('profile-source') != 'isf':
        failures.append('profile source %r, not isf'
                        % st.get('profile-source'))
    failures += stgraph.match(flows, SCENARIOS['cp'].edges)[1]

    g = sttrack.TrackedGuest(args.qemu, args.guest,
                             os.path.join(args.log_dir, 'other'),
                             scenario='cp', device_props='profile=' + other)
    g.launch()
    try:
        deadline = time.monotonic() + 240
        st = g.status()
        while st['state'] != 'error' and time.monotonic() < deadline:
            time.sleep(0.2)
            st = g.status()
        finished = g.wait_for(sttrack.stguest.END_MARKER, 240)
    finally:
        g.shutdown()
    err = st.get('error', '')
    want = ('profile %s is for "%s", but the guest runs "%s"'
            % (other, banner(other), banner(own)))
    if st['state'] != 'error' or err != want:
        failures.append('the other kernel\'s ISF was not refused as it '
                        'should be:\n  got  %r\n  want %r' % (err, want))
    if banner(other) == banner(own):
        failures.append('both kernels have the same banner: %s'
                        % banner(own))
    if not finished:
        failures.append('the guest did not run on after the refusal')
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('own ISF: active, source isf; other ISF refused: %s' % err)
    return 0


if __name__ == '__main__':
    sys.exit(main())
