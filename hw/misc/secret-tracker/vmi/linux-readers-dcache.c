/*
 * secret-tracker: find the files a glob names in the guest's dentry cache
 *
 * A walk down from the root of the initial mount namespace, one pattern
 * component at a time, through the children lists the kernel keeps in
 * each cached directory, and into the mounts stacked on a directory.
 * Only what the cache holds is found: this is a lookup, not a filesystem
 * reader.  Everything is guest data, read while the guest runs: every
 * list walk and the whole lookup are bounded.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <fnmatch.h>
#include "linux-readers-internal.h"

#define ST_S_IFMT 0170000
#define ST_S_IFREG 0100000

typedef struct StDcacheWalk {
    const StLinuxKernel *kernel;
    char **comps;               /* the pattern's components */
    unsigned n_comps;
    StLinuxDcacheFn fn;
    void *opaque;
    StLinuxDcacheStats *stats;
    GString *path;
    uint64_t d_child_off;       /* dentry.d_child (d_sib): its link */
    uint64_t d_subdirs_off;
    bool subdirs_ring;          /* a list_head (ends at its head) */
    uint64_t mnt_child_off;
    uint64_t mnt_mounts_off;
    uint64_t mnt_off;           /* mount.mnt: the vfsmount inside */
} StDcacheWalk;

/* A visit counted against the lookup's budget; false when it is spent */
static bool st_dcache_visit(StDcacheWalk *w)
{
    if (w->stats->visited >= ST_LINUX_DCACHE_MAX_VISITS ||
        w->stats->found >= ST_LINUX_DCACHE_MAX_FOUND) {
        w->stats->truncated = true;
        return false;
    }
    w->stats->visited++;
    return true;
}

/*
 * The mount of @mount's children whose mountpoint is @dentry, or 0.  The
 * kernel adds a mount over another at the same place as a child of the
 * one below, so one child at most mounts on @dentry here.
 */
static bool st_dcache_mounted(StDcacheWalk *w, uint64_t mount,
                              uint64_t dentry, uint64_t *child,
                              GError **errp)
{
    uint64_t head = mount + w->mnt_mounts_off, node, point;
    unsigned steps;

    *child = 0;
    if (!st_read_field(w->kernel, mount, ST_MOUNT_MNT_MOUNTS, &node, errp)) {
        return false;
    }
    for (steps = 0; node && node != head; steps++) {
        if (steps >= ST_LINUX_DCACHE_MAX_MOUNTS || !st_dcache_visit(w)) {
            w->stats->truncated = true;
            return true;
        }
        if (!st_read_field(w->kernel, node - w->mnt_child_off,
                           ST_MOUNT_MNT_MOUNTPOINT, &point, errp)) {
            return false;
        }
        if (point == dentry) {
            *child = node - w->mnt_child_off;
            return true;
        }
        if (!st_read_field(w->kernel, node - w->mnt_child_off,
                           ST_MOUNT_MNT_CHILD, &node, errp)) {
            return false;
        }
    }
    return true;
}

/* @dentry's name, if it has one of a sane length (cursors have none) */
static bool st_dcache_name(StDcacheWalk *w, uint64_t dentry, size_t want,
                           char *name, GError **errp)
{
    uint64_t len, ptr;

    if (!st_read_field(w->kernel, dentry, ST_DENTRY_D_NAME_LEN, &len,
                       errp) ||
        !st_read_field(w->kernel, dentry, ST_DENTRY_D_NAME_NAME, &ptr,
                       errp)) {
        return false;
    }
    name[0] = 0;
    if (!len || len > ST_LINUX_NAME_MAX || !ptr || (want && len != want)) {
        return true;
    }
    if (!st_guest_read(w->kernel->vm, ptr, name, len, errp)) {
        return false;
    }
    name[len] = 0;
    if (strlen(name) != len || strchr(name, '/')) {
        name[0] = 0;
    }
    return true;
}

static bool st_dcache_descend(StDcacheWalk *w, uint64_t mount,
                              uint64_t dentry, unsigned depth, GError **errp);

/* A dentry the walk reached: report it if it is a regular file */
static bool st_dcache_found(StDcacheWalk *w, uint64_t dentry, GError **errp)
{
    uint64_t inode, mode, dev, ino;

    if (!st_read_field(w->kernel, dentry, ST_DENTRY_D_INODE, &inode, errp)) {
        return false;
    }
    if (!inode) {
        return true;
    }
    if (!st_read_field(w->kernel, inode, ST_INODE_I_MODE, &mode, errp)) {
        return false;
    }
    if ((mode & ST_S_IFMT) != ST_S_IFREG) {
        return true;
    }
    if (!st_linux_dentry_inode(w->kernel, dentry, &dev, &ino, errp)) {
        return false;
    }
    w->stats->found++;
    w->fn(w->opaque, w->path->len ? w->path->str : "/", dev, ino);
    return true;
}

