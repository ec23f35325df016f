/*
 * secret-tracker probe: hook hits turned into engine events (vCPU
 * threads, without the BQL)
 *
 * Per event: one register snapshot from the hook; for a syscall the
 * engine has no family for, nothing else at all.  Otherwise a few bounded
 * guest reads (the arguments, the current task), then the engine, which
 * asks for file descriptors lazily.  Paths are resolved later, from the
 * main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/timer.h"
#include "hw/core/cpu.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/vmi/linux-compat.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"
#include "probe-internal.h"
#include "trace.h"

#define ST_RFLAGS_TF 0x100
/* reboot(2): the magic numbers and the kexec command */
#define ST_REBOOT_MAGIC1 0xfee1deadULL
#define ST_REBOOT_CMD_KEXEC 0x45584543ULL

static uint64_t st_now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/*
 * The kernel's per-CPU base for this vCPU: GS base while the CPU is in
 * the kernel (past the entry, io_uring), KERNEL_GS_BASE at the LSTAR
 * entry before swapgs and at sysretq after it.  It never changes while a
 * kernel runs, so it is read once per vCPU.
 */
static bool st_percpu_base(StProbeVcpu *vc, CPUState *cpu, bool kernel_gs,
                           uint64_t *base)
{
    ExecHookSregs sregs;
    uint64_t v;

    if (vc->percpu) {
        *base = vc->percpu;
        return true;
    }
    if (!exec_hook_get_sregs(cpu, true, &sregs, NULL)) {
        return false;
    }
    v = kernel_gs ? sregs.gs_base : sregs.kernel_gs_base;
    if (!st_guest_is_kernel_va(&vc->vm, v)) {
        return false;
    }
    vc->percpu = v;
    *base = v;
    return true;
}

/*
 * The task at @task_ptr, as the engine sees it.  With @leader_comm, the
 * name is its process's (an io_uring thread is named after its ring).
 */
static bool st_task_at(StProbeVcpu *vc, uint64_t task_ptr, StEngineTask *task,
                       bool leader_comm)
{
    StLinuxTask t, leader;

    if (!st_linux_read_task(&vc->kernel, task_ptr, &t, NULL)) {
        return false;
    }
    if (leader_comm && t.leader != t.task &&
        st_linux_read_task(&vc->kernel, t.leader, &leader, NULL)) {
        memcpy(t.comm, leader.comm, sizeof(t.comm));
    }
    memset(task, 0, sizeof(*task));
    task->tid = t.pid;
    task->tid_start_time = t.start_time;
    task->tgid = t.tgid;
    task->start_time = t.leader_start_time;
    task->ppid = t.parent_tgid;
    task->parent_start_time = 0;
    task->files_id = t.files;
    task->mm_id = t.mm;
    /* without group_leader in the profile, a thread's leader is unknown */
    task->leader_id = t.pid == t.tgid || t.leader != t.task ? t.leader : 0;
    g_strlcpy(task->comm, t.comm, sizeof(task->comm));
    task->details = true;       /* read with the task: no second read */
    return true;
}

static bool st_task(StProbeVcpu *vc, uint64_t percpu, StEngineTask *task,
                    uint64_t *task_ptr)
{
    return st_linux_current_task(&vc->kernel, percpu, task_ptr, NULL) &&
           st_task_at(vc, *task_ptr, task, false);
}

/* The first system call checks that the profile fits the kernel. */
static bool st_validate(SecretTrackerProbe *p, const StProbeKernel *k,
                        StProbeVcpu *vc, uint64_t percpu)
{
    g_autoptr(GError) err = NULL;
    StLinuxTask task;
    int i;

    if (qatomic_read(&p->validated)) {
        return true;
    }
    /* Idempotent, so racing vCPUs may both validate. */
    if (st_linux_validate(&vc->kernel, percpu, &task, &err)) {
        qatomic_set(&p->validated, true);
        st_probe_set_state(p, SECRET_TRACKER_STATE_ACTIVE, NULL);
        trace_secret_tracker_probe_validated(task.pid, task.comm);
        return true;
    }
    for (i = 0; i < ST_SITE__COUNT; i++) {
        if (k->hook[i]) {
            exec_hook_disarm(k->hook[i], NULL);
        }
    }
    qatomic_set(&p->failed, true);
    st_probe_set_state(p, SECRET_TRACKER_STATE_ERROR, err->message);
    trace_secret_tracker_probe_error(err->message);
    return false;
}

