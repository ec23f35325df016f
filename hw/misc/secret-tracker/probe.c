/*
 * secret-tracker probe: life cycle
 *
 * Wait until the guest kernel has set MSR_LSTAR, find that kernel
 * (probe-kernel.c), publish it, then arm its hooks, and validate the
 * profile at the first system call.  A reset, or a new kernel (kexec:
 * reboot(LINUX_REBOOT_CMD_KEXEC) seen, or a new LSTAR), starts over.
 *
 * Hook callbacks read the published kernel under RCU; it is replaced,
 * never changed, and hooks are registered and unregistered from the main
 * loop only, never with the engine lock held (a vCPU in a callback may be
 * waiting for that lock while we wait for the vCPU).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qemu/rcu.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"
#include "system/hw_accel.h"
#include "hw/core/cpu.h"
#include "cpu.h"
#include "probe-internal.h"
#include "trace.h"

/* How often to look for the guest kernel's LSTAR (and for a kexec). */
#define ST_POLL_WAITING_MS 100
#define ST_POLL_ACTIVE_MS 1000
/* A kexec that did not happen after this long failed: hook again. */
#define ST_KEXEC_TIMEOUT_MS 5000
/*
 * Polls (ST_POLL_WAITING_MS apart) that may fail to find a kernel whose
 * LSTAR was just set before tracking stops: the vCPU may be caught on
 * its way there (kexec, early boot), its page tables not yet the
 * kernel's.
 */
#define ST_ARM_TRIES 100
/* Paths resolved per main-loop turn before yielding. */
#define ST_PATHS_PER_TURN 256
/* Tracked processes checked for a death by signal per poll */
#define ST_LIVENESS_PER_POLL 32

void st_probe_set_state(SecretTrackerProbe *p, SecretTrackerState state,
                        const char *error)
{
    p->cfg.state_changed(p->cfg.opaque, state, error);
}

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

StProbeVcpu *st_probe_vcpu(SecretTrackerProbe *p, CPUState *cpu,
                           const StProbeKernel *k)
{
    StProbeVcpu *vc;

    if (cpu->cpu_index < 0 || cpu->cpu_index >= EXEC_HOOK_MAX_VCPUS) {
        return NULL;
    }
    vc = &p->vcpu[cpu->cpu_index];
    if (vc->generation != k->generation) {
        /* A new kernel: nothing of the old one's is valid any more. */
        memset(vc, 0, sizeof(*vc));
        vc->generation = k->generation;
        vc->vm = k->vm;
        vc->vm.tlb = &vc->tlb;
        vc->kernel.vm = &vc->vm;
        vc->kernel.prof = k->prof;
    }
    return vc;
}

static void st_kernel_free_rcu(StProbeKernel *k)
{
    st_probe_kernel_free(k);
}

/*
 * Unpublish the kernel and remove its hooks.  BQL held, the engine lock
 * not held.  Callbacks still running finish with the old kernel, which is
 * freed after them (RCU).
 */
static void st_disarm(SecretTrackerProbe *p)
{
    StProbeKernel *k = p->kernel;
    int i;

    if (!k) {
        return;
    }
    qatomic_rcu_set(&p->kernel, NULL);
    for (i = 0; i < ST_SITE__COUNT; i++) {
        if (k->hook[i]) {
            exec_hook_unregister(k->hook[i]);
            k->hook[i] = NULL;
        }
    }
    p->lstar = 0;
    qatomic_set(&p->validated, false);
    call_rcu(k, st_kernel_free_rcu, rcu);
}

