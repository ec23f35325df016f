#!/usr/bin/env python3
"""e2e: a host whose TCG CPU model has no AMD-V cannot start the nest,
and says so: the -kvm tests then fail with that message (never skip).

Boots the nest's L1 under -cpu max,svm=off and expects NestError naming
the missing SVM flag and what to use instead.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stnest  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--nest-image', required=True)
    ap.add_argument('--log-dir', required=True)
    args = ap.parse_args()
    nest = stnest.Nest(args.qemu, args.nest_image, args.log_dir,
                       cpu='max,svm=off')
    try:
        nest.start(smp=1)
    except stnest.NestError as e:
        msg = str(e)
        print('the nest refused to start: %s' % msg)
        if 'no SVM' in msg and 'svm' in msg and '-cpu max' in msg:
            return 0
        print('FAIL: the message does not name the missing SVM flag')
        return 1
    finally:
        nest.close()
    print('FAIL: the nest started without SVM')
    return 1


if __name__ == '__main__':
    sys.exit(main())
