/*
 * secret-tracker: readers of Linux x86-64 kernel objects in guest memory
 *
 * Everything read here comes from the guest: each pointer is checked to
 * be a kernel address, each length and count is bounded, each walk has a
 * step limit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-readers.h"

/* How many fd slots the validation looks at */
#define ST_VALIDATE_FDS 8

const char *st_linux_file_type_name(StLinuxFileType type)
{
    static const char *const names[] = {
        [ST_LINUX_FT_UNKNOWN] = "unknown",
        [ST_LINUX_FT_REGULAR] = "regular",
        [ST_LINUX_FT_DIR] = "directory",
        [ST_LINUX_FT_FIFO] = "fifo",
        [ST_LINUX_FT_SOCKET] = "socket",
        [ST_LINUX_FT_CHARDEV] = "chardev",
        [ST_LINUX_FT_BLOCKDEV] = "blockdev",
        [ST_LINUX_FT_SYMLINK] = "symlink",
    };

    return type < G_N_ELEMENTS(names) ? names[type] : "unknown";
}

static const char *st_offset_name(StLinuxOffset f, char *buf, size_t len)
{
    const StLinuxOffsetSpec *spec = &st_linux_offset_specs[f];

    g_snprintf(buf, len, "%s.%s", st_linux_struct_names[spec->in],
               spec->path);
    return buf;
}

static const StLinuxFieldInfo *st_field_info(const StLinuxKernel *kernel,
                                             StLinuxOffset f, GError **errp)
{
    const StLinuxFieldInfo *fi = &kernel->prof->field[f];
    char name[96];

    if (!fi->present) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "the profile has no %s",
                    st_offset_name(f, name, sizeof(name)));
        return NULL;
    }
    return fi;
}

/* Read integer or pointer field @f of the object at @base */
static bool st_read_field(const StLinuxKernel *kernel, uint64_t base,
                          StLinuxOffset f, uint64_t *val, GError **errp)
{
    const StLinuxFieldInfo *fi = st_field_info(kernel, f, errp);
    char name[96];
    uint64_t v;

    if (!fi) {
        return false;
    }
    if (fi->kind != ST_FIELD_KIND_INT && fi->kind != ST_FIELD_KIND_PTR) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "profile field %s is not a scalar",
                    st_offset_name(f, name, sizeof(name)));
        return false;
    }
    if (!base || !st_guest_read_uint(kernel->vm, base + fi->offset, fi->size,
                                     &v, errp)) {
        if (!base) {
            g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED,
                        "NULL pointer");
        }
        g_prefix_error(errp, "reading %s of 0x%" PRIx64 ": ",
                       st_offset_name(f, name, sizeof(name)), base);
        return false;
    }
    if (fi->bit_size) {
        v >>= fi->bit_shift;
        if (fi->bit_size < 64) {
            v &= (1ULL << fi->bit_size) - 1;
        }
    }
    if (fi->kind == ST_FIELD_KIND_PTR && v &&
        !st_guest_is_kernel_va(kernel->vm, v)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "%s of 0x%" PRIx64 " is 0x%" PRIx64
                    ", not a kernel address",
                    st_offset_name(f, name, sizeof(name)), base, v);
        return false;
    }
    *val = v;
    return true;
}

/* As st_read_field(), for a pointer member that must not be NULL */
static bool st_read_pointer(const StLinuxKernel *kernel, uint64_t base,
                            StLinuxOffset f, uint64_t *val, GError **errp)
{
    char name[96];

    if (!st_read_field(kernel, base, f, val, errp)) {
        return false;
    }
    if (!*val) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "%s of 0x%" PRIx64 " is NULL",
                    st_offset_name(f, name, sizeof(name)), base);
        return false;
    }
    return true;
}

