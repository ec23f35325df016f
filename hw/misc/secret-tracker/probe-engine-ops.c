/*
 * secret-tracker probe: the introspection callbacks the engine calls
 * while an event is fed to it (file descriptors, paths, user memory)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "qemu/bswap.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-io-uring.h"
#include "probe-internal.h"
#include "trace.h"

/* Engine callbacks, called with the lock held from inside an event. */

/* The kernel as the vCPU of the event sees it (its own TLB) */
static const StLinuxKernel *st_ops_kernel(SecretTrackerProbe *p)
{
    return p->ev ? &p->ev->kernel : &p->main_kernel;
}

static StEngineKind st_kind(const StLinuxFile *f)
{
    switch (f->type) {
    case ST_LINUX_FT_REGULAR:
        return ST_ENGINE_KIND_FILE;
    case ST_LINUX_FT_DIR:
        return ST_ENGINE_KIND_DIR;
    case ST_LINUX_FT_FIFO:
        /* Anonymous pipes live on pipefs; FIFOs on a real filesystem. */
        return ST_ENGINE_KIND_PIPE;
    case ST_LINUX_FT_SOCKET:
        return ST_ENGINE_KIND_SOCKET;
    case ST_LINUX_FT_CHARDEV:
        return ST_ENGINE_KIND_CHARDEV;
    case ST_LINUX_FT_BLOCKDEV:
        return ST_ENGINE_KIND_BLOCKDEV;
    default:
        return ST_ENGINE_KIND_OTHER;
    }
}

static void st_endpoint(StEngineEndpoint *ep, uint16_t family,
                        const uint8_t *addr, uint16_t port)
{
    ep->family = family;
    ep->port = port;
    memcpy(ep->addr, addr, sizeof(ep->addr));
}

/*
 * The file behind @fd for the event being fed: the task's fd, or for an
 * io_uring request one of its sides (a registered-file index, or the
 * file the kernel already assigned).
 */
static bool st_event_file(SecretTrackerProbe *p, int fd, uint64_t *file)
{
    const StLinuxIoUringReq *io = p->ev_io;
    StLinuxIoUringSide side;

    if (p->ev_file) {
        *file = p->ev_file;     /* a core dump's file, as fd 0 */
        return fd == 0;
    }
    if (!io) {
        return st_linux_fd_file(st_ops_kernel(p), p->ev_task, fd, file,
                                NULL);
    }
    if (fd == io->target.fd) {
        side = ST_IO_URING_TARGET;
    } else if (fd == io->splice_in.fd) {
        side = ST_IO_URING_SPLICE_IN;
    } else {
        return false;
    }
    return st_linux_io_uring_file(st_ops_kernel(p), io, side, file, NULL);
}

static bool st_resolve_fd(void *opaque, const StEngineTask *task, int fd,
                          StEngineObject *out)
{
    SecretTrackerProbe *p = opaque;
    uint64_t file;
    StLinuxFile f;

    if (!st_event_file(p, fd, &file) ||
        !st_linux_read_file(st_ops_kernel(p), file, &f, NULL)) {
        trace_secret_tracker_probe_resolve_error("fd", fd);
        return false;
    }
    trace_secret_tracker_probe_fd(fd, file, f.dev, f.ino);
    memset(out, 0, sizeof(*out));
    out->kind = st_kind(&f);
    out->dev = f.dev;
    out->ino = f.ino;
    out->flags = f.f_flags;
    out->file_id = file;
    out->size = f.size;
    out->pos = f.pos;
    out->mode = f.f_mode & (ST_FMODE_READ | ST_FMODE_WRITE);
    out->rdev = f.rdev;
    out->fuse = f.fuse;
    if (f.view) {
        out->view_dev = f.view_dev;
        out->view_ino = f.view_ino;
    }
    out->path_handle[0] = f.dentry;
    out->path_handle[1] = f.vfsmount;
    if (out->kind == ST_ENGINE_KIND_SOCKET) {
        StLinuxSocket sock;

        if (st_linux_read_socket(st_ops_kernel(p), file, &sock, NULL)) {
            out->sock_family = sock.family;
            if (sock.family == ST_AF_INET ||
                sock.family == ST_AF_INET6) {
                st_endpoint(&out->local, sock.family, sock.local_addr,
                            sock.local_port);
                if (sock.peer_port) {
                    st_endpoint(&out->peer, sock.family, sock.peer_addr,
                                sock.peer_port);
                }
            }
            out->peer_dev = sock.unix_peer_dev;
            out->peer_ino = sock.unix_peer_ino;
            if (sock.unix_path) {
                g_strlcpy(out->unix_path, sock.unix_path,
                          sizeof(out->unix_path));
            }
            if (sock.unix_peer_path) {
                g_strlcpy(out->unix_peer_path, sock.unix_peer_path,
                          sizeof(out->unix_peer_path));
            }
            st_linux_socket_clear(&sock);
        }
    }
    return true;
}

