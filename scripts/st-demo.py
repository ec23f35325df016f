#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make demo: run the demo scenario under the tracker and show the route.

Boots the bundled Debian demo guest with -device secret-tracker watching
/srv/secret/*, shows its console and the SECRET_FLOW events live, then
prints the diffusion route of every secret as a tree, the tracker's status,
and writes flows.json, flows.dot, flows.svg, flows.jsonl and the console
log into the demo output directory.

usage: st-demo.py BUILD_DIR [--out DIR] [--accel auto|tcg|kvm]
"""

import argparse
import glob
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
import stguest  # noqa: E402
import stnest  # noqa: E402
import sttrack  # noqa: E402

SECRETS = '/srv/secret/*'
SCENARIO_TIMEOUT = 600      # TCG on a busy 2-core host; a run takes ~15 s
KVM_PROBE_TIMEOUT = 20      # a host that can run the guest boots it in ~2 s
ROUTE_MAX_DEPTH = 64        # keeps the tree readable and the recursion shallow
COUNTERS = ('events', 'flows', 'flows-dropped', 'nodes-dropped',
            'read-errors', 'unpaired', 'paths-resolved')
QMP_QUERIES = ('query-secret-flows', 'query-secret-files',
               'query-secret-processes', 'query-secret-tracker')


def say(msg):
    print('st-demo: ' + msg, flush=True)


# ---------------------------------------------------------------------------
# Accelerator choice

def choose_accel(want, qemu, guest, build, out):
    """(accel, why).  auto: KVM where this host's KVM boots the guest,
    else TCG; kvm: this host's KVM where it boots the guest, else a real
    KVM nested in a TCG guest (tests/e2e/stnest.py)."""
    if want == 'tcg':
        return 'tcg', 'asked for with --accel tcg'
    if want == 'auto':
        if os.environ.get('ST_KVM_ROUTE') == 'nest':
            ok, why = False, 'not run: ST_KVM_ROUTE=nest'
        else:
            ok, why = sttrack.kvm_boot_probe(
                qemu, guest, build, os.path.join(out, 'kvm-probe'),
                timeout=KVM_PROBE_TIMEOUT)
        say('kvm probe: %s' % why)
        if ok:
            return 'kvm', why
        return 'tcg', 'KVM not usable here (%s); --accel kvm runs it ' \
            'nested' % why
    say('probing KVM, then booting the nest if this host\'s KVM cannot '
        'run the guest (under TCG that takes ~10 s)...')
    route, why = sttrack.kvm_route(qemu, guest, out,
                                   os.path.join(build, 'guest', 'nest'),
                                   say=say, cache_dir=build)
    return 'kvm', 'asked for with --accel kvm; %s: %s' % (route, why)


# ---------------------------------------------------------------------------
# Nodes of the flow graph (SecretNode in qapi/secret-tracker.json)

def node_key(n):
    kind = n.get('kind')
    if kind == 'file':
        return ('file', n.get('dev'), n.get('inode'))
    if kind == 'process':
        # The engine keys a process by its thread group.
        return ('process', n.get('tgid'))
    if kind == 'ipc':
        return ('ipc', n.get('type'), n.get('id'))
    return (kind, n.get('inode'))


def is_loopback(addr):
    try:
        return ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return False


def socket_peer(n):
    if n.get('family') == 'unix':
        return 'unix:' + (n.get('path') or '(unnamed)')
    if n.get('address') is not None:
        addr = n['address']
        if ':' in addr:
            addr = '[%s]' % addr
        return '%s %s:%s' % (n.get('family', '?'), addr, n.get('port', '?'))
    return n.get('family') or '?'


def node_name(n, path=None):
    """One-line name of a node, as the HMP tables write it."""
    kind = n.get('kind')
    if kind == 'file':
        p = path or n.get('path')
        return p if p else 'file %s:%s (path not resolved)' % (
            n.get('dev'), n.get('inode'))
    if kind == 'process':
        return 'process %s[%s]' % (n.get('comm'), n.get('tgid'))
    if kind == 'pipe':
        return 'pipe:[%s]' % n.get('inode')
    if kind == 'ipc':
        return '%s:[%s]' % (n.get('type'), n.get('id'))
    if kind == 'socket':
        s = 'socket:[%s] peer %s' % (n.get('inode'), socket_peer(n))
        if n.get('family') in ('inet', 'inet6') and n.get('address'):
            s += ', loopback' if is_loopback(n['address']) \
                else ', LEAVES THE VM'
        return s
    return '%s %s' % (kind, n.get('inode'))


def human_bytes(b):
    if b < 1024:
        return '%d B' % b
    for unit in ('KiB', 'MiB', 'GiB'):
        b /= 1024.0
        if b < 1024:
            return '%.1f %s' % (b, unit)
    return '%.1f TiB' % b


def edge_text(f):
    return '%s x%d, %s' % (f['syscall'], f['count'], human_bytes(f['bytes']))


class FlowGraph:
    """The flows, indexed by node, with the paths files had at each flow."""

    def __init__(self, flows, files, processes, history):
        self.flows = sorted(flows, key=lambda f: f['id'])
        self.nodes = {}          # key -> latest SecretNode
        self.tracked = {}        # key -> SecretTrackedNode
        self.out = {}            # key -> [flow], by id
        for t in list(files) + list(processes):
            self.tracked[node_key(t['node'])] = t
        for f in self.flows:
            for n in (f['source'], f['target']):
                self.nodes[node_key(n)] = n
            self.out.setdefault(node_key(f['source']), []).append(f)
        for k, t in self.tracked.items():
            self.nodes[k] = t['node']
        # Paths as they were when each flow was created (SECRET_FLOW
        # events and the JSON-lines log record them then): a renamed
        # file's earlier name is only known from there.
        self.path_at = {}
        for h in history:
            if 'id' not in h:
                continue
            for end in ('source', 'target'):
                n = h.get(end) or {}
                if n.get('kind') == 'file' and n.get('path'):
                    self.path_at[(h['id'], end)] = n['path']

    def secrets(self):
        return [t for t in self.tracked.values() if t.get('registered')]

    def name(self, key, flow_id=None, end=None):
        n = self.nodes.get(key, {'kind': key[0]})
        path = self.path_at.get((flow_id, end)) if flow_id else None
        s = node_name(n, path)
        t = self.tracked.get(key)
        if t and t.get('gone'):
            s += ' (exited)' if key[0] == 'process' else ' (deleted)'
        return s

    def rename_from(self, f):
        """The path a renamed file had before rename flow F."""
        src = self.path_at.get((f['id'], 'source'))
        if src and src != self.path_at.get((f['id'], 'target')):
            return src
        return self.path_before(node_key(f['source']), f['id'])

    def path_before(self, key, flow_id):
        """The latest path KEY had in a flow older than FLOW_ID."""
        best = None
        for f in self.flows:
            if f['id'] >= flow_id:
                break
            for end in ('source', 'target'):
                if node_key(f[end]) == key and (f['id'], end) in self.path_at:
                    best = self.path_at[(f['id'], end)]
        return best


# ---------------------------------------------------------------------------
# The route, as an indented tree

def carries(flow, labels):
    return not labels or not flow.get('labels') or \
        bool(set(flow['labels']) & set(labels))


def route_tree(graph, secret):
    """Lines of the tree from one registered secret to all it reached."""
    root = node_key(secret['node'])
    labels = secret.get('labels') or []
    lines = [graph.name(root) + '   [secret: %s]' % ', '.join(labels)]
    expanded = set()

    def walk(key, ancestors, prefix):
        edges = [f for f in graph.out.get(key, []) if carries(f, labels)]
        renames = [f for f in edges if node_key(f['target']) == key]
        rename = renames[0] if renames else None
        # Steps taken after a rename hang under the "renamed to" line.
        before = [f for f in edges if f is not rename and
                  (rename is None or f['first-ns'] < rename['first-ns'])]
        after = [f for f in edges if f is not rename and f not in before]
        items = [('edge', f) for f in before]
        if rename is not None:
            items.append(('rename', rename))
        for i, (what, f) in enumerate(items):
            last = i == len(items) - 1
            branch = prefix + ('`-- ' if last else '|-- ')
            child_prefix = prefix + ('    ' if last else '|   ')
            if what == 'rename':
                old = graph.rename_from(f)
                new = graph.path_at.get((f['id'], 'target')) or \
                    graph.nodes[key].get('path') or '?'
                text = 'renamed to %s' % new
                if old and old != new:
                    text = 'renamed %s -> %s' % (old, new)
                if f['count'] > 1:
                    text += ' (%d renames)' % f['count']
                lines.append(branch + text)
                walk_edges(key, after, ancestors, child_prefix)
                continue
            step(f, branch, child_prefix, ancestors)

    def walk_edges(key, edges, ancestors, prefix):
        for i, f in enumerate(edges):
            last = i == len(edges) - 1
            step(f, prefix + ('`-- ' if last else '|-- '),
                 prefix + ('    ' if last else '|   '), ancestors)

    def step(f, branch, child_prefix, ancestors):
        target = node_key(f['target'])
        text = '%s -> %s' % (edge_text(f),
                             graph.name(target, f['id'], 'target'))
        if target in ancestors:
            lines.append(branch + text + '   (back to an earlier step)')
            return
        if target in expanded:
            lines.append(branch + text + '   (continues above)')
            return
        if len(ancestors) >= ROUTE_MAX_DEPTH:
            lines.append(branch + text + '   (further steps: see flows.json)')
            return
        lines.append(branch + text)
        expanded.add(target)
        walk(target, ancestors | {target}, child_prefix)

    expanded.add(root)
    walk(root, frozenset([root]), '    ')
    return lines


def reached_summary(graph, secret):
    """Which nodes the secret's label reached, by kind."""
    labels = set(secret.get('labels') or [])
    counts = {}
    leaks = []
    for k, t in graph.tracked.items():
        if t.get('registered') or (labels and not labels & set(t['labels'])):
            continue
        counts[k[0]] = counts.get(k[0], 0) + 1
        n = t['node']
        if n.get('kind') == 'socket' and n.get('address') and \
                not is_loopback(n['address']):
            leaks.append(socket_peer(n))
    parts = ['%d %s%s' % (c, kind, '' if c == 1 else 'es' if
                          kind.endswith('s') else 's')
             for kind, c in sorted(counts.items())]
    s = 'reached: ' + (', '.join(parts) if parts else 'nothing')
    if leaks:
        s += '; sent out of the VM to ' + ', '.join(sorted(leaks))
    return s


# ---------------------------------------------------------------------------
# Status, as HMP's "info secret-tracker" lays it out

def status_lines(info):
    lines = ['state: %s' % info['state']]
    if info.get('error'):
        lines.append('error: %s' % info['error'])
    known = ('state', 'error', 'accelerator', 'step-over', 'kernel',
             'profile-source', 'hooks', 'counters')
    for k in known[2:6] + tuple(sorted(k for k in info if k not in known)):
        if info.get(k) is not None and not isinstance(info[k], (dict, list)):
            lines.append('%s: %s' % (k, info[k]))
    for h in info.get('hooks', []):
        lines.append('hook %-14s at 0x%x: %d hits, cycles mean %d p50 %d '
                     'p99 %d' % (h['name'], h['address'], h['hits'],
                                 h['mean-cycles'], h['p50-cycles'],
                                 h['p99-cycles']))
    c = info.get('counters', {})
    order = [k for k in COUNTERS if k in c] + \
        sorted(k for k in c if k not in COUNTERS and
               isinstance(c[k], int))
    lines.append(', '.join('%s %d' % (k.replace('-', ' '), c[k])
                           for k in order))
    if c.get('drops'):
        lines.append('dropped: ' + ', '.join('%s %d' % (d['reason'], d['count'])
                                             for d in c['drops']))
    return lines


# ---------------------------------------------------------------------------
# Graphviz

def dot_quote(s):
    return '"%s"' % str(s).replace('\\', '\\\\').replace('"', '\\"') \
        .replace('\n', '\\n')


def write_dot(graph, path):
    style = {
        'file': 'shape=note, style=filled, fillcolor="#fff7d6"',
        'pipe': 'shape=cds, style=filled, fillcolor="#e3f0ff"',
        'process': 'shape=ellipse, style=filled, fillcolor="#e6f5e1"',
        'socket': 'shape=hexagon, style=filled, fillcolor="#f0e6ff"',
    }
    ids = {}
    out = ['// secret-tracker flow graph, written by scripts/st-demo.py',
           'digraph secret_flows {',
           '    rankdir=TB;',
           '    labelloc=t;',
           '    fontname="Helvetica";',
           '    label=%s;' % dot_quote(
               'secret-tracker: flows of %s\n(files: notes, pipes: '
               'arrows, processes: ellipses, sockets: hexagons)' %
               ', '.join(sorted({lb for t in graph.secrets()
                                 for lb in t.get('labels', [])}))),
           '    node [fontname="Helvetica", fontsize=11];',
           '    edge [fontname="Helvetica", fontsize=9];']
    for i, (key, n) in enumerate(sorted(graph.nodes.items(),
                                        key=lambda kv: str(kv[0]))):
        ids[key] = 'n%d' % i
        t = graph.tracked.get(key, {})
        kind = n.get('kind')
        if kind == 'file':
            label = n.get('path') or 'file %s:%s' % (n.get('dev'),
                                                    n.get('inode'))
            label += '\ninode %s' % n.get('inode')
        elif kind == 'process':
            label = '%s\ntgid %s' % (n.get('comm'), n.get('tgid'))
        elif kind == 'pipe':
            label = 'pipe:[%s]' % n.get('inode')
        elif kind == 'ipc':
            label = '%s:[%s]' % (n.get('type'), n.get('id'))
        else:
            label = 'socket:[%s]\npeer %s' % (n.get('inode'),
                                              socket_peer(n))
        attrs = style.get(kind, 'shape=box')
        if t.get('registered'):
            label = 'SECRET\n' + label
            attrs = attrs.replace('fillcolor="#fff7d6"',
                                  'fillcolor="#ffb3b3", penwidth=2')
        elif kind == 'socket' and n.get('address') and \
                not is_loopback(n['address']):
            attrs += ', color=red, penwidth=2'
            label += '\nleaves the VM'
        if t.get('gone'):
            label += '\n(exited)' if kind == 'process' else '\n(deleted)'
            attrs += ', fontcolor="#555555"'
        out.append('    %s [label=%s, %s];' % (ids[key], dot_quote(label),
                                               attrs))
    for f in graph.flows:
        s, t = node_key(f['source']), node_key(f['target'])
        label = '#%d %s\n%dx, %s' % (f['id'], f['syscall'], f['count'],
                                     human_bytes(f['bytes']))
        if s == t and f['syscall'] == 'rename':
            old = graph.rename_from(f)
            if old:
                label = '#%d rename\nwas %s' % (f['id'], old)
        out.append('    %s -> %s [label=%s];' % (ids[s], ids[t],
                                                 dot_quote(label)))
    out.append('}')
    with open(path, 'w') as fh:
        fh.write('\n'.join(out) + '\n')


def render_svg(dot_path, svg_path):
    dot = shutil.which('dot')
    if not dot:
        return 'not rendered: graphviz "dot" is not installed ' \
            '(run make deps)'
    r = subprocess.run([dot, '-Tsvg', dot_path, '-o', svg_path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return 'not rendered: dot failed: ' + r.stderr.strip()
    return None


# ---------------------------------------------------------------------------
# The run

def flow_line(f):
    return 'flow #%d: %s -> %s  [%s]' % (
        f['id'], node_name(f['source']), node_name(f['target']),
        edge_text(f))


def drain_events(g, events):
    """Print and keep the SECRET_FLOW events that have arrived."""
    if not g.vm.is_running():
        return
    # The synchronous QMP client reads events only while it runs a
    # command: a cheap one lets it take in what is waiting.
    g.vm.cmd('query-status')
    for e in g.vm.get_qmp_events(wait=False):
        if e.get('event') == 'SECRET_FLOW':
            events.append(e['data'])
            print('  qmp   | SECRET_FLOW ' + flow_line(e['data']), flush=True)


def wait_quiet(g, events, deadline):
    """Wait for the guest to power off (its vCPUs then stop) and for the
    tracker to publish every flow it recorded: one SECRET_FLOW each."""
    last = None
    while time.monotonic() < deadline:
        drain_events(g, events)
        st = g.vm.cmd('query-secret-tracker')
        if (not g.vm.cmd('query-status')['running'] and st == last and
                len(events) >= st['counters']['flows']):
            return
        last = st
        time.sleep(0.1)


def run_guest(args, qemu, guest, out, accel):
    log = os.path.join(out, 'flows.jsonl')
    g = stguest.TestGuest(
        qemu, guest, out, accel=accel, append='quiet',
        extra_args=['-device', 'secret-tracker,files=%s,log=%s'
                    % (SECRETS, log),
                    # Keep QEMU up after the guest powers off, to query it.
                    '-action', 'shutdown=pause'])
    events = []
    seen = 0
    ended = False
    try:
        g.launch()
    except Exception as e:
        say('QEMU did not start: %s' % str(e).strip())
        return False, {}, [], g
    try:
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            text = g.serial()
            for line in text[seen:].splitlines(keepends=True):
                if not line.endswith('\n'):
                    break
                print('  guest | ' + line.rstrip('\r\n'), flush=True)
                seen += len(line)
            drain_events(g, events)
            if stguest.END_MARKER in text[:seen]:
                ended = True
                break
            if not g.vm.is_running():
                break
            time.sleep(0.2)
        results = {}
        if g.vm.is_running():
            if ended:
                wait_quiet(g, events, time.monotonic() + 60)
            drain_events(g, events)
            for q in QMP_QUERIES:
                results[q] = g.vm.cmd(q)
    finally:
        g.shutdown()
    return ended, results, events, g


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('build', help='the build directory (make BUILD=...)')
    ap.add_argument('--out', help='output directory (default BUILD/demo)')
    ap.add_argument('--accel', choices=('auto', 'tcg', 'kvm'),
                    default='auto',
                    help='auto: KVM where a probe shows it boots the '
                    'guest, else TCG; kvm: that KVM, or where it cannot, '
                    'a real KVM nested in a TCG guest')
    ap.add_argument('--timeout', type=int, default=SCENARIO_TIMEOUT,
                    help='seconds to wait for the scenario to end')
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    qemu = os.path.join(build, 'qemu', 'qemu-system-x86_64')
    guest = os.path.join(build, 'guest', 'demo')
    if not os.access(qemu, os.X_OK) or \
            not os.path.exists(os.path.join(guest, 'vmlinuz')):
        say("%s or the demo guest is missing: run 'make' first" % qemu)
        return 1
    out = os.path.abspath(args.out or os.path.join(build, 'demo'))
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)

    try:
        accel, why = choose_accel(args.accel, qemu, guest, build, out)
    except (sttrack.ProbeFailure, stnest.NestError) as e:
        say('FAIL: %s' % e)
        return 1
    release = ''
    with open(os.path.join(guest, 'kernel.txt')) as fh:
        for ln in fh:
            if ln.startswith('package='):
                release = ln.split('=', 1)[1].strip()
    say('accelerator: %s (%s)' % (accel, why))
    say('booting the demo guest (%s) with -device secret-tracker,files=%s'
        % (release, SECRETS))
    say('guest console and SECRET_FLOW events follow; the run takes about '
        '15 s under TCG, 30 s under KVM in the nest')

    ended, results, events, g = run_guest(args, qemu, guest, out, accel)

    # QEMU's own log gets a fixed name next to the console log.
    for f in glob.glob(os.path.join(out, '*.log')):
        if os.path.basename(f) not in ('serial.log', 'qemu.log'):
            os.replace(f, os.path.join(out, 'qemu.log'))
    if not ended:
        say('the scenario did not reach its end marker (see %s/serial.log '
            'and %s/qemu.log)' % (out, out))
        if not results:
            return 1
    if not results:
        say('QEMU was no longer running: no results to show')
        return 1

    info = results['query-secret-tracker']
    history = list(events)
    try:
        with open(os.path.join(out, 'flows.jsonl')) as fh:
            history += [json.loads(ln) for ln in fh if ln.strip()]
    except (OSError, ValueError):
        pass
    graph = FlowGraph(results['query-secret-flows'],
                      results['query-secret-files'],
                      results['query-secret-processes'], history)

    print()
    print('=== Diffusion route of each secret ===')
    secrets = graph.secrets()
    if not secrets:
        print('no secret file was opened in the guest: nothing to show')
    for s in sorted(secrets, key=lambda t: t['first-seen-ns']):
        print()
        for ln in route_tree(graph, s):
            print(ln)
        print('    ' + reached_summary(graph, s))

    print()
    print('=== Tracker status (query-secret-tracker) ===')
    for ln in status_lines(info):
        print(ln)

    with open(os.path.join(out, 'flows.json'), 'w') as fh:
        json.dump({'flows': results['query-secret-flows'],
                   'files': results['query-secret-files'],
                   'processes': results['query-secret-processes'],
                   'tracker': info}, fh, indent=2, sort_keys=True)
        fh.write('\n')
    dot_path = os.path.join(out, 'flows.dot')
    svg_path = os.path.join(out, 'flows.svg')
    write_dot(graph, dot_path)
    svg_problem = render_svg(dot_path, svg_path)

    print()
    say('accelerator was %s (%s)' % (accel, why))
    say('files are in %s/:' % out)
    listing = [
        ('flows.json', 'query-secret-flows, -files, -processes, -tracker'),
        ('flows.jsonl', 'the device\'s JSON-lines log, one line per flow'),
        ('flows.dot', 'the flow graph for Graphviz'),
        ('flows.svg', svg_problem or 'the flow graph, rendered'),
        ('serial.log', 'the guest console'),
        ('qemu.log', 'QEMU\'s own output'),
    ]
    if os.path.isdir(os.path.join(out, 'kvm-probe')):
        listing.append(('kvm-probe/', 'the console and log of the KVM probe'))
    if os.path.isdir(os.path.join(out, 'nest')):
        listing.append(('nest/', 'the nest\'s L1 console, L0 log, control '
                        'and QMP transcripts'))
    for name, what in listing:
        mark = '' if os.path.exists(os.path.join(out, name)) else \
            ' (missing)'
        print('    %-12s %s%s' % (name, what, mark))
    if not ended or info['state'] != 'active':
        return 1
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say('interrupted; QEMU was stopped')
        sys.exit(130)