/* Read the bytes of an array field */
static bool st_read_bytes(const StLinuxKernel *kernel, uint64_t base,
                          StLinuxOffset f, void *buf, size_t len, GError **errp)
{
    const StLinuxFieldInfo *fi = st_field_info(kernel, f, errp);
    char name[96];

    if (!fi) {
        return false;
    }
    if (!st_guest_read(kernel->vm, base + fi->offset, buf, MIN(len, fi->size),
                       errp)) {
        g_prefix_error(errp, "reading %s of 0x%" PRIx64 ": ",
                       st_offset_name(f, name, sizeof(name)), base);
        return false;
    }
    return true;
}

bool st_linux_current_task(const StLinuxKernel *kernel, uint64_t percpu_base,
                           uint64_t *task, GError **errp)
{
    uint64_t va = percpu_base + kernel->prof->percpu[ST_PERCPU_CURRENT_TASK];

    if (!st_guest_is_kernel_va(kernel->vm, percpu_base)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "per-CPU base 0x%" PRIx64 " (KERNEL_GS_BASE) is not a "
                    "kernel address", percpu_base);
        return false;
    }
    if (!st_guest_read_kptr(kernel->vm, va, task, errp)) {
        g_prefix_error(errp, "reading current_task at 0x%" PRIx64 ": ", va);
        return false;
    }
    if (!*task) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "current_task at 0x%" PRIx64 " is NULL", va);
        return false;
    }
    return true;
}

bool st_linux_read_task(const StLinuxKernel *kernel, uint64_t task,
                        StLinuxTask *out, GError **errp)
{
    uint64_t pid, tgid, parent, ptgid;

    memset(out, 0, sizeof(*out));
    out->task = task;
    if (!st_read_field(kernel, task, ST_TASK_STRUCT_PID, &pid, errp) ||
        !st_read_field(kernel, task, ST_TASK_STRUCT_TGID, &tgid, errp) ||
        !st_read_field(kernel, task, ST_TASK_STRUCT_START_TIME,
                       &out->start_time, errp) ||
        !st_read_bytes(kernel, task, ST_TASK_STRUCT_COMM, out->comm,
                       ST_LINUX_COMM_LEN, errp) ||
        !st_read_field(kernel, task, ST_TASK_STRUCT_MM, &out->mm, errp) ||
        !st_read_field(kernel, task, ST_TASK_STRUCT_FILES, &out->files, errp) ||
        !st_read_pointer(kernel, task, ST_TASK_STRUCT_REAL_PARENT, &parent,
                         errp) ||
        !st_read_field(kernel, parent, ST_TASK_STRUCT_TGID, &ptgid, errp)) {
        return false;
    }
    out->comm[ST_LINUX_COMM_LEN] = 0;
    out->pid = (int32_t)pid;
    out->tgid = (int32_t)tgid;
    out->parent_tgid = (int32_t)ptgid;
    /* A process is keyed by its leader's start time, for every thread. */
    out->leader_start_time = out->start_time;
    if (pid != tgid &&
        kernel->prof->field[ST_TASK_STRUCT_GROUP_LEADER].present) {
        uint64_t leader;

        if (!st_read_pointer(kernel, task, ST_TASK_STRUCT_GROUP_LEADER, &leader,
                             errp) ||
            !leader ||
            !st_read_field(kernel, leader, ST_TASK_STRUCT_START_TIME,
                           &out->leader_start_time, errp)) {
            return false;
        }
    }
    return true;
}

char *st_linux_cwd(const StLinuxKernel *kernel, uint64_t task, GError **errp)
{
    uint64_t fs, mnt, dentry;

    if (!kernel->prof->field[ST_FS_STRUCT_PWD_DENTRY].present ||
        !kernel->prof->field[ST_FS_STRUCT_PWD_MNT].present) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "the profile has no fs_struct.pwd");
        return NULL;
    }
    if (!st_read_pointer(kernel, task, ST_TASK_STRUCT_FS, &fs, errp) ||
        !st_read_pointer(kernel, fs, ST_FS_STRUCT_PWD_MNT, &mnt, errp) ||
        !st_read_pointer(kernel, fs, ST_FS_STRUCT_PWD_DENTRY, &dentry, errp)) {
        return NULL;
    }
    return st_linux_path(kernel, dentry, mnt, errp);
}

