/*
 * secret-tracker probe: the introspection callbacks the engine calls
 * while an event is fed to it (file descriptors, paths, user memory)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "probe-internal.h"

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

static bool st_resolve_fd(void *opaque, const StEngineTask *task, int fd,
                          StEngineObject *out)
{
    SecretTrackerProbe *p = opaque;
    uint64_t file;
    StLinuxFile f;

    if (!st_linux_fd_file(st_ops_kernel(p), p->ev_task, fd, &file, NULL) ||
        !st_linux_read_file(st_ops_kernel(p), file, &f, NULL)) {
        return false;
    }
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

    return st_linux_fd_file(kernel, p->ev_task, fd, &file, NULL) &&
           file == cached->file_id &&
           st_linux_file_inode(kernel, file, &dev, &ino, NULL) &&
           dev == cached->dev && ino == cached->ino;
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

    return path && g_strlcpy(buf, path, size) < size;
}

/*
 * User memory of the current process, through its own page tables (the
 * vCPU's CR3; the kernel tables of a process map its user half too), with
 * the one RAM-only walker every guest read goes through.
 */
static bool st_read_user(SecretTrackerProbe *p, uint64_t va, void *buf,
                         size_t len)
{
    CPUState *cpu = current_cpu;
    ExecHookSregs sregs;
    StGuestVm user;

    if (!cpu || !exec_hook_get_sregs(cpu, true, &sregs, NULL)) {
        return false;
    }
    st_guest_vm_init(&user, st_ops_kernel(p)->vm->mem, sregs.cr3,
                     sregs.cr4);
    if (st_guest_is_kernel_va(&user, va)) {
        return false;   /* a user pointer into the kernel: refuse */
    }
    return st_guest_read(&user, va, buf, len, NULL);
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

static unsigned st_send_peer(void *opaque, const StEngineTask *task,
                             unsigned nr, const uint64_t *args,
                             StEngineEndpoint *out, unsigned max)
{
    SecretTrackerProbe *p = opaque;
    uint8_t sa[28];
    uint64_t addr = args[4], len = args[5];

    /* sendto(fd, buf, len, flags, dest_addr, addrlen) only */
    if (nr != ST_NR_SENDTO || !max || !addr || len < 8 ||
        len > sizeof(sa) || !st_read_user(p, addr, sa, len)) {
        return 0;
    }
    memset(out, 0, sizeof(*out));
    out->family = sa[0] | sa[1] << 8;
    out->port = sa[2] << 8 | sa[3];
    if (out->family == ST_AF_INET) {
        memcpy(out->addr, sa + 4, 4);
    } else if (out->family == ST_AF_INET6 && len >= 24) {
        memcpy(out->addr, sa + 8, 16);
    } else {
        return 0;
    }
    return 1;
}

void st_probe_fill_engine_ops(StEngineOps *ops)
{
    ops->resolve_fd = st_resolve_fd;
    ops->get_path = st_get_path;
    ops->read_path_arg = st_read_path_arg;
    ops->send_peer = st_send_peer;
    ops->fd_still = st_fd_still;
    ops->get_name = st_get_name;
}
