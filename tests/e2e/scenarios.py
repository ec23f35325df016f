"""The e2e scenarios (guest/scenarios/NAME.sh) and what each must produce.

Busybox facts the expectations rest on (checked with strace on the same
busybox-static binary): cp and cat copy with sendfile, so a copy is one
file -> file "sendfile" edge with no process in between; cat is a NOFORK
applet and runs inside the shell; cp runs in a forked shell (comm "sh");
nc, dd and gzip are exec'd and use read and write.  The st-* programs
are guest/progs/*.c.

Which byte counts are exact, and why: the secret is 54 bytes and every
edge that carries it whole carries exactly 54 (sendfile, splice and
copy_file_range move a small file in one call; the st-* programs check
that each call moved all of it; a reader's total is the file's size);
gzip's edges carry the archive's size, which the guest prints as a fact.
Call counts are exact where one call moves everything (every st-*
program, sendfile and splice of 54 bytes, and st-same's read() of a
small file: one call, then the call returning 0, which is no transfer;
and the shell's read builtin, which reads a byte a call).  They are left
open where a reader may get the bytes in several reads (nc and dd
reading a socket or pipe, gzip).
"""

from stgraph import Edge

S = '/srv/secret/plans.txt'
LABEL = '/srv/secret/*'
N = 54                          # bytes in the secret (lib-secret.sh)
CLI = 'socket->127.0.0.1:*'     # a client socket's peer: ephemeral port


def same(outs, ref=S, size=N):
    """The edges of the st-same check of OUTS against REF."""
    return [Edge(f, 'proc:st-same', 'read', size, 1) for f in [ref] + outs]


def compat_return_bytes(n):
    """N bytes where the tracker saw compat returns (the host-side fact
    scenario_test.py adds), else 0: a size only a return tells."""
    return lambda fact: n if int(fact['host:compat-returns']) else 0


def loopback(port, first):
    """A secret sent over loopback TCP to PORT by FIRST's last edge, then
    read by the listening nc, saved to /tmp/recv.bin and checked."""
    srv = 'socket->127.0.0.1:%d' % port
    return [Edge(srv, CLI, first, N),
            Edge(CLI, 'proc:nc#listen', 'read', N),
            Edge('proc:nc#listen', '/tmp/recv.bin', 'write', N)] + \
        same(['/tmp/recv.bin'])


class Scenario:
    """One scenario: its guest script, device settings, host steps, the
    exact flow graph and what the tracked-node lists hold beyond it."""

    def __init__(self, edges, script=None, files=LABEL, label=LABEL, smp=1,
                 props='', ports=(), host=(), registered=(S,), gone=(),
                 extra_files=(), extra_procs=(), flows_dropped=0,
                 renamed=False, exec_changes_comm=False, alerts=None,
                 append=''):
        self.edges = list(edges)
        self.script = script
        self.files = files
        self.label = label
        self.smp = smp
        self.props = props
        self.ports = ports
        self.host = host                # (step, QMP command, arguments)
        self.registered = registered    # paths of the registered secrets
        self.gone = gone                # paths of deleted tracked files
        self.extra_files = extra_files  # tracked, on no kept edge
        self.extra_procs = extra_procs  # comm of tracked, on no kept edge
        self.flows_dropped = flows_dropped
        self.renamed = renamed          # a path may change after its event
        self.exec_changes_comm = exec_changes_comm
        self.append = append            # more of the kernel command line
        # the alert counters of query-secret-tracker (0 unless given)
        self.alerts = dict({'compat-from-64bit': 0, 'trap-flag': 0},
                           **(alerts or {}))


def pipe_edges():
    gz = 'fact:size:/tmp/out.gz'
    return [Edge(S, 'pipe', 'sendfile', N, 1),
            Edge('pipe', 'proc:gzip#compress', 'read', N),
            Edge('proc:gzip#compress', '/tmp/out.gz', 'write', gz),
            Edge('/tmp/out.gz', 'proc:gzip#expand', 'read', gz),
            Edge('proc:gzip#expand', '/tmp/out.txt', 'write', N)] + \
        same(['/tmp/out.txt'])


def prog_edges(prog, out_syscall, outs, first='read'):
    """A st-* program that takes in the secret with FIRST and writes it
    to each of OUTS with OUT_SYSCALL, one call each."""
    return [Edge(S, 'proc:' + prog, first, N, 1)] + \
        [Edge('proc:' + prog, o, out_syscall, N, 1) for o in outs] + \
        same(outs)


