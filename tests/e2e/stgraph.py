"""Flow graphs of the secret-tracker, compared exactly.

A flow graph is compared as a multiset of edges (source, target, syscall)
between named nodes: a duplicated edge, or two distinct nodes where one
is expected, fails.  Nodes are told apart by identity, not by name: files
by device, inode and path, processes by tgid, pipes and sockets by inode,
remote endpoints by address.  Where two nodes share a name, the expected
graph writes them NAME#TAG (proc:nc#listen, proc:nc#send) and the check
looks for an assignment of the real nodes to the tagged names under which
the edges match.

Expected edges are Edge tuples.  Their bytes and count are checked
exactly when given (an int, 'fact:NAME' for a number the guest printed
as a fact, or a function of the facts); when left out, a data-moving
edge must carry at least one byte and every edge at least one call.

The guest prints facts on the console ("SECRET-TRACKER-FACT NAME VALUE");
they pin expected nodes to real identities:
    file:PATH  "DEV INO"  (stat -c '%d %i'): the node named PATH
    pid:TAG    "PID"      the process named proc:COMM#TAG
    ino:TAG    "INO"      the pipe or socket named BASE#TAG
"""

import collections
import itertools
import re

FACT_RE = re.compile(r'^SECRET-TRACKER-FACT (\S+) (.*?)\r?$', re.M)
NO_BYTES = ('rename', 'clone')


class Edge(collections.namedtuple('Edge', 'src dst syscall bytes count')):
    """An expected edge; bytes and count None when not deterministic."""

    def __new__(cls, src, dst, syscall, bytes=None, count=None):
        return super().__new__(cls, src, dst, syscall, bytes, count)


def facts(console):
    """The facts printed on the console, NAME -> VALUE (last one wins)."""
    return {m.group(1): m.group(2).strip() for m in FACT_RE.finditer(console)}


def kernel_dev(user_dev):
    """A st_dev as stat(1) prints it, in the kernel's encoding (the one
    the tracker reports: major << 20 | minor)."""
    major = (user_dev >> 8) & 0xfff
    minor = (user_dev & 0xff) | ((user_dev >> 12) & 0xfff00)
    return major << 20 | minor


def identity(node):
    """What makes NODE one node (see the module comment)."""
    kind = node['kind']
    if kind == 'file':
        return ('file', node['dev'], node['inode'], node['path'])
    if kind == 'process':
        return ('process', node['tgid'])
    if kind == 'ipc':
        return ('ipc', node['type'], node['id'])
    if kind == 'socket' and node['inode'] == 0:
        return ('remote', node['family'], node.get('address'),
                node.get('port'), node.get('endpoint'))
    return (kind, node['inode'])


def base_name(node, ports=()):
    """NODE's name: its path, proc:COMM, pipe, ipc:TYPE, unix:PATH,
    socket->ADDR:PORT (PORT "*" unless in PORTS: an ephemeral port),
    socket (an unnamed unix socket), or remote:FAMILY:ADDR:PORT for an
    endpoint outside the guest (remote:ENDPOINT for a vsock, packet or
    XDP one: remote:vsock:CID:PORT, say)."""
    kind = node['kind']
    if kind == 'file':
        return node['path']
    if kind == 'process':
        return 'proc:' + node['comm']
    if kind == 'pipe':
        return 'pipe'
    if kind == 'ipc':
        return 'ipc:' + node['type']
    if node['inode'] == 0 and 'endpoint' in node:
        return 'remote:' + node['endpoint']
    if node['inode'] == 0:
        return 'remote:%s:%s:%s' % (node['family'], node.get('address'),
                                    node.get('port'))
    if 'path' in node:
        return 'unix:' + node['path']
    if 'address' in node:
        port = node['port'] if node['port'] in ports else '*'
        return 'socket->%s:%s' % (node['address'], port)
    return 'socket'


def untag(name):
    return name.split('#', 1)[0]


def _pin_ok(name, node, fact):
    """Does the real NODE fit the FACTs pinning the expected NAME?"""
    tag = name.split('#', 1)[1] if '#' in name else None
    if node['kind'] == 'file' and 'file:' + untag(name) in fact:
        dev, ino = (int(x) for x in fact['file:' + untag(name)].split())
        return node['dev'] == kernel_dev(dev) and node['inode'] == ino
    if tag and node['kind'] == 'process' and 'pid:' + tag in fact:
        return node['tgid'] == int(fact['pid:' + tag])
    if tag and node['kind'] in ('pipe', 'socket') and 'ino:' + tag in fact:
        return node['inode'] == int(fact['ino:' + tag])
    return True


