/*
 * secret-tracker: Linux files: fd table, file, inode, paths across mounts,
 * the current directory
 *
 * Everything read here comes from the guest: each pointer is checked to
 * be a kernel address, each length and count is bounded, each walk has a
 * step limit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-readers.h"
#include "linux-readers-internal.h"

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

bool st_linux_coredump_file(const StLinuxKernel *kernel, uint64_t cprm,
                            uint64_t *file, GError **errp)
{
    if (!kernel->prof->field[ST_COREDUMP_PARAMS_FILE].present) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "the profile has no coredump_params.file");
        return false;
    }
    return st_read_pointer(kernel, cprm, ST_COREDUMP_PARAMS_FILE, file, errp);
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

/* overlayfs stacks at most two deep (FILESYSTEM_MAX_STACK_DEPTH) */
#define ST_LINUX_OVERLAY_MAX_DEPTH 2

static bool st_linux_read_file_at(const StLinuxKernel *kernel, uint64_t file,
                                  StLinuxFile *out, unsigned depth,
                                  GError **errp);

static uint64_t st_linux_sb_root_mount(const StLinuxKernel *kernel,
                                       uint64_t sb, GError **errp);

/*
 * Where a real file that shows its overlay view's path (up to 6.5) is:
 * its inode's first cached name, in a mount of its filesystem's root.
 */
static bool st_linux_real_location(const StLinuxKernel *kernel,
                                   uint64_t inode, uint64_t *dentry,
                                   uint64_t *mnt)
{
    const StLinuxFieldInfo *f = kernel->prof->field;
    uint64_t node, sb;

    if (!f[ST_INODE_I_DENTRY_FIRST].present ||
        !f[ST_DENTRY_D_ALIAS_NEXT].present ||
        !f[ST_SUPER_BLOCK_S_MOUNTS].present ||
        !f[ST_MOUNT_MNT_SB_NEXT].present ||
        !st_read_pointer(kernel, inode, ST_INODE_I_DENTRY_FIRST, &node,
                         NULL) ||
        !st_read_pointer(kernel, inode, ST_INODE_I_SB, &sb, NULL)) {
        return false;
    }
    *dentry = node - f[ST_DENTRY_D_ALIAS_NEXT].offset;
    *mnt = st_linux_sb_root_mount(kernel, sb, NULL);
    return *mnt != 0;
}

/*
 * A regular file of overlayfs is a view: its reads, writes and mappings
 * go to the real file overlayfs opened on a layer, which its private_data
 * names (a struct file up to 6.12; from 6.13 a struct ovl_file, whose first
 * member is that file).  Both are tried; a candidate is taken only if it
 * is a regular file of another filesystem whose path is the real one (its
 * inode is its dentry's: the kernel's own test) or, up to 6.5, the view's.
 * The view takes the real file's identity, and its path through a mount
 * of the real filesystem's root (overlayfs reaches its layers through
 * private clones of their mounts).
 */
static void st_linux_overlay_view(const StLinuxKernel *kernel,
                                  StLinuxFile *view, unsigned depth)
{
    uint64_t cand[2] = { view->private_data, 0 };
    uint64_t inode, dentry, mnt;
    StLinuxFile real;
    unsigned i;

    if (!view->private_data) {
        return;
    }
    st_guest_read_u64(kernel->vm, view->private_data, &cand[1], NULL);
    for (i = 0; i < G_N_ELEMENTS(cand); i++) {
        if (!cand[i] || cand[i] == view->file ||
            !st_linux_read_file_at(kernel, cand[i], &real, depth + 1, NULL) ||
            real.type != ST_LINUX_FT_REGULAR || real.dev == view->dev) {
            continue;
        }
        if (real.dentry == view->dentry) {
            /* a fake path: find the real one, else show the view's */
            if (!st_linux_real_location(kernel, real.inode, &dentry, &mnt)) {
                dentry = view->dentry;
                mnt = view->vfsmount;
            }
        } else if (st_read_pointer(kernel, real.dentry, ST_DENTRY_D_INODE,
                                   &inode, NULL) && inode == real.inode) {
            dentry = real.dentry;
            mnt = real.view ? real.vfsmount :
                  st_linux_fs_mount(kernel, real.vfsmount, NULL);
            mnt = mnt ? mnt : real.vfsmount;
        } else {
            continue;
        }
        view->view_dev = view->dev;
        view->view_ino = view->ino;
        view->inode = real.inode;
        view->dentry = dentry;
        view->vfsmount = mnt;
        view->dev = real.dev;
        view->ino = real.ino;
        view->mode = real.mode;
        view->size = real.size;
        view->fuse = real.fuse;
        view->view = true;
        return;
    }
}