/* The children of @dentry (in @mount) that match component @depth */
static bool st_dcache_children(StDcacheWalk *w, uint64_t mount,
                               uint64_t dentry, unsigned depth,
                               GError **errp)
{
    const char *comp = w->comps[depth];
    bool literal = !strpbrk(comp, "*?[\\");
    uint64_t head = w->subdirs_ring ? dentry + w->d_subdirs_off : 0;
    uint64_t node, child, inode;
    char name[ST_LINUX_NAME_MAX + 1];
    size_t len = w->path->len;
    unsigned steps;

    if (!st_read_field(w->kernel, dentry, ST_DENTRY_D_SUBDIRS, &node, errp)) {
        return false;
    }
    for (steps = 0; node && node != head; steps++) {
        if (steps >= ST_LINUX_DCACHE_MAX_CHILDREN || !st_dcache_visit(w)) {
            w->stats->truncated = true;
            return true;
        }
        child = node - w->d_child_off;
        if (!st_dcache_name(w, child, literal ? strlen(comp) : 0, name,
                            errp) ||
            !st_read_field(w->kernel, child, ST_DENTRY_D_INODE, &inode,
                           errp)) {
            return false;
        }
        if (inode && name[0] && fnmatch(comp, name, 0) == 0) {
            g_string_append_c(w->path, '/');
            g_string_append(w->path, name);
            if (!st_dcache_descend(w, mount, child, depth + 1, errp)) {
                return false;
            }
            g_string_truncate(w->path, len);
            if (literal) {
                return true;    /* one child has that name */
            }
        }
        if (!st_read_field(w->kernel, child, ST_DENTRY_D_CHILD, &node,
                           errp)) {
            return false;
        }
    }
    return true;
}

/* Into what is mounted on @dentry, then on to component @depth */
static bool st_dcache_descend(StDcacheWalk *w, uint64_t mount,
                              uint64_t dentry, unsigned depth, GError **errp)
{
    unsigned hops;
    uint64_t child;

    for (hops = 0; hops < ST_LINUX_DCACHE_MAX_STACK; hops++) {
        if (!st_dcache_mounted(w, mount, dentry, &child, errp)) {
            return false;
        }
        if (!child) {
            break;
        }
        mount = child;
        if (!st_read_pointer(w->kernel, mount + w->mnt_off,
                             ST_VFSMOUNT_MNT_ROOT, &dentry, errp)) {
            return false;
        }
    }
    if (depth == w->n_comps) {
        return st_dcache_found(w, dentry, errp);
    }
    return st_dcache_children(w, mount, dentry, depth, errp);
}

/* The root mount of @task's mount namespace: up from its root's mount */
static bool st_dcache_top(StDcacheWalk *w, uint64_t task, uint64_t *top,
                          GError **errp)
{
    uint64_t fs, vfsmount, mount, parent;
    unsigned steps;

    if (!st_read_pointer(w->kernel, task, ST_TASK_STRUCT_FS, &fs, errp) ||
        !st_read_pointer(w->kernel, fs, ST_FS_STRUCT_ROOT_MNT, &vfsmount,
                         errp)) {
        return false;
    }
    mount = vfsmount - w->mnt_off;
    for (steps = 0; steps < ST_LINUX_PATH_MAX_STEPS; steps++) {
        if (!st_read_pointer(w->kernel, mount, ST_MOUNT_MNT_PARENT, &parent,
                             errp)) {
            return false;
        }
        if (parent == mount) {
            *top = mount;
            return true;
        }
        mount = parent;
    }
    g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                "mount parents above task 0x%" PRIx64 "'s root loop",
                task);
    return false;
}

/* Split @glob at its separators; false if it is not absolute or too deep */
static bool st_dcache_split(StDcacheWalk *w, const char *glob, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(glob, "/", -1);
    g_autoptr(GPtrArray) comps = g_ptr_array_new_with_free_func(g_free);
    unsigned i;

    if (glob[0] != '/') {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "pattern '%s' is not absolute", glob);
        return false;
    }
    for (i = 0; parts[i]; i++) {
        if (parts[i][0]) {
            g_ptr_array_add(comps, g_strdup(parts[i]));
        }
    }
    if (comps->len > ST_LINUX_DCACHE_MAX_DEPTH) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "pattern '%s' has more than %d components", glob,
                    ST_LINUX_DCACHE_MAX_DEPTH);
        return false;
    }
    w->n_comps = comps->len;
    g_ptr_array_add(comps, NULL);
    w->comps = (char **)g_ptr_array_steal(comps, NULL);
    return true;
}

bool st_linux_dcache_find(const StLinuxKernel *kernel, uint64_t task,
                          const char *glob, StLinuxDcacheFn fn, void *opaque,
                          StLinuxDcacheStats *stats, GError **errp)
{
    const StLinuxFieldInfo *fields = kernel->prof->field;
    g_autofree char *missing = NULL;
    StDcacheWalk w = {
        .kernel = kernel, .fn = fn, .opaque = opaque, .stats = stats,
    };
    uint64_t top, root;
    bool ok;

    memset(stats, 0, sizeof(*stats));
    missing = st_linux_profile_feature_missing(kernel->prof,
                                               ST_FEATURE_DCACHE_LOOKUP);
    if (missing) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE, "%s",
                    missing);
        return false;
    }
    w.d_child_off = fields[ST_DENTRY_D_CHILD].offset;
    w.d_subdirs_off = fields[ST_DENTRY_D_SUBDIRS].offset;
    w.subdirs_ring = fields[ST_DENTRY_D_SUBDIRS].alt == 0;
    w.mnt_child_off = fields[ST_MOUNT_MNT_CHILD].offset;
    w.mnt_mounts_off = fields[ST_MOUNT_MNT_MOUNTS].offset;
    w.mnt_off = fields[ST_MOUNT_MNT].offset;
    if (!st_dcache_split(&w, glob, errp)) {
        return false;
    }
    w.path = g_string_sized_new(64);
    ok = st_dcache_top(&w, task, &top, errp) &&
         st_read_pointer(kernel, top + w.mnt_off, ST_VFSMOUNT_MNT_ROOT, &root,
                         errp) &&
         st_dcache_descend(&w, top, root, 0, errp);
    g_string_free(w.path, true);
    g_strfreev(w.comps);
    return ok;
}
