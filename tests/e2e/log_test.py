#!/usr/bin/env python3
"""e2e: the flow log's failure modes (issue 10, item 12).

Modes, one QEMU each:
  open     no guest code runs (-S): how the file is opened (0600 whatever
           the umask, no symbolic link, close-on-exec, append), property
           errors, reopen over QMP and HMP, reopen of a chardev log,
           secret-tracker-add-endpoint's errors (QMP, HMP)
  devfull  log=/dev/full: every line fails, is counted and reported
           (queued up to log-queue, then lost), the VM keeps running
  tmpfs    a 64 KiB tmpfs fills up: no torn line, nothing lost silently;
           after rename + reopen the queued lines reach the new file
  rotate   a size cap, rotation by rename + HMP reopen, then kill -9
           right after SECRET_FLOW events: every reported flow is logged
"""

import os
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stfleet  # noqa: E402
import stguest  # noqa: E402
import stschema  # noqa: E402
import sttrack  # noqa: E402

SKIP = 77


def bare_qemu(args, log_dir, device, extra=()):
    """A QEMU that runs no guest code (-S), with the device."""
    stguest._qemu_python(args.qemu)
    from qemu.machine import QEMUMachine
    vm = QEMUMachine(args.qemu, base_temp_dir=log_dir, log_dir=log_dir)
    vm.add_args('-M', 'pc', '-accel', 'tcg', '-nodefaults', '-display',
                'none', '-S', '-device', 'secret-tracker,' + device, *extra)
    return vm


