#!/usr/bin/env python3
"""e2e: real scenarios on a real Debian kernel, each with the exact flow
graph it must produce (guest/scenarios/NAME.sh; the expectations are in
scenarios.py), and every public contract checked with its content: the
SECRET_FLOW events, the JSON-lines log, query-secret-flows since=N, the
tracked-node lists, the counters and drops, HMP's table, and a clean
QEMU exit on quit.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stcontract  # noqa: E402
import stgraph  # noqa: E402
import sttrack  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402


def run(args, name, sc):
    """Boot the guest on scenario NAME; returns what the checks need."""
    chan = sttrack.HostChannel(args.log_dir) if sc.host else None
    g = sttrack.TrackedGuest(args.qemu, args.guest, args.log_dir,
                             scenario=sc.script or name, files=sc.files,
                             accel=args.accel, smp=sc.smp,
                             device_props=sc.props, memory=args.memory,
                             machine=args.machine, append=sc.append,
                             extra_args=chan.args if chan else ())
    r = {}
    g.launch()
    try:
        if chan:
            chan.connect()
            for step, cmd, cmd_args in sc.host:
                chan.step(g, step)
                g.vm.cmd(cmd, **cmd_args)
                chan.reply(step)
        r['status'] = g.run_to_end()
        r['flows'] = g.flows()
        r['events'] = list(g.flow_events())
        r['since'] = {n: g.flows(since=n)
                      for n in range(len(r['flows']) + 2)}
        r['files'] = g.vm.cmd('query-secret-files')
        r['procs'] = g.vm.cmd('query-secret-processes')
        r['table'] = g.hmp('info secret-flows')
        r['info'] = g.hmp('info secret-tracker')
    finally:
        if chan:
            chan.close()
        g.shutdown()
    r['facts'] = stgraph.facts(g.serial())
    r['facts']['host:compat-returns'] = str(
        stcontract.compat_returns(r['info']))
    return r


def main():
    args = sttrack.test_args(
        lambda ap: ap.add_argument('scenario', choices=sorted(SCENARIOS)))
    name = args.scenario
    sc = SCENARIOS[name]
    r = run(args, name, sc)
    flows = r['flows']

    naming, failures = stgraph.match(flows, sc.edges, sc.ports, r['facts'])
    failures += stcontract.check_labels(flows, sc)
    failures += stcontract.check_events(flows, r['events'], sc)
    failures += stcontract.check_log(os.path.join(args.log_dir,
                                                  'flows.jsonl'), r['events'])
    failures += stcontract.check_since(flows, r['since'])
    failures += stcontract.check_nodes(flows, r['files'], r['procs'], sc)
    failures += stcontract.check_status(r['status'], flows, sc)
    failures += stcontract.check_hmp(r['table'], flows)
    print(r['table'] + r['info'])
    print('facts: %s' % r['facts'])
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('scenario %s: %d flows as expected' % (name, len(flows)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