bool st_linux_read_file(const StLinuxKernel *kernel, uint64_t file,
                        StLinuxFile *out, GError **errp)
{
    return st_linux_read_file_at(kernel, file, out, 0, errp);
}

static bool st_linux_read_file_at(const StLinuxKernel *kernel, uint64_t file,
                                  StLinuxFile *out, unsigned depth,
                                  GError **errp)
{
    uint64_t flags, fmode, mode, sb, dev, rdev = 0;

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
    /* Optional: byte estimates and device identity only. */
    if (kernel->prof->field[ST_FILE_F_POS].present) {
        st_read_field(kernel, file, ST_FILE_F_POS, &out->pos, NULL);
    }
    if (kernel->prof->field[ST_INODE_I_RDEV].present) {
        st_read_field(kernel, out->inode, ST_INODE_I_RDEV, &rdev, NULL);
        out->rdev = rdev;
    }
    out->f_flags = flags;
    out->f_mode = fmode;
    out->mode = mode;
    out->dev = dev;
    out->type = st_linux_mode_type(mode);
    if (out->type == ST_LINUX_FT_REGULAR) {
        /* the file system's name: "fuse", "fuseblk" (ntfs-3g ...) */
        char id[8] = "";

        st_read_bytes(kernel, sb, ST_SUPER_BLOCK_S_ID, id, sizeof(id), NULL);
        out->fuse = !strncmp(id, "fuse", 4) &&
                    (!id[4] || !strncmp(id + 4, "blk", 4));
        if (!memcmp(id, "overlay", sizeof(id)) &&
            depth < ST_LINUX_OVERLAY_MAX_DEPTH) {
            st_linux_overlay_view(kernel, out, depth);
        }
    }
    return true;
}

bool st_linux_file_inode(const StLinuxKernel *kernel, uint64_t file,
                         uint64_t *dev, uint64_t *ino, GError **errp)
{
    uint64_t inode, sb;

    return st_read_pointer(kernel, file, ST_FILE_F_INODE, &inode, errp) &&
           st_read_field(kernel, inode, ST_INODE_I_INO, ino, errp) &&
           st_read_pointer(kernel, inode, ST_INODE_I_SB, &sb, errp) &&
           st_read_field(kernel, sb, ST_SUPER_BLOCK_S_DEV, dev, errp);
}

bool st_linux_dentry_inode(const StLinuxKernel *kernel, uint64_t dentry,
                           uint64_t *dev, uint64_t *ino, GError **errp)
{
    uint64_t inode, sb;

    if (!st_read_field(kernel, dentry, ST_DENTRY_D_INODE, &inode, errp)) {
        return false;
    }
    if (!inode) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "dentry 0x%" PRIx64 " is negative", dentry);
        return false;
    }
    return st_read_field(kernel, inode, ST_INODE_I_INO, ino, errp) &&
           st_read_pointer(kernel, inode, ST_INODE_I_SB, &sb, errp) &&
           st_read_field(kernel, sb, ST_SUPER_BLOCK_S_DEV, dev, errp);
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

