/*
 * secret-tracker probe: system-call entry and exit hits, turned into
 * engine events (vCPU threads, without the BQL)
 *
 * Per event: one register snapshot from the hook, a few bounded guest
 * reads for the current task, then the engine, which asks for file
 * descriptors lazily.  Paths are resolved later, from the main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/timer.h"
#include "hw/core/cpu.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "probe-internal.h"
#include "trace.h"

static uint64_t st_now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/*
 * The kernel's per-CPU base for @cpu.  At the syscall entry, before
 * swapgs, it is in MSR_KERNEL_GS_BASE; it never changes after boot, so it
 * is read once per vCPU.
 */
static bool st_percpu_base(SecretTrackerProbe *p, CPUState *cpu,
                           bool at_entry, uint64_t *base)
{
    ExecHookSregs sregs;
    unsigned idx = cpu->cpu_index;

    if (idx < EXEC_HOOK_MAX_VCPUS && p->percpu[idx]) {
        *base = p->percpu[idx];
        return true;
    }
    if (!at_entry || !exec_hook_get_sregs(cpu, true, &sregs, NULL) ||
        !st_guest_is_kernel_va(&p->vm, sregs.kernel_gs_base)) {
        return false;
    }
    if (idx < EXEC_HOOK_MAX_VCPUS) {
        p->percpu[idx] = sregs.kernel_gs_base;
    }
    *base = sregs.kernel_gs_base;
    return true;
}

static bool st_task(SecretTrackerProbe *p, uint64_t percpu,
                    StEngineTask *task, uint64_t *task_ptr)
{
    StLinuxTask t;

    if (!st_linux_current_task(&p->kernel, percpu, task_ptr, NULL) ||
        !st_linux_read_task(&p->kernel, *task_ptr, &t, NULL)) {
        return false;
    }
    task->tid = t.pid;
    task->tid_start_time = t.start_time;
    task->tgid = t.tgid;
    task->start_time = t.leader_start_time;
    task->ppid = t.parent_tgid;
    task->parent_start_time = 0;
    g_strlcpy(task->comm, t.comm, sizeof(task->comm));
    return true;
}

/* The first system call checks that the profile fits the kernel. */
static void st_validate(SecretTrackerProbe *p, uint64_t percpu)
{
    g_autoptr(GError) err = NULL;
    StLinuxTask task;

    if (st_linux_validate(&p->kernel, percpu, &task, &err)) {
        qatomic_set(&p->validated, true);
        st_probe_set_state(p, SECRET_TRACKER_STATE_ACTIVE, NULL);
        trace_secret_tracker_probe_validated(task.pid, task.comm);
        return;
    }
    exec_hook_disarm(p->entry_hook, NULL);
    exec_hook_disarm(p->exit_hook, NULL);
    qatomic_set(&p->failed, true);
    st_probe_set_state(p, SECRET_TRACKER_STATE_ERROR, err->message);
    trace_secret_tracker_probe_error(err->message);
}

void st_probe_entry(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerProbe *p = opaque;
    const ExecHookRegs *r = ev->regs;
    uint64_t args[ST_ENGINE_NR_ARGS] = {
        r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9
    };
    StEngineTask task;
    uint64_t percpu, task_ptr;

    if (!qatomic_read(&p->validated)) {
        /* Idempotent, so racing vCPUs may both validate. */
        if (st_percpu_base(p, ev->cpu, true, &percpu)) {
            st_validate(p, percpu);
        }
        if (!qatomic_read(&p->validated)) {
            return;
        }
    }
    if ((r->rax & ST_NR_X32_BIT) || r->rax > UINT32_MAX ||
        st_engine_syscall_family(r->rax) == ST_ENGINE_FAMILY_NONE) {
        return;
    }
    if (!st_percpu_base(p, ev->cpu, true, &percpu) ||
        !st_task(p, percpu, &task, &task_ptr)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("entry", r->rax);
        return;
    }
    trace_secret_tracker_probe_entry(task.tid, r->rax);
    qemu_mutex_lock(p->lock);
    p->ev_task = task_ptr;
    st_engine_syscall_entry(p->engine, &task, r->rax, args, st_now_ns());
    qemu_mutex_unlock(p->lock);
}

void st_probe_exit(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerProbe *p = opaque;
    StLinuxPtRegs pt;
    StEngineTask task;
    uint64_t percpu, task_ptr;

    if (!qatomic_read(&p->validated) || !st_engine_has_pending(p->engine)) {
        return;     /* the common case: no guest memory read at all */
    }
    if (!st_percpu_base(p, ev->cpu, false, &percpu)) {
        return;     /* no entry seen on this vCPU yet: nothing to pair */
    }
    if (!st_linux_read_pt_regs(&p->kernel, percpu, &pt, NULL) ||
        st_engine_syscall_family(pt.orig_ax) == ST_ENGINE_FAMILY_NONE) {
        return;
    }
    if (!st_task(p, percpu, &task, &task_ptr)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("exit", pt.orig_ax);
        return;
    }
    trace_secret_tracker_probe_exit(task.tid, pt.orig_ax,
                                    (int64_t)ev->regs->rax);
    qemu_mutex_lock(p->lock);
    p->ev_task = task_ptr;
    st_engine_syscall_exit(p->engine, &task, pt.orig_ax,
                           (int64_t)ev->regs->rax, st_now_ns());
    qemu_mutex_unlock(p->lock);
}