/* The engine wants this task's return: make sure this vCPU will see it. */
static void st_expect_return(SecretTrackerProbe *p, const StProbeKernel *k,
                             StProbeVcpu *vc, CPUState *cpu,
                             const StEngineTask *task)
{
    StProbeExpect *e;

    if (!k->return_on_demand) {
        return;     /* armed all the time (TCG), or no return site */
    }
    if (vc->n_expect == ST_PROBE_EXPECT) {
        /* The oldest waits longest: it is the one given up. */
        memmove(vc->expect, vc->expect + 1,
                sizeof(vc->expect[0]) * (ST_PROBE_EXPECT - 1));
        vc->n_expect--;
    }
    e = &vc->expect[vc->n_expect++];
    e->tid = task->tid;
    e->tid_start_time = task->tid_start_time;
    vc->idle_returns = 0;
    if (!vc->return_armed) {
        /* under KVM the core-dump hook gives its register up meanwhile */
        if (exec_hook_swap(k->coredump_takes_turns ?
                           k->hook[ST_SITE_COREDUMP] : NULL,
                           k->hook[ST_SITE_RETURN64], cpu, NULL)) {
            vc->return_armed = true;
        } else {
            qatomic_inc(&p->returns_unavailable);
            vc->n_expect = 0;
        }
    }
}

/* A return on this vCPU: was it one we waited for?  Stop when done. */
static void st_returned(const StProbeKernel *k, StProbeVcpu *vc,
                        CPUState *cpu, const StEngineTask *task)
{
    bool matched = false;
    unsigned i;

    if (!k->return_on_demand || !vc->return_armed) {
        return;
    }
    for (i = 0; task && i < vc->n_expect; i++) {
        if (vc->expect[i].tid == task->tid &&
            vc->expect[i].tid_start_time == task->tid_start_time) {
            vc->expect[i] = vc->expect[--vc->n_expect];
            matched = true;
            break;
        }
    }
    if (!matched) {
        vc->idle_returns++;
    }
    /* A waited-for task that blocks (or moves away) must not keep us. */
    if (!task || vc->n_expect == 0 ||
        vc->idle_returns > ST_PROBE_IDLE_RETURNS) {
        if (!k->coredump_takes_turns ||
            !exec_hook_swap(k->hook[ST_SITE_RETURN64],
                            k->hook[ST_SITE_COREDUMP], cpu, NULL)) {
            exec_hook_disarm(k->hook[ST_SITE_RETURN64], cpu);
        }
        vc->return_armed = false;
        vc->n_expect = 0;
        vc->idle_returns = 0;
    }
}

static bool st_kexec_call(SecretTrackerProbe *p, const StProbeKernel *k,
                          const uint64_t *args, const StEngineTask *task)
{
    if (args[0] != ST_REBOOT_MAGIC1 || args[2] != ST_REBOOT_CMD_KEXEC) {
        return false;
    }
    trace_secret_tracker_probe_kexec(task ? task->tid : -1);
    st_probe_kexec(p, k);
    return true;
}

/* io_submit: iocbs decoded at a time, and at most per call */
#define ST_AIO_BATCH 16
#define ST_AIO_MAX 1024