bool st_linux_fd_file(const StLinuxKernel *kernel, uint64_t task, int64_t fd,
                      uint64_t *file, GError **errp)
{
    uint64_t files, fdt, max_fds, fd_array;

    if (!st_read_pointer(kernel, task, ST_TASK_STRUCT_FILES, &files, errp) ||
        !st_read_pointer(kernel, files, ST_FILES_STRUCT_FDT, &fdt, errp) ||
        !st_read_field(kernel, fdt, ST_FDTABLE_MAX_FDS, &max_fds, errp) ||
        !st_read_pointer(kernel, fdt, ST_FDTABLE_FD, &fd_array, errp)) {
        return false;
    }
    if (max_fds == 0 || max_fds > ST_LINUX_MAX_FDS) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "fdtable 0x%" PRIx64 " has an absurd max_fds %" PRIu64,
                    fdt, max_fds);
        return false;
    }
    if (fd < 0 || (uint64_t)fd >= max_fds) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "fd %" PRId64 " is outside the fd table (max_fds %"
                    PRIu64 ")", fd, max_fds);
        return false;
    }
    if (!st_guest_read_kptr(kernel->vm, fd_array + 8 * fd, file, errp)) {
        g_prefix_error(errp, "reading fd %" PRId64 ": ", fd);
        return false;
    }
    if (!*file) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "fd %" PRId64 " is not open", fd);
        return false;
    }
    return true;
}

static StLinuxFileType st_linux_mode_type(uint16_t mode)
{
    switch (mode & ST_S_IFMT) {
    case ST_S_IFREG:
        return ST_LINUX_FT_REGULAR;
    case ST_S_IFDIR:
        return ST_LINUX_FT_DIR;
    case ST_S_IFIFO:
        return ST_LINUX_FT_FIFO;
    case ST_S_IFSOCK:
        return ST_LINUX_FT_SOCKET;
    case ST_S_IFCHR:
        return ST_LINUX_FT_CHARDEV;
    case ST_S_IFBLK:
        return ST_LINUX_FT_BLOCKDEV;
    case ST_S_IFLNK:
        return ST_LINUX_FT_SYMLINK;
    default:
        return ST_LINUX_FT_UNKNOWN;
    }
}

bool st_linux_read_file(const StLinuxKernel *kernel, uint64_t file,
                        StLinuxFile *out, GError **errp)
{
    uint64_t flags, fmode, mode, sb, dev;

    memset(out, 0, sizeof(*out));
    out->file = file;
    if (!st_read_pointer(kernel, file, ST_FILE_F_INODE, &out->inode, errp) ||
        !st_read_field(kernel, file, ST_FILE_F_PATH_DENTRY, &out->dentry,
                       errp) ||
        !st_read_field(kernel, file, ST_FILE_F_PATH_MNT, &out->vfsmount,
                       errp) ||
        !st_read_field(kernel, file, ST_FILE_F_FLAGS, &flags, errp) ||
        !st_read_field(kernel, file, ST_FILE_F_MODE, &fmode, errp) ||
        !st_read_field(kernel, file, ST_FILE_PRIVATE_DATA, &out->private_data,
                       errp) ||
        !st_read_field(kernel, out->inode, ST_INODE_I_MODE, &mode, errp) ||
        !st_read_field(kernel, out->inode, ST_INODE_I_INO, &out->ino, errp) ||
        !st_read_field(kernel, out->inode, ST_INODE_I_SIZE, &out->size, errp) ||
        !st_read_pointer(kernel, out->inode, ST_INODE_I_SB, &sb, errp) ||
        !st_read_field(kernel, sb, ST_SUPER_BLOCK_S_DEV, &dev, errp)) {
        return false;
    }
    out->f_flags = flags;
    out->f_mode = fmode;
    out->mode = mode;
    out->dev = dev;
    out->type = st_linux_mode_type(mode);
    return true;
}

