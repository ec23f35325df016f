#!/usr/bin/env python3
"""e2e: names the guest chooses reach people escaped, and the HMP tables
say what QMP says (issue 10 item 11, issue 16 item 4).

The guest (guest/scenarios/names.sh) runs a script whose file name, and
so its process's comm, holds ESC, CR and a byte that is not UTF-8; it
reads the secret and writes it to a file whose name holds ESC, BEL, CR
and another such byte.  The secret is registered with HMP's
secret_track_file before the guest runs (-S), so the flows also prove
that command took effect.

Checked: the flow graph over QMP; every HMP table has no control
character, no invisible format character and no U+FFFD, and shows the
escaped names; every row of `info secret-flows` and every line of
`info secret-tracker` matches QMP; the JSON-lines log is valid UTF-8
JSON with the same flows; QEMU ends with quit and exit status 0.
"""

import json
import os
import re
import sys
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stgraph  # noqa: E402
import sttrack  # noqa: E402

S = '/srv/secret/plans.txt'
LABEL = 'names'
# As QMP's JSON gives them: QEMU writes a byte that is not UTF-8 as U+FFFD.
COMM = 'e\x1b[2J\r\ufffdx'
FILE = '/tmp/f\x1b]0;pwn\x07\r\ufffd'
# As HMP must print them: the raw bytes, escaped.
HMP_NAMES = {COMM: 'e\\x1b[2J\\x0d\\xffx',
             FILE: '/tmp/f\\x1b]0;pwn\\x07\\x0d\\xfe'}


def escape(s):
    """HMP's escaping, for names that QMP gives losslessly."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '\\':
            out.append('\\\\')
        elif o < 0x80 and not 0x20 <= o < 0x7f:
            out.append('\\x%02x' % o)
        elif o >= 0x80 and unicodedata.category(ch) in ('Cc', 'Cf', 'Cn',
                                                        'Cs', 'Co'):
            out.append('\\u%04x' % o)
        else:
            out.append(ch)
    return ''.join(out)


def hmp_node(node):
    """A node as `info secret-flows` names it (node_to_str)."""
    kind = node['kind']
    if kind == 'file':
        if node['path']:
            return HMP_NAMES.get(node['path']) or escape(node['path'])
        return 'file:[%d:%d]' % (node['dev'], node['inode'])
    if kind == 'process':
        comm = HMP_NAMES.get(node['comm']) or escape(node['comm'])
        return '%s[%d]' % (comm, node['tgid'])
    if kind == 'pipe':
        return 'pipe:[%d]' % node['inode']
    if 'path' in node:
        return 'unix:' + escape(node['path'])
    if 'address' in node:
        return '%s%s:%s:%d' % ('socket->' if node['inode'] else '',
                               node['family'], node['address'], node['port'])
    return 'socket:[%d]' % node['inode']


def check_clean(name, text, fail):
    """No control or invisible character reaches the terminal."""
    for ch in text:
        o = ord(ch)
        if ch in '\r\n':
            continue
        if (o < 0x20 or 0x7f <= o < 0xa0 or ch == '\ufffd' or
                unicodedata.category(ch) in ('Cc', 'Cf')):
            fail('%s prints U+%04X raw: %r' % (name, o, text))
            return


ROW = re.compile(r'^ *(\d+)  (.*?) +-> (.*?) +(\S+) +(\d+) +(\d+)  (.*)$')


def check_flows_table(text, flows, fail):
    lines = text.replace('\r\n', '\n').rstrip('\n').split('\n')
    head = '%5s  %-32s    %-32s %-10s %6s %10s  %s' % (
        'ID', 'SOURCE', 'TARGET', 'SYSCALL', 'COUNT', 'BYTES', 'LABELS')
    if lines[0] != head:
        fail('info secret-flows header %r' % lines[0])
    rows = lines[1:]
    if len(rows) != len(flows):
        fail('info secret-flows has %d rows for %d flows'
             % (len(rows), len(flows)))
    for row, f in zip(rows, flows):
        m = ROW.match(row)
        want = (str(f['id']), hmp_node(f['source']), hmp_node(f['target']),
                f['syscall'], str(f['count']), str(f['bytes']),
                ','.join(escape(x) for x in f['labels']))
        if not m or m.groups() != want:
            fail('info secret-flows row %r, QMP says %r' % (row, want))


def check_tracker_info(text, st, fail):
    want = ['state: %s' % st['state'], 'accelerator: %s' % st['accelerator']]
    if 'step-over' in st:
        want.append('step-over: %s' % st['step-over'])
    if 'kernel' in st:
        want.append('kernel: %s' % escape(st['kernel']))
    if 'profile-source' in st:
        line = 'profile: %s' % st['profile-source']
        if 'profile-time-us' in st:
            line += ' (found and parsed in %d us)' % st['profile-time-us']
        want.append(line)
    for h in st['hooks']:
        want.append('hook %-14s at 0x%016x: %d hits, cycles mean %d p50 %d '
                    'p99 %d' % (h['name'], h['address'], h['hits'],
                                h['mean-cycles'], h['p50-cycles'],
                                h['p99-cycles']))
    c = st['counters']
    want.append('events %d, flows %d, flows dropped %d, nodes dropped %d, '
                'read errors %d, unpaired %d, paths resolved %d'
                % (c['events'], c['flows'], c['flows-dropped'],
                   c['nodes-dropped'], c['read-errors'], c['unpaired'],
                   c['paths-resolved']))
    if c['drops']:
        want.append('dropped:' + ''.join(' %s %d' % (d['reason'], d['count'])
                                         for d in c['drops']))
    if 'log' in st:
        lg = st['log']
        want.append('log %s (%s%s): %d lines written, %d queued, %d lost, '
                    '%d torn, %d errors, %d disconnects, %d reopens'
                    % (lg['destination'], lg['format'],
                       '' if lg['connected'] else ', not connected',
                       lg['lines-written'], lg['lines-queued'],
                       lg['lines-lost'], lg['lines-torn'], lg['errors'],
                       lg['disconnects'], lg['reopens']))
        if 'last-error' in lg:
            want.append('log last error: %s' % lg['last-error'])
    rm = st['remote']
    if rm['labels'] or rm['reads-remembered']:
        want.append('remote: %d endpoints labelled, %d reads remembered (%d '
                    'held, %d evicted), %d tainted later'
                    % (rm['labels'], rm['reads-remembered'], rm['remembered'],
                       rm['reads-evicted'], rm['reads-tainted']))
    got = text.replace('\r\n', '\n').rstrip('\n').split('\n')
    if got != want:
        fail('info secret-tracker:\n%s\nQMP says:\n%s'
             % ('\n'.join(got), '\n'.join(want)))


def check_log(path, flows, fail):
    with open(path, 'rb') as f:
        raw = f.read()
    if any(b < 0x20 and b != 0x0a for b in raw):
        fail('the log holds a raw control byte')
    logged = {}
    for n, line in enumerate(raw.split(b'\n')[:-1], 1):
        try:
            rec = json.loads(line.decode('utf-8', 'strict'))
        except (UnicodeDecodeError, ValueError) as e:
            fail('log line %d is not UTF-8 JSON: %s' % (n, e))
            continue
        logged[rec['id']] = rec
    if not raw.endswith(b'\n'):
        fail('the log ends in a partial line')
    for f in flows:
        rec = logged.get(f['id'])
        if not rec or (rec['source'], rec['target'], rec['syscall']) != (
                f['source'], f['target'], f['syscall']):
            fail('flow %d: log has %s' % (f['id'], rec))
    if len(logged) != len(flows):
        fail('log has %d flows, QMP %d' % (len(logged), len(flows)))


def wait_stopped(g, timeout=60):
    """After its poweroff the guest is paused (-action shutdown=pause)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not g.vm.cmd('query-status')['running']:
            return
        time.sleep(0.2)
    raise AssertionError('the guest did not power off')