def startup_error(args, log_dir, device, extra=()):
    """QEMU must refuse DEVICE: its error output."""
    out = subprocess.run([args.qemu, '-M', 'pc', '-accel', 'tcg',
                          '-nodefaults', '-display', 'none', '-S', *extra,
                          '-device', 'secret-tracker,' + device],
                         capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    return out.returncode, out.stderr.strip()


def fd_flags(pid, path):
    """The open flags of PID's descriptor of PATH (from fdinfo)."""
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            if os.readlink('/proc/%d/fd/%s' % (pid, fd)) == path:
                with open('/proc/%d/fdinfo/%s' % (pid, fd)) as f:
                    for ln in f:
                        if ln.startswith('flags:'):
                            return int(ln.split()[1], 8)
        except OSError:
            continue
    return None


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_open(args, fail):
    d = os.path.join(args.log_dir, 'open')
    os.makedirs(d, exist_ok=True)
    for umask in (0o000, 0o277):
        path = os.path.join(d, 'new-%03o.jsonl' % umask)
        if os.path.exists(path):
            os.unlink(path)
        old = os.umask(umask)
        try:
            vm = bare_qemu(args, d, 'log=' + path)
            vm.launch()
        finally:
            os.umask(old)
        try:
            fail.check(mode_of(path) == 0o600, 'umask %03o: log mode %03o, '
                       'not 600' % (umask, mode_of(path)))
            flags = fd_flags(vm.get_pid(), path)
            fail.check(flags is not None and flags & os.O_CLOEXEC,
                       'the log fd is not close-on-exec (flags %s)'
                       % (oct(flags) if flags is not None else None))
            fail.check(flags is not None and flags & os.O_APPEND,
                       'the log fd is not append-only')
            info = vm.cmd('query-secret-tracker').get('log')
            fail.check(info and info['destination'] == 'file:' + path and
                       info['connected'] and info['lines-written'] == 0,
                       'query-secret-tracker log: %s' % info)
            # Rotation: rename, reopen (QMP, then HMP): a new 0600 file.
            os.rename(path, path + '.1')
            vm.cmd('secret-tracker-log-reopen')
            fail.check(os.path.exists(path) and mode_of(path) == 0o600,
                       'reopen did not create a new 0600 file')
            os.rename(path, path + '.2')
            out = vm.cmd('human-monitor-command',
                         command_line='secret_log_reopen')
            fail.check(out == '' and os.path.exists(path),
                       'HMP secret_log_reopen: %r' % out)
            fail.check(vm.cmd('query-secret-tracker')['log']['reopens'] == 2,
                       'reopens not counted')
        finally:
            vm.shutdown()

    # An existing file keeps its mode and content.
    path = os.path.join(d, 'existing.jsonl')
    with open(path, 'w') as f:
        f.write('{"kept": true}\n')
    os.chmod(path, 0o640)
    vm = bare_qemu(args, d, 'log=' + path)
    vm.launch()
    vm.shutdown()
    with open(path) as f:
        fail.check(f.read() == '{"kept": true}\n',
                   'an existing log was not kept')
    fail.check(mode_of(path) == 0o640, 'an existing log changed its mode')

    # A symbolic link is refused, at start and at reopen.
    link = os.path.join(d, 'link.jsonl')
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(path, link)
    rc, err = startup_error(args, d, 'log=' + link)
    fail.check(rc != 0 and 'symbolic link' in err,
               'a symlinked log was accepted (rc %d): %s' % (rc, err))

    # Property errors.
    for device, extra, want in (
            ('log=%s,chardev=c' % path,
             ('-chardev', 'null,id=c'), "either 'log' or 'chardev'"),
            ('log=%s,log-format=xml' % path, (), "'native' or 'ecs'"),
            ('log=%s,log-queue=0' % path, (), "'log-queue'")):
        rc, err = startup_error(args, d, device, extra)
        fail.check(rc != 0 and want in err, '%s: rc %d, %s' % (device, rc,
                                                               err))

    # secret-tracker-add-endpoint (QMP and HMP): bad input, counters.
    vm = bare_qemu(args, d, 'remote-reads=4')
    vm.launch()
    try:
        good = {'local-address': '10.0.0.2', 'local-port': 5555,
                'peer-address': '10.0.0.1', 'peer-port': 40312,
                'labels': ['plans']}
        for bad, want in ((dict(good, **{'local-port': 0}), 'with a port'),
                          (dict(good, labels=[]), 'at least one label'),
                          (dict(good, **{'peer-address': 'x'}),
                           'not an IPv4 or IPv6 address'),
                          (dict(good, protocol='sctp'), 'protocol')):
            r = vm.qmp('secret-tracker-add-endpoint', **bad)
            fail.check('error' in r and want in r['error']['desc'],
                       'add-endpoint %s: %s' % (bad, r))
        r = vm.qmp('secret-tracker-add-endpoint', **good)
        fail.check(r.get('return') == {'reads-tainted': 0},
                   'add-endpoint: %s' % r)
        out = vm.cmd('human-monitor-command', command_line=(
            'secret_track_endpoint [fe80::2]:22 [fe80::1]:4000 a,b'))
        fail.check(out == '', 'HMP secret_track_endpoint: %r' % out)
        out = vm.cmd('human-monitor-command', command_line=(
            'secret_track_endpoint 10.0.0.2 10.0.0.1:1 a'))
        fail.check('is not ADDRESS:PORT' in out, 'HMP bad endpoint: %r'
                   % out)
        remote = vm.cmd('query-secret-tracker')['remote']
        fail.check(remote['labels'] == 2 and remote['remembered'] == 0,
                   'remote counters: %s' % remote)
    finally:
        vm.shutdown()

    # A chardev log has nothing to reopen.
    vm = bare_qemu(args, d, 'chardev=c', ('-chardev', 'null,id=c'))
    vm.launch()
    try:
        r = vm.qmp('secret-tracker-log-reopen')
        fail.check('error' in r and 'chardev' in r['error']['desc'],
                   'reopen of a chardev log: %s' % r)
    finally:
        vm.shutdown()


def guest(args, sub, device):
    d = os.path.join(args.log_dir, sub)
    g = stfleet.FleetGuest(args.qemu, stfleet.overlay_guest(
        args.guest, os.path.join(args.log_dir, 'guest')), d,
        accel=args.accel, device='files=/srv/secret/*,' + device)
    return g


def test_devfull(args, fail):
    g = guest(args, 'devfull', 'log=/dev/full,log-queue=8')
    g.start()
    try:
        g.copies(0, 20)
        g.wait_flows(20)
        info = g.status()
        log = info.get('log') or {}
        fail.check(info['state'] == 'active', 'state %s' % info['state'])
        fail.check(log.get('lines-written') == 0 and
                   log.get('lines-queued') == 8 and
                   log.get('lines-lost') == 12,
                   '20 flows into /dev/full: %s' % log)
        fail.check('No space left' in (log.get('last-error') or ''),
                   'last error: %s' % log.get('last-error'))
        fail.check(log.get('errors', 0) >= 1, 'no error counted')
        hmp = g.hmp('info secret-tracker')
        fail.check('log file:/dev/full' in hmp and '12 lost' in hmp and
                   'No space left' in hmp, 'HMP: %s' % hmp)
        # The VM runs on.
        g.run('true')
        g.end()
        g.vm.shutdown()
        out = g.vm.get_log() or ''
        fail.check('8 line(s) not written, 12 lost' in out,
                   'nothing said at exit: %s' % out[-500:])
    finally:
        g.shutdown()


def check_file(path, fail, vals):
    lines, torn = stfleet.read_lines(path)
    fail.check(not torn, '%s has torn lines: %s' % (path, torn))
    errs = stschema.errors(lines, 'native', vals)
    fail.check(not errs, '%s: schema: %s' % (path, errs[:3]))
    return [stfleet.flow_id(ln) for ln in lines]


def contiguous(ids, first):
    return ids == list(range(first, first + len(ids)))


def test_tmpfs(args, fail):
    if os.geteuid() != 0:
        print('SKIP: mounting a small tmpfs needs root')
        sys.exit(SKIP)
    vals = stschema.validators()
    small = os.path.join(args.log_dir, 'small')
    os.makedirs(small, exist_ok=True)
    subprocess.run(['umount', small], capture_output=True)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64k,mode=0700',
                    'st-log-test', small], check=True)
    path = os.path.join(small, 'flows.jsonl')
    queue = 20
    g = guest(args, 'tmpfs', 'log=%s,log-queue=%d' % (path, queue))
    try:
        g.start()
        g.copies(0, 250)
        g.wait_flows(250, timeout=60)
        log = g.status()['log']
        ids = check_file(path, fail, vals)
        w = len(ids)
        fail.check(contiguous(ids, 1), 'ids not 1..%d: %s' % (w, ids[:5]))
        lost = 250 - w - queue
        fail.check(lost > 0 and log['lines-written'] == w and
                   log['lines-queued'] == queue and
                   log['lines-lost'] == lost and log['lines-torn'] == 0,
                   '%d lines in the file, counters %s' % (w, log))
        fail.check('No space left' in (log.get('last-error') or ''),
                   'last error: %s' % log.get('last-error'))
        # Rotate: the full file leaves the tmpfs; reopen takes the queue.
        rotated = os.path.join(args.log_dir, 'flows.1.jsonl')
        subprocess.run(['mv', path, rotated], check=True)
        g.vm.cmd('secret-tracker-log-reopen')
        time.sleep(1)
        g.copies(250, 5)
        g.wait_flows(255)
        log = g.status()['log']
        ids2 = check_file(path, fail, vals)
        want = list(range(w + 1, w + queue + 1)) + list(range(251, 256))
        fail.check(ids2 == want, 'after reopen: ids %s, not %d..%d and '
                   '251..255' % (ids2, w + 1, w + queue))
        fail.check(log['lines-queued'] == 0 and log['reopens'] == 1 and
                   log['lines-lost'] == lost,
                   'counters after reopen: %s' % log)
        fail.check(mode_of(path) == 0o600, 'new file mode %03o'
                   % mode_of(path))
        g.end()
    finally:
        g.shutdown()
        subprocess.run(['umount', small], capture_output=True)


