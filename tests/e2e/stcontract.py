"""The tracker's public contracts, checked with content after a run.

What QMP, the SECRET_FLOW event, the JSON-lines log and HMP promise
(qapi/secret-tracker.json, docs/system/devices/secret-tracker.rst), each
checked against the others: every check returns a list of failures.
"""

import fnmatch
import json
import re

import stgraph


def node_key(node):
    """One tracked node: a file by device and inode (whatever its path),
    a process by tgid, a pipe or socket by inode, an endpoint by address,
    an ipc object by type and id."""
    kind = node['kind']
    if kind == 'file':
        return ('file', node['dev'], node['inode'])
    if kind == 'process':
        return ('process', node['tgid'])
    if kind == 'ipc':
        return ('ipc', node['type'], node['id'])
    if kind == 'socket' and node['inode'] == 0:
        return ('remote', node['family'], node.get('address'),
                node.get('port'), node.get('endpoint'))
    return (kind, node['inode'])


def _node_diff(ev, q, sc):
    """How event node EV differs from query node Q beyond what the
    scenario allows (a path changed by a rename, a comm by an exec)."""
    ev, q = dict(ev), dict(q)
    if sc.renamed and ev['kind'] == 'file':
        ev.pop('path')
        q.pop('path')
    if sc.exec_changes_comm and ev['kind'] == 'process':
        ev.pop('comm')
        q.pop('comm')
    # A socket bound by the very send the flow records (autobind) gets
    # its port at the send's return, which may come after the event.
    if ev['kind'] == 'socket' and ev.get('local-port') == 0 and \
            q.get('local-port'):
        ev.pop('local-port')
        q.pop('local-port')
    return None if ev == q else '%s != %s' % (ev, q)


def check_events(flows, events, sc):
    """One SECRET_FLOW per flow, in id order, with the flow's content as
    it was when published (count, bytes and last-ns may only have grown
    since)."""
    fail = []
    ids = [f['id'] for f in flows]
    if ids != list(range(1, len(ids) + 1)):
        fail.append('flow ids are not 1..%d in order: %s' % (len(ids), ids))
    ev_ids = [e['id'] for e in events]
    if ev_ids != ids:
        fail.append('SECRET_FLOW ids %s, flows %s' % (ev_ids, ids))
        return fail
    for e, f in zip(events, flows):
        for end in ('source', 'target'):
            d = _node_diff(e[end], f[end], sc)
            if d:
                fail.append('flow %d %s: event %s' % (f['id'], end, d))
        for k in ('syscall', 'first-ns', 'labels'):
            if e[k] != f[k]:
                fail.append('flow %d %s: event %r, query %r'
                            % (f['id'], k, e[k], f[k]))
        for k in ('count', 'bytes', 'last-ns'):
            if e[k] > f[k]:
                fail.append('flow %d %s: event %r > query %r'
                            % (f['id'], k, e[k], f[k]))
    return fail


def log_line_extras(obj):
    """Failures of the fields a native log line adds to its event's data:
    'time' (UTC, ISO 8601, ends in Z) and 'vm' (at least 'host')."""
    fail = []
    t = obj.get('time')
    if not isinstance(t, str) or not t.endswith('Z') or 'T' not in t:
        fail.append('flow %s: log line time %r' % (obj.get('id'), t))
    vm = obj.get('vm')
    if not isinstance(vm, dict) or not vm.get('host'):
        fail.append('flow %s: log line vm %r' % (obj.get('id'), vm))
    return fail


def check_log(log_path, events):
    """The JSON-lines log: every line parses, one per flow, each its
    SECRET_FLOW event's data plus the line's time and VM."""
    with open(log_path) as fh:
        lines = fh.read().splitlines()
    fail = []
    objs = []
    for i, line in enumerate(lines, 1):
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            fail.append('log line %d does not parse (%s): %r' % (i, e, line))
    if fail:
        return fail
    if [o.get('id') for o in objs] != [e['id'] for e in events]:
        return ['log ids %s, SECRET_FLOW ids %s'
                % ([o.get('id') for o in objs], [e['id'] for e in events])]
    for o, e in zip(objs, events):
        fail += log_line_extras(o)
        data = {k: v for k, v in o.items() if k not in ('time', 'vm')}
        if data != e:
            fail.append('log line of flow %d differs from its event:\n'
                        '  log   %s\n  event %s' % (e['id'], data, e))
    return fail


def check_since(flows, since):
    """query-secret-flows since=N lists exactly the flows after N, for
    every N from 0 to past the last id (SINCE: N -> result)."""
    fail = []
    for n, got in sorted(since.items()):
        want = [f for f in flows if f['id'] > n]
        if got != want:
            fail.append('since=%d: ids %s, expected %s'
                        % (n, [f['id'] for f in got], [f['id'] for f in want]))
    return fail


def _by_path(entries, path):
    return [t for t in entries if t['node'].get('path') == path]


def _found_at_registration(entries, want, sc):
    """The files the dentry-cache lookup of the scenario's pattern may
    have labelled at registration besides the expected ones: registered,
    named by the pattern, on no flow.  Whether the lookup ran before the
    guest made such a file (a secret it never uses) is timing."""
    return {node_key(t['node']) for t in entries
            if t['node']['kind'] == 'file' and t['registered'] and
            node_key(t['node']) not in want and
            fnmatch.fnmatchcase(t['node'].get('path') or '', sc.files)}


