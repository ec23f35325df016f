/*
 * Execution hooks: the accelerator-neutral core (hook table, arming,
 * dispatch, counters, guest-virtual reads).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/error-report.h"
#include "qemu/host-utils.h"
#include "qemu/main-loop.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "hw/core/cpu.h"
#include "hw/qdev-core.h"
#include "exec/exec-hook-backend.h"
#include "trace.h"

/* Log-linear histogram: 16 buckets per power of two (6.25% wide). */
#define EXEC_HOOK_HIST_SUB_BITS 4
#define EXEC_HOOK_HIST_SUB (1 << EXEC_HOOK_HIST_SUB_BITS)
#define EXEC_HOOK_HIST_BUCKETS \
    ((64 - EXEC_HOOK_HIST_SUB_BITS + 1) * EXEC_HOOK_HIST_SUB)

struct ExecHook {
    bool in_use;
    uint64_t addr;
    ExecHookFn fn;
    void *opaque;
    uint64_t armed;             /* one bit per cpu_index */
    uint64_t hits;
    uint64_t cycles_total;
    uint64_t cycles_max;
    uint64_t hist[EXEC_HOOK_HIST_BUCKETS];
};

static ExecHook exec_hook_table[EXEC_HOOK_MAX];
static ExecHookVcpu exec_hook_vcpus[EXEC_HOOK_MAX_VCPUS];
/* Serialises register/arm/disarm; the hit path reads with atomics. */
static QemuMutex exec_hook_lock;
static ExecHookStepPolicy exec_hook_policy;
static int exec_hook_method = EXEC_HOOK_STEP_PROBING;
static bool exec_hook_hit_seen;
static char *exec_hook_off_reason;
bool exec_hook_inject_failure;
bool exec_hook_kvm_use_sync_regs = true;

/* Backends built into this binary, one per accelerator at most. */
#define EXEC_HOOK_MAX_BACKENDS 4
static const ExecHookBackendOps *exec_hook_backends[EXEC_HOOK_MAX_BACKENDS];

static void __attribute__((constructor)) exec_hook_init(void)
{
    int i;

    qemu_mutex_init(&exec_hook_lock);
    for (i = 0; i < EXEC_HOOK_MAX_VCPUS; i++) {
        qemu_spin_init(&exec_hook_vcpus[i].kvm_lock);
    }
}

void exec_hook_backend_register(const ExecHookBackendOps *ops)
{
    int i;

    for (i = 0; i < EXEC_HOOK_MAX_BACKENDS; i++) {
        if (!exec_hook_backends[i]) {
            exec_hook_backends[i] = ops;
            return;
        }
    }
    g_assert_not_reached();
}

/* The backend of the accelerator the VM runs on, if it has one. */
static const ExecHookBackendOps *exec_hook_ops(void)
{
    int i;

    for (i = 0; i < EXEC_HOOK_MAX_BACKENDS && exec_hook_backends[i]; i++) {
        if (exec_hook_backends[i]->enabled()) {
            return exec_hook_backends[i];
        }
    }
    return NULL;
}

ExecHookBackend exec_hook_backend(void)
{
    const ExecHookBackendOps *ops = exec_hook_ops();

    return ops ? ops->kind : EXEC_HOOK_BACKEND_NONE;
}

const char *exec_hook_backend_name(ExecHookBackend backend)
{
    switch (backend) {
    case EXEC_HOOK_BACKEND_KVM:
        return "kvm";
    case EXEC_HOOK_BACKEND_TCG:
        return "tcg";
    default:
        return "none";
    }
}

const char *exec_hook_step_method_name(ExecHookStepMethod method)
{
    switch (method) {
    case EXEC_HOOK_STEP_RF:
        return "rf";
    case EXEC_HOOK_STEP_SINGLESTEP:
        return "single-step";
    case EXEC_HOOK_STEP_TCG_ONE_INSN:
        return "tcg-one-insn";
    default:
        return "probing";
    }
}

ExecHookStepMethod exec_hook_step_method(void)
{
    if (exec_hook_backend() == EXEC_HOOK_BACKEND_TCG) {
        return EXEC_HOOK_STEP_TCG_ONE_INSN;
    }
    if (exec_hook_policy == EXEC_HOOK_POLICY_FORCE_SINGLESTEP) {
        return EXEC_HOOK_STEP_SINGLESTEP;
    }
    return qatomic_read(&exec_hook_method);
}

