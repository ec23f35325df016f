/*
 * secret-tracker: execution hooks + Linux introspection -> engine
 *
 * Lifecycle: wait until the guest kernel has set MSR_LSTAR, find its
 * profile (in-guest BTF, or the ISF file given) and its sysretq site, arm
 * hooks at both, and validate the profile at the first system call.  A
 * reset, or a new LSTAR (kexec), starts over.
 *
 * Per event (vCPU thread): one register snapshot from the hook, a few
 * bounded guest reads for the current task, then the engine, which asks
 * for file descriptors lazily.  Paths are resolved from the main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qemu/rcu.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"
#include "system/reset.h"
#include "system/cpus.h"
#include "system/hw_accel.h"
#include "hw/boards.h"
#include "hw/core/cpu.h"
#include "cpu.h"
#include "exec/exec-hook.h"
#include "hw/misc/secret-tracker/secret-tracker-guest.h"
#include "hw/misc/secret-tracker/vmi/guest-mem.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"
#include "hw/misc/secret-tracker/vmi/linux-readers.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"
#include "trace.h"

/* How often to look for the guest kernel's LSTAR (and for a kexec). */
#define ST_POLL_WAITING_MS 100
#define ST_POLL_ACTIVE_MS 1000
/* x32 system calls set this bit in RAX; they are not tracked. */
#define ST_X32_SYSCALL_BIT 0x40000000ULL
#define ST_AT_FDCWD (-100)

typedef struct SecretTrackerGuest {
    SecretTracker *s;
    QEMUTimer *poll;
    QEMUBH *paths_bh;

    /* What is armed; changed with the BQL and s->lock held. */
    uint64_t lstar;
    uint64_t sysret;
    ExecHook *entry_hook;
    ExecHook *exit_hook;
    StLinuxProfile *isf;        /* from the profile property, if any */
    StLinuxProfile *prof;       /* the profile in use */
    StGuestMem mem;
    StGuestVm vm;
    StLinuxKernel kernel;
    bool validated;

    /* Per-vCPU kernel per-CPU base (KERNEL_GS_BASE at syscall entry). */
    uint64_t percpu[EXEC_HOOK_MAX_VCPUS];

    /* The event being fed to the engine (s->lock held). */
    uint64_t ev_task;
    uint64_t ev_cr3;

    uint64_t read_errors;
} SecretTrackerGuest;

/* Guest RAM only: a hostile page table must not make us touch MMIO. */
static bool st_read_ram(void *opaque, uint64_t pa, void *buf, size_t len)
{
    uint8_t *out = buf;

    while (len) {
        hwaddr l = len, xlat;
        MemoryRegion *mr;

        RCU_READ_LOCK_GUARD();
        mr = address_space_translate(&address_space_memory, pa, &xlat, &l,
                                     false, MEMTXATTRS_UNSPECIFIED);
        if (!memory_region_is_ram(mr) || memory_region_is_ram_device(mr) ||
            l == 0) {
            return false;
        }
        memcpy(out, (uint8_t *)memory_region_get_ram_ptr(mr) + xlat, l);
        out += l;
        pa += l;
        len -= l;
    }
    return true;
}

static void st_disarm(SecretTrackerGuest *g)
{
    if (g->entry_hook) {
        exec_hook_unregister(g->entry_hook);
        g->entry_hook = NULL;
    }
    if (g->exit_hook) {
        exec_hook_unregister(g->exit_hook);
        g->exit_hook = NULL;
    }
    g->lstar = 0;
    g->sysret = 0;
    g->validated = false;
    memset(g->percpu, 0, sizeof(g->percpu));
    if (g->prof && g->prof != g->isf) {
        st_linux_profile_free(g->prof);
    }
    g->prof = NULL;
}