/* One AIO read or write as the positioned call it amounts to */
static bool st_aio_call(const StLinuxIocb *cb, unsigned *nr, uint64_t *args)
{
    switch (cb->opcode) {
    case ST_IOCB_CMD_PREAD:
        *nr = ST_NR_PREAD64;
        break;
    case ST_IOCB_CMD_PWRITE:
        *nr = ST_NR_PWRITE64;
        break;
    case ST_IOCB_CMD_PREADV:
        *nr = ST_NR_PREADV;
        break;
    case ST_IOCB_CMD_PWRITEV:
        *nr = ST_NR_PWRITEV;
        break;
    default:
        return false;   /* fsync, poll, noop: no data */
    }
    memset(args, 0, sizeof(uint64_t) * ST_ENGINE_NR_ARGS);
    args[0] = (uint32_t)cb->fd;
    args[1] = cb->buf;
    args[2] = cb->nbytes;
    args[3] = cb->offset;
    return true;
}

/*
 * io_submit(ctx, nr, iocbpp): each read and write it submits is fed to
 * the engine as the pread/pwrite (or preadv/pwritev) it amounts to, in
 * order, up to where the kernel would stop.  Lock held.
 */
static void st_feed_aio(SecretTrackerProbe *p, StProbeVcpu *vc,
                        const StEngineTask *task, uint64_t task_ptr,
                        const uint64_t *args, bool compat)
{
    StLinuxIocb cb[ST_AIO_BATCH];
    uint64_t call_args[ST_ENGINE_NR_ARGS];
    StGuestVm user, alt[3];
    const StGuestVm *uvm = &user;
    int64_t total = compat ? (int32_t)args[1] : (int64_t)args[1];
    int64_t done = 0;
    unsigned n, i, nr, n_alt = 0, next_alt = 0;
    bool ok, traced = false;

    if (total <= 0) {
        return;         /* refused, or nothing */
    }
    if (!st_linux_user_vm(&vc->kernel, task_ptr, &user, NULL)) {
        qatomic_inc(&p->read_errors);
        return;
    }
    while (done < total && done < ST_AIO_MAX) {
        unsigned want = MIN(ST_AIO_BATCH, total - done);
        g_autoptr(GError) err = NULL;

        ok = st_linux_aio_decode(uvm, args[2] + done * (compat ? 4 : 8),
                                 want, compat, cb, want, &n, &err);
        if (!ok && !n && g_error_matches(err, ST_GUEST_ERROR,
                                         ST_GUEST_ERROR_UNMAPPED)) {
            /* PTI's user half, or CR3, may map what the mm's tables lack */
            if (uvm == &user) {
                n_alt = st_probe_user_alternatives(p, &user, alt);
            }
            if (next_alt < n_alt) {
                uvm = &alt[next_alt++];
                continue;
            }
        }
        if (uvm != &user && (ok || n) && !traced) {
            /* traced once the other address space did read */
            st_probe_user_trace_root(args[2], &user, uvm);
            traced = true;
        }
        for (i = 0; i < n; i++) {
            if (st_aio_call(&cb[i], &nr, call_args) &&
                st_engine_syscall_relevant(nr, call_args)) {
                st_engine_syscall_entry(p->engine, task, nr, call_args,
                                        st_now_ns());
            }
        }
        done += n;
        if (!ok) {
            /* an invalid iocb stops the kernel too; unreadable is a miss */
            if (g_error_matches(err, ST_GUEST_ERROR,
                                ST_GUEST_ERROR_UNMAPPED)) {
                trace_secret_tracker_probe_read_error(
                    "iocb", compat ? ST_NR32_IO_SUBMIT : ST_NR_IO_SUBMIT);
                qatomic_inc(&p->read_errors);
            }
            return;
        }
    }
    if (total > ST_AIO_MAX) {
        /* not followed: counted, never silent */
        qatomic_add(&p->read_errors, total - ST_AIO_MAX);
    }
}

/*
 * Feed one entry (an io_submit: each read and write it submits) to the
 * engine, made by @task at @task_ptr, @io the io_uring request it came
 * from if any; kick the path resolver if it is needed.  True if the
 * engine wants its return.
 */