def test_rotate(args, fail):
    vals = stschema.validators()
    path = os.path.join(args.log_dir, 'cap.jsonl')
    for p in (path, path + '.1'):
        if os.path.exists(p):
            os.unlink(p)
    g = guest(args, 'rotate', 'log=%s,log-max-size=8K' % path)
    try:
        g.start()
        g.copies(0, 30)
        g.wait_flows(30)
        log = g.status()['log']
        ids = check_file(path, fail, vals)
        w = len(ids)
        fail.check(os.path.getsize(path) <= 8192,
                   'the file grew past its cap: %d' % os.path.getsize(path))
        fail.check(0 < w < 30 and contiguous(ids, 1) and
                   log['lines-queued'] == 30 - w and
                   log['size-cap'] == 8192 and
                   'size cap' in (log.get('last-error') or ''),
                   'cap: %d lines, %s' % (w, log))
        os.rename(path, path + '.1')
        fail.check(g.hmp('secret_log_reopen') == '', 'HMP reopen failed')
        time.sleep(0.5)
        ids2 = check_file(path, fail, vals)
        fail.check(ids2 == list(range(w + 1, 31)),
                   'after reopen: %s' % ids2)

        # kill -9 right after the events: every reported flow is logged.
        g.vm.get_qmp_events(wait=False)
        g.send('i=30; while [ $i -lt 36 ]; do cp %s /tmp/copy$i; '
                   'i=$((i + 1)); done' % stfleet.SECRET)
        reported = set()
        deadline = time.monotonic() + 120
        while len(reported) < 6 and time.monotonic() < deadline:
            for ev in g.vm.get_qmp_events(wait=False):
                if ev['event'] == 'SECRET_FLOW':
                    reported.add(ev['data']['id'])
            time.sleep(0.01)
        os.kill(g.vm.get_pid(), signal.SIGKILL)
        fail.check(len(reported) == 6, 'events: %s' % sorted(reported))
        time.sleep(0.5)
        ids3 = check_file(path, fail, vals)
        missing = sorted(reported - set(ids3))
        fail.check(not missing, 'reported but not logged after kill -9: %s'
                   % missing)
        fail.check(ids3 == list(range(w + 1, 37)),
                   'ids after kill -9: %s' % ids3)
    finally:
        try:
            g.shutdown()
        except Exception:  # noqa: BLE001 - it was killed on purpose
            pass


def main():
    args = sttrack.test_args(lambda ap: ap.add_argument(
        'mode', choices=['open', 'devfull', 'tmpfs', 'rotate']))
    fail = stfleet.Failures()
    {'open': test_open, 'devfull': test_devfull, 'tmpfs': test_tmpfs,
     'rotate': test_rotate}[args.mode](args, fail)
    return fail.report('log ' + args.mode)


if __name__ == '__main__':
    sys.exit(main())