static void st_fail(SecretTrackerGuest *g, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* Tracking off with a message; the guest keeps running.  BQL held. */
static void st_fail(SecretTrackerGuest *g, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    trace_secret_tracker_guest_error(msg);
    qemu_mutex_lock(&g->s->lock);
    st_disarm(g);
    qemu_mutex_unlock(&g->s->lock);
    secret_tracker_set_state(g->s, SECRET_TRACKER_STATE_ERROR, msg);
}

static uint64_t st_now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/*
 * The kernel's per-CPU base for @cpu.  At the syscall entry, before
 * swapgs, it is in MSR_KERNEL_GS_BASE; it never changes after boot, so it
 * is read once per vCPU.
 */
static bool st_percpu_base(SecretTrackerGuest *g, CPUState *cpu,
                           bool at_entry, uint64_t *base)
{
    ExecHookSregs sregs;
    unsigned idx = cpu->cpu_index;

    if (idx < EXEC_HOOK_MAX_VCPUS && g->percpu[idx]) {
        *base = g->percpu[idx];
        return true;
    }
    if (!at_entry || !exec_hook_get_sregs(cpu, true, &sregs, NULL) ||
        !st_guest_is_kernel_va(&g->vm, sregs.kernel_gs_base)) {
        return false;
    }
    if (idx < EXEC_HOOK_MAX_VCPUS) {
        g->percpu[idx] = sregs.kernel_gs_base;
    }
    *base = sregs.kernel_gs_base;
    return true;
}

static bool st_task(SecretTrackerGuest *g, uint64_t percpu,
                    StEngineTask *task, uint64_t *task_ptr)
{
    StLinuxTask t;

    if (!st_linux_current_task(&g->kernel, percpu, task_ptr, NULL) ||
        !st_linux_read_task(&g->kernel, *task_ptr, &t, NULL)) {
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
static void st_validate(SecretTrackerGuest *g, uint64_t percpu)
{
    g_autoptr(GError) err = NULL;
    StLinuxTask task;

    if (st_linux_validate(&g->kernel, percpu, &task, &err)) {
        qatomic_set(&g->validated, true);
        secret_tracker_set_state(g->s, SECRET_TRACKER_STATE_ACTIVE, NULL);
        trace_secret_tracker_guest_validated(task.pid, task.comm);
        return;
    }
    exec_hook_disarm(g->entry_hook, NULL);
    exec_hook_disarm(g->exit_hook, NULL);
    secret_tracker_set_state(g->s, SECRET_TRACKER_STATE_ERROR, err->message);
    trace_secret_tracker_guest_error(err->message);
}

static void st_entry(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerGuest *g = opaque;
    SecretTracker *s = g->s;
    const ExecHookRegs *r = ev->regs;
    uint64_t args[ST_ENGINE_NR_ARGS] = {
        r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9
    };
    StEngineTask task;
    uint64_t percpu, task_ptr;

    if (!qatomic_read(&g->validated)) {
        /* Idempotent, so racing vCPUs may both validate. */
        if (st_percpu_base(g, ev->cpu, true, &percpu)) {
            st_validate(g, percpu);
        }
        if (!qatomic_read(&g->validated)) {
            return;
        }
    }
    if ((r->rax & ST_X32_SYSCALL_BIT) || r->rax > UINT32_MAX ||
        st_engine_syscall_family(r->rax) == ST_ENGINE_FAMILY_NONE) {
        return;
    }
    if (!st_percpu_base(g, ev->cpu, true, &percpu) ||
        !st_task(g, percpu, &task, &task_ptr)) {
        qatomic_inc(&g->read_errors);
        trace_secret_tracker_guest_read_error("entry", r->rax);
        return;
    }
    trace_secret_tracker_guest_entry(task.tid, r->rax);
    qemu_mutex_lock(&s->lock);
    g->ev_task = task_ptr;
    g->ev_cr3 = 0;
    st_engine_syscall_entry(s->engine, &task, r->rax, args, st_now_ns());
    qemu_mutex_unlock(&s->lock);
}

static void st_exit(const ExecHookEvent *ev, void *opaque)
{
    SecretTrackerGuest *g = opaque;
    SecretTracker *s = g->s;
    StLinuxPtRegs pt;
    StEngineTask task;
    uint64_t percpu, task_ptr;

    if (!qatomic_read(&g->validated) || !st_engine_has_pending(s->engine)) {
        return;     /* the common case: no guest memory read at all */
    }
    if (!st_percpu_base(g, ev->cpu, false, &percpu)) {
        return;     /* no entry seen on this vCPU yet: nothing to pair */
    }
    if (!st_linux_read_pt_regs(&g->kernel, percpu, &pt, NULL) ||
        st_engine_syscall_family(pt.orig_ax) == ST_ENGINE_FAMILY_NONE) {
        return;
    }
    if (!st_task(g, percpu, &task, &task_ptr)) {
        qatomic_inc(&g->read_errors);
        trace_secret_tracker_guest_read_error("exit", pt.orig_ax);
        return;
    }
    trace_secret_tracker_guest_exit(task.tid, pt.orig_ax,
                                    (int64_t)ev->regs->rax);
    qemu_mutex_lock(&s->lock);
    g->ev_task = task_ptr;
    g->ev_cr3 = 0;
    st_engine_syscall_exit(s->engine, &task, pt.orig_ax,
                           (int64_t)ev->regs->rax, st_now_ns());
    qemu_mutex_unlock(&s->lock);
}

/* Engine callbacks, called with s->lock held from inside an event. */

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
    SecretTrackerGuest *g = opaque;
    uint64_t file;
    StLinuxFile f;

    if (!st_linux_fd_file(&g->kernel, g->ev_task, fd, &file, NULL) ||
        !st_linux_read_file(&g->kernel, file, &f, NULL)) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->kind = st_kind(&f);
    out->dev = f.dev;
    out->ino = f.ino;
    out->flags = f.f_flags;
    out->path_handle[0] = f.dentry;
    out->path_handle[1] = f.vfsmount;
    if (out->kind == ST_ENGINE_KIND_SOCKET) {
        StLinuxSocket sock;

        if (st_linux_read_socket(&g->kernel, file, &sock, NULL)) {
            out->sock_family = sock.family;
            if (sock.family == ST_ENGINE_AF_INET ||
                sock.family == ST_ENGINE_AF_INET6) {
                st_endpoint(&out->local, sock.family, sock.local_addr,
                            sock.local_port);
                if (sock.peer_port) {
                    st_endpoint(&out->peer, sock.family, sock.peer_addr,
                                sock.peer_port);
                }
            }
            out->peer_dev = sock.unix_peer_dev;
            out->peer_ino = sock.unix_peer_ino;
            st_linux_socket_clear(&sock);
        }
    }
    return true;
}

static bool st_get_path(void *opaque, const StEngineObject *obj, char *buf,
                        size_t size)
{
    SecretTrackerGuest *g = opaque;
    g_autofree char *path = st_linux_path(&g->kernel, obj->path_handle[0],
                                          obj->path_handle[1], NULL);

    return path && g_strlcpy(buf, path, size) < size;
}

/* User memory of the current process: its page tables map it. */
static bool st_read_user(SecretTrackerGuest *g, uint64_t va, void *buf,
                         size_t len)
{
    CPUState *cpu = current_cpu;
    ExecHookSregs sregs;

    if (!cpu || !exec_hook_get_sregs(cpu, true, &sregs, NULL)) {
        return false;
    }
    return exec_hook_read_virt(cpu, &sregs, sregs.cr3, va, buf, len);
}

static bool st_read_path_arg(void *opaque, const StEngineTask *task,
                             int dirfd, uint64_t uptr, char *buf,
                             size_t size)
{
    SecretTrackerGuest *g = opaque;
    char name[ST_LINUX_PATH_MAX];
    size_t n, chunk;

    /*
     * A chunk at a time, never across a page edge: the string may end
     * just before an unmapped page.
     */
    for (n = 0; n < sizeof(name); n += chunk) {
        chunk = MIN(64, 4096 - ((uptr + n) & 4095));
        chunk = MIN(chunk, sizeof(name) - n);
        if (!st_read_user(g, uptr + n, name + n, chunk)) {
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

        if (!st_linux_fd_file(&g->kernel, g->ev_task, dirfd, &file, NULL)) {
            return false;
        }
        dir = st_linux_file_path(&g->kernel, file, NULL);
        return dir && snprintf(buf, size, "%s/%s", dir, name) < size;
    } else {
        g_autofree char *cwd = st_linux_cwd(&g->kernel, g->ev_task, NULL);

        return cwd && snprintf(buf, size, "%s%s%s", cwd,
                               g_str_has_suffix(cwd, "/") ? "" : "/",
                               name) < size;
    }
}

static bool st_send_peer(void *opaque, const StEngineTask *task,
                         unsigned nr, const uint64_t *args,
                         StEngineEndpoint *out)
{
    SecretTrackerGuest *g = opaque;
    uint8_t sa[28];
    uint64_t addr = args[4], len = args[5];

    /* sendto(fd, buf, len, flags, dest_addr, addrlen) only */
    if (nr != 44 || !addr || len < 8 || len > sizeof(sa) ||
        !st_read_user(g, addr, sa, len)) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->family = sa[0] | sa[1] << 8;
    out->port = sa[2] << 8 | sa[3];
    if (out->family == ST_ENGINE_AF_INET) {
        memcpy(out->addr, sa + 4, 4);
    } else if (out->family == ST_ENGINE_AF_INET6 && len >= 24) {
        memcpy(out->addr, sa + 8, 16);
    } else {
        return false;
    }
    return true;
}

void secret_tracker_guest_engine_ops(SecretTracker *s, StEngineOps *ops,
                                     void **opaque)
{
    SecretTrackerGuest *g = g_new0(SecretTrackerGuest, 1);

    g->s = s;
    s->guest = g;
    ops->resolve_fd = st_resolve_fd;
    ops->get_path = st_get_path;
    ops->read_path_arg = st_read_path_arg;
    ops->send_peer = st_send_peer;
    *opaque = g;
}

/* Main loop: resolve the paths the engine queued, off the hook path. */
static void st_resolve_paths(void *opaque)
{
    SecretTrackerGuest *g = opaque;
    SecretTracker *s = g->s;
    StEngineObject obj;
    uint64_t node;
    unsigned budget = 256;

    qemu_mutex_lock(&s->lock);
    while (g->prof && budget-- &&
           st_engine_next_path_request(s->engine, &node, &obj)) {
        g_autofree char *path = st_linux_path(&g->kernel, obj.path_handle[0],
                                              obj.path_handle[1], NULL);
        if (path) {
            st_engine_set_path(s->engine, node, path);
        } else {
            trace_secret_tracker_guest_path_error(node);
        }
    }
    qemu_mutex_unlock(&s->lock);
    if (!budget) {
        qemu_bh_schedule(g->paths_bh);
    }
}

void secret_tracker_guest_resolve_paths(SecretTracker *s)
{
    st_resolve_paths(s->guest);
}

void secret_tracker_guest_kick(SecretTracker *s)
{
    qemu_bh_schedule(s->guest->paths_bh);
}

/* Find profile and sites for the kernel whose entry is @lstar, and arm. */
static void st_arm(SecretTrackerGuest *g, X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    g_autoptr(GError) err = NULL;
    StLinuxProfile *prof;
    uint8_t code[ST_SITES_CODE_LEN];
    uint64_t off;
    Error *local_err = NULL;
    ExecHook *entry, *exit;

    st_guest_vm_init(&g->vm, &g->mem, env->cr[3], env->cr[4]);
    if (g->isf) {
        g_autofree char *banner = NULL;
        uint64_t start;

        /* A profile made for another kernel is refused, not half-used. */
        if (st_guest_vtop(&g->vm, env->lstar, &start, NULL, NULL)) {
            banner = st_linux_find_banner(&g->mem, start, NULL, NULL);
        }
        if (!st_linux_profile_check_banner(g->isf, banner, &err)) {
            st_fail(g, "%s", err->message);
            return;
        }
        prof = g->isf;
    } else {
        prof = st_linux_profile_auto(&g->vm, env->lstar, NULL, &err);
        if (!prof) {
            st_fail(g, "no kernel profile: %s; give one with the 'profile' "
                    "property (an ISF file, e.g. made by st-profile-gen)",
                    err->message);
            return;
        }
    }
    if (!st_guest_read(&g->vm, env->lstar, code, sizeof(code), &err) ||
        !st_linux_find_sysret(code, sizeof(code), &off, &err)) {
        if (prof != g->isf) {
            st_linux_profile_free(prof);
        }
        st_fail(g, "cannot find the system call return: %s", err->message);
        return;
    }
    if (prof->has_entry_syscall) {
        int64_t slide;

        if (!st_linux_kaslr_slide(prof, env->lstar, &slide, &err)) {
            if (prof != g->isf) {
                st_linux_profile_free(prof);
            }
            st_fail(g, "profile does not fit this kernel: %s", err->message);
            return;
        }
    }

    entry = exec_hook_register(env->lstar, st_entry, g, &local_err);
    exit = entry ? exec_hook_register(env->lstar + off, st_exit, g,
                                      &local_err) : NULL;
    if (!exit || !exec_hook_arm(entry, NULL, &local_err) ||
        !exec_hook_arm(exit, NULL, &local_err)) {
        if (entry) {
            exec_hook_unregister(entry);
        }
        if (exit) {
            exec_hook_unregister(exit);
        }
        if (prof != g->isf) {
            st_linux_profile_free(prof);
        }
        st_fail(g, "cannot hook the system call path: %s",
                error_get_pretty(local_err));
        error_free(local_err);
        return;
    }

    qemu_mutex_lock(&g->s->lock);
    g->prof = prof;
    g->kernel.vm = &g->vm;
    g->kernel.prof = prof;
    g->lstar = env->lstar;
    g->sysret = env->lstar + off;
    g->entry_hook = entry;
    g->exit_hook = exit;
    g->validated = false;
    qemu_mutex_unlock(&g->s->lock);
    trace_secret_tracker_guest_armed(g->lstar, g->sysret,
                                     st_linux_profile_source_name(
                                         prof->source));
}

static void st_poll(void *opaque)
{
    SecretTrackerGuest *g = opaque;
    SecretTracker *s = g->s;
    X86CPU *cpu = X86_CPU(first_cpu);
    CPUX86State *env = &cpu->env;
    int64_t next = ST_POLL_WAITING_MS;

    cpu_synchronize_state(first_cpu);
    if ((env->hflags & HF_LMA_MASK) && env->lstar &&
        env->lstar != g->lstar && s->state != SECRET_TRACKER_STATE_ERROR) {
        if (g->lstar) {
            /*
             * A new kernel (kexec): start over with its profile.  The vCPUs
             * stop first, so no hook callback still uses the old one.
             */
            pause_all_vcpus();
            qemu_mutex_lock(&s->lock);
            st_disarm(g);
            st_engine_new_boot(s->engine);
            qemu_mutex_unlock(&s->lock);
            resume_all_vcpus();
            secret_tracker_set_state(s, SECRET_TRACKER_STATE_WAITING_FOR_GUEST,
                                     NULL);
        }
        st_arm(g, cpu);
    }
    if (g->lstar) {
        next = ST_POLL_ACTIVE_MS;
        st_resolve_paths(g);
    }
    timer_mod(g->poll, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + next);
}

static void st_reset(void *opaque)
{
    SecretTrackerGuest *g = opaque;

    qemu_mutex_lock(&g->s->lock);
    st_disarm(g);
    st_engine_new_boot(g->s->engine);
    qemu_mutex_unlock(&g->s->lock);
    secret_tracker_set_state(g->s, SECRET_TRACKER_STATE_WAITING_FOR_GUEST,
                             NULL);
    timer_mod(g->poll, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
              ST_POLL_WAITING_MS);
}

bool secret_tracker_guest_realize(SecretTracker *s, Error **errp)
{
    SecretTrackerGuest *g = s->guest;
    g_autoptr(GError) err = NULL;

    g->mem.read_phys = st_read_ram;
    g->mem.opaque = g;
    if (s->profile) {
        g->isf = st_linux_profile_load_isf(s->profile, &err);
        if (!g->isf) {
            error_setg(errp, "secret-tracker property 'profile': %s",
                       err->message);
            return false;
        }
    }
    g->paths_bh = qemu_bh_new(st_resolve_paths, g);
    /* The qtest accelerator runs no guest code: nothing to wait for. */
    if (exec_hook_backend() != EXEC_HOOK_BACKEND_NONE) {
        g->poll = timer_new_ms(QEMU_CLOCK_VIRTUAL, st_poll, g);
        timer_mod(g->poll, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                  ST_POLL_WAITING_MS);
        qemu_register_reset(st_reset, g);
    }
    return true;
}

void secret_tracker_guest_unrealize(SecretTracker *s)
{
    SecretTrackerGuest *g = s->guest;

    if (g->poll) {
        qemu_unregister_reset(st_reset, g);
        timer_free(g->poll);
    }
    qemu_mutex_lock(&s->lock);
    st_disarm(g);
    qemu_mutex_unlock(&s->lock);
    qemu_bh_delete(g->paths_bh);
    st_linux_profile_free(g->isf);
    g_free(g);
    s->guest = NULL;
}

static SecretTrackerHook *st_hook_info(const char *name, ExecHook *hook)
{
    SecretTrackerHook *h = g_new0(SecretTrackerHook, 1);
    ExecHookStats st;

    exec_hook_get_stats(hook, &st);
    h->name = g_strdup(name);
    h->address = exec_hook_addr(hook);
    h->hits = st.hits;
    h->mean_cycles = st.cycles_mean;
    h->p50_cycles = st.cycles_p50;
    h->p99_cycles = st.cycles_p99;
    return h;
}

void secret_tracker_guest_fill_info(SecretTracker *s, SecretTrackerInfo *info)
{
    SecretTrackerGuest *g = s->guest;
    SecretTrackerHookList **tail = &info->hooks;

    if (exec_hook_backend() != EXEC_HOOK_BACKEND_NONE) {
        info->step_over = g_strdup(exec_hook_step_method_name(
                                       exec_hook_step_method()));
    }
    if (g->prof) {
        info->kernel = g_strdup(g->prof->banner);
        info->profile_source = g_strdup(st_linux_profile_source_name(
                                            g->prof->source));
        if (g->prof->source == ST_PROFILE_SOURCE_BTF) {
            info->has_profile_time_us = true;
            info->profile_time_us = g->prof->from_cache ? 0 :
                                    g->prof->btf_time_us;
        }
    }
    if (g->entry_hook) {
        QAPI_LIST_APPEND(tail, st_hook_info("syscall-entry", g->entry_hook));
    }
    if (g->exit_hook) {
        QAPI_LIST_APPEND(tail, st_hook_info("syscall-exit", g->exit_hook));
    }
}

uint64_t secret_tracker_guest_read_errors(SecretTracker *s)
{
    return qatomic_read(&s->guest->read_errors);
}