static bool st_feed_entry(SecretTrackerProbe *p, StProbeVcpu *vc,
                          uint64_t task_ptr, const StLinuxIoUringReq *io,
                          const StEngineTask *task, unsigned nr,
                          const uint64_t *args)
{
    bool want = false, paths;

    qemu_mutex_lock(p->lock);
    p->ev = vc;
    p->ev_task = task_ptr;
    p->ev_io = io;
    if (nr == ST_NR_IO_SUBMIT) {
        st_feed_aio(p, vc, task, task_ptr, args, task->compat);
    } else {
        want = st_engine_syscall_entry(p->engine, task, nr, args,
                                       st_now_ns());
    }
    p->ev_io = NULL;
    p->ev = NULL;
    paths = st_engine_paths_wanted(p->engine);
    qemu_mutex_unlock(p->lock);
    if (paths) {
        /* Named even when no flow is recorded (max-flows reached). */
        secret_tracker_probe_kick(p);
    }
    return want;
}

void st_probe_syscall64(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerProbe *p = opaque;
    const ExecHookRegs *r = ev->regs;
    const StProbeKernel *k;
    StProbeVcpu *vc;
    StEngineTask task;
    StLinuxPtRegs pt;
    uint64_t nr, percpu, task_ptr, user_flags;
    uint64_t args[ST_ENGINE_NR_ARGS];
    bool ok;

    RCU_READ_LOCK_GUARD();
    k = qatomic_rcu_read(&p->kernel);
    if (!k) {
        return;
    }
    /* x64_sys_call(regs, nr); else the number is in RAX (-1: skipped) */
    nr = k->entry == ST_ENTRY_DISPATCHER ? (uint32_t)r->rsi : r->rax;
    if (qatomic_read(&p->validated) && nr != ST_NR_REBOOT &&
        nr != ST_NR_IO_SUBMIT &&
        (nr > UINT32_MAX || (nr & ST_NR_X32_BIT) ||
         st_engine_syscall_family(nr) == ST_ENGINE_FAMILY_NONE)) {
        return;     /* the common case: no guest memory read at all */
    }
    vc = st_probe_vcpu(p, ev->cpu, k);
    if (!vc ||
        !st_percpu_base(vc, ev->cpu, k->entry != ST_ENTRY_LSTAR, &percpu) ||
        !st_validate(p, k, vc, percpu)) {
        return;
    }
    if (nr > UINT32_MAX || (nr & ST_NR_X32_BIT)) {
        return;
    }
    if (k->entry != ST_ENTRY_LSTAR) {
        /* The arguments as the kernel will use them (after ptrace). */
        ok = k->entry == ST_ENTRY_DISPATCHER ?
             st_linux_read_pt_regs_at(&vc->kernel, r->rdi, &pt, NULL) :
             st_linux_read_pt_regs(&vc->kernel, percpu, &pt, NULL);
        if (!ok) {
            qatomic_inc(&p->read_errors);
            trace_secret_tracker_probe_read_error("entry", nr);
            return;
        }
        args[0] = pt.di;
        args[1] = pt.si;
        args[2] = pt.dx;
        args[3] = pt.r10;
        args[4] = pt.r8;
        args[5] = pt.r9;
        user_flags = pt.flags;
    } else {
        args[0] = r->rdi;
        args[1] = r->rsi;
        args[2] = r->rdx;
        args[3] = r->r10;
        args[4] = r->r8;
        args[5] = r->r9;
        user_flags = r->r11;    /* SYSCALL saved the user's RFLAGS here */
    }
    if (user_flags & ST_RFLAGS_TF) {
        qatomic_inc(&p->alerts_trap_flag);
    }
    if (nr != ST_NR_REBOOT && nr != ST_NR_IO_SUBMIT &&
        !st_engine_syscall_relevant(nr, args)) {
        return;
    }
    if (!st_task(vc, percpu, &task, &task_ptr)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("entry", nr);
        return;
    }
    if (nr == ST_NR_REBOOT) {
        st_kexec_call(p, k, args, &task);
        return;
    }
    trace_secret_tracker_probe_entry(task.tid, nr);
    if (st_feed_entry(p, vc, task_ptr, NULL, &task, nr, args)) {
        st_expect_return(p, k, vc, ev->cpu, &task);
    }
}

