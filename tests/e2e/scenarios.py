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
small file: one call, then the call returning 0, which is no transfer).
They are left open where a reader may get the bytes in several reads
(nc and dd reading a socket or pipe, gzip, the shell's read builtin).
"""

from stgraph import Edge

S = '/srv/secret/plans.txt'
LABEL = '/srv/secret/*'
N = 54                          # bytes in the secret (lib-secret.sh)
CLI = 'socket->127.0.0.1:*'     # a client socket's peer: ephemeral port


def same(outs, ref=S, size=N):
    """The edges of the st-same check of OUTS against REF."""
    return [Edge(f, 'proc:st-same', 'read', size, 1) for f in [ref] + outs]


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
                 renamed=False, exec_changes_comm=False):
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


def pipe_edges():
    gz = 'fact:size:/tmp/out.gz'
    return [Edge(S, 'pipe', 'sendfile', N, 1),
            Edge('pipe', 'proc:gzip#compress', 'read', N),
            Edge('proc:gzip#compress', '/tmp/out.gz', 'write', gz),
            Edge('/tmp/out.gz', 'proc:gzip#expand', 'read', gz),
            Edge('proc:gzip#expand', '/tmp/out.txt', 'write', N)] + \
        same(['/tmp/out.txt'])


DEEP = ('/srv/deep/this-directory-name-is-longer-than-forty-characters/'
        'and-so-is-this-one-which-keeps-going-for-a-while/third/'
        'a-file-name-that-is-also-over-forty-characters.txt')
SMP_OUTS = ['/tmp/%s%d.txt' % (c, i) for c in ('cp', 'cat')
            for i in range(1, 7)]
REGISTER_OTHER = ('register', 'secret-tracker-add-file',
                  {'path': '/srv/other/*', 'label': 'late'})

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
    'child': Scenario([Edge(S, 'proc:sh#parent', 'read', None),
                       Edge('proc:sh#parent', 'proc:sh#child', 'clone', 0, 1),
                       Edge('proc:sh#child', '/tmp/h', 'sendfile',
                            'fact:size:/etc/hostname', 1)]),
    'tcp': Scenario([Edge(S, 'proc:nc#send', 'read', N),
                     Edge('proc:nc#send', 'socket->127.0.0.1:5555', 'write',
                          N)] + loopback(5555, 'write'), ports=(5555,)),
    'negative': Scenario([]),
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
                     same(['/mnt/second/sub/dir/copy.txt'], DEEP)),
}