def main():
    args = sttrack.test_args()
    g = sttrack.TrackedGuest(args.qemu, args.guest, args.log_dir,
                             scenario='names', files='', accel=args.accel,
                             memory=args.memory, machine=args.machine,
                             extra_args=('-S',))
    failures = []
    fail = failures.append
    g.launch()
    try:
        out = g.hmp('secret_track_file /srv/secret/* ' + LABEL)
        if out:
            fail('secret_track_file printed %r' % out)
        g.vm.cmd('cont')
        g.run_to_end()
        wait_stopped(g)
        flows = g.flows()
        st = g.status()
        hmp = {c: g.hmp('info secret-' + c)
               for c in ('flows', 'processes', 'files', 'tracker')}
        if g.status() != st:
            fail('the tracker changed while stopped')
    finally:
        g.vm.shutdown()
    if g.vm.exitcode() != 0:
        fail('QEMU ended with status %s after quit' % g.vm.exitcode())

    # the scenario then checks the copy: head S | cmp - FILE
    want = sorted([(S, 'proc:' + COMM, 'read'),
                   ('proc:' + COMM, FILE, 'write'),
                   (S, 'proc:head', 'read'),
                   ('proc:head', 'pipe', 'write'),
                   ('pipe', 'proc:cmp', 'read'),
                   (FILE, 'proc:cmp', 'read')])
    got = sorted(stgraph.names_of(flows))
    if got != want:
        fail('flow graph differs: got %s, expected %s' % (got, want))
    if any(f['labels'] != [LABEL] for f in flows):
        fail('flows do not carry the label given with secret_track_file')
    for name, text in hmp.items():
        check_clean('info secret-' + name, text, fail)
    for name, want in (('flows', HMP_NAMES[COMM]), ('flows', HMP_NAMES[FILE]),
                       ('processes', HMP_NAMES[COMM] + '['),
                       ('files', HMP_NAMES[FILE] + ' ')):
        if want not in hmp[name]:
            fail('info secret-%s lacks %r:\n%s' % (name, want, hmp[name]))
    check_flows_table(hmp['flows'], flows, fail)
    check_tracker_info(hmp['tracker'], st, fail)
    check_log(os.path.join(args.log_dir, 'flows.jsonl'), flows, fail)

    print(hmp['flows'] + hmp['processes'] + hmp['files'] + hmp['tracker'])
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('names: %d flows; HMP escaped them and matches QMP; log valid'
          % len(flows))
    return 0


if __name__ == '__main__':
    sys.exit(main())