bool st_linux_dentry_last_name(const StLinuxKernel *kernel, uint64_t dentry,
                               char *buf, size_t size, GError **errp)
{
    char name[ST_LINUX_NAME_MAX + 1];
    uint64_t len;

    if (!st_linux_dentry_name(kernel, dentry, name, &len, errp)) {
        return false;
    }
    if (len >= size) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "name of dentry 0x%" PRIx64 " too long", dentry);
        return false;
    }
    memcpy(buf, name, len);
    buf[len] = 0;
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
        if (!parts->len || parent != dentry) {
            if (!st_linux_dentry_name(kernel, dentry, name, &len, errp)) {
                return NULL;
            }
        }
        if (parent == dentry) {
            /*
             * The root of a filesystem that is not mounted.  A file that is
             * one by itself (a memfd, an anonymous shmem file) keeps its
             * name, as the kernel's d_path shows it.
             */
            if (!parts->len && len && strcmp(name, "/")) {
                total = len + 1;
                g_ptr_array_add(parts, g_strndup(name, len));
            }
            break;
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

/* The super block of the filesystem @dentry is in */
static bool st_linux_dentry_sb(const StLinuxKernel *kernel, uint64_t dentry,
                               uint64_t *sb, GError **errp)
{
    uint64_t inode;

    return st_read_pointer(kernel, dentry, ST_DENTRY_D_INODE, &inode,
                           errp) &&
           st_read_pointer(kernel, inode, ST_INODE_I_SB, sb, errp);
}

/*
 * A mount of @sb's root in any namespace, from the filesystem's list of
 * its mounts: a list_head through mount.mnt_instance (alternative 0) or,
 * in newer kernels, a NULL-ended chain of mounts.  An attached mount
 * first: a detached one (its own parent, as a namespace's root mount is
 * too) only if there is no other.  A bounded walk of a list the guest
 * can make circular.
 */
static uint64_t st_linux_sb_root_mount(const StLinuxKernel *kernel,
                                       uint64_t sb, GError **errp)
{
    /* both present: the caller checked */
    const StLinuxFieldInfo *fields = kernel->prof->field;
    const StLinuxFieldInfo *link = &fields[ST_MOUNT_MNT_SB_NEXT];
    const StLinuxFieldInfo *head = &fields[ST_SUPER_BLOCK_S_MOUNTS];
    const StLinuxFieldInfo *mnt_off = st_field_info(kernel, ST_MOUNT_MNT, errp);
    uint64_t node, end, mount, vfsmount, root, above, parent, detached = 0;
    uint64_t link_off;
    unsigned steps;

    if (!mnt_off ||
        !st_read_field(kernel, sb, ST_SUPER_BLOCK_S_MOUNTS, &node, errp)) {
        return 0;
    }
    link_off = link->alt == 0 ? link->offset : 0;
    end = link->alt == 0 ? sb + head->offset : 0;
    for (steps = 0; node && node != end && steps < ST_LINUX_PATH_MAX_STEPS;
         steps++) {
        mount = node - link_off;
        vfsmount = mount + mnt_off->offset;
        if (!st_read_pointer(kernel, vfsmount, ST_VFSMOUNT_MNT_ROOT, &root,
                             errp) ||
            !st_read_pointer(kernel, root, ST_DENTRY_D_PARENT, &above,
                             errp) ||
            !st_read_pointer(kernel, mount, ST_MOUNT_MNT_PARENT, &parent,
                             errp)) {
            return 0;
        }
        if (above == root && parent != mount) {
            return vfsmount;
        }
        if (above == root && !detached) {
            detached = vfsmount;
        }
        if (!st_read_field(kernel, mount, ST_MOUNT_MNT_SB_NEXT, &node, errp)) {
            return 0;
        }
    }
    if (!detached) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "no mount of the root of super block 0x%" PRIx64, sb);
    }
    return detached;
}

uint64_t st_linux_fs_mount(const StLinuxKernel *kernel, uint64_t vfsmount,
                           GError **errp)
{
    const StLinuxFieldInfo *mnt_off = st_field_info(kernel, ST_MOUNT_MNT, errp);
    uint64_t want = 0, mount, root, above, sb;
    unsigned steps;

    if (!mnt_off) {
        return 0;
    }
    mount = vfsmount - mnt_off->offset;
    for (steps = 0; steps < ST_LINUX_PATH_MAX_STEPS; steps++) {
        if (!st_read_pointer(kernel, vfsmount, ST_VFSMOUNT_MNT_ROOT, &root,
                             errp) ||
            !st_read_pointer(kernel, root, ST_DENTRY_D_PARENT, &above,
                             errp) ||
            !st_linux_dentry_sb(kernel, root, &sb, errp)) {
            return 0;
        }
        if (!want) {
            want = sb;
        }
        if (sb == want && above == root) {
            return vfsmount;
        }
        if (!st_read_pointer(kernel, mount, ST_MOUNT_MNT_PARENT, &above,
                             errp)) {
            return 0;
        }
        if (above == mount) {
            break;              /* the namespace's root mount */
        }
        mount = above;
        vfsmount = mount + mnt_off->offset;
    }
    /* a bind mount in a namespace that does not see its filesystem's root */
    if (want && kernel->prof->field[ST_SUPER_BLOCK_S_MOUNTS].present &&
        kernel->prof->field[ST_MOUNT_MNT_SB_NEXT].present) {
        return st_linux_sb_root_mount(kernel, want, errp);
    }
    g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                "no mount above 0x%" PRIx64 " mounts its filesystem's root",
                vfsmount);
    return 0;
}

int st_linux_dentry_aliases(const StLinuxKernel *kernel, uint64_t dentry,
                            uint64_t *out, unsigned max, GError **errp)
{
    const StLinuxFieldInfo *link = st_field_info(kernel, ST_DENTRY_D_ALIAS_NEXT,
                                                 errp);
    uint64_t inode, node;
    unsigned steps, n = 0;

    if (!link ||
        !st_read_pointer(kernel, dentry, ST_DENTRY_D_INODE, &inode, errp) ||
        !st_read_field(kernel, inode, ST_INODE_I_DENTRY_FIRST, &node, errp)) {
        return -1;
    }
    /* A list the guest could make circular: a bounded walk */
    for (steps = 0; node && n < max && steps < ST_LINUX_PATH_MAX_STEPS;
         steps++) {
        out[n++] = node - link->offset;
        if (!st_read_field(kernel, node - link->offset,
                           ST_DENTRY_D_ALIAS_NEXT, &node, errp)) {
            return -1;
        }
    }
    return n;
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