static void st_fail(SecretTrackerProbe *p, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* Tracking off with a message; the guest keeps running.  BQL held. */
static void st_fail(SecretTrackerProbe *p, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    trace_secret_tracker_probe_error(msg);
    st_disarm(p);
    qatomic_set(&p->failed, true);
    st_probe_set_state(p, SECRET_TRACKER_STATE_ERROR, msg);
}

/*
 * Main loop: a process killed by a signal makes no exit call.  Check a
 * few tracked processes' leaders each poll, round robin, and end those
 * that exited or whose task_struct is another task's now.  A leader that
 * cannot be read is left alone.
 */
static void st_check_liveness(SecretTrackerProbe *p)
{
    StEngineLiveProcess live[ST_LIVENESS_PER_POLL];
    uint64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    unsigned n, i;
    bool ended;

    qemu_mutex_lock(p->lock);
    if (p->main_kernel.prof && p->engine &&
        p->main_kernel.prof->field[ST_TASK_STRUCT_EXIT_STATE].present) {
        n = st_engine_live_processes(p->engine, &p->liveness_cursor, live,
                                     G_N_ELEMENTS(live));
        for (i = 0; i < n; i++) {
            if (st_linux_task_ended(&p->main_kernel, live[i].leader_id,
                                    live[i].tgid, live[i].start_time,
                                    &ended, NULL) && ended) {
                trace_secret_tracker_probe_process_ended(live[i].tgid);
                st_engine_process_ended(p->engine, live[i].tgid,
                                        live[i].start_time, now);
            }
        }
    }
    qemu_mutex_unlock(p->lock);
}

/* Main loop: resolve the paths the engine queued, off the hook path. */
static void st_resolve_paths(void *opaque)
{
    SecretTrackerProbe *p = opaque;
    StEngineObject obj;
    uint64_t node;
    unsigned done = 0;
    bool more = false;

    qemu_mutex_lock(p->lock);
    while (p->main_kernel.prof && p->engine) {
        g_autofree char *path = NULL;

        if (done == ST_PATHS_PER_TURN) {
            more = true;
            break;
        }
        if (!st_engine_next_path_request(p->engine, &node, &obj)) {
            break;
        }
        done++;
        path = st_probe_queued_path(&p->main_kernel, &obj);
        if (path) {
            st_engine_set_path(p->engine, node, path);
        } else {
            trace_secret_tracker_probe_path_error(node);
        }
    }
    qemu_mutex_unlock(p->lock);
    if (more) {
        qemu_bh_schedule(p->paths_bh);
    }
}

void secret_tracker_probe_resolve_paths(SecretTrackerProbe *p)
{
    st_resolve_paths(p);
}

void secret_tracker_probe_kick(SecretTrackerProbe *p)
{
    qemu_bh_schedule(p->paths_bh);
}

static ExecHookFn st_site_fn(StProbeSite site)
{
    switch (site) {
    case ST_SITE_SYSCALL64:
        return st_probe_syscall64;
    case ST_SITE_RETURN64:
        return st_probe_return64;
    case ST_SITE_SYSCALL32:
    case ST_SITE_INT80:
    case ST_SITE_FAST32:
        return st_probe_syscall32;
    case ST_SITE_IO_URING:
        return st_probe_io_uring;
    case ST_SITE_RETURN32:
    case ST_SITE_RETURN32F:
        return st_probe_return32;
    case ST_SITE_COREDUMP:
        return st_probe_coredump;
    default:
        return NULL;
    }
}

/*
 * Register and arm @k's hooks.  The system-call entry must arm; the
 * others take what is left of KVM's four debug registers, most useful
 * first (compat entries, io_uring); under KVM the return hook is armed
 * per vCPU only while a syscall needs it.  BQL held.
 */
static bool st_arm_hooks(SecretTrackerProbe *p, StProbeKernel *k,
                         Error **errp)
{
    static const StProbeSite order[] = {
        ST_SITE_SYSCALL64, ST_SITE_SYSCALL32, ST_SITE_INT80, ST_SITE_FAST32,
        ST_SITE_IO_URING, ST_SITE_RETURN64, ST_SITE_COREDUMP,
        ST_SITE_RETURN32, ST_SITE_RETURN32F,
    };
    bool kvm = exec_hook_backend() == EXEC_HOOK_BACKEND_KVM;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(order); i++) {
        StProbeSite site = order[i];
        Error *local_err = NULL;

        if (!k->site[site] ||
            ((site == ST_SITE_RETURN32 || site == ST_SITE_RETURN32F) &&
             kvm)) {
            /* KVM: the on-demand 64-bit return needs the last register */
            continue;
        }
        k->hook[site] = exec_hook_register(k->site[site], st_site_fn(site),
                                           p, &local_err);
        if (!k->hook[site]) {
            if (site == ST_SITE_SYSCALL64) {
                error_propagate(errp, local_err);
                return false;
            }
            trace_secret_tracker_probe_site(st_probe_site_name(site),
                                            k->site[site], "not registered");
            error_free(local_err);
            continue;
        }
        if (site == ST_SITE_RETURN64 && kvm) {
            k->return_on_demand = true;
            continue;
        }

        if (!exec_hook_arm(k->hook[site], NULL, &local_err)) {
            if (site == ST_SITE_SYSCALL64) {
                error_propagate(errp, local_err);
                return false;
            }
            trace_secret_tracker_probe_site(st_probe_site_name(site),
                                            k->site[site], "no slot");
            error_free(local_err);
            continue;
        }
        trace_secret_tracker_probe_site(st_probe_site_name(site),
                                        k->site[site], "armed");
        if (site == ST_SITE_COREDUMP) {
            /* KVM: it gives its register up while a return is wanted */
            k->coredump_takes_turns = k->return_on_demand;
        }
    }
    return true;
}

