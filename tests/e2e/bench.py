#!/usr/bin/env python3
"""make bench: what the tracker costs the guest (issue 11).  Not a test:
it asserts nothing about the figures, it measures and prints them.

One nest (tests/e2e/stnest.py) runs the demo guest's benchmark scenario
(guest/scenarios/bench.sh) twice under KVM: without -device secret-tracker,
then with it (files=/srv/secret/*).  The scenario runs three phases (nodata,
mixed, secret), each bracketed by console markers and a few seconds of
sleep; at each bracket this script starts or stops the nest's count of the
guest's exits by reason and reads query-secret-tracker.  Every system call
enters x64_sys_call, so the entry hook's hits in a phase are its system
calls.  Then the same scenario runs under TCG with the device, on this host.

Prints the figures and writes them to BUILD/bench/bench.json.  Exits 1 only
when a run failed or a bracket came too late to be trusted.
"""

import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stguest  # noqa: E402
import stnest  # noqa: E402

PHASES = ('nodata', 'mixed', 'secret')
MARK = 'SECRET-TRACKER-GUEST: bench '
GAP = 5.0               # the scenario's sleep around each phase, seconds
SETTLE = 1.0            # after a marker: the guest's sleep process is up
PHASE_TIMEOUT = 900     # a hang guard, never a timing assertion
DEVICE = 'secret-tracker,files=/srv/secret/*'
DB = 0x41               # SVM exit code of #DB (a hook hit under KVM)
COUNTERS = ('events', 'flows', 'returns-wanted', 'returns-seen',
            'unpaired', 'read-errors', 'compat-entries')
SYSCALL_HOOKS = ('syscall-entry', 'compat-syscall')


def hooks_of(st):
    """{name: (hits, total cycles, mean, p50, p99)} of a status."""
    return {h['name']: (h['hits'], h['hits'] * h['mean-cycles'],
                        h['mean-cycles'], h['p50-cycles'], h['p99-cycles'])
            for h in st['hooks']}


def status_delta(st0, st1):
    """What the tracker did between two statuses."""
    h0, h1 = hooks_of(st0), hooks_of(st1)
    hooks = {}
    for name, (hits, cyc, _, _, _) in h1.items():
        n = hits - h0.get(name, (0, 0))[0]
        c = cyc - h0.get(name, (0, 0))[1]
        hooks[name] = {'hits': n, 'mean-cycles': round(c / n) if n else 0}
    return {'hooks': hooks,
            'counters': {k: st1['counters'][k] - st0['counters'][k]
                         for k in COUNTERS}}


def exits_of(counts):
    return {'by-reason': {'%s (0x%x)' % (counts['names'][c], c): n
                          for c, n in sorted(counts['by-reason'].items(),
                                             key=lambda cn: -cn[1])},
            'db': counts['by-reason'].get(DB, 0),
            'total': counts['total']}