def shm_edges():
    """st-shm (guest/progs/st-shm.c): each mode's edges, then st-same.
    A mode's process is shm-MODE, its child shm-MODE-c."""
    out = []
    for m in ('prot-write', 'prot-none'):
        p = 'proc:shm-' + m
        out += [Edge(S, p, 'mmap', N, 1),
                Edge(p, '/tmp/shm-%s.txt' % m, 'write', N, 1)]
    p = 'proc:shm-premap'
    out += [Edge(S, p, 'read', N, 1),
            Edge(p, '/tmp/shm-premap.txt', 'mmap', 0, 1)]
    w, r = 'proc:shm-late', 'proc:shm-late-c'
    out += [Edge(S, w, 'read', N, 1),
            Edge(w, '/tmp/shm-late.bin', 'pwrite64', N, 1),
            Edge('/tmp/shm-late.bin', r, 'mmap', 0, 1),
            Edge(r, '/tmp/shm-late.txt', 'write', N, 1)]
    via = {'anon': ('ipc:shared-anon', 'mmap'),
           'sysv': ('ipc:sysv-shm', 'shmat'),
           'posix': ('/dev/shm/st-shm', 'mmap'),
           'memfd': ('/memfd:st-memfd', 'mmap'),
           'vfork': ('ipc:address-space#vfork', 'vfork'),
           'clonevm': ('ipc:address-space#clonevm', 'clone')}
    for m, (node, call) in via.items():
        p, c = 'proc:shm-' + m, 'proc:shm-%s-c' % m
        writer, reader = (c, p) if m in ('vfork', 'clonevm') else (p, c)
        out += [Edge(S, writer, 'read', N, 1),
                Edge(writer, node, call, 0, 1),
                Edge(node, reader, call, 0, 1),
                Edge(reader, '/tmp/shm-%s.txt' % m, 'write', N, 1)]
    p, c = 'proc:shm-files', 'proc:shm-files-c'
    out += [Edge(S, p, 'read', N, 1),
            Edge(p, '/dev/null', 'write', N, 1),
            Edge(p, c, 'clone', 0, 1),
            Edge(p, '/tmp/shm-files.txt', 'write', N, 1)]
    return out + same(['/tmp/shm-late.bin', '/tmp/shm-late.txt'] +
                      ['/tmp/shm-%s.txt' % m for m in SHM_MODES])


SHM_MODES = ('prot-write', 'prot-none', 'premap', 'anon', 'sysv', 'posix',
             'memfd', 'vfork', 'clonevm', 'files')


def procmem_edges():
    """st-procmem (guest/progs/st-procmem.c): each mode's edges.  A mode's
    process is pm-MODE, its child pm-MODE-c."""
    out = []
    for m, call, nbytes, count in (('vmreadv', 'process_vm_readv', N, 1),
                                   ('peek', 'ptrace', 56, 7),
                                   ('memread', 'pread64', N, 1)):
        c, p = 'proc:pm-%s-c' % m, 'proc:pm-' + m
        out += [Edge(S, c, 'read', N, 1), Edge(c, p, call, nbytes, count),
                Edge(p, '/tmp/pm-%s.txt' % m, 'write', N, 1)]
    for m, call in (('vmwritev', 'process_vm_writev'), ('poke', 'ptrace'),
                    ('memwrite', 'pwrite64')):
        c, p = 'proc:pm-%s-c' % m, 'proc:pm-' + m
        out += [Edge(S, p, 'read', N, 1), Edge(p, c, call, 0, 1),
                Edge(c, '/tmp/pm-%s.txt' % m, 'write', N, 1)]
    return out + same(['/tmp/pm-%s.txt' % m for m in PROCMEM_MODES])


PROCMEM_MODES = ('vmreadv', 'vmwritev', 'peek', 'poke', 'memread',
                 'memwrite')