void st_probe_return64(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerProbe *p = opaque;
    const StProbeKernel *k;
    StProbeVcpu *vc;
    StLinuxPtRegs pt;
    StEngineTask task;
    uint64_t percpu, task_ptr;

    RCU_READ_LOCK_GUARD();
    k = qatomic_rcu_read(&p->kernel);
    if (!k || !qatomic_read(&p->validated)) {
        return;
    }
    vc = st_probe_vcpu(p, ev->cpu, k);
    if (!vc) {
        return;
    }
    if (!st_engine_has_pending(p->engine)) {
        st_returned(k, vc, ev->cpu, NULL);
        return;     /* the common case: no guest memory read at all */
    }
    if (!st_percpu_base(vc, ev->cpu, k->entry == ST_ENTRY_DISPATCHER,
                        &percpu)) {
        return;     /* no entry seen on this vCPU yet: nothing to pair */
    }
    memset(&task, 0, sizeof(task));   /* matches no expected return */
    if (!st_linux_read_pt_regs(&vc->kernel, percpu, &pt, NULL) ||
        st_engine_syscall_family(pt.orig_ax) == ST_ENGINE_FAMILY_NONE) {
        st_returned(k, vc, ev->cpu, &task);
        return;
    }
    if (!st_task(vc, percpu, &task, &task_ptr)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("exit", pt.orig_ax);
        st_returned(k, vc, ev->cpu, &task);
        return;
    }
    trace_secret_tracker_probe_exit(task.tid, pt.orig_ax,
                                    (int64_t)ev->regs->rax);
    qemu_mutex_lock(p->lock);
    p->ev = vc;
    p->ev_task = task_ptr;
    st_engine_syscall_exit(p->engine, &task, pt.orig_ax,
                           (int64_t)ev->regs->rax, st_now_ns());
    p->ev = NULL;
    qemu_mutex_unlock(p->lock);
    st_returned(k, vc, ev->cpu, &task);
}

/*
 * Compat entries: int 0x80 (from any process, 64-bit ones too), sysenter
 * and the compat syscall all reach ia32_sys_call(regs, nr), or on older
 * kernels do_int80_syscall_32(regs) and do_fast_syscall_32(regs).  The
 * i386 call is translated to the x86-64 one with the same effect and fed
 * to the engine like any other, marked compat (its structs are i386).
 */