/* Read a dentry's name (d_name.len bytes at d_name.name) into @buf */
static bool st_linux_dentry_name(const StLinuxKernel *kernel, uint64_t dentry,
                                 char *buf, uint64_t *len, GError **errp)
{
    uint64_t name;

    if (!st_read_field(kernel, dentry, ST_DENTRY_D_NAME_LEN, len, errp) ||
        !st_read_pointer(kernel, dentry, ST_DENTRY_D_NAME_NAME, &name, errp)) {
        return false;
    }
    if (*len == 0 || *len > ST_LINUX_NAME_MAX) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "dentry 0x%" PRIx64 " has a name of absurd length %"
                    PRIu64, dentry, *len);
        return false;
    }
    if (!st_guest_read(kernel->vm, name, buf, *len, errp)) {
        g_prefix_error(errp, "reading the name of dentry 0x%" PRIx64 ": ",
                       dentry);
        return false;
    }
    if (memchr(buf, '/', *len) || memchr(buf, 0, *len)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "dentry 0x%" PRIx64 " has a name with '/' or NUL",
                    dentry);
        return false;
    }
    return true;
}

char *st_linux_path(const StLinuxKernel *kernel, uint64_t dentry,
                    uint64_t vfsmount, GError **errp)
{
    const StLinuxFieldInfo *mnt_off = st_field_info(kernel, ST_MOUNT_MNT, errp);
    g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
    GString *path;
    uint64_t mount, total = 0;
    unsigned steps;
    int i;

    if (!mnt_off) {
        return NULL;
    }
    if (!dentry || !vfsmount) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "path of a NULL dentry or mount");
        return NULL;
    }
    mount = vfsmount - mnt_off->offset;
    for (steps = 0;; steps++) {
        uint64_t root, parent, len;
        char name[ST_LINUX_NAME_MAX + 1];

        if (steps >= ST_LINUX_PATH_MAX_STEPS) {
            g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                        "path walk from dentry 0x%" PRIx64 " exceeded %d "
                        "steps (loop in dentry or mount parents?)", dentry,
                        ST_LINUX_PATH_MAX_STEPS);
            return NULL;
        }
        if (!st_read_pointer(kernel, vfsmount, ST_VFSMOUNT_MNT_ROOT, &root,
                             errp)) {
            return NULL;
        }
        if (dentry == root) {
            /* at the root of this mount: go on from where it is mounted */
            if (!st_read_pointer(kernel, mount, ST_MOUNT_MNT_PARENT, &parent,
                                 errp)) {
                return NULL;
            }
            if (parent == mount) {
                break;      /* the root mount */
            }
            if (!st_read_pointer(kernel, mount, ST_MOUNT_MNT_MOUNTPOINT,
                                 &dentry, errp)) {
                return NULL;
            }
            mount = parent;
            vfsmount = mount + mnt_off->offset;
            continue;
        }
        if (!st_read_pointer(kernel, dentry, ST_DENTRY_D_PARENT, &parent,
                             errp)) {
            return NULL;
        }
        if (parent == dentry) {
            break;          /* root of a filesystem that is not mounted */
        }
        if (!st_linux_dentry_name(kernel, dentry, name, &len, errp)) {
            return NULL;
        }
        total += len + 1;
        if (total >= ST_LINUX_PATH_MAX) {
            g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                        "path of dentry 0x%" PRIx64 " is longer than %d",
                        dentry, ST_LINUX_PATH_MAX);
            return NULL;
        }
        g_ptr_array_add(parts, g_strndup(name, len));
        dentry = parent;
    }
    path = g_string_sized_new(total + 1);
    for (i = parts->len - 1; i >= 0; i--) {
        g_string_append_c(path, '/');
        g_string_append(path, g_ptr_array_index(parts, i));
    }
    if (path->len == 0) {
        g_string_append_c(path, '/');
    }
    return g_string_free(path, false);
}

