/*
 * secret-tracker probe: life cycle
 *
 * Wait until the guest kernel has set MSR_LSTAR, find its profile (the
 * in-guest BTF, or the ISF file given) and its sysretq site, arm hooks at
 * both, and validate the profile at the first system call.  A reset, or
 * a new LSTAR (kexec), starts over.
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
#include "system/cpus.h"
#include "system/hw_accel.h"
#include "hw/core/cpu.h"
#include "cpu.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"
#include "probe-internal.h"
#include "trace.h"

/* How often to look for the guest kernel's LSTAR (and for a kexec). */
#define ST_POLL_WAITING_MS 100
#define ST_POLL_ACTIVE_MS 1000

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

static void st_disarm(SecretTrackerProbe *p)
{
    if (p->entry_hook) {
        exec_hook_unregister(p->entry_hook);
        p->entry_hook = NULL;
    }
    if (p->exit_hook) {
        exec_hook_unregister(p->exit_hook);
        p->exit_hook = NULL;
    }
    p->lstar = 0;
    p->sysret = 0;
    p->validated = false;
    memset(p->percpu, 0, sizeof(p->percpu));
    if (p->prof && p->prof != p->isf) {
        st_linux_profile_free(p->prof);
    }
    p->prof = NULL;
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
    qemu_mutex_lock(p->lock);
    st_disarm(p);
    qemu_mutex_unlock(p->lock);
    qatomic_set(&p->failed, true);
    st_probe_set_state(p, SECRET_TRACKER_STATE_ERROR, msg);
}