/*
 * Does @fd of the event's task still hold the cached file?  The struct
 * file's address is not enough (freed files are reused at the same
 * address): its inode must be the cached one too.
 */
static bool st_fd_still(void *opaque, const StEngineTask *task, int fd,
                        const StEngineObject *cached)
{
    SecretTrackerProbe *p = opaque;
    const StLinuxKernel *kernel = st_ops_kernel(p);
    uint64_t file, dev, ino;
    /* an overlayfs file stands for its layer's: its own inode is kept */
    uint64_t want_dev = cached->view_ino ? cached->view_dev : cached->dev;
    uint64_t want_ino = cached->view_ino ? cached->view_ino : cached->ino;

    return st_event_file(p, fd, &file) && file == cached->file_id &&
           st_linux_file_inode(kernel, file, &dev, &ino, NULL) &&
           dev == want_dev && ino == want_ino;
}

static bool st_get_name(void *opaque, const StEngineObject *obj, char *buf,
                        size_t size)
{
    SecretTrackerProbe *p = opaque;

    return st_linux_dentry_last_name(st_ops_kernel(p), obj->path_handle[0],
                                     buf, size, NULL);
}

static bool st_get_path(void *opaque, const StEngineObject *obj, char *buf,
                        size_t size)
{
    SecretTrackerProbe *p = opaque;
    g_autofree char *path = st_linux_path(st_ops_kernel(p), obj->path_handle[0],
                                          obj->path_handle[1], NULL);

    if (!path || g_strlcpy(buf, path, size) >= size) {
        trace_secret_tracker_probe_resolve_error("path", -1);
        return false;
    }
    return true;
}

/*
 * The path of a file queued for one earlier, or NULL: its saved dentry
 * must still name it (a deleted file's dentry may be reused).
 */
char *st_probe_queued_path(const StLinuxKernel *kernel,
                           const StEngineObject *obj)
{
    uint64_t dev, ino;

    if (!st_linux_dentry_inode(kernel, obj->path_handle[0], &dev, &ino,
                               NULL) ||
        dev != obj->dev || ino != obj->ino) {
        return NULL;
    }
    return st_linux_path(kernel, obj->path_handle[0], obj->path_handle[1],
                         NULL);
}

static bool st_get_queued_path(void *opaque, const StEngineObject *obj,
                               char *buf, size_t size)
{
    SecretTrackerProbe *p = opaque;
    g_autofree char *path = st_probe_queued_path(st_ops_kernel(p), obj);

    return path && g_strlcpy(buf, path, size) < size;
}

/*
 * Is @obj an overlayfs view whose file (its path handles are its real
 * file's) is still the one it was resolved from?
 */
static bool st_obj_is_view(const StLinuxKernel *kernel,
                           const StEngineObject *obj)
{
    uint64_t dev, ino;

    return obj->view_ino && obj->file_id &&
           st_linux_file_inode(kernel, obj->file_id, &dev, &ino, NULL) &&
           dev == obj->view_dev && ino == obj->view_ino;
}

/*
 * The @index-th other name of @obj's file: the path an overlayfs view
 * shows, through the mount of its filesystem's root when the fd's mount
 * is a bind mount (or another namespace's), then its other cached hard
 * links' names through it.
 */