char *st_linux_file_path(const StLinuxKernel *kernel, uint64_t file,
                         GError **errp)
{
    uint64_t dentry, mnt;

    if (!st_read_pointer(kernel, file, ST_FILE_F_PATH_DENTRY, &dentry, errp) ||
        !st_read_pointer(kernel, file, ST_FILE_F_PATH_MNT, &mnt, errp)) {
        return NULL;
    }
    return st_linux_path(kernel, dentry, mnt, errp);
}

/* The bound path of a unix socket (struct sock at @sk), or NULL if none */
static bool st_linux_unix_path(const StLinuxKernel *kernel, uint64_t sk,
                               char **path, GError **errp)
{
    const StLinuxFieldInfo *sk_off = &kernel->prof->field[ST_UNIX_SOCK_SK];
    const StLinuxFieldInfo *name = st_field_info(kernel, ST_UNIX_ADDRESS_NAME,
                                                 errp);
    const StLinuxFieldInfo *sun_path;
    uint64_t usk = sk - (sk_off->present ? sk_off->offset : 0);
    uint64_t addr, len, plen;
    char buf[256];

    *path = NULL;
    if (!name) {
        return false;
    }
    sun_path = st_field_info(kernel, ST_SOCKADDR_UN_SUN_PATH, errp);
    if (!sun_path ||
        !st_read_field(kernel, usk, ST_UNIX_SOCK_ADDR, &addr, errp)) {
        return false;
    }
    if (!addr) {
        return true;    /* not bound */
    }
    if (!st_read_field(kernel, addr, ST_UNIX_ADDRESS_LEN, &len, errp)) {
        return false;
    }
    len = (uint32_t)len;
    if (len < sun_path->offset ||
        len - sun_path->offset > MIN(sun_path->size, sizeof(buf) - 1)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "unix address 0x%" PRIx64 " has an absurd length %"
                    PRIu64, addr, len);
        return false;
    }
    plen = len - sun_path->offset;
    if (plen &&
        !st_guest_read(kernel->vm, addr + name->offset + sun_path->offset, buf,
                       plen, errp)) {
        return false;
    }
    buf[plen] = 0;
    if (plen && buf[0] == 0) {
        /* abstract: shown as "@name" like ss(8) does */
        buf[0] = '@';
        *path = g_strndup(buf, plen);
    } else {
        *path = g_strdup(buf);
    }
    return true;
}

/* The peer sock's inode: sock->sk_socket->file->f_inode. */
static bool st_linux_unix_peer_inode(const StLinuxKernel *kernel, uint64_t peer,
                                     StLinuxSocket *out, GError **errp)
{
    uint64_t socket, file;
    StLinuxFile f;

    if (!kernel->prof->field[ST_SOCK_SK_SOCKET].present ||
        !kernel->prof->field[ST_SOCKET_FILE].present) {
        return true;    /* the engine then matches by path alone */
    }
    /* NULL is legal for both: st_read_field(), not st_read_pointer() */
    if (!st_read_field(kernel, peer, ST_SOCK_SK_SOCKET, &socket, errp)) {
        return false;
    }
    if (!socket) {
        return true;    /* an orphaned peer: no inode */
    }
    if (!st_read_field(kernel, socket, ST_SOCKET_FILE, &file, errp)) {
        return false;
    }
    if (!file) {
        return true;
    }
    if (!st_linux_read_file(kernel, file, &f, errp)) {
        return false;
    }
    out->unix_peer_dev = f.dev;
    out->unix_peer_ino = f.ino;
    return true;
}