void exec_hook_set_step_method(ExecHookStepMethod method)
{
    qatomic_set(&exec_hook_method, method);
    trace_exec_hook_step_method(exec_hook_step_method_name(method));
}

ExecHookStepPolicy exec_hook_step_policy(void)
{
    return exec_hook_policy;
}

bool exec_hook_set_step_policy(ExecHookStepPolicy policy, Error **errp)
{
    if (policy != exec_hook_policy && qatomic_read(&exec_hook_hit_seen)) {
        error_setg(errp, "exec-hook: the step-over policy can only change "
                   "before the first hook hit");
        return false;
    }
    exec_hook_policy = policy;
    return true;
}

const char *exec_hook_disabled_reason(void)
{
    return qatomic_read(&exec_hook_off_reason);
}

bool exec_hook_active(void)
{
    return !qatomic_read(&exec_hook_off_reason);
}

void exec_hook_disable(const char *reason)
{
    char *msg = g_strdup(reason);

    if (qatomic_cmpxchg(&exec_hook_off_reason, NULL, msg) != NULL) {
        g_free(msg);
        return;
    }
    trace_exec_hook_disabled(reason);
    error_report("exec-hook: execution hooks disabled: %s; "
                 "the VM keeps running without them", reason);
}

ExecHookVcpu *exec_hook_vcpu(CPUState *cpu)
{
    if (cpu->cpu_index < 0 || cpu->cpu_index >= EXEC_HOOK_MAX_VCPUS) {
        return NULL;
    }
    return &exec_hook_vcpus[cpu->cpu_index];
}

static uint64_t exec_hook_cpu_bit(CPUState *cpu)
{
    return 1ULL << cpu->cpu_index;
}

ExecHook *exec_hook_find_armed(CPUState *cpu, uint64_t addr)
{
    uint64_t bit = exec_hook_cpu_bit(cpu);
    int i;

    for (i = 0; i < EXEC_HOOK_MAX; i++) {
        ExecHook *h = &exec_hook_table[i];

        if ((qatomic_read(&h->armed) & bit) &&
            qatomic_read(&h->addr) == addr) {
            return h;
        }
    }
    return NULL;
}

int exec_hook_armed_addrs(CPUState *cpu, uint64_t *addrs, int max)
{
    uint64_t bit = exec_hook_cpu_bit(cpu);
    int i, n = 0;

    if (!exec_hook_active()) {
        return 0;
    }
    for (i = 0; i < EXEC_HOOK_MAX && n < max; i++) {
        ExecHook *h = &exec_hook_table[i];

        if (qatomic_read(&h->armed) & bit) {
            addrs[n++] = qatomic_read(&h->addr);
        }
    }
    return n;
}

static unsigned exec_hook_hist_index(uint64_t v)
{
    unsigned e;

    if (v < EXEC_HOOK_HIST_SUB) {
        return v;
    }
    e = 63 - clz64(v);
    return ((e - EXEC_HOOK_HIST_SUB_BITS + 1) << EXEC_HOOK_HIST_SUB_BITS) |
           ((v >> (e - EXEC_HOOK_HIST_SUB_BITS)) & (EXEC_HOOK_HIST_SUB - 1));
}

static uint64_t exec_hook_hist_lower(unsigned idx)
{
    unsigned e;

    if (idx < EXEC_HOOK_HIST_SUB) {
        return idx;
    }
    e = (idx >> EXEC_HOOK_HIST_SUB_BITS) + EXEC_HOOK_HIST_SUB_BITS - 1;
    return (uint64_t)(EXEC_HOOK_HIST_SUB | (idx & (EXEC_HOOK_HIST_SUB - 1)))
           << (e - EXEC_HOOK_HIST_SUB_BITS);
}

