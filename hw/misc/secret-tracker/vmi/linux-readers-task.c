/*
 * secret-tracker: Linux tasks: the current task, its identity and its
 * saved user registers
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
    out->leader = task;
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
        out->leader = leader;
    }
    return true;
}

bool st_linux_pt_regs_addr(const StLinuxKernel *kernel, uint64_t percpu_base,
                           uint64_t *regs, GError **errp)
{
    uint32_t size = kernel->prof->struct_size[ST_STRUCT_PT_REGS];
    uint64_t top;

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
    *regs = top - size;
    return true;
}

bool st_linux_read_pt_regs(const StLinuxKernel *kernel, uint64_t percpu_base,
                           StLinuxPtRegs *out, GError **errp)
{
    uint64_t regs;

    return st_linux_pt_regs_addr(kernel, percpu_base, &regs, errp) &&
           st_linux_read_pt_regs_at(kernel, regs, out, errp);
}

/* Member @f of a pt_regs copied whole into @buf of @size bytes */
static bool st_pt_regs_member(const StLinuxKernel *kernel, const uint8_t *buf,
                              uint32_t size, StLinuxOffset f, uint64_t *val,
                              GError **errp)
{
    const StLinuxFieldInfo *fi = st_field_info(kernel, f, errp);
    uint64_t v = 0;
    unsigned i;

    if (!fi) {
        return false;
    }
    if (fi->size == 0 || fi->size > 8 || fi->offset + fi->size > size) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "pt_regs member at %u (%u bytes) is not a register",
                    fi->offset, fi->size);
        return false;
    }
    for (i = 0; i < fi->size; i++) {
        v |= (uint64_t)buf[fi->offset + i] << (8 * i);
    }
    *val = v;
    return true;
}

bool st_linux_read_pt_regs_at(const StLinuxKernel *kernel, uint64_t regs,
                              StLinuxPtRegs *out, GError **errp)
{
    uint32_t size = kernel->prof->struct_size[ST_STRUCT_PT_REGS];
    uint8_t buf[512];

    /* One read of the whole struct: the stack is walked once. */
    if (!size || size > sizeof(buf)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "the profile's struct pt_regs is %u bytes", size);
        return false;
    }
    if (!st_guest_is_kernel_va(kernel->vm, regs) ||
        !st_guest_read(kernel->vm, regs, buf, size, errp)) {
        if (errp && !*errp) {
            g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                        "pt_regs at 0x%" PRIx64 " is not in the kernel",
                        regs);
        }
        return false;
    }
    /* optional (an ISF may lack it): only the trap-flag alert needs it */
    out->flags = 0;
    if (kernel->prof->field[ST_PT_REGS_FLAGS].present &&
        !st_pt_regs_member(kernel, buf, size, ST_PT_REGS_FLAGS, &out->flags,
                           errp)) {
        return false;
    }
    return st_pt_regs_member(kernel, buf, size, ST_PT_REGS_ORIG_AX,
                             &out->orig_ax, errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_AX, &out->ax,
                             errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_DI, &out->di,
                             errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_SI, &out->si,
                             errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_DX, &out->dx,
                             errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_R10, &out->r10,
                             errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_R8, &out->r8,
                             errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_R9, &out->r9,
                             errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_IP, &out->ip,
                             errp) &&
           st_pt_regs_member(kernel, buf, size, ST_PT_REGS_SP, &out->sp,
                             errp);
}

bool st_linux_task_ended(const StLinuxKernel *kernel, uint64_t task,
                         uint32_t tgid, uint64_t start_time, bool *ended,
                         GError **errp)
{
    uint64_t pid, tg, start, exit_state;

    if (!kernel->prof->field[ST_TASK_STRUCT_EXIT_STATE].present) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "the profile has no task_struct.exit_state");
        return false;
    }
    if (!st_read_field(kernel, task, ST_TASK_STRUCT_PID, &pid, errp) ||
        !st_read_field(kernel, task, ST_TASK_STRUCT_TGID, &tg, errp) ||
        !st_read_field(kernel, task, ST_TASK_STRUCT_START_TIME, &start,
                       errp) ||
        !st_read_field(kernel, task, ST_TASK_STRUCT_EXIT_STATE, &exit_state,
                       errp)) {
        return false;
    }
    /* reused for another task, a zombie, or released (EXIT_DEAD) */
    *ended = (uint32_t)pid != tgid || (uint32_t)tg != tgid ||
             start != start_time || (uint32_t)exit_state != 0;
    return true;
}