bool st_linux_read_socket(const StLinuxKernel *kernel, uint64_t file,
                          StLinuxSocket *out, GError **errp)
{
    const StLinuxFieldInfo *skc_off = st_field_info(kernel, ST_SOCK_SK_COMMON,
                                                    errp);
    StLinuxFile f;
    uint64_t sk, skc, family, num, dport, peer;

    memset(out, 0, sizeof(*out));
    if (!skc_off || !st_linux_read_file(kernel, file, &f, errp)) {
        return false;
    }
    if (f.type != ST_LINUX_FT_SOCKET) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "file 0x%" PRIx64 " is a %s, not a socket", file,
                    st_linux_file_type_name(f.type));
        return false;
    }
    if (!f.private_data) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "socket file 0x%" PRIx64 " has no struct socket", file);
        return false;
    }
    if (!st_read_pointer(kernel, f.private_data, ST_SOCKET_SK, &sk, errp)) {
        return false;
    }
    skc = sk + skc_off->offset;
    if (!st_read_field(kernel, skc, ST_SOCK_COMMON_SKC_FAMILY, &family, errp)) {
        return false;
    }
    out->family = family;
    switch (family) {
    case ST_AF_INET:
        if (!st_read_bytes(kernel, skc, ST_SOCK_COMMON_SKC_RCV_SADDR,
                           out->local_addr, 4, errp) ||
            !st_read_bytes(kernel, skc, ST_SOCK_COMMON_SKC_DADDR,
                           out->peer_addr, 4, errp)) {
            return false;
        }
        break;
    case ST_AF_INET6:
        if (!st_read_bytes(kernel, skc, ST_SOCK_COMMON_SKC_V6_RCV_SADDR,
                           out->local_addr, 16, errp) ||
            !st_read_bytes(kernel, skc, ST_SOCK_COMMON_SKC_V6_DADDR,
                           out->peer_addr, 16, errp)) {
            return false;
        }
        break;
    case ST_AF_UNIX:
        if (!st_linux_unix_path(kernel, sk, &out->unix_path, errp)) {
            return false;
        }
        if (!st_read_field(kernel,
                           sk - (kernel->prof->field[ST_UNIX_SOCK_SK].present ?
                                 kernel->prof->field[ST_UNIX_SOCK_SK].offset :
                                 0),
                           ST_UNIX_SOCK_PEER, &peer, errp)) {
            st_linux_socket_clear(out);
            return false;
        }
        if (peer &&
            !st_linux_unix_path(kernel, peer, &out->unix_peer_path, errp)) {
            st_linux_socket_clear(out);
            return false;
        }
        if (peer && !st_linux_unix_peer_inode(kernel, peer, out, errp)) {
            st_linux_socket_clear(out);
            return false;
        }
        return true;
    default:
        return true;    /* other families: the family is all we report */
    }
    if (!st_read_field(kernel, skc, ST_SOCK_COMMON_SKC_NUM, &num, errp) ||
        !st_read_field(kernel, skc, ST_SOCK_COMMON_SKC_DPORT, &dport, errp)) {
        return false;
    }
    out->local_port = num;
    out->peer_port = GUINT16_FROM_BE((uint16_t)dport);
    return true;
}

void st_linux_socket_clear(StLinuxSocket *sock)
{
    g_free(sock->unix_path);
    g_free(sock->unix_peer_path);
    sock->unix_path = NULL;
    sock->unix_peer_path = NULL;
}