def kstore_edges():
    """st-kstore (guest/progs/st-kstore.c): each mode's edges.  A mode's
    process is ks-MODE, its child ks-MODE-c."""
    k = 'proc:ks-'
    return [Edge(S, k + 'msg', 'read', N, 1),
            Edge(k + 'msg', 'ipc:sysv-msg', 'msgsnd', N, 1),
            Edge('ipc:sysv-msg', k + 'msg-c', 'msgrcv', N, 1),
            Edge(k + 'msg-c', '/tmp/ks-msg.txt', 'write', N, 1),
            Edge(S, k + 'mq', 'read', N, 1),
            Edge(k + 'mq', '/st-kstore', 'mq_timedsend', N, 1),
            Edge('/st-kstore', k + 'mq-c', 'mq_timedreceive', N, 1),
            Edge(k + 'mq-c', '/tmp/ks-mq.txt', 'write', N, 1),
            Edge(S, k + 'xattr-set', 'read', N, 1),
            Edge(k + 'xattr-set', 'ipc:xattr', 'setxattr', N, 1),
            Edge('ipc:xattr', k + 'xattr-get', 'getxattr', N, 1),
            Edge(k + 'xattr-get', '/tmp/ks-xattr.txt', 'write', N, 1),
            Edge(S, k + 'key-add', 'read', N, 1),
            Edge(k + 'key-add', 'ipc:keys', 'add_key', N, 1),
            Edge('ipc:keys', k + 'key-read', 'keyctl', N, 1),
            Edge(k + 'key-read', '/tmp/ks-key.txt', 'write', N, 1),
            Edge(S, k + 'pty-c', 'read', N, 1),
            Edge(k + 'pty-c', '/dev/pts/0', 'write', N, 1),
            Edge(k + 'pty-c', 'ipc:pty', 'write', N, 1),
            Edge('ipc:pty', k + 'pty', 'read', N),
            Edge(k + 'pty', '/tmp/ks-pty.txt', 'write', N, 1)] + \
        same(['/tmp/ks-%s.txt' % m for m in ('msg', 'mq', 'xattr', 'key',
                                              'pty')])


TUN_PKT = N + 28                # the secret in one IPv4 UDP packet


def tun_edges():
    """st-tun (guest/progs/st-tun.c): "read", a UDP datagram to 10.77.0.2,
    routed into the tun, is read from its fd by tun-read-c; "write", a
    packet written into the tun reaches tun-write-c's socket."""
    return [Edge(S, 'proc:tun-read', 'read', N, 1),
            Edge('proc:tun-read', 'socket#send', 'sendto', N, 1),
            Edge('socket#send', 'remote:inet:10.77.0.2:9999', 'sendto', N,
                 1),
            Edge('socket#send', 'ipc:tun', 'sendto', N, 1),
            Edge('ipc:tun', 'proc:tun-read-c', 'read', TUN_PKT, 1),
            Edge('proc:tun-read-c', '/tmp/tun-read.txt', 'write', N, 1),
            Edge(S, 'proc:tun-write', 'read', N, 1),
            Edge('proc:tun-write', '/dev/net/tun', 'write', TUN_PKT, 1),
            Edge('proc:tun-write', 'ipc:tun', 'write', TUN_PKT, 1),
            Edge('ipc:tun', 'socket#recv', 'write', N, 1),
            Edge('socket#recv', 'proc:tun-write-c', 'recvfrom', N, 1),
            Edge('proc:tun-write-c', '/tmp/tun-write.txt', 'write', N, 1)] + \
        same(['/tmp/tun-read.txt', '/tmp/tun-write.txt'])


LOOP_IMG = '/srv/secret/disk.img'
LOOP_SIZE = 1024                # the image: two sectors (loop.sh)


def loop_edges():
    """st-loop (guest/progs/st-loop.c): each mode's process puts the
    image behind a loop device of its own with one ioctl (the image's
    size), reads the device (a read of it all, then one that returns 0)
    and writes what it got to a file."""
    out = []
    for mode, dev, dst in (('set-fd', '/dev/loop2', '/tmp/loop-set.bin'),
                           ('configure', '/dev/loop3',
                            '/tmp/loop-conf.bin')):
        p = 'proc:loop-' + mode
        out += [Edge(LOOP_IMG, dev, 'ioctl', LOOP_SIZE, 1),
                Edge(dev, p, 'read', LOOP_SIZE, 2),
                Edge(p, dst, 'write', LOOP_SIZE, 1)]
    return out + same(['/tmp/loop-set.bin', '/tmp/loop-conf.bin'], LOOP_IMG,
                      LOOP_SIZE)