void st_probe_syscall32(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerProbe *p = opaque;
    const StProbeKernel *k;
    StProbeVcpu *vc;
    StLinuxSyscallRegs sr;
    StLinuxSyscall call;
    StEngineTask task;
    StGuestVm user;
    uint64_t percpu, task_ptr, nr32;
    bool with_user;

    qatomic_inc(&p->compat_calls);
    RCU_READ_LOCK_GUARD();
    k = qatomic_rcu_read(&p->kernel);
    if (!k || !qatomic_read(&p->validated)) {
        return;     /* the first 64-bit call validates the profile */
    }
    /*
     * Compat calls are rare: each one's registers are read, so that an
     * int 0x80 from 64-bit code is always counted.
     */
    vc = st_probe_vcpu(p, ev->cpu, k);
    if (!vc || !st_percpu_base(vc, ev->cpu, true, &percpu)) {
        return;
    }
    if (!st_linux_read_syscall_regs(&vc->kernel, ev->regs->rdi, &sr, NULL)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("compat entry", 0);
        return;
    }
    /* ia32_sys_call(regs, nr) has the number, older entries orig_ax */
    nr32 = ev->addr == k->site[ST_SITE_SYSCALL32] ? (uint32_t)ev->regs->rsi
                                                   : (uint32_t)sr.orig_ax;
    if (st_linux_regs_user64(&sr)) {
        qatomic_inc(&p->alerts_compat64);
    }
    if (st_linux_regs_trap_flag(&sr)) {
        qatomic_inc(&p->alerts_trap_flag);
    }
    if (nr32 != ST_NR32_SOCKETCALL && nr32 != ST_NR32_REBOOT &&
        nr32 != ST_NR32_IO_SUBMIT && nr32 != ST_NR32_IPC &&
        (st_linux_compat_native_nr(nr32) < 0 ||
         st_engine_syscall_family(st_linux_compat_native_nr(nr32)) ==
         ST_ENGINE_FAMILY_NONE)) {
        return;     /* nothing the engine follows */
    }
    if (nr32 == ST_NR32_REBOOT) {
        if (st_task(vc, percpu, &task, &task_ptr)) {
            uint64_t args[3] = { sr.compat[0], sr.compat[1], sr.compat[2] };

            st_kexec_call(p, k, args, &task);
        }
        return;
    }
    /* socketcall and the old mmap point at their arguments */
    with_user = nr32 == ST_NR32_SOCKETCALL || nr32 == ST_NR32_MMAP;
    if (!st_task(vc, percpu, &task, &task_ptr)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("compat entry", nr32);
        return;
    }
    if (with_user && !st_linux_user_vm(&vc->kernel, task_ptr, &user, NULL)) {
        qatomic_inc(&p->read_errors);
        return;
    }
    if (!st_linux_compat_syscall(with_user ? &user : NULL, nr32, sr.compat,
                                 &call, NULL) ||
        (call.nr != ST_NR_IO_SUBMIT &&
         !st_engine_syscall_relevant(call.nr, call.args))) {
        return;     /* no translation, or the kernel refuses the call */
    }
    task.compat = true;
    trace_secret_tracker_probe_entry(task.tid, call.nr);
    if (st_feed_entry(p, vc, task_ptr, NULL, &task, call.nr, call.args) &&
        !k->hook[ST_SITE_RETURN32]) {
        /* no compat return hook (KVM): the entry's taint stands alone */
        qatomic_inc(&p->returns_unavailable);
    }
}

/* Where ia32_sys_call returned (TCG): RAX holds the result. */
void st_probe_return32(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerProbe *p = opaque;
    const StProbeKernel *k;
    StProbeVcpu *vc;
    StLinuxSyscallRegs sr;
    StEngineTask task;
    uint64_t percpu, task_ptr, regs;
    int nr;

    RCU_READ_LOCK_GUARD();
    k = qatomic_rcu_read(&p->kernel);
    if (!k || !qatomic_read(&p->validated) ||
        !st_engine_has_pending(p->engine)) {
        return;
    }
    vc = st_probe_vcpu(p, ev->cpu, k);
    if (!vc || !st_percpu_base(vc, ev->cpu, true, &percpu) ||
        !st_linux_pt_regs_addr(&vc->kernel, percpu, &regs, NULL) ||
        !st_linux_read_syscall_regs(&vc->kernel, regs, &sr, NULL)) {
        return;
    }
    if ((uint32_t)sr.orig_ax == ST_NR32_SOCKETCALL) {
        nr = st_linux_compat_socketcall_nr(sr.compat[0]);
    } else if ((uint32_t)sr.orig_ax == ST_NR32_IPC) {
        nr = st_linux_compat_ipc_nr(sr.compat[0]);
    } else {
        nr = st_linux_compat_native_nr((uint32_t)sr.orig_ax);
    }
    if (nr < 0 || !st_task(vc, percpu, &task, &task_ptr)) {
        return;
    }
    task.compat = true;
    trace_secret_tracker_probe_exit(task.tid, nr, (int64_t)ev->regs->rax);
    qemu_mutex_lock(p->lock);
    p->ev = vc;
    p->ev_task = task_ptr;
    st_engine_syscall_exit(p->engine, &task, nr, (int64_t)ev->regs->rax,
                           st_now_ns());
    p->ev = NULL;
    qemu_mutex_unlock(p->lock);
}