def check_nodes(flows, files, procs, sc):
    """query-secret-files and query-secret-processes list exactly the
    nodes of the flows (plus the registered secrets, what the scenario
    says lies on no kept edge, and the files its pattern names that the
    registration's lookup found), once each, with the scenario's label;
    registered only for the secrets; gone for every exited process and
    for the deleted files, for nothing else."""
    fail = []
    want_files, want_procs, gone = set(), set(), set()
    for f in flows:
        for n in (f['source'], f['target']):
            key = node_key(n)
            (want_procs if n['kind'] == 'process' else want_files).add(key)
            if n['kind'] == 'file' and n['path'] in sc.gone:
                gone.add(key)
    for path in tuple(sc.registered) + tuple(sc.extra_files):
        hits = _by_path(files, path)
        if len(hits) != 1:
            fail.append('%d tracked files at %s, expected 1'
                        % (len(hits), path))
        want_files.update(node_key(t['node']) for t in hits)
    for comm in sc.extra_procs:
        hits = [t for t in procs if t['node']['comm'] == comm]
        if len(hits) != 1:
            fail.append('%d tracked processes %s, expected 1'
                        % (len(hits), comm))
        want_procs.update(node_key(t['node']) for t in hits)
    found = _found_at_registration(files, want_files, sc)
    want_files |= found
    for what, entries, want in (('files', files, want_files),
                                ('processes', procs, want_procs)):
        keys = [node_key(t['node']) for t in entries]
        if len(set(keys)) != len(keys):
            fail.append('a node is listed twice in query-secret-%s: %s'
                        % (what, keys))
        if set(keys) != want:
            fail.append('query-secret-%s: unexpected %s, missing %s'
                        % (what, sorted(set(keys) - want, key=str),
                           sorted(want - set(keys), key=str)))
    for t in files + procs:
        n = t['node']
        name = stgraph.base_name(n)
        if t['labels'] != [sc.label]:
            fail.append('%s has labels %s, not [%s]'
                        % (name, t['labels'], sc.label))
        registered = n['kind'] == 'file' and (n['path'] in sc.registered or
                                              node_key(n) in found)
        if t['registered'] != registered:
            fail.append('%s: registered %s' % (name, t['registered']))
        want_gone = (n['kind'] == 'process' or node_key(n) in gone or
                     n.get('path') in sc.gone)
        if t['gone'] != want_gone:
            fail.append('%s: gone %s, expected %s'
                        % (name, t['gone'], want_gone))
    return fail


def check_status(st, flows, sc):
    """query-secret-tracker: active, it saw system calls, its counters
    agree with the flows, and nothing was lost but the flows the
    scenario drops on purpose (counted for that reason), and unpaired
    calls (see below)."""
    fail = []
    c = st['counters']
    if st['state'] != 'active':
        fail.append('state %s: %s' % (st['state'], st.get('error')))
    hits = {h['name']: h['hits'] for h in st['hooks']}
    # The return hook fires under TCG always, under KVM only for the
    # returns the engine asked for (each one it saw was a hit).
    if not hits.get('syscall-entry') or \
            hits.get('syscall-exit', 0) < c['returns-seen'] or \
            (st['accelerator'] == 'tcg' and not hits.get('syscall-exit')):
        fail.append('hooks did not fire: %s, %d returns seen'
                    % (hits, c['returns-seen']))
    if c['returns-seen'] > c['returns-wanted']:
        fail.append('%d returns seen, only %d wanted'
                    % (c['returns-seen'], c['returns-wanted']))
    if c['flows'] != len(flows):
        fail.append('counter flows %d, %d flows listed'
                    % (c['flows'], len(flows)))
    if c['flows-dropped'] != sc.flows_dropped:
        fail.append('flows-dropped %d, expected %d'
                    % (c['flows-dropped'], sc.flows_dropped))
    for k in ('nodes-dropped', 'read-errors'):
        if c[k]:
            fail.append('%s = %d' % (k, c[k]))
    for k, want in sorted(sc.alerts.items()):
        if c[k] != want:
            fail.append('alert %s = %d, expected %d' % (k, c[k], want))
    # "unpaired": calls whose exit did not come through the hooked
    # sysretq (a return with a signal to deliver goes through iret, for
    # one) and whose fd was not cached.  Clean runs show 0 to 3 of them
    # (smp, splicesock, pidreuse); the graph check shows whether one
    # cost a flow.
    drops = {d['reason']: d['count'] for d in c['drops']}
    drops.pop('unpaired', None)
    want = {'flows': sc.flows_dropped} if sc.flows_dropped else {}
    if drops != want:
        fail.append('drops %s, expected %s (and any "unpaired")'
                    % (c['drops'], want))
    return fail


def check_labels(flows, sc):
    return ['flow %d carries labels %s, not [%s]'
            % (f['id'], f['labels'], sc.label)
            for f in flows if f['labels'] != [sc.label]]


def check_hmp(table, flows):
    """info secret-flows: one row per flow, by id."""
    ids = []
    for line in table.splitlines():
        first = line.split(None, 1)[0] if line.strip() else ''
        if first.isdigit():
            ids.append(int(first))
    want = [f['id'] for f in flows]
    if ids != want:
        return ['info secret-flows rows %s, flows %s' % (ids, want)]
    return []


def compat_returns(info):
    """How many compat returns the tracker's hooks saw (info secret-tracker
    lists a hook per site, with its hits): none under KVM, which has no
    debug register for them, nor on kernels where no site is found."""
    return sum(int(m.group(1)) for m in re.finditer(
        r'^hook compat-exit[-a-z]* +at \S+: (\d+) hits', info, re.M))