void exec_hook_dispatch(ExecHook *hook, CPUState *cpu,
                        const ExecHookRegs *regs)
{
    ExecHookFn fn = qatomic_read(&hook->fn);
    ExecHookEvent ev = {
        .cpu = cpu,
        .hook = hook,
        .addr = qatomic_read(&hook->addr),
        .regs = regs,
    };
    uint64_t t0, dt, max;

    if (!fn) {
        return;
    }
    qatomic_set(&exec_hook_hit_seen, true);
    t0 = cpu_get_host_ticks();
    fn(&ev, hook->opaque);
    dt = cpu_get_host_ticks() - t0;

    qatomic_inc(&hook->hits);
    qatomic_add(&hook->cycles_total, dt);
    qatomic_inc(&hook->hist[exec_hook_hist_index(dt)]);
    max = qatomic_read(&hook->cycles_max);
    while (dt > max) {
        uint64_t seen = qatomic_cmpxchg(&hook->cycles_max, max, dt);

        if (seen == max) {
            break;
        }
        max = seen;
    }
    trace_exec_hook_hit(cpu->cpu_index, ev.addr, dt);
}

void exec_hook_count_exit(CPUState *cpu)
{
    ExecHookVcpu *v = exec_hook_vcpu(cpu);

    if (v) {
        qatomic_set(&v->exits, v->exits + 1);
    }
}

uint64_t exec_hook_vcpu_exits(CPUState *cpu)
{
    ExecHookVcpu *v = exec_hook_vcpu(cpu);

    return v ? qatomic_read(&v->exits) : 0;
}

uint64_t exec_hook_vcpu_exit_cycles(CPUState *cpu)
{
    ExecHookVcpu *v = exec_hook_vcpu(cpu);

    return v ? qatomic_read(&v->exit_cycles) : 0;
}

static uint64_t exec_hook_percentile(const ExecHook *hook, uint64_t total,
                                     unsigned pct)
{
    uint64_t want = (total * pct + 99) / 100;
    uint64_t seen = 0;
    unsigned i;

    for (i = 0; i < EXEC_HOOK_HIST_BUCKETS; i++) {
        seen += qatomic_read(&hook->hist[i]);
        if (seen >= want && seen > 0) {
            return exec_hook_hist_lower(i);
        }
    }
    return 0;
}

void exec_hook_get_stats(const ExecHook *hook, ExecHookStats *st)
{
    uint64_t counted = 0;
    unsigned i;

    memset(st, 0, sizeof(*st));
    st->hits = qatomic_read(&hook->hits);
    st->cycles_total = qatomic_read(&hook->cycles_total);
    st->cycles_max = qatomic_read(&hook->cycles_max);
    for (i = 0; i < EXEC_HOOK_HIST_BUCKETS; i++) {
        counted += qatomic_read(&hook->hist[i]);
    }
    if (counted) {
        st->cycles_mean = st->cycles_total / MAX(st->hits, 1);
        st->cycles_p50 = exec_hook_percentile(hook, counted, 50);
        st->cycles_p99 = exec_hook_percentile(hook, counted, 99);
    }
}

uint64_t exec_hook_addr(const ExecHook *hook)
{
    return hook->addr;
}

bool exec_hook_is_armed(const ExecHook *hook, CPUState *cpu)
{
    uint64_t armed = qatomic_read(&hook->armed);

    return cpu ? !!(armed & exec_hook_cpu_bit(cpu)) : armed != 0;
}

/* Hooks can be set once the machine exists and its accelerator can. */
static bool exec_hook_guest_ready(Error **errp)
{
    const ExecHookBackendOps *ops;

    if (!phase_check(PHASE_MACHINE_READY) || !first_cpu) {
        error_setg(errp, "exec-hook: no guest has booted yet; hooks can be "
                   "set once the machine is ready (start with -S and set "
                   "them through QMP before 'cont')");
        return false;
    }
    ops = exec_hook_ops();
    if (!ops) {
        error_setg(errp, "exec-hook: this accelerator has no execution-hook "
                   "backend; use -accel kvm or -accel tcg");
        return false;
    }
    if (!exec_hook_active()) {
        error_setg(errp, "exec-hook: execution hooks are disabled: %s",
                   exec_hook_disabled_reason());
        return false;
    }
    return ops->available(errp);
}

static bool exec_hook_canonical(uint64_t addr)
{
    /* 48-bit canonical, or 57-bit when a vCPU runs with LA57. */
    bool la57 = false;
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        ExecHookVcpu *v = exec_hook_vcpu(cpu);

        if (v && v->sregs_valid && (v->sregs.cr4 & (1ULL << 12))) {
            la57 = true;
        }
    }
    if (la57) {
        return (uint64_t)((int64_t)(addr << 7) >> 7) == addr;
    }
    return (uint64_t)((int64_t)(addr << 16) >> 16) == addr;
}

