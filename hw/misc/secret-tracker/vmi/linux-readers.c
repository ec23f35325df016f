/*
 * secret-tracker: readers of Linux x86-64 kernel objects in guest memory:
 * members by profile, and whether a profile fits the running kernel
 *
 * Everything read here comes from the guest: each pointer is checked to
 * be a kernel address, each length and count is bounded, each walk has a
 * step limit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-readers.h"
#include "linux-readers-internal.h"

/* How many fd slots the validation looks at */
#define ST_VALIDATE_FDS 8

const char *st_offset_name(StLinuxOffset f, char *buf, size_t len)
{
    const StLinuxOffsetSpec *spec = &st_linux_offset_specs[f];

    g_snprintf(buf, len, "%s.%s", st_linux_struct_names[spec->in],
               spec->path);
    return buf;
}

const StLinuxFieldInfo *st_field_info(const StLinuxKernel *kernel,
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
bool st_read_field(const StLinuxKernel *kernel, uint64_t base,
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
bool st_read_pointer(const StLinuxKernel *kernel, uint64_t base,
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
bool st_read_bytes(const StLinuxKernel *kernel, uint64_t base,
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