static bool st_get_alias(void *opaque, const StEngineObject *obj,
                         unsigned index, char *buf, size_t size)
{
    SecretTrackerProbe *p = opaque;
    const StLinuxKernel *kernel = st_ops_kernel(p);
    uint64_t dentry = obj->path_handle[0], mnt = obj->path_handle[1];
    uint64_t alias[ST_ENGINE_ALIASES_MAX + 1];
    g_autofree char *path = NULL;
    uint64_t fs_mnt;
    int i, n;

    if (st_obj_is_view(kernel, obj) && index-- == 0) {
        path = st_linux_file_path(kernel, obj->file_id, NULL);
        return path && g_strlcpy(buf, path, size) < size;
    }
    fs_mnt = st_linux_fs_mount(kernel, mnt, NULL);
    if (!fs_mnt) {
        return false;
    }
    if (fs_mnt != mnt && index-- == 0) {
        path = st_linux_path(kernel, dentry, fs_mnt, NULL);
    } else if (kernel->prof->field[ST_INODE_I_DENTRY_FIRST].present &&
               kernel->prof->field[ST_DENTRY_D_ALIAS_NEXT].present) {
        n = st_linux_dentry_aliases(kernel, dentry, alias,
                                    G_N_ELEMENTS(alias), NULL);
        for (i = 0; i < n && !path; i++) {
            if (alias[i] != dentry && index-- == 0) {
                path = st_linux_path(kernel, alias[i], fs_mnt, NULL);
            }
        }
    }
    return path && g_strlcpy(buf, path, size) < size;
}

/* User memory through the vCPU's CR3 (the current address space). */
static bool st_user_vm_cr3(SecretTrackerProbe *p, StGuestVm *user)
{
    CPUState *cpu = current_cpu;
    ExecHookSregs sregs;

    if (!cpu || !exec_hook_get_sregs(cpu, true, &sregs, NULL)) {
        return false;
    }
    /* the table CR3 names: either PTI half maps user space */
    st_guest_vm_init(user, st_ops_kernel(p)->vm->mem, sregs.cr3, sregs.cr4);
    return true;
}

/*
 * The other address spaces that may map user memory the task's mm (@mm)
 * does not: its PTI user half, then the vCPU's CR3 (the address space in
 * use at the hook) and its user half, when CR3 is another root than the
 * mm's.  Into @alt (3 entries); returns how many.
 */
unsigned st_probe_user_alternatives(SecretTrackerProbe *p,
                                    const StGuestVm *mm, StGuestVm *alt)
{
    unsigned n = 0;

    if (st_guest_pti_user_half(mm, &alt[n])) {
        n++;
    }
    if (st_user_vm_cr3(p, &alt[n]) &&
        st_guest_kernel_root(alt[n].root) != st_guest_kernel_root(mm->root)) {
        n++;
        if (st_guest_pti_user_half(&alt[n - 1], &alt[n])) {
            n++;
        }
    }
    return n;
}

/* When the vCPU's CR3 mapped what the task's mm did not: rare, traced. */
void st_probe_user_trace_root(uint64_t va, const StGuestVm *mm,
                              const StGuestVm *used)
{
    if (st_guest_kernel_root(used->root) != st_guest_kernel_root(mm->root)) {
        trace_secret_tracker_probe_user_cr3(va, mm->root, used->root);
    }
}

/*
 * User memory of the event's task: through its mm's page tables (the
 * kernel half of a PTI pair maps user space too), or, on a kernel whose
 * profile lacks mm_struct.pgd, through the vCPU's CR3.  Either way with
 * the one RAM-only walker every guest read goes through.
 */
static bool st_user_vm(SecretTrackerProbe *p, StGuestVm *user)
{
    const StLinuxKernel *kernel = st_ops_kernel(p);

    if (kernel->prof->field[ST_MM_STRUCT_PGD].present &&
        st_linux_user_vm(kernel, p->ev_task, user, NULL)) {
        return true;
    }
    return st_user_vm_cr3(p, user);
}

/*
 * The caller's address space for the user structure at @va: under PTI
 * (7.x) it may be mapped in the user half only, as for st_read_user().
 */
