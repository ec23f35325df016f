#!/usr/bin/env python3
"""make bench: what the tracker costs a guest (a benchmark, not a test).

Runs guest/scenarios/bench.sh (busybox cp, cat, gzip, sed, dd, tar, ls
in rounds) three times:
  kvm, no device    -accel kvm (natively or in the nest), exits counted
  kvm, device       the same with -device secret-tracker
  tcg, device       the hooks' callback cycles
Under KVM the guest's exits are counted by reason in L1 (the nest) for
the whole run, boot included; the syscall count is the syscall-entry
hook's hits (every system call enters x64_sys_call).  Prints the table
and writes it as JSON to --out.  Asserts nothing about timings.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stgraph  # noqa: E402
import stguest  # noqa: E402
import stnest  # noqa: E402
import sttrack  # noqa: E402

DB_EXIT = 0x41          # SVM exit code of #DB (a hook hit)


def hooks(st):
    return {h['name']: h for h in st['hooks']}


def run_kvm(args, device):
    log_dir = os.path.join(args.log_dir, 'kvm-' + ('device' if device
                                                   else 'none'))
    if device:
        g = sttrack.TrackedGuest(args.qemu, args.guest, log_dir,
                                 scenario='bench', accel='kvm')
    else:
        g = stguest.TestGuest(args.qemu, args.guest, log_dir, accel='kvm',
                              append='st.scenario=bench')
    nest = stnest.current()
    r = {}
    if nest:
        if not nest.alive():
            nest.start(smp=1)       # L1 up first: count L2's exits only
        ctx = stnest.counting_exits(nest)
        counts = ctx.__enter__()
    try:
        g.launch()
        if device:
            g.run_to_end(timeout=900)
            r['status'] = g.status()
        elif not g.wait_exit(900):
            raise AssertionError('the bench guest did not finish')
    finally:
        if nest:
            ctx.__exit__(None, None, None)
        g.shutdown()
    if nest:
        r['exits'] = {'%s (0x%x)' % (counts['names'][c], c): n
                      for c, n in counts['by-reason'].items()}
        r['exits-total'] = counts['total']
        r['db-exits'] = counts['by-reason'].get(DB_EXIT, 0)
    r['facts'] = stgraph.facts(g.serial())
    return r


def run_tcg(args):
    g = sttrack.TrackedGuest(args.qemu, args.guest,
                             os.path.join(args.log_dir, 'tcg-device'),
                             scenario='bench', accel='tcg')
    g.launch()
    try:
        g.run_to_end(timeout=900)
        st = g.status()
    finally:
        g.shutdown()
    return {'status': st, 'facts': stgraph.facts(g.serial())}


def main():
    args = sttrack.test_args(lambda ap: ap.add_argument('--out',
                                                        required=True))
    if args.accel != 'kvm':
        raise SystemExit('bench.py --accel kvm (the TCG run is added)')
    none = run_kvm(args, False)
    dev = run_kvm(args, True)
    tcg = run_tcg(args)
    st = dev['status']
    h = hooks(st)
    calls = h['syscall-entry']['hits']
    out = {'route': 'nest' if stnest.current() else 'native',
           'syscalls': calls,
           'kvm-none': none, 'kvm-device': dev,
           'tcg-device': {'hooks': tcg['status']['hooks'],
                          'counters': tcg['status']['counters'],
                          'facts': tcg['facts']}}
    print('workload: %s rounds; %d system calls (syscall-entry hits)'
          % (dev['facts'].get('bench:rounds'), calls))
    print('guest time of the rounds: %s s without the device, %s s with '
          'it (KVM, %s)' % (none['facts'].get('bench:seconds'),
                           dev['facts'].get('bench:seconds'), out['route']))
    if 'db-exits' in dev:
        extra = dev['exits-total'] - none['exits-total']
        out['db-exits-per-syscall'] = dev['db-exits'] / calls
        out['extra-exits-per-syscall'] = extra / calls
        out['exit-ratio'] = dev['exits-total'] / none['exits-total']
        print('#DB exits: %d, %.3f per system call' %
              (dev['db-exits'], out['db-exits-per-syscall']))
        print('all exits: %d without, %d with the device: +%.3f per system '
              'call, x%.2f' % (none['exits-total'], dev['exits-total'],
                              out['extra-exits-per-syscall'],
                              out['exit-ratio']))
        for name, runs in (('without', none), ('with', dev)):
            print('exits by reason, %s the device:' % name)
            for k, n in sorted(runs['exits'].items(), key=lambda kv: -kv[1]):
                print('  %-30s %10d' % (k, n))
    c = st['counters']
    print('returns wanted %d, seen %d (%.3f per system call); events %d, '
          'flows %d' % (c['returns-wanted'], c['returns-seen'],
                        c['returns-wanted'] / calls, c['events'],
                        c['flows']))
    for where, hk in (('kvm', st['hooks']), ('tcg', tcg['status']['hooks'])):
        for x in hk:
            print('%s hook %-15s hits %8d  cycles p50 %7d p99 %8d mean %8d'
                  % (where, x['name'], x['hits'], x['p50-cycles'],
                     x['p99-cycles'], x['mean-cycles']))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True, default=str)
    print('written to %s' % args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