/* Find the kernel whose entry is @cpu's LSTAR, publish it, arm. */
static void st_arm(SecretTrackerProbe *p, X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    g_autoptr(GError) err = NULL;
    Error *local_err = NULL;
    StProbeKernel *k;

    k = st_probe_kernel_new(p, env->lstar, env->cr[3], env->cr[4], &err);
    /* A kernel the profile names as another is refused at once. */
    if (!k && !g_error_matches(err, ST_PROFILE_ERROR,
                               ST_PROFILE_ERROR_WRONG_KERNEL) &&
        ++p->arm_tries < ST_ARM_TRIES) {
        trace_secret_tracker_probe_error(err->message);
        return;                 /* again at the next poll */
    }
    if (!k) {
        st_fail(p, "%s%s", err->message, p->isf ? "" :
                "; give a profile with the 'profile' property (an ISF "
                "file, e.g. made by st-profile-gen)");
        return;
    }
    p->arm_tries = 0;
    k->generation = ++p->generation;
    p->jiffies_va = 0;
    if (k->ksyms) {
        st_kallsyms_address(k->ksyms, "jiffies_64", &p->jiffies_va, NULL);
    }
    p->main_vm = k->vm;
    p->main_vm.tlb = &p->main_tlb;
    st_guest_tlb_flush(&p->main_tlb);
    qemu_mutex_lock(p->lock);
    p->main_kernel.vm = &p->main_vm;
    p->main_kernel.prof = k->prof;
    qemu_mutex_unlock(p->lock);
    p->lstar = env->lstar;
    qatomic_set(&p->validated, false);
    qatomic_set(&p->kexec_pending, false);
    /* Published first: a hit right after arming finds it. */
    qatomic_rcu_set(&p->kernel, k);
    if (!st_arm_hooks(p, k, &local_err)) {
        st_fail(p, "cannot hook the system call path: %s",
                error_get_pretty(local_err));
        error_free(local_err);
        return;
    }
    trace_secret_tracker_probe_armed(k->site[ST_SITE_SYSCALL64],
                                     k->site[ST_SITE_RETURN64],
                                     st_linux_profile_source_name(
                                         k->prof->source));
}

/* A new kernel (kexec, or LSTAR moved): the old boot's state ends. */
static void st_new_kernel(SecretTrackerProbe *p)
{
    st_disarm(p);
    p->arm_tries = 0;
    qemu_mutex_lock(p->lock);
    p->main_kernel.prof = NULL;
    st_engine_new_boot(p->engine);
    qemu_mutex_unlock(p->lock);
    st_probe_set_state(p, SECRET_TRACKER_STATE_WAITING_FOR_GUEST, NULL);
}

/*
 * The same kernel booted again (kexec without KASLR keeps LSTAR): its
 * jiffies started over.  Without the symbol, a kexec that kept LSTAR is
 * taken for a failed one.
 */
static bool st_kernel_restarted(SecretTrackerProbe *p)
{
    uint64_t now;

    return p->kexec_jiffies && p->main_kernel.prof &&
           st_guest_read_u64(&p->main_vm, p->jiffies_va, &now, NULL) &&
           now < p->kexec_jiffies;
}