static bool st_user_vm_at(SecretTrackerProbe *p, uint64_t va,
                          StGuestVm *user)
{
    StGuestVm alt[3];
    uint8_t byte;
    unsigned n, i;

    if (!st_user_vm(p, user)) {
        return false;
    }
    if (st_linux_user_read(user, va, &byte, 1, NULL)) {
        return true;
    }
    n = st_probe_user_alternatives(p, user, alt);
    for (i = 0; i < n; i++) {
        if (st_linux_user_read(&alt[i], va, &byte, 1, NULL)) {
            st_probe_user_trace_root(va, user, &alt[i]);
            *user = alt[i];
            break;
        }
    }
    return true;
}

static bool st_read_user(SecretTrackerProbe *p, uint64_t va, void *buf,
                         size_t len)
{
    g_autoptr(GError) err = NULL;
    StGuestVm user, alt[3];
    unsigned n, i;

    if (!st_user_vm(p, &user)) {
        trace_secret_tracker_probe_user_error(va, "no address space");
        return false;
    }
    if (st_linux_user_read(&user, va, buf, len, &err)) {
        return true;
    }
    /* PTI: the user half may map what the kernel half lacks (7.x). */
    n = st_probe_user_alternatives(p, &user, alt);
    for (i = 0; i < n; i++) {
        if (st_linux_user_read(&alt[i], va, buf, len, NULL)) {
            st_probe_user_trace_root(va, &user, &alt[i]);
            return true;
        }
    }
    trace_secret_tracker_probe_user_error(va, err->message);
    if (trace_event_get_state_backends(
            TRACE_SECRET_TRACKER_PROBE_USER_ROOTS_ERROR)) {
        StGuestVm cr3;

        trace_secret_tracker_probe_user_roots_error(
            user.root, n, st_user_vm_cr3(p, &cr3) ? cr3.root : UINT64_MAX);
    }
    return false;
}

static bool st_read_path_arg(void *opaque, const StEngineTask *task,
                             int dirfd, uint64_t uptr, char *buf,
                             size_t size)
{
    SecretTrackerProbe *p = opaque;
    char name[ST_LINUX_PATH_MAX];
    size_t n, chunk;

    /*
     * A chunk at a time, never across a page edge: the string may end
     * just before an unmapped page.
     */
    for (n = 0; n < sizeof(name); n += chunk) {
        chunk = MIN(64, 4096 - ((uptr + n) & 4095));
        chunk = MIN(chunk, sizeof(name) - n);
        if (!st_read_user(p, uptr + n, name + n, chunk)) {
            return false;
        }
        if (memchr(name + n, 0, chunk)) {
            break;
        }
    }
    if (n >= sizeof(name)) {
        return false;
    }
    if (name[0] == '/') {
        return g_strlcpy(buf, name, size) < size;
    }
    if (dirfd != ST_AT_FDCWD) {
        uint64_t file;
        g_autofree char *dir = NULL;

        if (!st_linux_fd_file(st_ops_kernel(p), p->ev_task, dirfd, &file,
                              NULL)) {
            return false;
        }
        dir = st_linux_file_path(st_ops_kernel(p), file, NULL);
        return dir && snprintf(buf, size, "%s/%s", dir, name) < size;
    } else {
        g_autofree char *cwd = st_linux_cwd(st_ops_kernel(p), p->ev_task, NULL);

        return cwd && snprintf(buf, size, "%s%s%s", cwd,
                               g_str_has_suffix(cwd, "/") ? "" : "/",
                               name) < size;
    }
}

/* An engine endpoint from a decoded address; false if it names none. */
static bool st_endpoint_of(const StLinuxSockaddr *sa, StEngineEndpoint *out)
{
    memset(out, 0, sizeof(*out));
    if (!sa->valid) {
        return false;
    }
    out->family = sa->family;
    switch (sa->family) {
    case ST_AF_INET:
        out->port = sa->port;
        memcpy(out->addr, sa->addr, 4);
        return true;
    case ST_AF_INET6:
        out->port = sa->port;
        memcpy(out->addr, sa->addr, 16);
        return true;
    case ST_AF_VSOCK:           /* rendered only: two big-endian words */
        stl_be_p(out->addr, sa->vsock_cid);
        stl_be_p(out->addr + 4, sa->vsock_port);
        return true;
    case ST_AF_PACKET:
        stl_be_p(out->addr, sa->ifindex);
        stl_be_p(out->addr + 4, sa->packet_protocol);
        return true;
    case ST_AF_XDP:
        stl_be_p(out->addr, sa->ifindex);
        stl_be_p(out->addr + 4, sa->xdp_queue_id);
        return true;
    default:
        return false;
    }
}

