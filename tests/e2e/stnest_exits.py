"""Exit counts of the nest's L2 (Nest.exit_counts_stop()): L1's answer
parsed, each SVM exit code named."""

# SVM exit codes (AMD64 APM vol. 2, appendix C) the histogram names.
SVM_EXIT_NAMES = {
    0x40 + 1: '#DB', 0x40 + 3: '#BP', 0x40 + 6: '#UD', 0x40 + 7: '#NM',
    0x40 + 13: '#GP', 0x40 + 14: '#PF', 0x40 + 17: '#AC', 0x40 + 18: '#MC',
    0x60: 'INTR', 0x61: 'NMI', 0x62: 'SMI', 0x63: 'INIT', 0x64: 'VINTR',
    0x65: 'CR0_SEL_WRITE', 0x6e: 'RDTSC', 0x6f: 'RDPMC', 0x70: 'PUSHF',
    0x71: 'POPF', 0x72: 'CPUID', 0x73: 'RSM', 0x74: 'IRET', 0x75: 'SWINT',
    0x76: 'INVD', 0x77: 'PAUSE', 0x78: 'HLT', 0x79: 'INVLPG',
    0x7a: 'INVLPGA', 0x7b: 'IOIO', 0x7c: 'MSR', 0x7d: 'TASK_SWITCH',
    0x7e: 'FERR_FREEZE', 0x7f: 'SHUTDOWN', 0x80: 'VMRUN', 0x81: 'VMMCALL',
    0x82: 'VMLOAD', 0x83: 'VMSAVE', 0x84: 'STGI', 0x85: 'CLGI',
    0x86: 'SKINIT', 0x87: 'RDTSCP', 0x88: 'ICEBP', 0x89: 'WBINVD',
    0x8a: 'MONITOR', 0x8b: 'MWAIT', 0x8c: 'MWAIT_COND', 0x8d: 'XSETBV',
    0x8e: 'RDPRU', 0x8f: 'EFER_WRITE_TRAP', 0x400: 'NPF',
    0x401: 'AVIC_INCOMPLETE_IPI', 0x402: 'AVIC_UNACCELERATED_ACCESS',
    0x403: 'VMGEXIT',
}


def exit_reason_name(code):
    if code in SVM_EXIT_NAMES:
        return SVM_EXIT_NAMES[code]
    if 0 <= code < 0x10:
        return 'CR%d_READ' % code
    if 0x10 <= code < 0x20:
        return 'CR%d_WRITE' % (code - 0x10)
    if 0x20 <= code < 0x30:
        return 'DR%d_READ' % (code - 0x20)
    if 0x30 <= code < 0x40:
        return 'DR%d_WRITE' % (code - 0x30)
    if 0x40 <= code < 0x60:
        return 'EXCP%d' % (code - 0x40)
    return '0x%x' % code


def parse(data):
    """L1's EXITS-OFF data: {'by-reason': {code: n}, 'names': {code: name},
    'total': n, 'debugfs': {name: n}, 'raw': text}."""
    by = {}
    debugfs = {}
    for ln in data.decode(errors='replace').splitlines():
        ln = ln.strip()
        if ln.startswith('{ exit_reason:'):
            key, hits = ln[1:].split('}', 1)
            code = int(key.split(':', 1)[1].strip())
            by[code] = int(hits.split(':', 1)[1].strip())
        elif ln.startswith('debugfs '):
            w = ln.split()
            if len(w) == 3 and w[2].isdigit():
                debugfs[w[1]] = int(w[2])
    return {'by-reason': by,
            'names': {c: exit_reason_name(c) for c in by},
            'total': sum(by.values()), 'debugfs': debugfs,
            'raw': data.decode(errors='replace')}