/*
 * Long after a reboot(KEXEC): does the kernel that asked for it still
 * run?  Its jiffies went on (read through the vCPU's page tables now),
 * or, without the symbol, its entry is still mapped.  A new kernel slow
 * to set its own entry (a loaded host) is neither: keep waiting.
 */
static bool st_kexec_failed(SecretTrackerProbe *p, CPUX86State *env)
{
    uint64_t now, pa;
    StGuestVm vm;

    st_guest_vm_init(&vm, &p->mem, env->cr[3], env->cr[4]);
    if (p->jiffies_va && qatomic_read(&p->kexec_jiffies)) {
        return st_guest_read_u64(&vm, p->jiffies_va, &now, NULL) &&
               now >= qatomic_read(&p->kexec_jiffies);
    }
    return st_guest_vtop(&vm, env->lstar, &pa, NULL, NULL);
}

void st_probe_kexec(SecretTrackerProbe *p, const StProbeKernel *k)
{
    uint64_t jiffies = 0;
    int i;

    /* From a hook callback: disarm (not unregister) every hook now. */
    if (p->jiffies_va) {
        StGuestVm vm = k->vm;

        st_guest_read_u64(&vm, p->jiffies_va, &jiffies, NULL);
    }
    qatomic_set(&p->kexec_jiffies, jiffies);
    qatomic_set(&p->kexec_ms, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL));
    qatomic_set(&p->kexec_pending, true);
    for (i = 0; i < ST_SITE__COUNT; i++) {
        if (k->hook[i]) {
            exec_hook_disarm(k->hook[i], NULL);
        }
    }
}

static void st_poll(void *opaque)
{
    SecretTrackerProbe *p = opaque;
    X86CPU *cpu = X86_CPU(first_cpu);
    CPUX86State *env = &cpu->env;
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL);
    int64_t next = ST_POLL_WAITING_MS;

    cpu_synchronize_state(first_cpu);
    if (p->lstar && qatomic_read(&p->kexec_pending)) {
        /* Hooks are off: wait for the new kernel, or for a failed kexec. */
        if (env->lstar != p->lstar || st_kernel_restarted(p)) {
            st_new_kernel(p);
        } else if (now - qatomic_read(&p->kexec_ms) > ST_KEXEC_TIMEOUT_MS &&
                   st_kexec_failed(p, env)) {
            /* Same entry, the old kernel went on: hook it again. */
            st_disarm(p);
        }
    } else if (p->lstar && env->lstar != p->lstar) {
        st_new_kernel(p);
    }
    if ((env->hflags & HF_LMA_MASK) && env->lstar && !p->lstar &&
        !qatomic_read(&p->failed)) {
        st_arm(p, cpu);
    }
    if (p->lstar) {
        next = ST_POLL_ACTIVE_MS;
        st_resolve_paths(p);
        st_check_liveness(p);
        /* Patterns registered before the kernel was known (-incoming) */
        if (qatomic_read(&p->validated) &&
            p->dcache_generation != p->generation) {
            p->dcache_generation = p->generation;
            st_probe_find_patterns(p);
        }
    }
    timer_mod(p->poll, now + next);
}

void secret_tracker_probe_reset(SecretTrackerProbe *p)
{
    if (!p->poll) {
        return;     /* the qtest accelerator runs no guest code */
    }
    st_disarm(p);
    qemu_mutex_lock(p->lock);
    p->main_kernel.prof = NULL;
    if (p->engine) {
        st_engine_new_boot(p->engine);
    }
    qemu_mutex_unlock(p->lock);
    qatomic_set(&p->failed, false);
    qatomic_set(&p->kexec_pending, false);
    p->arm_tries = 0;
    st_probe_set_state(p, SECRET_TRACKER_STATE_WAITING_FOR_GUEST, NULL);
    timer_mod(p->poll, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
              ST_POLL_WAITING_MS);
}

