#!/usr/bin/env python3
"""e2e: the tracker under a real libvirt daemon (qemu:///system).

Starts virtlogd and libvirtd if they are not running (Debian's packages,
installed by scripts/st-deps.sh), with what the QEMU driver needs on a
machine without systemd (../shared/design/libvirt-notes.md): the user
libvirt-qemu, its groups, /var/log/libvirt.  Then, only with virsh:

- creates a transient domain whose <emulator> is our QEMU and whose
  <qemu:commandline> adds -device secret-tracker (TCG, direct kernel
  boot, the host-driven test guest);
- follows SECRET_FLOW with virsh qemu-monitor-event --loop;
- registers a secret with virsh qemu-monitor-command (QMP), and reads
  the tracker's state with it (QMP and HMP);
- makes the guest copy both secrets and checks the flows that came as
  events against query-secret-flows and the device's log;
- checks that libvirt marks the domain "tainted: custom-argv";
- runs tools/st-bridge with the domain through libvirt (its events and
  commands over virsh) and a second, plain QEMU on QMP, joined by
  -netdev dgram: the secret sent from the domain makes the receiving
  process in the other VM tracked.

It destroys the domain and stops the daemons it started.
"""

import grp
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stfleet  # noqa: E402
import sttrack  # noqa: E402

SKIP = 77
URI = 'qemu:///system'
DOMAIN = 'st-e2e-libvirt'
QEMU_USER = 'libvirt-qemu'
A_IP, B_IP = '10.0.1.1', '10.0.1.2'
PIDFILES = {'virtlogd': '/run/virtlogd.pid', 'libvirtd': '/run/libvirtd.pid'}

XML = """<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>{name}</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{guest}/vmlinuz</kernel>
    <initrd>{guest}/initrd.img</initrd>
    <cmdline>console=ttyS0 panic=-1 no_timer_check st.scenario=ctl st.ip={ip}/24</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>{qemu}</emulator>
    <serial type='file'>
      <source path='{run}/serial.log'/>
      <target port='0'/>
    </serial>
    <serial type='unix'>
      <source mode='bind' path='{run}/ctl.sock'/>
      <target port='1'/>
    </serial>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-device'/>
    <qemu:arg value='secret-tracker,files=/srv/secret/*,log={run}/flows.jsonl'/>
    <qemu:arg value='-netdev'/>
    <qemu:arg value='dgram,id=n0,local.type=unix,local.path={run}/net-a,remote.type=unix,remote.path={run}/net-b'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='e1000,netdev=n0,mac=52:54:00:00:0b:01,addr=0x8'/>
  </qemu:commandline>
</domain>
"""


def virsh(*args, check=True):
    out = subprocess.run(['virsh', '-q', '-c', URI, *args],
                         capture_output=True, text=True, timeout=120)
    if check and out.returncode:
        raise AssertionError('virsh %s: %s' % (' '.join(args),
                                               out.stderr.strip()))
    return out.stdout


def qmp(*args, hmp=False):
    cmd = ['qemu-monitor-command', DOMAIN]
    if hmp:
        return virsh(*cmd, '--hmp', *args)
    return json.loads(virsh(*cmd, json.dumps(args[0])))


def alive(pidfile):
    try:
        with open(pidfile) as f:
            pid = int(f.read().split()[0])
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError, IndexError):
        return None


def setup_host():
    """What libvirt-daemon-system would have made."""
    for g in ('kvm', QEMU_USER):
        try:
            grp.getgrnam(g)
        except KeyError:
            subprocess.run(['groupadd', '--system', g], check=True)
    try:
        pwd.getpwnam(QEMU_USER)
    except KeyError:
        subprocess.run(['useradd', '--system', '--gid', QEMU_USER,
                        '--groups', 'kvm', '--home-dir', '/var/lib/libvirt',
                        '--no-create-home', '--shell', '/usr/sbin/nologin',
                        QEMU_USER], check=True)
    os.makedirs('/var/log/libvirt', exist_ok=True)


def start_daemons(log_dir):
    """Start what is not running; returns {name: pid} of what we started."""
    started = {}
    for name in ('virtlogd', 'libvirtd'):
        if alive(PIDFILES[name]):
            continue
        stfleet.which(name, 'libvirt-daemon')
        with open(os.path.join(log_dir, name + '.log'), 'a') as out:
            subprocess.run([name, '-d'], check=True, stdout=out,
                           stderr=subprocess.STDOUT, cwd='/')
        deadline = time.monotonic() + 30
        while not alive(PIDFILES[name]):
            if time.monotonic() > deadline:
                raise AssertionError('%s did not start (see %s)'
                                     % (name, log_dir))
            time.sleep(0.2)
        started[name] = alive(PIDFILES[name])
    deadline = time.monotonic() + 60
    while virsh('uri', check=False).strip() != URI:
        if time.monotonic() > deadline:
            raise AssertionError('libvirtd does not answer on %s' % URI)
        time.sleep(0.5)
    return started