class Run:
    """One boot of the benchmark scenario; figures per phase."""

    def __init__(self, args, name, accel, device, nest=None):
        self.args = args
        self.name = name
        self.accel = accel
        self.device = device
        self.nest = nest
        self.log_dir = os.path.join(args.log_dir, name)
        self.phases = {}
        self.late = []
        self.final = None

    def _wait(self, g, text, settle=0):
        """Wait for TEXT on the console, then SETTLE seconds: the guest
        starts its sleep just after a marker, and the system calls that
        start it must fall on the same side of both brackets."""
        if not g.wait_for(text, PHASE_TIMEOUT):
            raise RuntimeError('%s: no "%s" on the console; tail:\n%s'
                               % (self.name, text, g.serial()[-3000:]))
        seen = time.monotonic()
        time.sleep(settle)
        return seen

    def _bracket(self, seen, what):
        lag = time.monotonic() - seen
        if lag > GAP - 0.5:
            self.late.append('%s %s %.1f s after the marker' %
                             (self.name, what, lag))
        return round(lag, 2)

    def _status(self, g):
        return g.vm.cmd('query-secret-tracker') if self.device else None

    def run(self):
        extra = ['-device', DEVICE, '-action', 'shutdown=pause'] \
            if self.device else []
        g = stguest.TestGuest(self.args.qemu, self.args.guest, self.log_dir,
                              accel=self.accel, memory=self.args.memory,
                              append='st.scenario=bench', extra_args=extra)
        t0 = time.monotonic()
        g.launch()
        try:
            for p in PHASES:
                self.phases[p] = self._phase(g, p)
            self._wait(g, stguest.END_MARKER)
            if 'SECRET-TRACKER-GUEST: scenario exited 0' not in g.serial():
                raise RuntimeError('%s: the scenario failed; tail:\n%s'
                                   % (self.name, g.serial()[-3000:]))
            if self.device:
                self.final = self._status(g)
        finally:
            g.shutdown()
        self.seconds = time.monotonic() - t0
        return self

    def _phase(self, g, p):
        fig = {}
        # Exits are counted inside the status reads: the guest is asleep
        # from before the first to after the last.
        seen = self._wait(g, MARK + p + ' start', SETTLE)
        st0 = self._status(g)
        if self.nest:
            self.nest.exit_counts_start()
        fig['lag-start-s'] = self._bracket(seen, p + ' start')
        seen = self._wait(g, MARK + p + ' done ', SETTLE)
        if self.nest:
            fig['exits'] = exits_of(self.nest.exit_counts_stop())
        st1 = self._status(g)
        fig['lag-stop-s'] = self._bracket(seen, p + ' stop')
        m = re.search(re.escape(MARK + p) + r' done ([0-9.]+) ([0-9.]+)',
                      g.serial())
        if not m:
            raise RuntimeError('%s: phase %s printed no times' %
                               (self.name, p))
        fig['guest-seconds'] = round(float(m.group(2)) -
                                     float(m.group(1)), 2)
        if self.device:
            fig.update(status_delta(st0, st1))
            fig['syscalls'] = sum(fig['hooks'].get(h, {}).get('hits', 0)
                                  for h in SYSCALL_HOOKS)
        return fig


def ratio(a, b):
    return round(a / b, 3) if b else None


def total(run):
    """The three phases as one workload."""
    out = {'guest-seconds': round(sum(f['guest-seconds']
                                      for f in run.phases.values()), 2)}
    if all('exits' in f for f in run.phases.values()):
        by = {}
        for f in run.phases.values():
            for k, n in f['exits']['by-reason'].items():
                by[k] = by.get(k, 0) + n
        out['exits'] = {'by-reason': dict(sorted(by.items(),
                                                 key=lambda kn: -kn[1])),
                        'db': sum(f['exits']['db']
                                  for f in run.phases.values()),
                        'total': sum(f['exits']['total']
                                     for f in run.phases.values())}
    if run.device:
        hooks = {}
        for f in run.phases.values():
            for name, h in f['hooks'].items():
                t = hooks.setdefault(name, {'hits': 0, 'cycles': 0})
                t['hits'] += h['hits']
                t['cycles'] += h['hits'] * h['mean-cycles']
        out['hooks'] = {n: {'hits': t['hits'],
                            'mean-cycles': round(t['cycles'] / t['hits'])
                            if t['hits'] else 0}
                        for n, t in hooks.items()}
        out['counters'] = {k: sum(f['counters'][k]
                                  for f in run.phases.values())
                           for k in COUNTERS}
        out['syscalls'] = sum(f['syscalls'] for f in run.phases.values())
    return out