def leave_edges():
    """st-leave (guest/progs/st-leave.c): each mode's sender (MODE-s)
    sends the secret with a family that leaves the VM; the send is an
    exfiltration and also taints the family's node, which the receiver
    (MODE-r, already blocked) reads from; "udp"'s frame, an IPv4 packet
    for 127.0.0.1, reaches its UDP receiver's socket instead, and so does
    "udpmsg"'s, the same frame sent with sendmsg (and udp-r's closed
    socket, over-approximated).  The vsock
    stream's peer is not known (the vsock module's structures are not in
    the kernel's BTF), and its receiver may read the stream in several
    calls.  "xdp"'s frame goes out of its socket's TX ring: its sendto
    moves no bytes and names no address, but its process is tainted, so
    the send leaves to an unknown XDP address and taints the packet node;
    it runs before the other packet sends, so its receiver (xdp-r, on a
    packet socket) is tainted by it alone."""
    out = []
    for mode, ep, call, size in (
            ('xdp', 'remote:xdp:unknown', 'sendto', 0),
            ('packet', 'remote:packet:if1:0x88b5', 'sendto', N),
            ('udp', 'remote:packet:if1:0x0800', 'sendto', TUN_PKT),
            ('udpmsg', 'remote:packet:if1:0x0800', 'sendmsg', TUN_PKT),
            ('vsock', 'remote:vsock:unknown', 'write', N)):
        s, r = 'proc:%s-s' % mode, 'proc:%s-r' % mode
        sock = 'socket#' + mode
        out += [Edge(S, s, 'read', N, 1),
                Edge(s, sock, call, size, 1),
                Edge(sock, ep, call, size, 1),
                Edge(sock, 'ipc:' + ('vsock' if mode == 'vsock' else
                                     'packet'), call, size, 1),
                Edge(r, '/tmp/%s.txt' % mode, 'write', N, 1)]
    out += [Edge('ipc:packet', 'proc:xdp-r', 'recvfrom', N, 1),
            Edge('ipc:packet', 'proc:packet-r', 'recvfrom', N, 1),
            Edge('socket#udp', 'socket#udp-r', 'sendto', N, 1),
            Edge('socket#udp-r', 'proc:udp-r', 'recvfrom', N, 1),
            Edge('socket#udpmsg', 'socket#udpmsg-r', 'sendmsg', N, 1),
            # udp-r's socket, bound to the same address, closed with its
            # process: the tracker cannot tell, so it is sent it too
            Edge('socket#udpmsg', 'socket#udp-r', 'sendmsg', N, 1),
            Edge('socket#udpmsg-r', 'proc:udpmsg-r', 'recvfrom', N, 1),
            Edge('ipc:vsock', 'proc:vsock-r', 'read', N)]
    return out + same(['/tmp/%s.txt' % m for m in
                       ('xdp', 'packet', 'udp', 'udpmsg', 'vsock')])


def fuse_edges():
    """st-fuse (guest/progs/st-fuse.c): "write", what a process writes to
    a FUSE file reaches the daemon (fuse-write-d) blocked reading
    /dev/fuse; "read", what the daemon (fuse-read-d) replies with reaches
    the reader (fuse-read) blocked in its read of the FUSE file."""
    return [Edge(S, 'proc:fuse-write', 'read', N, 1),
            Edge('proc:fuse-write', '/mnt/st-fuse/f', 'write', N, 1),
            Edge('proc:fuse-write', 'ipc:fuse', 'write', N, 1),
            Edge('ipc:fuse', 'proc:fuse-write-d', 'read'),
            Edge('proc:fuse-write-d', '/tmp/fuse-write.txt', 'write', N, 1),
            # its replies, once tracked
            Edge('proc:fuse-write-d', '/dev/fuse', 'write'),
            Edge('proc:fuse-write-d', 'ipc:fuse', 'write'),
            # one node for every FUSE file system: the next daemon is
            # tracked from its first read (the over-approximation)
            Edge('ipc:fuse', 'proc:fuse-read-d', 'read'),
            Edge(S, 'proc:fuse-read-d', 'read', N, 1),
            Edge('proc:fuse-read-d', '/dev/fuse', 'write'),
            Edge('proc:fuse-read-d', 'ipc:fuse', 'write'),
            Edge('ipc:fuse', 'proc:fuse-read', 'read', N, 1),
            Edge('proc:fuse-read', '/tmp/fuse-read.txt', 'write', N, 1)] + \
        same(['/tmp/fuse-write.txt', '/tmp/fuse-read.txt'])


def core_edges():
    """st-core (guest/progs/st-core.c): "file", core-file's core goes to
    the file core_pattern names; "pipe", core-pipe's goes to the pipe of a
    |helper core_pattern, which core-helper saves.  Each core is checked
    by a core-*-chk process.  A core dump's size is not known: 0 bytes."""
    cores = '/tmp/st-cores/'
    return [Edge(S, 'proc:core-file', 'read', N, 1),
            Edge('proc:core-file', cores + 'core-file.core', 'coredump', 0,
                 1),
            Edge(S, 'proc:core-file-chk', 'read', N, 1),
            Edge(cores + 'core-file.core', 'proc:core-file-chk', 'read'),
            Edge(S, 'proc:core-pipe', 'read', N, 1),
            Edge('proc:core-pipe', 'pipe', 'coredump', 0, 1),
            Edge('pipe', 'proc:core-helper', 'read'),
            Edge('proc:core-helper', cores + 'core-pipe.out', 'write'),
            Edge(S, 'proc:core-pipe-chk', 'read', N, 1),
            Edge(cores + 'core-pipe.out', 'proc:core-pipe-chk', 'read')]