/*
 * An io_uring request at io_issue_sqe(req, flags): whoever issues it (the
 * submitter inline, its SQPOLL thread with no syscall at all, an io-wq
 * worker), it is fed to the engine as the system call it amounts to, made
 * by the submitting task.  No return is seen: taint is decided here, as
 * for every call.  Registered-file indexes live in the ring, so the fd
 * cache keys them by the ring.
 */
void st_probe_io_uring(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerProbe *p = opaque;
    const StProbeKernel *k;
    StProbeVcpu *vc;
    StLinuxIoUringReq req;
    StEngineTask task;

    qatomic_inc(&p->io_uring_ops);
    RCU_READ_LOCK_GUARD();
    k = qatomic_rcu_read(&p->kernel);
    if (!k || !k->io_uring_decode || !qatomic_read(&p->validated)) {
        return;
    }
    vc = st_probe_vcpu(p, ev->cpu, k);
    if (!vc) {
        return;
    }
    if (!st_linux_io_uring_read_req(&vc->kernel, ev->regs->rdi, &req, NULL)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("io_uring", 0);
        return;
    }
    if (req.nr == ST_IO_URING_NR_NONE ||
        st_engine_syscall_family(req.nr) == ST_ENGINE_FAMILY_NONE ||
        !st_engine_syscall_relevant(req.nr, req.args)) {
        return;
    }
    if (!st_task_at(vc, req.task, &task, true)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("io_uring", req.nr);
        return;
    }
    if (req.target.fixed || req.splice_in.fixed) {
        task.files_id = req.ctx;
    }
    task.compat = req.compat;
    trace_secret_tracker_probe_entry(task.tid, req.nr);
    if (st_feed_entry(p, vc, req.task, &req, &task, req.nr, req.args)) {
        qatomic_inc(&p->returns_unavailable);
    }
}

/*
 * A core dump at elf_core_dump(cprm): the kernel writes the dumping
 * task's memory into cprm->file (a file, or the pipe to a |helper
 * core_pattern) with no system call.  Fed to the engine as a write by
 * the task to that file, which it resolves as fd 0 of its own.
 */
void st_probe_coredump(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerProbe *p = opaque;
    const StProbeKernel *k;
    StProbeVcpu *vc;
    StEngineTask task;
    uint64_t percpu, task_ptr, file;
    bool paths;

    RCU_READ_LOCK_GUARD();
    k = qatomic_rcu_read(&p->kernel);
    if (!k || !qatomic_read(&p->validated)) {
        return;
    }
    vc = st_probe_vcpu(p, ev->cpu, k);
    if (!vc || !st_percpu_base(vc, ev->cpu, true, &percpu)) {
        return;
    }
    if (!st_linux_coredump_file(&vc->kernel, ev->regs->rdi, &file, NULL) ||
        !st_task(vc, percpu, &task, &task_ptr)) {
        qatomic_inc(&p->read_errors);
        trace_secret_tracker_probe_read_error("core dump", 0);
        return;
    }
    task.files_id = file;       /* the fd cache keys fd 0 by the file */
    trace_secret_tracker_probe_coredump(task.tid, file);
    qemu_mutex_lock(p->lock);
    p->ev = vc;
    p->ev_task = task_ptr;
    p->ev_file = file;
    st_engine_coredump(p->engine, &task, 0, st_now_ns());
    p->ev_file = 0;
    p->ev = NULL;
    paths = st_engine_paths_wanted(p->engine);
    qemu_mutex_unlock(p->lock);
    if (paths) {
        secret_tracker_probe_kick(p);
    }
}