def stop_daemons(started):
    for name in ('libvirtd', 'virtlogd'):
        pid = started.get(name)
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while alive(PIDFILES[name]) == pid and \
                    time.monotonic() < deadline:
                time.sleep(0.2)


class LibvirtGuest(stfleet.CtlClient):
    def __init__(self, run):
        self.ctl_path = os.path.join(run, 'ctl.sock')
        self.serial_log = os.path.join(run, 'serial.log')

    def serial(self):
        try:
            with open(self.serial_log, errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def running(self):
        return DOMAIN in virsh('list', '--name', check=False).split()

    def wait_for(self, marker, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker in self.serial():
                return True
            time.sleep(0.3)
        return False


def main():
    args = sttrack.test_args(
        lambda ap: ap.add_argument('--bridge', required=True))
    if os.geteuid() != 0:
        print('SKIP: qemu:///system needs root to start libvirtd')
        return SKIP
    if args.accel != 'tcg':
        print('SKIP: the libvirt domain runs under TCG only')
        return SKIP
    for prog, pkg in (('virsh', 'libvirt-clients'),
                      ('libvirtd', 'libvirt-daemon'),
                      ('virtlogd', 'libvirt-daemon')):
        stfleet.which(prog, pkg)
    log_dir = os.path.abspath(args.log_dir)
    run = os.path.join(log_dir, 'run')
    shutil.rmtree(run, ignore_errors=True)
    setup_host()
    # QEMU runs as libvirt-qemu: it writes its log and sockets here.
    os.makedirs(run)
    shutil.chown(run, QEMU_USER, QEMU_USER)
    guest = stfleet.overlay_guest(args.guest, os.path.join(log_dir, 'guest'),
                                  network=True, copy_kernel=True)
    xml = os.path.join(log_dir, 'domain.xml')
    with open(xml, 'w') as f:
        f.write(XML.format(name=DOMAIN, guest=guest, run=run, ip=A_IP,
                           qemu=os.path.abspath(args.qemu)))
    # The other VM: a plain QEMU (root) that the domain sends to.
    b = stfleet.FleetGuest(
        args.qemu, stfleet.overlay_guest(args.guest,
                                         os.path.join(log_dir, 'guest-b'),
                                         network=True),
        os.path.join(log_dir, 'b'), accel=args.accel, ip=B_IP + '/24',
        device='remote-reads=16', name='plain-b',
        net=('-netdev', 'dgram,id=n0,local.type=unix,local.path=%s/net-b,'
             'remote.type=unix,remote.path=%s/net-a' % (run, run),
             '-device', 'e1000,netdev=n0,mac=52:54:00:00:0b:02'))
    bridge = None
    bridge_out = os.path.join(log_dir, 'bridge.jsonl')
    fail = stfleet.Failures()
    started = {}
    events = None
    g = LibvirtGuest(run)
    try:
        started = start_daemons(log_dir)
        virsh('destroy', DOMAIN, check=False)
        # All domains' events: the domain does not exist yet.
        events = subprocess.Popen(
            ['virsh', '-q', '-c', URI, 'qemu-monitor-event', '--event',
             'SECRET_FLOW', '--loop'],
            stdout=open(os.path.join(log_dir, 'events.txt'), 'w'),
            stderr=subprocess.STDOUT)
        qlog = '/var/log/libvirt/qemu/%s.log' % DOMAIN
        qlog_start = os.path.getsize(qlog) if os.path.exists(qlog) else 0
        virsh('create', xml)
        g.ctl_connect()
        info = qmp({'execute': 'query-secret-tracker'})['return']
        fail.check(info['state'] == 'active', 'state %s' % info['state'])
        r = qmp({'execute': 'secret-tracker-add-file',
                 'arguments': {'path': '/srv/other/*', 'label': 'other'}})
        fail.check(r.get('return') == {}, 'add-file over virsh: %s' % r)
        g.run('mkdir -p /srv/other; echo board minutes >/srv/other/m.txt')
        g.copies(0, 2)
        g.run('cp /srv/other/m.txt /tmp/m-copy.txt')
        time.sleep(2)
        flows = qmp({'execute': 'query-secret-flows'})['return']
        table = qmp('info secret-flows', hmp=True)

        # st-bridge over libvirt: the domain sends the secret to B.
        b.launch()
        b.start()
        os.chmod(os.path.join(run, 'net-b'), 0o666)  # the domain's user
        with open(bridge_out, 'w') as out:
            bridge = subprocess.Popen(
                [sys.executable, args.bridge, '--connect', URI,
                 '--vm', 'a=libvirt:%s,addr=%s' % (DOMAIN, A_IP),
                 '--vm', 'b=qmp:%s,addr=%s' % (b.bridge_qmp, B_IP)],
                stdout=out, stderr=open(bridge_out + '.err', 'w'))
        g.run('n=0; until ping -c 1 -W 2 %s >/dev/null; do n=$((n + 1)); '
              '[ $n -lt 30 ] || exit 1; done' % B_IP, timeout=120)
        b.run('nc -l -p 6000 >/tmp/in.bin & p=$!; n=0; until netstat -ltn '
              '| grep -q ":6000 "; do n=$((n + 1)); [ $n -lt 100 ] || '
              'exit 1; sleep 0.1; done')
        g.run('nc %s 6000 <%s' % (B_IP, stfleet.SECRET))
        b.run('wait $p; cmp %s /tmp/in.bin' % stfleet.SECRET)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not [
                p for p in b.vm.cmd('query-secret-processes')
                if p['node']['comm'] == 'nc']:
            time.sleep(0.5)
        b_procs = b.vm.cmd('query-secret-processes')
        all_flows = qmp({'execute': 'query-secret-flows'})['return']
        time.sleep(1)
        g.end()
        b.end()
    finally:
        if bridge:
            bridge.terminate()
            bridge.wait()
        b.shutdown()
        g.ctl_close()
        virsh('destroy', DOMAIN, check=False)
        if events:
            time.sleep(1)
            events.terminate()
            events.wait()
        stop_daemons(started)

    got = []
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(
        __file__)), '..', '..', 'tools', 'st-bridge'))
    import st_bridge  # noqa: E402
    with open(os.path.join(log_dir, 'events.txt')) as f:
        for ln in f:
            ev = st_bridge.parse_virsh_event(ln)
            if ev and ev['event'] == 'SECRET_FLOW' and \
                    "domain '%s'" % DOMAIN in ln:
                got.append(ev['data'])
    edges = sorted((f['source'].get('path'), f['target'].get('path'),
                    f['labels'][0]) for f in flows)
    want = sorted([(stfleet.SECRET, '/tmp/copy0', '/srv/secret/*'),
                   (stfleet.SECRET, '/tmp/copy1', '/srv/secret/*'),
                   ('/srv/other/m.txt', '/tmp/m-copy.txt', 'other')])
    fail.check(edges == want, 'flows %s, not %s' % (edges, want))
    ids = [f['id'] for f in all_flows]
    fail.check(sorted(f['id'] for f in got) == ids,
               'events over virsh: %s, flows %s' % (
                   [f['id'] for f in got], ids))
    lines, torn = stfleet.read_lines(os.path.join(run, 'flows.jsonl'))
    fail.check(not torn and sorted(stfleet.flow_id(ln) for ln in lines) ==
               ids, 'device log: %s' % lines)
    fail.check(all(ln['vm']['name'] == DOMAIN and 'uuid' in ln['vm']
                   for ln in lines), 'VM identity from libvirt: %s'
               % [ln['vm'] for ln in lines])
    fail.check('/tmp/m-copy.txt' in table and 'other' in table,
               'HMP over virsh: %s' % table)
    with open(qlog, errors='replace') as f:
        f.seek(qlog_start)
        text = f.read()
    fail.check('tainted: custom-argv' in text,
               'no custom-argv taint in %s' % qlog)
    with open(bridge_out) as f:
        recs = [json.loads(ln) for ln in f if ln.strip()]
    sent_on = [r for r in recs if r.get('to') == 'b']
    fail.check(len(sent_on) == 1 and 'error' not in sent_on[0] and
               sent_on[0]['local-port'] == 6000 and
               sent_on[0]['peer-address'] == A_IP,
               'bridge over libvirt: %s' % recs)
    fail.check(any(p['node']['comm'] == 'nc' and
                   p['labels'] == ['/srv/secret/*'] for p in b_procs),
               'the receiver in the other VM is not tracked: %s' % b_procs)
    print(table)
    print('bridge:', *recs, sep='\n  ')
    return fail.report('libvirt')


if __name__ == '__main__':
    sys.exit(main())