/* Main loop: resolve the paths the engine queued, off the hook path. */
static void st_resolve_paths(void *opaque)
{
    SecretTrackerProbe *p = opaque;
    StEngineObject obj;
    uint64_t node;
    unsigned budget = 256;

    qemu_mutex_lock(p->lock);
    while (p->prof && budget-- &&
           st_engine_next_path_request(p->engine, &node, &obj)) {
        g_autofree char *path = st_linux_path(&p->kernel, obj.path_handle[0],
                                              obj.path_handle[1], NULL);
        if (path) {
            st_engine_set_path(p->engine, node, path);
        } else {
            trace_secret_tracker_probe_path_error(node);
        }
    }
    qemu_mutex_unlock(p->lock);
    if (!budget) {
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

/* Find profile and sites for the kernel whose entry is @lstar, and arm. */
static void st_arm(SecretTrackerProbe *p, X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    g_autoptr(GError) err = NULL;
    StLinuxProfile *prof;
    uint8_t code[ST_SITES_CODE_LEN];
    uint64_t off;
    Error *local_err = NULL;
    ExecHook *entry, *exit;

    st_guest_vm_init(&p->vm, &p->mem, env->cr[3], env->cr[4]);
    if (p->isf) {
        g_autofree char *banner = NULL;
        uint64_t start;

        /* A profile made for another kernel is refused, not half-used. */
        if (st_guest_vtop(&p->vm, env->lstar, &start, NULL, NULL)) {
            banner = st_linux_find_banner(&p->mem, start, NULL, NULL);
        }
        if (!st_linux_profile_check_banner(p->isf, banner, &err)) {
            st_fail(p, "%s", err->message);
            return;
        }
        prof = p->isf;
    } else {
        prof = st_linux_profile_auto(&p->vm, env->lstar, NULL, &err);
        if (!prof) {
            st_fail(p, "no kernel profile: %s; give one with the 'profile' "
                    "property (an ISF file, e.g. made by st-profile-gen)",
                    err->message);
            return;
        }
    }
    if (!st_guest_read(&p->vm, env->lstar, code, sizeof(code), &err) ||
        !st_linux_find_sysret(code, sizeof(code), &off, &err)) {
        if (prof != p->isf) {
            st_linux_profile_free(prof);
        }
        st_fail(p, "cannot find the system call return: %s", err->message);
        return;
    }
    if (prof->has_entry_syscall) {
        int64_t slide;

        if (!st_linux_kaslr_slide(prof, env->lstar, &slide, &err)) {
            if (prof != p->isf) {
                st_linux_profile_free(prof);
            }
            st_fail(p, "profile does not fit this kernel: %s", err->message);
            return;
        }
    }

    entry = exec_hook_register(env->lstar, st_probe_entry, p, &local_err);
    exit = entry ? exec_hook_register(env->lstar + off, st_probe_exit, p,
                                      &local_err) : NULL;
    if (!exit || !exec_hook_arm(entry, NULL, &local_err) ||
        !exec_hook_arm(exit, NULL, &local_err)) {
        if (entry) {
            exec_hook_unregister(entry);
        }
        if (exit) {
            exec_hook_unregister(exit);
        }
        if (prof != p->isf) {
            st_linux_profile_free(prof);
        }
        st_fail(p, "cannot hook the system call path: %s",
                error_get_pretty(local_err));
        error_free(local_err);
        return;
    }

    qemu_mutex_lock(p->lock);
    p->prof = prof;
    p->kernel.vm = &p->vm;
    p->kernel.prof = prof;
    p->lstar = env->lstar;
    p->sysret = env->lstar + off;
    p->entry_hook = entry;
    p->exit_hook = exit;
    p->validated = false;
    qemu_mutex_unlock(p->lock);
    trace_secret_tracker_probe_armed(p->lstar, p->sysret,
                                     st_linux_profile_source_name(
                                         prof->source));
}

static void st_poll(void *opaque)
{
    SecretTrackerProbe *p = opaque;
    X86CPU *cpu = X86_CPU(first_cpu);
    CPUX86State *env = &cpu->env;
    int64_t next = ST_POLL_WAITING_MS;

    cpu_synchronize_state(first_cpu);
    if ((env->hflags & HF_LMA_MASK) && env->lstar &&
        env->lstar != p->lstar && !qatomic_read(&p->failed)) {
        if (p->lstar) {
            /*
             * A new kernel (kexec): start over with its profile.  The vCPUs
             * stop first, so no hook callback still uses the old one.
             */
            pause_all_vcpus();
            qemu_mutex_lock(p->lock);
            st_disarm(p);
            st_engine_new_boot(p->engine);
            qemu_mutex_unlock(p->lock);
            resume_all_vcpus();
            st_probe_set_state(p, SECRET_TRACKER_STATE_WAITING_FOR_GUEST,
                               NULL);
        }
        st_arm(p, cpu);
    }
    if (p->lstar) {
        next = ST_POLL_ACTIVE_MS;
        st_resolve_paths(p);
    }
    timer_mod(p->poll, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + next);
}

void secret_tracker_probe_reset(SecretTrackerProbe *p)
{
    if (!p->poll) {
        return;     /* the qtest accelerator runs no guest code */
    }
    qemu_mutex_lock(p->lock);
    st_disarm(p);
    if (p->engine) {
        st_engine_new_boot(p->engine);
    }
    qemu_mutex_unlock(p->lock);
    qatomic_set(&p->failed, false);
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
    qemu_mutex_lock(p->lock);
    st_disarm(p);
    qemu_mutex_unlock(p->lock);
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

    if (exec_hook_backend() != EXEC_HOOK_BACKEND_NONE) {
        info->step_over = g_strdup(exec_hook_step_method_name(
                                       exec_hook_step_method()));
    }
    if (p->prof) {
        info->kernel = g_strdup(p->prof->banner);
        info->profile_source = g_strdup(st_linux_profile_source_name(
                                            p->prof->source));
        if (p->prof->source == ST_PROFILE_SOURCE_BTF) {
            info->has_profile_time_us = true;
            info->profile_time_us = st_linux_profile_time_us(p->prof);
        }
        st_fill_disabled_features(p->prof, &info->disabled_features);
    }
    if (p->entry_hook) {
        QAPI_LIST_APPEND(tail, st_hook_info("syscall-entry", p->entry_hook));
    }
    if (p->exit_hook) {
        QAPI_LIST_APPEND(tail, st_hook_info("syscall-exit", p->exit_hook));
    }
}

uint64_t secret_tracker_probe_read_errors(SecretTrackerProbe *p)
{
    return qatomic_read(&p->read_errors);
}