/*
 * The destinations a send names: sendto's address, sendmsg's msg_name,
 * or one per message of sendmmsg (a message without one: none).
 */
static unsigned st_send_peer(void *opaque, const StEngineTask *task,
                             unsigned nr, const uint64_t *args,
                             StEngineEndpoint *out, unsigned max)
{
    SecretTrackerProbe *p = opaque;
    StLinuxMsghdr msgs[ST_ENGINE_MAX_SEND_PEERS];
    StLinuxSockaddr sa;
    StGuestVm user;
    unsigned n = 0, i, got = 0;

    if (!max ||
        !st_user_vm_at(p, nr == ST_NR_SENDTO ? args[4] : args[1], &user)) {
        return 0;
    }
    switch (nr) {
    case ST_NR_SENDTO:          /* (fd, buf, len, flags, addr, addrlen) */
        if (args[4] && st_linux_sockaddr_decode(&user, args[4], args[5], &sa,
                                                NULL) &&
            st_endpoint_of(&sa, out)) {
            return 1;
        }
        return 0;
    case ST_NR_SENDMSG:         /* (fd, msg, flags) */
        if (st_linux_msghdr_decode(&user, args[1], task->compat,
                                   ST_LINUX_MSG_NAME, &msgs[0], NULL) &&
            msgs[0].has_dest && st_endpoint_of(&msgs[0].dest, out)) {
            return 1;
        }
        return 0;
    case ST_NR_SENDMMSG:        /* (fd, msgvec, vlen, flags) */
        st_linux_mmsghdr_decode(&user, args[1], args[2], task->compat,
                                ST_LINUX_MSG_NAME, msgs,
                                MIN(max, ST_ENGINE_MAX_SEND_PEERS), &n, NULL);
        for (i = 0; i < n; i++) {
            if (msgs[i].has_dest && st_endpoint_of(&msgs[i].dest, &out[got])) {
                got++;
            }
        }
        return got;
    default:
        return 0;
    }
}

/* A few bytes of the calling task's memory, at entry (a packet header). */
static bool st_user_bytes(void *opaque, const StEngineTask *task,
                          uint64_t uptr, void *buf, size_t len)
{
    SecretTrackerProbe *p = opaque;
    StGuestVm user;

    return len <= ST_ENGINE_MAX_USER_READ && st_user_vm_at(p, uptr, &user) &&
           st_guest_read(&user, uptr, buf, len, NULL);
}

/* The first bytes of message @msg of a vectored send: a frame's headers */
static bool st_send_head(void *opaque, const StEngineTask *task, unsigned nr,
                         const uint64_t *args, unsigned msg, void *buf,
                         size_t len, size_t *got, uint64_t *total)
{
    SecretTrackerProbe *p = opaque;
    /* struct mmsghdr: msg_hdr, then unsigned msg_len (padded) */
    uint64_t ptr = args[1] + (uint64_t)msg * (task->compat ? 32 : 64);
    StLinuxMsghdr m;
    StGuestVm user;

    if (!st_user_vm_at(p, args[1], &user)) {
        return false;
    }
    if (nr == ST_NR_WRITEV) {
        return st_linux_iovec_total(&user, args[1], args[2], task->compat,
                                    total, NULL) &&
               st_linux_iovec_head(&user, args[1], args[2], task->compat,
                                   buf, len, got, NULL);
    }
    if (!st_linux_msghdr_decode(&user, nr == ST_NR_SENDMMSG ? ptr : args[1],
                                task->compat, ST_LINUX_MSG_IOV, &m, NULL)) {
        return false;
    }
    *total = m.bytes;
    return st_linux_iovec_head(&user, m.iov, m.iovlen, task->compat, buf,
                               len, got, NULL);
}

