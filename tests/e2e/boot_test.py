#!/usr/bin/env python3
"""e2e: the demo guest boots under TCG, runs its scenario to the end and
powers itself off."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stguest  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--log-dir', required=True)
    args = ap.parse_args()

    g = stguest.TestGuest(args.qemu, args.guest, args.log_dir).launch()
    try:
        ok = g.wait_for(stguest.END_MARKER, timeout=180)
        exited = ok and g.wait_exit(timeout=30)
    finally:
        g.shutdown()
    out = g.serial()
    release = open(os.path.join(args.guest, 'kernel.txt')).read()
    release = [ln.split('=', 1)[1] for ln in release.splitlines()
               if ln.startswith('release=')][0]
    failures = []
    if (stguest.UP_MARKER + ', kernel ' + release) not in out:
        failures.append('guest did not report kernel ' + release)
    if not ok:
        failures.append('no end marker on the serial console')
    if 'SECRET-TRACKER-GUEST: scenario exited 0' not in out:
        failures.append('scenario did not exit 0')
    if ok and not exited:
        failures.append('guest did not power off after the end marker')
    if failures:
        sys.stdout.write(out[-4000:])
        for f in failures:
            print('FAIL:', f)
        return 1
    print('guest %s booted, ran its scenario and powered off' % release)
    return 0


if __name__ == '__main__':
    sys.exit(main())
