#!/usr/bin/env python3
"""Measure what one VM's tracker sends to a fleet pipeline (not a test).

    /usr/bin/python3 tests/e2e/fleet_cost.py --qemu build/qemu/qemu-system-x86_64 \\
        --guest build/guest/demo --log-dir build/fleet-cost

Workloads, each in a fresh guest under the given accelerator:
  demo   the demo scenario (guest/scenarios/demo.sh): copy, pipe, rename,
         loopback TCP; once with native log lines, once with ECS lines
  burst  200 copies of the secret in a tight shell loop: 200 new flows
  steady 200 reads of the secret by the same process into the same file:
         one flow, updated 200 times (an edge's later calls send nothing)

Prints, per workload: flows (= SECRET_FLOW events = log lines), the
guest-time and wall-time windows they were made in, flows per second,
and the bytes per flow of the QMP event, the native line and the ECS
line.
"""

import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stfleet  # noqa: E402
import sttrack  # noqa: E402


def sizes(path):
    with open(path, 'rb') as f:
        return [len(ln) + 1 for ln in f.read().split(b'\n') if ln]


def rate(n, seconds):
    return n / seconds if seconds > 0 else float('nan')


def report(name, flows, events, wall, lines):
    first = min(f['first-ns'] for f in flows)
    last = max(f['first-ns'] for f in flows)
    guest_s = (last - first) / 1e9
    ev = [len(json.dumps(e, separators=(',', ':'))) + 2 for e in events]
    print('%-12s flows %4d  guest window %6.2f s (%7.1f flows/s)  '
          'wall %6.2f s (%6.1f flows/s)' % (name, len(flows), guest_s,
                                           rate(len(flows) - 1, guest_s),
                                           wall, rate(len(flows), wall)))
    print('%-12s bytes per flow: QMP event mean %d max %d; log line mean '
          '%d max %d' % ('', statistics.mean(ev), max(ev),
                         statistics.mean(lines), max(lines)))


def demo(args, fmt):
    d = os.path.join(args.log_dir, 'demo-' + fmt)
    g = sttrack.TrackedGuest(args.qemu, args.guest, d, scenario='demo',
                             accel=args.accel,
                             device_props='log-format=' + fmt)
    g.launch()
    try:
        t0 = time.monotonic()
        g.run_to_end()
        wall = time.monotonic() - t0
        flows = g.flows()
        # run_to_end() already took the events off the queue
        events = [{'event': 'SECRET_FLOW', 'data': d}
                  for d in g.flow_events()]
    finally:
        g.shutdown()
    report('demo/' + fmt, flows, events, wall,
           sizes(os.path.join(d, 'flows.jsonl')))


def ctl(args, name, fmt, command):
    d = os.path.join(args.log_dir, name + '-' + fmt)
    log = os.path.join(d, 'flows.jsonl')
    if os.path.exists(log):
        os.unlink(log)
    g = stfleet.FleetGuest(args.qemu, stfleet.overlay_guest(
        args.guest, os.path.join(args.log_dir, 'guest')), d,
        accel=args.accel,
        device='files=/srv/secret/*,log-format=%s,log=%s' % (fmt, log))
    try:
        g.start()
        g.vm.get_qmp_events(wait=False)
        t0 = time.monotonic()
        g.run(command, timeout=600)
        wall = time.monotonic() - t0
        time.sleep(2)
        flows = g.flows()
        events = [e for e in g.vm.get_qmp_events(wait=False)
                  if e['event'] == 'SECRET_FLOW']
        calls = sum(f['count'] for f in flows)
    finally:
        g.shutdown()
    report('%s/%s' % (name, fmt), flows, events, wall, sizes(log))
    print('%-12s %d calls aggregated into %d flows' % ('', calls,
                                                        len(flows)))


def main():
    args = sttrack.test_args()
    for fmt in ('native', 'ecs'):
        demo(args, fmt)
    for fmt in ('native', 'ecs'):
        ctl(args, 'burst', fmt, 'i=0; while [ $i -lt 200 ]; do cp %s '
            '/tmp/c$i; i=$((i + 1)); done' % stfleet.SECRET)
    ctl(args, 'steady', 'native', 'exec 4>/tmp/same; i=0; while [ $i -lt '
        '200 ]; do cat %s >&4; i=$((i + 1)); done; exec 4>&-'
        % stfleet.SECRET)
    return 0


if __name__ == '__main__':
    sys.exit(main())