/* The bytes a vectored call asks to move, decoded at entry. */
static uint64_t st_iov_bytes(void *opaque, const StEngineTask *task,
                             unsigned nr, const uint64_t *args)
{
    SecretTrackerProbe *p = opaque;
    StLinuxMsghdr msgs[ST_ENGINE_MAX_SEND_PEERS];
    StGuestVm user;
    uint64_t bytes = 0;
    unsigned n = 0, i;

    if (!st_user_vm_at(p, args[1], &user)) {
        return 0;
    }
    switch (nr) {
    case ST_NR_READV:
    case ST_NR_WRITEV:
    case ST_NR_PREADV:
    case ST_NR_PWRITEV:
    case ST_NR_PREADV2:
    case ST_NR_PWRITEV2:
    case ST_NR_VMSPLICE:
        st_linux_iovec_total(&user, args[1], args[2], task->compat, &bytes,
                             NULL);
        return bytes;
    case ST_NR_SENDMSG:
    case ST_NR_RECVMSG:
        if (st_linux_msghdr_decode(&user, args[1], task->compat,
                                   ST_LINUX_MSG_IOV, &msgs[0], NULL)) {
            return msgs[0].bytes;
        }
        return 0;
    case ST_NR_SENDMMSG:
    case ST_NR_RECVMMSG:
        /* The first messages only: a bound on the work per call. */
        st_linux_mmsghdr_decode(&user, args[1], args[2], task->compat,
                                ST_LINUX_MSG_IOV, msgs,
                                ST_ENGINE_MAX_SEND_PEERS, &n, NULL);
        for (i = 0; i < n; i++) {
            bytes += msgs[i].bytes;
        }
        return bytes;
    default:
        return 0;
    }
}

/* recvmmsg returned @ret messages: the msg_len the kernel wrote. */
static uint64_t st_mmsg_bytes(void *opaque, const StEngineTask *task,
                              unsigned nr, const uint64_t *args, int64_t ret)
{
    SecretTrackerProbe *p = opaque;
    /* struct mmsghdr: msg_hdr, then unsigned msg_len (padded) */
    size_t stride = task->compat ? 32 : 64;
    size_t len_off = task->compat ? 28 : 56;
    uint64_t bytes = 0;
    uint32_t len;
    int64_t i;

    for (i = 0; i < MIN(ret, ST_ENGINE_MAX_SEND_PEERS); i++) {
        if (!st_read_user(p, args[1] + i * stride + len_off, &len,
                          sizeof(len))) {
            break;
        }
        bytes += le32_to_cpu(len);
    }
    return bytes;
}

/* The fds named inside an ioctl's structure (see StEngineOps). */
static bool st_ioctl_fds(void *opaque, const StEngineTask *task, unsigned cmd,
                         uint64_t arg, int *fds, unsigned max, unsigned *n)
{
    SecretTrackerProbe *p = opaque;
    StLinuxIoctl io;
    StGuestVm user;
    unsigned i;

    if (!st_user_vm_at(p, arg, &user) ||
        !st_linux_ioctl_decode(&user, cmd, arg, &io, NULL)) {
        return false;
    }
    switch (io.kind) {
    case ST_LINUX_IOCTL_CLONE_RANGE:
    case ST_LINUX_IOCTL_LOOP:
        *n = 1;
        if (max) {
            fds[0] = io.src_fd;
        }
        return true;
    case ST_LINUX_IOCTL_DEDUPE_RANGE:
        *n = io.n_dest;
        for (i = 0; i < io.n_dest && i < max; i++) {
            fds[i] = io.dest_fd[i];
        }
        return true;
    default:
        *n = 0;
        return true;
    }
}

void st_probe_fill_engine_ops(StEngineOps *ops)
{
    ops->resolve_fd = st_resolve_fd;
    ops->get_path = st_get_path;
    ops->get_queued_path = st_get_queued_path;
    ops->read_path_arg = st_read_path_arg;
    ops->send_peer = st_send_peer;
    ops->read_user = st_user_bytes;
    ops->send_head = st_send_head;
    ops->iov_bytes = st_iov_bytes;
    ops->mmsg_bytes = st_mmsg_bytes;
    ops->ioctl_fds = st_ioctl_fds;
    ops->fd_still = st_fd_still;
    ops->get_name = st_get_name;
    ops->get_alias = st_get_alias;
}