def per_syscall(bare, dev):
    """The KVM cost figures of one phase (or the total)."""
    n = dev['syscalls']
    return {
        'syscalls': n,
        'db-exits-per-syscall': ratio(dev['exits']['db'], n),
        'exits-per-syscall': ratio(dev['exits']['total'] -
                                   bare['exits']['total'], n),
        'hook-hits-per-syscall': ratio(sum(h['hits'] for h in
                                           dev['hooks'].values()), n),
        'returns-wanted-per-syscall': ratio(
            dev['counters']['returns-wanted'], n),
        'returns-seen-per-syscall': ratio(dev['counters']['returns-seen'],
                                          n),
        'slowdown': ratio(dev['guest-seconds'], bare['guest-seconds']),
    }


def extra_exits(bare, dev):
    """{reason: exits with the device minus without}, #DB left out."""
    reasons = set(bare['exits']['by-reason']) | set(dev['exits']['by-reason'])
    more = {r: dev['exits']['by-reason'].get(r, 0) -
            bare['exits']['by-reason'].get(r, 0)
            for r in reasons if not r.startswith('#DB ')}
    return dict(sorted(more.items(), key=lambda rn: -abs(rn[1])))


def print_exits(bare, dev):
    reasons = list(dev['exits']['by-reason'])
    reasons += [r for r in bare['exits']['by-reason'] if r not in reasons]
    for r in reasons:
        print('    %-24s %10d %10d' % (r, bare['exits']['by-reason'].get(r, 0),
                                       dev['exits']['by-reason'].get(r, 0)))
    print('    %-24s %10d %10d' % ('total', bare['exits']['total'],
                                   dev['exits']['total']))


def fmt(v, spec='%.3f'):
    return '-' if v is None else spec % v