def _assignments(flows, expected, ports, fact):
    """Every way to name the real nodes with the expected names: lists of
    {identity: name}, or an error string when the nodes cannot fit."""
    nodes = {}
    for f in flows:
        for n in (f['source'], f['target']):
            nodes[identity(n)] = n
    by_base = collections.defaultdict(list)
    for ident, n in nodes.items():
        by_base[base_name(n, ports)].append(ident)
    want = collections.defaultdict(set)
    for e in expected:
        want[untag(e.src)].add(e.src)
        want[untag(e.dst)].add(e.dst)
    errors = []
    choices = []
    for base in sorted(set(by_base) | set(want)):
        idents = sorted(by_base.get(base, []), key=str)
        names = sorted(want.get(base, []))
        if len(idents) != len(names):
            errors.append('%d distinct node(s) named %r, expected %d (%s)'
                          % (len(idents), base, len(names),
                             ', '.join(names) or 'none'))
            continue
        options = []
        for perm in itertools.permutations(names):
            if all(_pin_ok(nm, nodes[i], fact) for i, nm in zip(idents, perm)):
                options.append(dict(zip(idents, perm)))
        if not options:
            errors.append('no node named %r fits the facts %s'
                          % (base, fact))
        choices.append(options)
    if errors:
        return '; '.join(errors)
    out = []
    for combo in itertools.product(*choices):
        m = {}
        for part in combo:
            m.update(part)
        out.append(m)
        if len(out) > 100000:
            return 'too many same-named nodes to match'
    return out


def _bytes_spec(spec, fact):
    if isinstance(spec, str) and spec.startswith('fact:'):
        return int(fact[spec[5:]])
    if callable(spec):
        return spec(fact)
    return spec


def _diff(flows, expected, names, fact):
    """Differences between FLOWS under the naming NAMES and EXPECTED."""
    got = collections.defaultdict(list)
    for f in flows:
        key = (names[identity(f['source'])], names[identity(f['target'])],
               f['syscall'])
        got[key].append(f)
    want = collections.Counter((e.src, e.dst, e.syscall) for e in expected)
    have = collections.Counter({k: len(v) for k, v in got.items()})
    lines = []
    for k in sorted(want - have):
        lines.append('  missing: %s -> %s [%s]' % k)
    for k in sorted(have - want):
        lines.append('  unexpected: %s -> %s [%s] (flow %s)'
                     % (k + (','.join(str(f['id']) for f in got[k]),)))
    if lines:
        return lines
    for e in expected:
        for f in got[(e.src, e.dst, e.syscall)]:
            b = _bytes_spec(e.bytes, fact)
            if b is not None and f['bytes'] != b:
                lines.append('  %s -> %s [%s]: %d bytes, expected %d'
                             % (e.src, e.dst, e.syscall, f['bytes'], b))
            elif b is None and e.syscall in NO_BYTES and f['bytes']:
                lines.append('  %s -> %s [%s]: %d bytes, expected 0'
                             % (e.src, e.dst, e.syscall, f['bytes']))
            elif (b is None and e.syscall not in NO_BYTES and
                  f['bytes'] < 1):
                lines.append('  %s -> %s [%s]: no bytes'
                             % (e.src, e.dst, e.syscall))
            if e.count is not None and f['count'] != e.count:
                lines.append('  %s -> %s [%s]: %d calls, expected %d'
                             % (e.src, e.dst, e.syscall, f['count'],
                                e.count))
            elif f['count'] < 1:
                lines.append('  %s -> %s [%s]: no calls'
                             % (e.src, e.dst, e.syscall))
    return lines


def match(flows, expected, ports=(), fact=None):
    """Compare FLOWS (query-secret-flows) with the EXPECTED edges.
    Returns (naming, errors): the {identity: expected name} under which
    they match best, and a list of error lines (empty when they match)."""
    fact = fact or {}
    options = _assignments(flows, expected, ports, fact)
    if isinstance(options, str):
        got = sorted('%s -> %s [%s]' % (base_name(f['source'], ports),
                                        base_name(f['target'], ports),
                                        f['syscall']) for f in flows)
        return {}, ['flow graph differs: ' + options,
                    '  got: ' + ('\n       '.join(got) or 'no flows')]
    best = None
    for names in options:
        lines = _diff(flows, expected, names, fact)
        if not lines:
            return names, []
        if best is None or len(lines) < len(best[1]):
            best = (names, lines)
    return best[0], ['flow graph differs:'] + best[1]


def names_of(flows, ports=()):
    """(source name, target name, syscall) of each flow, untagged: for
    tests whose nodes never share a name."""
    return [(base_name(f['source'], ports), base_name(f['target'], ports),
             f['syscall']) for f in flows]