DEEP = ('/srv/deep/this-directory-name-is-longer-than-forty-characters/'
        'and-so-is-this-one-which-keeps-going-for-a-while/third/'
        'a-file-name-that-is-also-over-forty-characters.txt')
SMP_OUTS = ['/tmp/%s%d.txt' % (c, i) for c in ('cp', 'cat')
            for i in range(1, 7)]
REGISTER_OTHER = ('register', 'secret-tracker-add-file',
                  {'path': '/srv/other/*', 'label': 'late'})
ALIASES = tuple('/srv/secret/alias-%s.txt' % m
                for m in ('link', 'bind', 'handle'))


def alias_edges():
    """alias.sh: each of ALIASES reaches its copy in /tmp/out."""
    link, bind, handle = ALIASES
    outs = ['/tmp/out/%s.txt' % m for m in ('link', 'bind', 'handle')]
    return [Edge(link, outs[0], 'sendfile', 13, 1),
            Edge(bind, 'proc:alias-bind', 'read', 13, 1),
            Edge('proc:alias-bind', outs[1], 'write', 13, 1),
            Edge(handle, 'proc:alias-handle', 'read', 13, 1),
            Edge('proc:alias-handle', outs[2], 'write', 13, 1)] + \
        same(outs, link, 13)


VAULT = '/srv/vault/d/data.txt'       # container.sh: 17 bytes


REGISTER_LATE = ('register', 'secret-tracker-add-file',
                 {'path': '/srv/late/*', 'label': 'late'})
REGISTER_DCACHE = ('register', 'secret-tracker-add-file',
                   {'path': '/srv/secret/*', 'label': 'dcache'})
DCACHE_SECRET = '/srv/secret/a.txt'

URING_MODES = ('plain', 'sqpoll', 'fixed')

OVL_SECRET = '/srv/secret/ovl.txt'     # overlay.sh: 15 bytes
OVL_UPPER_COPY = '/tmp/ovl/upper/copy.txt'