bool st_linux_read_pt_regs(const StLinuxKernel *kernel, uint64_t percpu_base,
                           StLinuxPtRegs *out, GError **errp)
{
    uint32_t size = kernel->prof->struct_size[ST_STRUCT_PT_REGS];
    uint64_t top, regs;

    if (!st_guest_is_kernel_va(kernel->vm, percpu_base)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "per-CPU base 0x%" PRIx64 " is not a kernel address",
                    percpu_base);
        return false;
    }
    if (!st_guest_read_kptr(kernel->vm,
                            percpu_base +
                                kernel->prof->percpu[ST_PERCPU_TOP_OF_STACK],
                            &top, errp)) {
        g_prefix_error(errp, "reading the top of the kernel stack: ");
        return false;
    }
    if (!top || !size || top < size) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "no usable kernel stack top (0x%" PRIx64 ")", top);
        return false;
    }
    regs = top - size;
    return st_read_field(kernel, regs, ST_PT_REGS_ORIG_AX, &out->orig_ax,
                         errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_AX, &out->ax, errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_DI, &out->di, errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_SI, &out->si, errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_DX, &out->dx, errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_R10, &out->r10, errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_R8, &out->r8, errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_R9, &out->r9, errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_IP, &out->ip, errp) &&
           st_read_field(kernel, regs, ST_PT_REGS_SP, &out->sp, errp);
}

static bool st_linux_validate_task(const StLinuxKernel *kernel,
                                   uint64_t percpu_base, StLinuxTask *t,
                                   GError **errp)
{
    uint64_t task, files, fdt, max_fds, fd_array;
    unsigned i;

    if (!st_linux_current_task(kernel, percpu_base, &task, errp) ||
        !st_linux_read_task(kernel, task, t, errp)) {
        return false;
    }
    if (!t->comm[0]) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "current task 0x%" PRIx64 " has an empty comm", task);
        return false;
    }
    for (i = 0; t->comm[i]; i++) {
        if (!g_ascii_isprint(t->comm[i])) {
            g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                        "current task 0x%" PRIx64 " has a comm that is not "
                        "printable", task);
            return false;
        }
    }
    if (t->pid < 0 || t->pid > ST_LINUX_PID_MAX ||
        t->tgid < 0 || t->tgid > ST_LINUX_PID_MAX ||
        t->parent_tgid < 0 || t->parent_tgid > ST_LINUX_PID_MAX) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "current task 0x%" PRIx64 " has pid %d tgid %d parent %d"
                    ": out of range", task, t->pid, t->tgid, t->parent_tgid);
        return false;
    }
    files = t->files;
    if (!files) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "current task %d (%s) has no files", t->pid, t->comm);
        return false;
    }
    if (!st_read_pointer(kernel, files, ST_FILES_STRUCT_FDT, &fdt, errp) ||
        !st_read_field(kernel, fdt, ST_FDTABLE_MAX_FDS, &max_fds, errp) ||
        !st_read_pointer(kernel, fdt, ST_FDTABLE_FD, &fd_array, errp)) {
        return false;
    }
    if (max_fds == 0 || max_fds > ST_LINUX_MAX_FDS) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "fdtable 0x%" PRIx64 " has an absurd max_fds %" PRIu64,
                    fdt, max_fds);
        return false;
    }
    for (i = 0; i < MIN(max_fds, ST_VALIDATE_FDS); i++) {
        StLinuxFile f;
        uint64_t file;

        if (!st_guest_read_kptr(kernel->vm, fd_array + 8 * i, &file, errp)) {
            g_prefix_error(errp, "fd table of task %d: ", t->pid);
            return false;
        }
        /* anon inodes (epoll, eventfd) have no file type: not checked */
        if (file && !st_linux_read_file(kernel, file, &f, errp)) {
            g_prefix_error(errp, "fd %u of task %d: ", i, t->pid);
            return false;
        }
    }
    return true;
}

bool st_linux_validate(const StLinuxKernel *kernel, uint64_t percpu_base,
                       StLinuxTask *task, GError **errp)
{
    StLinuxTask t;
    GError *err = NULL;

    if (!st_linux_validate_task(kernel, percpu_base, &t, &err)) {
        g_propagate_prefixed_error(errp, err,
                                   "the %s profile does not fit the running "
                                   "kernel: ",
                                   st_linux_profile_source_name(
                                       kernel->prof->source));
        return false;
    }
    if (task) {
        *task = t;
    }
    return true;
}