ExecHook *exec_hook_register(uint64_t addr, ExecHookFn fn, void *opaque,
                             Error **errp)
{
    ExecHook *hook = NULL;
    int i;

    if (!exec_hook_guest_ready(errp)) {
        return NULL;
    }
    if (!exec_hook_canonical(addr)) {
        error_setg(errp, "exec-hook: address 0x%" PRIx64 " is not canonical; "
                   "give the guest-virtual address of an instruction",
                   addr);
        trace_exec_hook_error("non-canonical address");
        return NULL;
    }
    qemu_mutex_lock(&exec_hook_lock);
    for (i = 0; i < EXEC_HOOK_MAX; i++) {
        if (!exec_hook_table[i].in_use) {
            hook = &exec_hook_table[i];
            memset(hook, 0, sizeof(*hook));
            hook->in_use = true;
            hook->addr = addr;
            hook->opaque = opaque;
            qatomic_set(&hook->fn, fn);
            break;
        }
    }
    qemu_mutex_unlock(&exec_hook_lock);
    if (!hook) {
        error_setg(errp, "exec-hook: all %d hook entries are in use",
                   EXEC_HOOK_MAX);
        return NULL;
    }
    trace_exec_hook_register(i, addr);
    return hook;
}

static void exec_hook_apply_work(CPUState *cpu, run_on_cpu_data data)
{
    const ExecHookBackendOps *ops = exec_hook_ops();
    ExecHookVcpu *v = exec_hook_vcpu(cpu);

    if (!ops) {
        return;
    }
    ops->apply(cpu);
    /*
     * Cache the system registers at the first arm, for cheap use on hits;
     * arming again (per vCPU, from a hook) must not cost two more ioctls.
     */
    if (v && !v->sregs_valid && exec_hook_active()) {
        ExecHookSregs sregs;

        if (ops->read_sregs(cpu, &sregs, NULL)) {
            v->sregs = sregs;
            v->sregs_valid = true;
        }
    }
}

/* Make @cpu's armed set effective, from whatever thread we are on. */
static void exec_hook_sync_vcpu(CPUState *cpu)
{
    if (qemu_cpu_is_self(cpu)) {
        exec_hook_apply_work(cpu, RUN_ON_CPU_NULL);
    } else if (bql_locked()) {
        run_on_cpu(cpu, exec_hook_apply_work, RUN_ON_CPU_NULL);
    } else {
        async_run_on_cpu(cpu, exec_hook_apply_work, RUN_ON_CPU_NULL);
    }
}

static int exec_hook_count_on(CPUState *cpu, const ExecHook *except)
{
    uint64_t bit = exec_hook_cpu_bit(cpu);
    int i, n = 0;

    for (i = 0; i < EXEC_HOOK_MAX; i++) {
        const ExecHook *h = &exec_hook_table[i];

        if (h != except && (qatomic_read(&h->armed) & bit)) {
            n++;
        }
    }
    return n;
}

bool exec_hook_arm(ExecHook *hook, CPUState *cpu, Error **errp)
{
    const ExecHookBackendOps *ops;
    uint64_t mask = 0;
    CPUState *c;
    int slots;

    if (!exec_hook_guest_ready(errp)) {
        return false;
    }
    ops = exec_hook_ops();
    qemu_mutex_lock(&exec_hook_lock);
    slots = ops->slots_for_hooks();
    CPU_FOREACH(c) {
        if (cpu && c != cpu) {
            continue;
        }
        if (!exec_hook_vcpu(c)) {
            qemu_mutex_unlock(&exec_hook_lock);
            error_setg(errp, "exec-hook: vCPU %d is beyond the %d vCPUs "
                       "hooks support", c->cpu_index, EXEC_HOOK_MAX_VCPUS);
            return false;
        }
        if (slots >= 0 && exec_hook_count_on(c, hook) + 1 > slots) {
            qemu_mutex_unlock(&exec_hook_lock);
            error_setg(errp, "exec-hook: no free debug-register slot on "
                       "vCPU %d for 0x%" PRIx64 ": %d slots in all, %d held "
                       "by gdbstub hardware breakpoints, %d by hooks; "
                       "disarm a hook or remove a breakpoint",
                       c->cpu_index, hook->addr, EXEC_HOOK_KVM_SLOTS,
                       EXEC_HOOK_KVM_SLOTS - slots,
                       exec_hook_count_on(c, hook));
            trace_exec_hook_error("no free debug-register slot");
            return false;
        }
        mask |= exec_hook_cpu_bit(c);
    }
    qatomic_or(&hook->armed, mask);
    qemu_mutex_unlock(&exec_hook_lock);
    trace_exec_hook_arm(hook->addr, cpu ? cpu->cpu_index : -1);
    CPU_FOREACH(c) {
        if (mask & exec_hook_cpu_bit(c)) {
            exec_hook_sync_vcpu(c);
        }
    }
    return true;
}