SecretTrackerProbe *secret_tracker_probe_new(
    const SecretTrackerProbeConfig *cfg, Error **errp)
{
    SecretTrackerProbe *p = g_new0(SecretTrackerProbe, 1);
    g_autoptr(GError) err = NULL;

    p->cfg = *cfg;
    p->cfg.profile = NULL;      /* not kept: the caller owns the string */
    p->lock = cfg->lock;
    p->mem.read_phys = st_read_ram;
    p->mem.opaque = p;
    if (cfg->profile) {
        p->isf = st_linux_profile_load_isf(cfg->profile, &err);
        if (!p->isf) {
            error_setg(errp, "secret-tracker property 'profile': %s",
                       err->message);
            g_free(p);
            return NULL;
        }
    }
    p->paths_bh = qemu_bh_new(st_resolve_paths, p);
    return p;
}

void secret_tracker_probe_engine_ops(SecretTrackerProbe *p, StEngineOps *ops,
                                     void **opaque)
{
    st_probe_fill_engine_ops(ops);
    *opaque = p;
}

void secret_tracker_probe_start(SecretTrackerProbe *p, StEngine *engine)
{
    p->engine = engine;
    /* The qtest accelerator runs no guest code: nothing to wait for. */
    if (exec_hook_backend() != EXEC_HOOK_BACKEND_NONE) {
        p->poll = timer_new_ms(QEMU_CLOCK_VIRTUAL, st_poll, p);
        timer_mod(p->poll, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                  ST_POLL_WAITING_MS);
    }
}

void secret_tracker_probe_free(SecretTrackerProbe *p)
{
    if (!p) {
        return;
    }
    if (p->poll) {
        timer_free(p->poll);
    }
    st_disarm(p);
    /* Callbacks that still held the kernel have finished after this. */
    drain_call_rcu();
    qemu_bh_delete(p->paths_bh);
    st_linux_profile_free(p->isf);
    g_free(p);
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

/* What the profile cannot serve (nothing listed when all is there) */
static void st_fill_disabled_features(const StLinuxProfile *prof,
                                      SecretTrackerDisabledFeatureList **list)
{
    SecretTrackerDisabledFeatureList **tail = list;
    unsigned i;

    for (i = 0; i < ST_FEATURE__COUNT; i++) {
        char *reason = st_linux_profile_feature_missing(prof, i);
        SecretTrackerDisabledFeature *f;

        if (reason) {
            f = g_new0(SecretTrackerDisabledFeature, 1);
            f->feature = g_strdup(st_linux_feature_name(i));
            f->reason = reason;
            QAPI_LIST_APPEND(tail, f);
        }
    }
}

void secret_tracker_probe_fill_info(SecretTrackerProbe *p,
                                    SecretTrackerInfo *info)
{
    SecretTrackerHookList **tail = &info->hooks;
    StProbeKernel *k = p->kernel;   /* main loop: the BQL keeps it */
    int i;

    if (exec_hook_backend() != EXEC_HOOK_BACKEND_NONE) {
        info->step_over = g_strdup(exec_hook_step_method_name(
                                       exec_hook_step_method()));
    }
    if (!k) {
        return;
    }
    info->kernel = g_strdup(k->prof->banner);
    info->profile_source = g_strdup(st_linux_profile_source_name(
                                        k->prof->source));
    if (k->prof->source == ST_PROFILE_SOURCE_BTF) {
        info->has_profile_time_us = true;
        info->profile_time_us = st_linux_profile_time_us(k->prof);
    }
    st_fill_disabled_features(k->prof, &info->disabled_features);
    for (i = 0; i < ST_SITE__COUNT; i++) {
        if (k->hook[i]) {
            QAPI_LIST_APPEND(tail, st_hook_info(st_probe_site_name(i),
                                                k->hook[i]));
        }
    }
}

uint64_t secret_tracker_probe_read_errors(SecretTrackerProbe *p)
{
    return qatomic_read(&p->read_errors);
}

void secret_tracker_probe_alerts(SecretTrackerProbe *p, uint64_t *compat64,
                                 uint64_t *trap_flag)
{
    *compat64 = qatomic_read(&p->alerts_compat64);
    *trap_flag = qatomic_read(&p->alerts_trap_flag);
}
