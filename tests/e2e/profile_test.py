#!/usr/bin/env python3
"""e2e: the tracker finds the guest kernel's own BTF, validates the profile
and hooks the real system call sites, with no configuration.

Oracles independent of the tracker: the kernel release from the guest
builder, and the instruction bytes at the hooked sites read through QEMU's
own monitor.  Kernels with a syscall dispatcher (Debian's 6.1 and later:
x64_sys_call) are hooked there: the exit hook is the instruction after a
direct call to the entry hook.  5.10 is hooked after the direct call in
do_syscall_64 to syscall_enter_from_user_mode (after ptrace) and at the
entry's sysretq.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sttrack  # noqa: E402

SWAPGS = ['0x0f', '0x01', '0xf8']
ENDBR64 = ['0xf3', '0x0f', '0x1e', '0xfa']     # with IBT (6.2 and later)
SYSRETQ = ['0x48', '0x0f', '0x07']


def code_bytes(g, addr, n):
    out = g.hmp('x /%dxb 0x%x' % (n, addr))
    return re.findall(r'0x[0-9a-f]{2}\b', out.split(':', 1)[1])


def main():
    args = sttrack.test_args()

    info = dict(ln.split('=', 1) for ln in
                open(os.path.join(args.guest, 'kernel.txt')).read().split())
    g = sttrack.TrackedGuest(args.qemu, args.guest, args.log_dir,
                             scenario='idle', files='', accel=args.accel)
    g.launch()
    try:
        st = g.wait_state('active', 240)
        hooks = {h['name']: h for h in st['hooks']}
        entry = hooks['syscall-entry']['address']
        exit_ = hooks['syscall-exit']['address']
        got_entry = code_bytes(g, entry, 7)
        if got_entry[:4] == ENDBR64:
            got_entry = got_entry[4:]
        got_entry = got_entry[:3]
        got_exit = code_bytes(g, exit_, 3)
        got_call = code_bytes(g, exit_ - 5, 5)
        got_entry_call = code_bytes(g, entry - 5, 5)
        g.run_to_end()
        st = g.status()
        text = g.hmp('info secret-tracker')
    finally:
        g.shutdown()

    failures = []
    if st['state'] != 'active':
        failures.append('state %s: %s' % (st['state'], st.get('error')))
    if ('Linux version ' + info['release']) not in st.get('kernel', ''):
        failures.append('banner %r is not kernel %s'
                        % (st.get('kernel'), info['release']))
    if st.get('profile-source') != 'btf':
        failures.append('profile source %r, not btf'
                        % st.get('profile-source'))
    version = tuple(int(x) for x in info['release'].split('.')[:2])
    if version >= (6, 1):
        # call rel32 just before the exit hook, and its target the entry
        rel = int.from_bytes(bytes(int(b, 16) for b in got_call[1:]),
                             'little', signed=True)
        if got_call[:1] != ['0xe8'] or not 0 <= entry - (exit_ + rel) < 64:
            failures.append('exit hook 0x%x does not follow a call to the '
                            'entry hook 0x%x: %s' % (exit_, entry, got_call))
        mode = 'dispatcher at 0x%x, its return at 0x%x' % (entry, exit_)
    else:
        # after a call rel32 (not the entry's swapgs); exit at the sysretq
        if got_entry_call[:1] != ['0xe8'] or got_entry == SWAPGS:
            failures.append('entry hook 0x%x does not follow a call: %s'
                            % (entry, got_entry_call))
        if got_exit != SYSRETQ:
            failures.append('exit hook 0x%x holds %s, not sysretq'
                            % (exit_, got_exit))
        mode = 'after a call at 0x%x, sysretq at 0x%x' % (entry, exit_)
    if hooks['syscall-entry']['hits'] == 0 or st['counters']['events'] == 0:
        failures.append('no system call seen')
    # every Debian line's kernel has every member the tracker reads
    for d in st.get('disabled-features', []):
        failures.append('feature %s disabled: %s' % (d['feature'],
                                                     d['reason']))
    if st['counters']['read-errors']:
        failures.append('%d guest memory read errors'
                        % st['counters']['read-errors'])
    print(text)
    if failures:
        for f in failures:
            print('FAIL:', f)
        return 1
    print('kernel %s: profile btf found and parsed in %s us; %s'
          % (info['release'], st.get('profile-time-us'), mode))
    return 0


if __name__ == '__main__':
    sys.exit(main())