SCENARIOS = {
    'cp': Scenario([Edge(S, '/tmp/copy.txt', 'sendfile', N, 1)] +
                   same(['/tmp/copy.txt'])),
    'redirect': Scenario([Edge(S, '/tmp/out.txt', 'sendfile', N, 1)] +
                         same(['/tmp/out.txt'])),
    'pipe': Scenario(pipe_edges()),
    'mvln': Scenario([Edge(S, '/tmp/b.txt', 'sendfile', N, 1),
                      Edge('/tmp/a.txt', '/tmp/b.txt', 'rename', 0, 1),
                      Edge('/tmp/b.txt', '/tmp/d.txt', 'sendfile', N, 1)] +
                     same(['/tmp/b.txt', '/tmp/d.txt']), renamed=True),
    # mvln with page-table isolation forced on (TCG's CPU needs none).
    'pti': Scenario([Edge(S, '/tmp/b.txt', 'sendfile', N, 1),
                     Edge('/tmp/a.txt', '/tmp/b.txt', 'rename', 0, 1),
                     Edge('/tmp/b.txt', '/tmp/d.txt', 'sendfile', N, 1)] +
                    same(['/tmp/b.txt', '/tmp/d.txt']), renamed=True,
                    append='pti=on'),
    # The read builtin reads one byte a call up to the newline: the
    # secret's first line is 35 bytes.
    'child': Scenario([Edge(S, 'proc:sh#parent', 'read', 35, 35),
                       Edge('proc:sh#parent', 'proc:sh#child', 'clone', 0, 1),
                       Edge('proc:sh#child', '/tmp/h', 'sendfile',
                            'fact:size:/etc/hostname', 1)]),
    'tcp': Scenario([Edge(S, 'proc:nc#send', 'read', N),
                     Edge('proc:nc#send', 'socket->127.0.0.1:5555', 'write',
                          N)] + loopback(5555, 'write'), ports=(5555,)),
    # The secret is never opened: files matched by a pattern are labelled
    # at their first use, so none is tracked (docs: query-secret-files).
    'negative': Scenario([], registered=()),
    'smp': Scenario([Edge(S, o, 'sendfile', N, 1) for o in SMP_OUTS] +
                    same(SMP_OUTS), smp=2),
    'qmpadd': Scenario([Edge('/srv/other/late.txt', '/tmp/late-copy.txt',
                             'sendfile', 12, 1)] +
                       same(['/tmp/late-copy.txt'], '/srv/other/late.txt',
                            12),
                       label='late', host=(REGISTER_OTHER,),
                       registered=('/srv/other/late.txt',)),
    'deep': Scenario([Edge(S, DEEP, 'sendfile', N, 1),
                      Edge(S, '/mnt/second/sub/dir/copy.txt', 'sendfile', N,
                           1)] +
                     same([DEEP, '/mnt/second/sub/dir/copy.txt'])),
    # One system call each
    'pwrite64': Scenario(prog_edges('st-pwrite', 'pwrite64',
                                    ['/tmp/pwrite.txt'])),
    'pwritev': Scenario(prog_edges('st-pwritev', 'pwritev',
                                   ['/tmp/pwritev.txt'])),
    'mmap': Scenario(prog_edges('st-mmap', 'write', ['/tmp/mmap.txt'],
                                first='mmap')),
    # red team (issue 13): i386 calls from a 64-bit program; the clean
    # copy made the same way is the negative control (no edge)
    # (6 int 0x80 calls a copy: open, open, read, write, close, close)
    # i386 calls from a 64-bit program: a copy with read and write, the
    # same by a 32-bit program, then setxattr and getxattr (kernel-held
    # data) by two processes.  What getxattr returned is known only where
    # compat returns are seen (TCG from 6.1 on); elsewhere its size is
    # unknown (0 bytes).
    'int80': Scenario([Edge(S, 'proc:st-int80', 'read', N, 1),
                       Edge('proc:st-int80', '/tmp/int80.txt', 'write', N, 1),
                       Edge(S, 'proc:st-copy32', 'read', N, 1),
                       Edge('proc:st-copy32', '/tmp/copy32.txt', 'write', N,
                            1),
                       Edge(S, 'proc:i80-xattr-set', 'read', N, 1),
                       Edge('proc:i80-xattr-set', 'ipc:xattr', 'setxattr', N,
                            1),
                       Edge('ipc:xattr', 'proc:i80-xattr-get', 'getxattr',
                            compat_return_bytes(N), 1),
                       Edge('proc:i80-xattr-get', '/tmp/i80-xattr.txt',
                            'write', N, 1)] +
                      same(['/tmp/int80.txt', '/tmp/copy32.txt',
                            '/tmp/i80-xattr.txt']),
                      alerts={'compat-from-64bit': 16}),
    # io_uring READ then WRITE requests, one process per way of submitting.
    # A request the kernel retries (tmpfs writes before 6.12 cannot be
    # done without blocking, so an io-wq worker does them again) counts
    # once per attempt: bytes and counts are not exact (the guest checks
    # the bytes).
    'iouring': Scenario(
        [e for m in URING_MODES for e in (
            Edge(S, 'proc:st-iouring#' + m, 'read'),
            Edge('proc:st-iouring#' + m, '/tmp/uring-%s.txt' % m,
                 'write'))] +
        same(['/tmp/uring-%s.txt' % m for m in URING_MODES])),
    # AIO: io_submit with IOCB_CMD_PREAD, then IOCB_CMD_PWRITE
    'aio': Scenario(prog_edges('st-aio', 'pwrite64', ['/tmp/aio.txt'],
                               first='pread64')),
    # vmsplice memory -> pipe, and pipe -> memory
    'vmsplice': Scenario([Edge(S, 'proc:st-vmsplice#to', 'read', N, 1),
                          Edge('proc:st-vmsplice#to', 'pipe#to', 'vmsplice',
                               N, 1),
                          Edge('pipe#to', 'proc:dd', 'read', N),
                          Edge('proc:dd', '/tmp/vms-to.txt', 'write', N),
                          # busybox cat sendfile()s into the pipe
                          Edge(S, 'pipe#from', 'sendfile', N, 1),
                          # its last call finds the pipe empty
                          Edge('pipe#from', 'proc:st-vmsplice#from',
                               'vmsplice', N),
                          Edge('proc:st-vmsplice#from', '/tmp/vms-from.txt',
                               'write', N, 1)] +
                         same(['/tmp/vms-to.txt', '/tmp/vms-from.txt'])),
    # a tracer rewrites its tracee's write from /dev/null to the file; its
    # PTRACE_GETREGS of the tainted tracee taint it (registers can carry
    # data: issue 14), a word a call, as many calls as stops
    'ptrace': Scenario([Edge(S, 'proc:st-ptrace#tracee', 'read', N, 1),
                        Edge('proc:st-ptrace#tracee', 'proc:st-ptrace#tracer',
                             'ptrace'),
                        Edge('proc:st-ptrace#tracee', '/tmp/ptrace.txt',
                             'write', N, 1)] + same(['/tmp/ptrace.txt'])),
    # sendmsg naming the VM's own (non-loopback) address in msg_name; the
    # receiver is bound to any address.  The address is not known to be
    # the VM's, so it is also recorded as leaving (over, never under).
    'sendmsg': Scenario([Edge(S, 'proc:st-sendmsg#send', 'read', N, 1),
                         Edge('proc:st-sendmsg#send', 'socket#send',
                              'sendmsg', N, 1),
                         Edge('socket#send', 'remote:inet:10.0.2.15:5559',
                              'sendmsg', N, 1),
                         Edge('socket#send', 'socket#recv', 'sendmsg', N, 1),
                         Edge('socket#recv', 'proc:st-sendmsg#recv',
                              'recvfrom', N, 1),
                         Edge('proc:st-sendmsg#recv', '/tmp/sendmsg.txt',
                              'write', N, 1)] + same(['/tmp/sendmsg.txt'])),
    # red team (issue 14): shared memory, one st-shm mode each
    'shm': Scenario(shm_edges(), gone=('/dev/shm/st-shm',)),
    # another process's memory, one st-procmem mode each
    'procmem': Scenario(procmem_edges()),
    # data the kernel keeps, one st-kstore mode each
    'kstore': Scenario(kstore_edges()),
    # packets through a TUN interface, one st-tun mode each
    'tun': Scenario(tun_edges()),
    # a FUSE file system and its daemon, one st-fuse mode each
    'fuse': Scenario(fuse_edges()),
    'core': Scenario(core_edges()),
    # A shell that read the secret's first line (35 bytes, a byte a call),
    # saved it and was killed by SIGKILL: gone, like every process here.
    'sigkill': Scenario([Edge(S, 'proc:sh#held', 'read', 35, 35),
                         Edge('proc:sh#held', '/tmp/held.txt', 'write', 35),
                         Edge('/tmp/held.txt', 'proc:st-same', 'read', 35,
                              1)]),
    # a read and a write entered with RFLAGS.TF, per copy
    # Each secret first read under another name (13 bytes, one call):
    # a hard link (cat: sendfile), a user-namespace bind mount and a file
    # handle (st-alias: read, write).  Named as the tracker finds them.
    'alias': Scenario(alias_edges(), registered=ALIASES),
    # a container given one directory of a volume it cannot see (st-alias
    # container): the secret is known by its path through the volume's
    # mount in the namespace outside
    'container': Scenario([Edge(VAULT, 'proc:alias-container', 'read', 17, 1),
                           Edge('proc:alias-container', '/tmp/out/secret.txt',
                                'write', 17, 1),
                           Edge(VAULT, 'proc:st-same', 'read', 17, 1),
                           Edge('/tmp/out/secret.txt', 'proc:st-same', 'read',
                                17, 1)],
                          files='/srv/vault/d/*', label='/srv/vault/d/*',
                          registered=(VAULT,)),
    # data moved by ioctls: an image behind a loop device, two ways
    'loop': Scenario(loop_edges(), registered=(LOOP_IMG,)),
    # reflinks on XFS (FICLONE, FICLONERANGE, FIDEDUPERANGE) by a process
    # that never reads the secret: one file -> file edge each, with the
    # file's size
    'clone': Scenario([Edge(S, '/srv/out/%s.txt' % m, 'ioctl', N, 1)
                       for m in ('clone', 'range', 'dedupe')] +
                      same(['/srv/out/%s.txt' % m
                            for m in ('clone', 'range', 'dedupe')])),
    # packet and vsock sends that stay in the VM
    'leave': Scenario(leave_edges()),
    'tf': Scenario(prog_edges('st-tf', 'write', ['/tmp/tf.txt']),
                   alerts={'trap-flag': 4}),
    'dup3': Scenario(prog_edges('st-dup3', 'write',
                                ['/tmp/dup-a.txt', '/tmp/dup-b.txt'])),
    'close_range': Scenario(prog_edges('st-close-range', 'write',
                                       ['/tmp/cr-a.txt', '/tmp/cr-b.txt'])),
    'bind': Scenario([Edge(S, 'proc:st-bind#sender', 'read', N, 1),
                      Edge('proc:st-bind#sender', 'socket', 'sendto', N, 1),
                      Edge('socket', 'unix:/tmp/st.sock', 'sendto', N, 1),
                      Edge('unix:/tmp/st.sock', 'proc:st-bind#receiver',
                           'recvfrom', N, 1),
                      Edge('proc:st-bind#receiver', '/tmp/bind.txt', 'write',
                           N, 1)] + same(['/tmp/bind.txt'])),
    'execveat': Scenario([Edge(S, 'proc:sh#execveat', 'read', N, 1),
                          Edge('proc:sh#execveat', '/tmp/before-exec.txt',
                               'write', N, 1),
                          Edge('proc:sh#execveat', '/tmp/after-exec.txt',
                               'write', N)] +
                         same(['/tmp/before-exec.txt', '/tmp/after-exec.txt']),
                         exec_changes_comm=True),
    'cfr': Scenario([Edge(S, '/srv/cfr-copy.txt', 'copy_file_range', N, 1)] +
                    same(['/srv/cfr-copy.txt'])),
    'sendsock': Scenario([Edge(S, 'socket->127.0.0.1:5556', 'sendfile', N,
                               1)] + loopback(5556, 'sendfile'),
                         ports=(5556,)),
    'splicesock': Scenario([Edge(S, 'pipe', 'splice', N, 1),
                            Edge('pipe', 'socket->127.0.0.1:5559', 'splice',
                                 N, 1)] + loopback(5559, 'splice'),
                           ports=(5559,)),
    'fifo': Scenario([Edge(S, 'proc:dd#writer', 'read', N),
                      Edge('proc:dd#writer', 'pipe#fifo', 'write', N),
                      Edge('pipe#fifo', 'proc:dd#reader', 'read', N),
                      Edge('proc:dd#reader', '/tmp/fifo-out.txt', 'write',
                           N)] + same(['/tmp/fifo-out.txt'])),
    'socketpair': Scenario([
        Edge(S, 'proc:st-socketpair#writer', 'read', N, 1),
        Edge('proc:st-socketpair#writer', 'socket#w', 'write', N, 1),
        Edge('socket#w', 'socket#r', 'write', N, 1),
        Edge('socket#r', 'proc:st-socketpair#reader', 'read', N),
        Edge('proc:st-socketpair#reader', '/tmp/pair.txt', 'write', N, 1)] +
        same(['/tmp/pair.txt'])),
    'unlink': Scenario([Edge(S, '/tmp/u.txt', 'sendfile', N, 1)] +
                       same(['/tmp/u.txt']), gone=('/tmp/u.txt',)),
    'exfil': Scenario([Edge(S, 'proc:st-sendto', 'read', N, 1),
                       Edge('proc:st-sendto', 'socket', 'sendto', N, 1),
                       Edge('socket', 'remote:inet:10.0.2.2:5557', 'sendto',
                            N, 1)]),
    # Negative controls
    # Negative control: the secret is never opened, so not tracked.
    'cleantcp': Scenario([], registered=()),
    'pidreuse': Scenario([Edge(S, 'proc:dd#reader', 'read', N),
                          Edge('proc:dd#reader', '/dev/null', 'write', N)]),
    'latereg': Scenario([Edge('/srv/late/a.txt', '/tmp/after.txt', 'sendfile',
                              12, 1),
                         Edge('/srv/late/held.txt', '/tmp/held-copy.txt',
                              'sendfile', 12, 1)] +
                        same(['/tmp/after.txt', '/tmp/held-copy.txt'],
                             '/srv/late/a.txt', 12),
                        label='late', host=(REGISTER_LATE,),
                        registered=('/srv/late/a.txt',
                                    '/srv/late/held.txt')),
    'nosecret': Scenario([], files='/nowhere/*', registered=()),
    # Red team: found in the dentry cache at registration (the copy reads
    # a hard link once the secret's own name is no longer cached); the
    # public file's link, copied the same way, is the negative control.
    'dcache': Scenario([Edge(DCACHE_SECRET, '/tmp/dcache-out.txt',
                             'sendfile', 14, 1)] +
                       same(['/tmp/dcache-out.txt'], DCACHE_SECRET, 14),
                       files='/nowhere/*', label='dcache',
                       host=(REGISTER_DCACHE,), registered=(DCACHE_SECRET,)),
    # Red team: through an overlayfs view, read from the lower layer and
    # written into the upper one; each node is the layer's real file.
    # The public file's view, read and written the same ways, is the
    # negative control.
    'overlay': Scenario([Edge(OVL_SECRET, '/tmp/ovl-out.txt', 'sendfile',
                              15, 1),
                         Edge(OVL_SECRET, OVL_UPPER_COPY, 'sendfile', 15, 1)] +
                        same(['/tmp/ovl-out.txt', OVL_UPPER_COPY], OVL_SECRET,
                             15),
                        registered=(OVL_SECRET,)),
    # Contracts
    'maxflows': Scenario([Edge(S, '/tmp/m1.txt', 'sendfile', N, 1),
                          Edge(S, '/tmp/m2.txt', 'sendfile', N, 1)],
                         props='max-flows=2', flows_dropped=7,
                         extra_files=('/tmp/m3.txt', '/tmp/m4.txt'),
                         extra_procs=('st-same',)),
}