bool exec_hook_swap(ExecHook *out, ExecHook *in, CPUState *cpu,
                    Error **errp)
{
    uint64_t bit = exec_hook_cpu_bit(cpu);
    int slots;

    if (!exec_hook_guest_ready(errp)) {
        return false;
    }
    if (!exec_hook_vcpu(cpu)) {
        error_setg(errp, "exec-hook: vCPU %d is beyond the %d vCPUs hooks "
                   "support", cpu->cpu_index, EXEC_HOOK_MAX_VCPUS);
        return false;
    }
    qemu_mutex_lock(&exec_hook_lock);
    slots = exec_hook_ops()->slots_for_hooks();
    /* @out's slot is free for @in: count neither */
    if (slots >= 0 &&
        exec_hook_count_on(cpu, in) -
        (out && (qatomic_read(&out->armed) & bit) ? 1 : 0) + 1 > slots) {
        qemu_mutex_unlock(&exec_hook_lock);
        error_setg(errp, "exec-hook: no free debug-register slot on vCPU %d "
                   "for 0x%" PRIx64, cpu->cpu_index, in->addr);
        trace_exec_hook_error("no free debug-register slot");
        return false;
    }
    if (out) {
        qatomic_and(&out->armed, ~bit);
    }
    qatomic_or(&in->armed, bit);
    qemu_mutex_unlock(&exec_hook_lock);
    trace_exec_hook_arm(in->addr, cpu->cpu_index);
    exec_hook_sync_vcpu(cpu);
    return true;
}

void exec_hook_disarm(ExecHook *hook, CPUState *cpu)
{
    uint64_t mask, was;
    CPUState *c;

    mask = cpu ? exec_hook_cpu_bit(cpu) : ~0ULL;
    qemu_mutex_lock(&exec_hook_lock);
    was = qatomic_fetch_and(&hook->armed, ~mask);
    qemu_mutex_unlock(&exec_hook_lock);
    trace_exec_hook_disarm(hook->addr, cpu ? cpu->cpu_index : -1);
    CPU_FOREACH(c) {
        if (was & mask & exec_hook_cpu_bit(c)) {
            exec_hook_sync_vcpu(c);
        }
    }
}

void exec_hook_unregister(ExecHook *hook)
{
    bool any = false;
    int i;

    qatomic_set(&hook->fn, NULL);
    exec_hook_disarm(hook, NULL);
    trace_exec_hook_unregister(hook->addr);
    qemu_mutex_lock(&exec_hook_lock);
    hook->in_use = false;
    for (i = 0; i < EXEC_HOOK_MAX; i++) {
        any |= exec_hook_table[i].in_use;
    }
    if (!any) {
        /* The next user may come with a new kernel: drop cached sregs. */
        for (i = 0; i < EXEC_HOOK_MAX_VCPUS; i++) {
            qatomic_set(&exec_hook_vcpus[i].sregs_valid, false);
        }
    }
    qemu_mutex_unlock(&exec_hook_lock);
}

bool exec_hook_get_sregs(CPUState *cpu, bool refresh, ExecHookSregs *out,
                         Error **errp)
{
    const ExecHookBackendOps *ops = exec_hook_ops();
    ExecHookVcpu *v = exec_hook_vcpu(cpu);

    if (!ops || !v) {
        error_setg(errp, "exec-hook: no hook backend for this vCPU");
        return false;
    }
    if (refresh || !v->sregs_valid) {
        if (!ops->read_sregs(cpu, &v->sregs, errp)) {
            return false;
        }
        v->sregs_valid = true;
    }
    *out = v->sregs;
    return true;
}