def report(bare, dev, tcg, nest_desc):
    rows = [(p, bare.phases[p], dev.phases[p]) for p in PHASES]
    rows.append(('all', total(bare), total(dev)))
    kvm = {name: per_syscall(b, d) for name, b, d in rows}
    print()
    print('== KVM, nested (%s)' % nest_desc)
    print('   step-over %s; kernel %s'
          % (dev.final.get('step-over'), dev.final.get('kernel')))
    for name, b, d in rows:
        print('  %-26s %10s %10s' % (name + ': guest exits by reason',
                                     'no device', 'device'))
        print_exits(b, d)
    print()
    print('  %-7s %8s %7s %9s %8s %8s %8s %8s %8s %8s'
          % ('phase', 'syscalls', '#DB/sc', 'exits/sc', 'hooks/sc',
             'rwant/sc', 'rseen/sc', 'wall-off', 'wall-on', 'slowdown'))
    for name, b, d in rows:
        k = kvm[name]
        print('  %-7s %8d %7s %9s %8s %8s %8s %7.2fs %7.2fs %8s'
              % (name, k['syscalls'], fmt(k['db-exits-per-syscall']),
                 fmt(k['exits-per-syscall']),
                 fmt(k['hook-hits-per-syscall']),
                 fmt(k['returns-wanted-per-syscall']),
                 fmt(k['returns-seen-per-syscall']),
                 b['guest-seconds'], d['guest-seconds'],
                 fmt(k['slowdown'], '%.2fx')))
    print('  (exits/sc: all exits with the device minus without, per '
          'syscall; wall: the guest\'s own /proc/uptime)')
    for name, b, d in rows:
        more = extra_exits(b, d)
        kvm[name]['extra-exits-by-reason'] = more
        print('  %s: exits the device added besides #DB: %s' % (
            name, ', '.join('%s %+d' % (r, n) for r, n in more.items()
                            if n) or 'none'))

    trows = [(p, tcg.phases[p]) for p in PHASES]
    trows.append(('all', total(tcg)))
    print()
    print('== TCG, with the device (this host)')
    names = sorted({n for _, f in trows for n, h in f['hooks'].items()
                    if h['hits']})
    print('  %-7s %8s %s %8s %6s %8s' % (
        'phase', 'syscalls', ' '.join('%14s' % (n + ' hits') for n in names),
        'events', 'flows', 'wall'))
    for name, f in trows:
        print('  %-7s %8d %s %8d %6d %7.2fs' % (
            name, f['syscalls'],
            ' '.join('%14d' % f['hooks'].get(n, {}).get('hits', 0)
                     for n in names),
            f['counters']['events'], f['counters']['flows'],
            f['guest-seconds']))
    print('  hook cycles (host TSC) in the workload (mean), and over the '
          'whole run (mean / p50 / p99):')
    hall = total(tcg)['hooks']
    for name, (hits, _, mean, p50, p99) in sorted(
            hooks_of(tcg.final).items()):
        if not hits:
            continue
        print('    %-16s workload mean %6d; run: %8d hits, mean %6d, '
              'p50 %6d, p99 %6d'
              % (name, hall.get(name, {}).get('mean-cycles', 0), hits,
                 mean, p50, p99))
    c = tcg.final['counters']
    print('  run counters: events %d, flows %d, returns-wanted %d, '
          'returns-seen %d, unpaired %d, read-errors %d'
          % (c['events'], c['flows'], c['returns-wanted'],
             c['returns-seen'], c['unpaired'], c['read-errors']))
    print('  KVM device run, hook cycles over the whole run (L1\'s TSC, '
          'itself under TCG): %s'
          % ', '.join('%s mean %d p50 %d p99 %d' % (n, m, p50, p99)
                      for n, (h, _, m, p50, p99) in
                      sorted(hooks_of(dev.final).items()) if h))
    return kvm


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--guest', required=True, help='the demo guest')
    ap.add_argument('--log-dir', required=True,
                    help='logs; bench.json is written here')
    ap.add_argument('--nest-image', default=None,
                    help='the nest image (default: GUEST/../nest)')
    ap.add_argument('--memory', default='512M')
    args = ap.parse_args()
    if args.nest_image is None:
        args.nest_image = os.path.join(
            os.path.dirname(os.path.abspath(args.guest)), 'nest')
    os.makedirs(args.log_dir, exist_ok=True)

    # Exits are counted in the nest's L1, so KVM runs there even where this
    # host's own KVM could run the guest.
    nest = stnest.prepare(args.qemu, args.nest_image,
                          os.path.join(args.log_dir, 'nest'),
                          memory_mb=2048,
                          cpu=os.environ.get('ST_NEST_CPU', 'max'))
    stguest.use_nest(nest)
    try:
        print('bench: KVM in the nest, without the device')
        bare = Run(args, 'kvm-off', 'kvm', False, nest).run()
        print('bench: KVM in the nest, with -device %s' % DEVICE)
        dev = Run(args, 'kvm-on', 'kvm', True, nest).run()
        nest_desc = nest.describe()
    finally:
        nest.close()
    print('bench: TCG on this host, with the device')
    tcg = Run(args, 'tcg-on', 'tcg', True).run()

    kvm = report(bare, dev, tcg, nest_desc)
    late = bare.late + dev.late + tcg.late
    out = {
        'command': 'make bench',
        'scenario': 'guest/scenarios/bench.sh',
        'nest': nest_desc,
        'step-over': dev.final.get('step-over'),
        'kernel': dev.final.get('kernel'),
        'kvm': {'off': {'phases': bare.phases, 'all': total(bare)},
                'on': {'phases': dev.phases, 'all': total(dev)},
                'per-syscall': kvm},
        'tcg': {'phases': tcg.phases, 'all': total(tcg),
                'hooks': [dict(h) for h in tcg.final['hooks']],
                'counters': tcg.final['counters']},
        'late-brackets': late,
    }
    path = os.path.join(args.log_dir, 'bench.json')
    with open(path, 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write('\n')
    print()
    print('bench: figures in %s' % path)
    if late:
        for ln in late:
            print('bench: WARNING: counting began or ended late: %s (the '
                  'guest sleeps %.0f s there); the figures may miss part '
                  'of a phase' % (ln, GAP))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
