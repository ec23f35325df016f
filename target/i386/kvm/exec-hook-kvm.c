/*
 * Execution hooks: x86 KVM backend.  Hooks are execute breakpoints in
 * the debug registers, set with KVM_SET_GUEST_DEBUG next to gdbstub's,
 * so the guest's own DR0-7 stay its own.  Exits are classified by DR6
 * and by what we programmed, never by the exit's dr7 (stale on some
 * hosts).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "cpu.h"
#include "system/kvm.h"
#include "exec/exec-hook-backend.h"
#include "target/i386/exec-hook-x86.h"
#include "exec-hook-kvm.h"
#include "trace.h"

/* KVM_GUESTDBG_BLOCKIRQ when the host has it, so a step stays one insn. */
static uint32_t exec_hook_kvm_blockirq;
/*
 * Whether KVM stores the general registers in kvm_run at every exit
 * (KVM_CAP_SYNC_REGS).  While hooks are armed on a vCPU we ask for it:
 * it adds about 0.2 us to each KVM_RUN but saves a KVM_GET_REGS (about
 * 4.7 us) per hit on the development host.
 */
static bool exec_hook_kvm_sync_regs;

/*
 * What the host's KVM can do, asked once: every register and arm checks
 * availability, and each KVM_CHECK_EXTENSION is an ioctl.
 */
static int exec_hook_kvm_probed;    /* 0: not yet, 1: usable, -1: not */

static bool exec_hook_kvm_available(Error **errp)
{
    int flags;

    if (!exec_hook_kvm_probed) {
        exec_hook_kvm_probed =
            kvm_check_extension(kvm_state, KVM_CAP_SET_GUEST_DEBUG) > 0 ?
            1 : -1;
        exec_hook_kvm_sync_regs = exec_hook_kvm_use_sync_regs &&
            (kvm_check_extension(kvm_state, KVM_CAP_SYNC_REGS) &
             KVM_SYNC_X86_REGS);
#ifdef KVM_GUESTDBG_BLOCKIRQ
        flags = kvm_check_extension(kvm_state, KVM_CAP_SET_GUEST_DEBUG2);
        if (flags > 0 && (flags & KVM_GUESTDBG_BLOCKIRQ)) {
            exec_hook_kvm_blockirq = KVM_GUESTDBG_BLOCKIRQ;
        }
#else
        flags = 0;
        (void)flags;
#endif
    }
    if (exec_hook_kvm_probed < 0) {
        error_setg(errp, "exec-hook: this KVM has no KVM_SET_GUEST_DEBUG, "
                   "which hooks need");
        return false;
    }
    return true;
}

static int exec_hook_kvm_slots_for_hooks(void)
{
    return EXEC_HOOK_KVM_SLOTS - kvm_arch_hw_breakpoint_count();
}

int exec_hook_kvm_slots_in_use(void)
{
    uint64_t addrs[EXEC_HOOK_MAX];
    CPUState *cpu;
    int most = 0;

    CPU_FOREACH(cpu) {
        most = MAX(most, exec_hook_armed_addrs(cpu, addrs, EXEC_HOOK_MAX));
    }
    return most;
}

/*
 * Add @cpu's armed hooks to the slots gdbstub leaves free in @dbg, and
 * record what is programmed.  kvm_lock held.
 */
static void exec_hook_kvm_merge(CPUState *cpu, ExecHookVcpu *v,
                                struct kvm_guest_debug *dbg)
{
    uint64_t addrs[EXEC_HOOK_KVM_SLOTS];
    int n, i, slot = 0;

    v->our_slots = 0;
    n = exec_hook_armed_addrs(cpu, addrs, EXEC_HOOK_KVM_SLOTS);
    for (i = 0; i < n; i++) {
        if (v->stepping && v->step_disables_hit && addrs[i] == v->step_addr) {
            continue;
        }
        while (slot < EXEC_HOOK_KVM_SLOTS &&
               (dbg->arch.debugreg[7] & (3ULL << (slot * 2)))) {
            slot++;
        }
        if (slot == EXEC_HOOK_KVM_SLOTS) {
            trace_exec_hook_kvm_slots_exhausted(cpu->cpu_index);
            break;
        }
        /* Global enable, execute, length 1: RW and LEN bits stay 0. */
        dbg->arch.debugreg[slot] = addrs[i];
        dbg->arch.debugreg[7] |= 0x600 | (2ULL << (slot * 2));
        dbg->control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
        v->our_slots |= 1 << slot;
        v->slot_addr[slot] = addrs[i];
    }
    if (v->stepping) {
        dbg->control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
                        exec_hook_kvm_blockirq;
    }
    v->last_dr7 = dbg->arch.debugreg[7];
    v->dr7_valid = true;
    trace_exec_hook_kvm_set_guest_debug(cpu->cpu_index, dbg->control,
                                        v->last_dr7);
}

/* Upstream computed gdbstub's part of @dbg (any thread): keep it, add ours. */
void exec_hook_kvm_update_guest_debug(CPUState *cpu,
                                      struct kvm_guest_debug *dbg)
{
    ExecHookVcpu *v = exec_hook_vcpu(cpu);

    if (!v) {
        return;
    }
    if (!(dbg->control & KVM_GUESTDBG_USE_HW_BP)) {
        /* Upstream leaves the registers unset when it has none. */
        memset(dbg->arch.debugreg, 0, sizeof(dbg->arch.debugreg));
    }
    qemu_spin_lock(&v->kvm_lock);
    /* A trap re-injected into the guest is for this call only. */
    v->gdb_control = dbg->control &
                     ~(KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP);
    memcpy(v->gdb_dr, dbg->arch.debugreg, sizeof(v->gdb_dr));
    v->gdb_dr7 = dbg->arch.debugreg[7];
    exec_hook_kvm_merge(cpu, v, dbg);
    qemu_spin_unlock(&v->kvm_lock);
}

/*
 * Make @cpu's armed set effective; always on @cpu's own thread.  One
 * KVM_SET_GUEST_DEBUG built from gdbstub's last known part plus ours: no
 * BQL, no read of gdbstub's tables.
 */
static void exec_hook_kvm_apply(CPUState *cpu)
{
    ExecHookVcpu *v = exec_hook_vcpu(cpu);
    struct kvm_guest_debug dbg = { 0 };
    int err;

    if (!v) {
        return;
    }
    qemu_spin_lock(&v->kvm_lock);
    dbg.control = v->gdb_control;
    memcpy(dbg.arch.debugreg, v->gdb_dr, sizeof(v->gdb_dr));
    dbg.arch.debugreg[7] = v->gdb_dr7;
    exec_hook_kvm_merge(cpu, v, &dbg);
    qemu_spin_unlock(&v->kvm_lock);
    err = kvm_vcpu_ioctl(cpu, KVM_SET_GUEST_DEBUG, &dbg);

    if (exec_hook_kvm_sync_regs) {
        /* Registers in kvm_run at each exit only while hooks are armed. */
        if (v->our_slots || v->stepping) {
            cpu->kvm_run->kvm_valid_regs |= KVM_SYNC_X86_REGS;
        } else {
            cpu->kvm_run->kvm_valid_regs &= ~KVM_SYNC_X86_REGS;
        }
    }

    if (exec_hook_inject_failure) {
        /* Tests: this KVM accepts any control bits, so fake the error. */
        exec_hook_inject_failure = false;
        err = -EIO;
    }
    if (err) {
        g_autofree char *why = g_strdup_printf(
            "KVM_SET_GUEST_DEBUG failed on vCPU %d: %s",
            cpu->cpu_index, strerror(-err));

        exec_hook_disable(why);
        /* Leave gdbstub's breakpoints as they were, without ours. */
        memset(&dbg, 0, sizeof(dbg));
        qemu_spin_lock(&v->kvm_lock);
        v->stepping = false;
        v->probing = false;
        v->our_slots = 0;
        dbg.control = v->gdb_control;
        memcpy(dbg.arch.debugreg, v->gdb_dr, sizeof(v->gdb_dr));
        dbg.arch.debugreg[7] = v->gdb_dr7;
        v->last_dr7 = dbg.arch.debugreg[7];
        qemu_spin_unlock(&v->kvm_lock);
        kvm_vcpu_ioctl(cpu, KVM_SET_GUEST_DEBUG, &dbg);
    }
}

static void exec_hook_kvm_regs_from_kvm(const struct kvm_regs *k,
                                        ExecHookRegs *r)
{
    r->rax = k->rax;
    r->rbx = k->rbx;
    r->rcx = k->rcx;
    r->rdx = k->rdx;
    r->rsi = k->rsi;
    r->rdi = k->rdi;
    r->rbp = k->rbp;
    r->rsp = k->rsp;
    r->r8 = k->r8;
    r->r9 = k->r9;
    r->r10 = k->r10;
    r->r11 = k->r11;
    r->r12 = k->r12;
    r->r13 = k->r13;
    r->r14 = k->r14;
    r->r15 = k->r15;
    r->rip = k->rip;
    r->rflags = k->rflags;
}

/*
 * Set RFLAGS.RF so the hit breakpoint does not fire again on re-entry.
 * With sync regs the registers came from kvm_run: mark them dirty there
 * and KVM loads them at the next KVM_RUN, which follows this exit
 * directly; no ioctl.
 */
static void exec_hook_kvm_set_rf(CPUState *cs, struct kvm_regs *k,
                                 bool have_regs)
{
    CPUX86State *env = &X86_CPU(cs)->env;

    if (cs->vcpu_dirty) {
        env->eflags |= RF_MASK;
        return;
    }
    if (cs->kvm_run->kvm_valid_regs & KVM_SYNC_X86_REGS) {
        cs->kvm_run->s.regs.regs.rflags |= RF_MASK;
        cs->kvm_run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
        return;
    }
    if (!have_regs && kvm_vcpu_ioctl(cs, KVM_GET_REGS, k) < 0) {
        exec_hook_disable("KVM_GET_REGS failed while setting RFLAGS.RF");
        return;
    }
    k->rflags |= RF_MASK;
    if (kvm_vcpu_ioctl(cs, KVM_SET_REGS, k) < 0) {
        exec_hook_disable("KVM_SET_REGS failed while setting RFLAGS.RF");
    }
}

/* One of our breakpoints fired at @pc; returns whether to re-program. */
static bool exec_hook_kvm_hit(CPUState *cs, ExecHookVcpu *v, uint64_t pc)
{
    ExecHookStepMethod method = exec_hook_step_method();
    struct kvm_regs k;
    bool have_regs = false;
    ExecHook *hook;

    exec_hook_count_exit(cs);
    if (v->probing && pc == v->probe_pc) {
        /* RF did not stop the re-trigger: this is the same hit again. */
        qemu_spin_lock(&v->kvm_lock);
        v->probing = false;
        v->stepping = true;
        v->step_disables_hit = true;
        v->step_addr = pc;
        qemu_spin_unlock(&v->kvm_lock);
        exec_hook_set_step_method(EXEC_HOOK_STEP_SINGLESTEP);
        return true;
    }
    hook = exec_hook_find_armed(cs, pc);
    if (hook) {
        ExecHookRegs regs;

        if (cs->vcpu_dirty) {
            CPUX86State *env = &X86_CPU(cs)->env;

            exec_hook_x86_regs_from_env(env, env->eflags, &regs);
        } else if (cs->kvm_run->kvm_valid_regs & KVM_SYNC_X86_REGS) {
            k = cs->kvm_run->s.regs.regs;
            have_regs = true;
            exec_hook_kvm_regs_from_kvm(&k, &regs);
        } else if (kvm_vcpu_ioctl(cs, KVM_GET_REGS, &k) == 0) {
            have_regs = true;
            exec_hook_kvm_regs_from_kvm(&k, &regs);
        } else {
            exec_hook_disable("KVM_GET_REGS failed on a hook hit");
            return true;
        }
        exec_hook_dispatch(hook, cs, &regs);
    }
    switch (method) {
    case EXEC_HOOK_STEP_RF:
        exec_hook_kvm_set_rf(cs, &k, have_regs);
        return false;
    case EXEC_HOOK_STEP_PROBING:
        /* Probe: RF plus a single-step tells whether RF is honoured. */
        exec_hook_kvm_set_rf(cs, &k, have_regs);
        qemu_spin_lock(&v->kvm_lock);
        v->probing = true;
        v->probe_pc = pc;
        v->stepping = true;
        v->step_disables_hit = false;
        qemu_spin_unlock(&v->kvm_lock);
        return true;
    default:
        qemu_spin_lock(&v->kvm_lock);
        v->stepping = true;
        v->step_disables_hit = true;
        v->step_addr = pc;
        qemu_spin_unlock(&v->kvm_lock);
        return true;
    }
}

bool exec_hook_kvm_handle_debug(CPUState *cs,
                                struct kvm_debug_exit_arch *arch)
{
    ExecHookVcpu *v = exec_hook_vcpu(cs);
    bool ours = false, changed = false, hit = false;
    uint64_t t0 = cpu_get_host_ticks();
    int n;

    if (!v || arch->exception != EXCP01_DB) {
        return false;
    }
    qemu_spin_lock(&v->kvm_lock);
    if (v->dr7_valid) {
        /* Upstream decodes dr7 from the exit; give it what was set. */
        arch->dr7 = v->last_dr7;
    }
    if ((arch->dr6 & DR6_BS) && v->stepping) {
        if (v->probing) {
            /* The instruction ran under RF without re-firing. */
            v->probing = false;
            exec_hook_set_step_method(EXEC_HOOK_STEP_RF);
        }
        v->stepping = false;
        changed = true;
        ours = true;
        exec_hook_count_exit(cs);
    }
    for (n = 0; n < EXEC_HOOK_KVM_SLOTS; n++) {
        if ((arch->dr6 & (1u << n)) && (v->our_slots & (1u << n)) &&
            v->slot_addr[n] == arch->pc) {
            hit = true;
            break;
        }
    }
    qemu_spin_unlock(&v->kvm_lock);
    if (hit) {
        /* The callback runs without the lock: it may arm hooks itself. */
        changed |= exec_hook_kvm_hit(cs, v, arch->pc);
        ours = true;
    }
    trace_exec_hook_kvm_exit(cs->cpu_index, arch->pc, arch->dr6, ours);
    if (changed) {
        exec_hook_kvm_apply(cs);
    }
    if (ours) {
        qatomic_set(&v->exit_cycles,
                    v->exit_cycles + cpu_get_host_ticks() - t0);
    }
    /* A step gdbstub asked for too is still gdbstub's to report. */
    if (ours && cs->singlestep_enabled && (arch->dr6 & DR6_BS)) {
        return false;
    }
    return ours;
}

static bool exec_hook_kvm_read_sregs(CPUState *cs, ExecHookSregs *out,
                                     Error **errp)
{
    CPUX86State *env = &X86_CPU(cs)->env;
    struct kvm_sregs sr;
    struct {
        struct kvm_msrs info;
        struct kvm_msr_entry entries[1];
    } msrs = {
        .info.nmsrs = 1,
        .entries[0].index = MSR_KERNELGSBASE,
    };

    if (cs->vcpu_dirty) {
        exec_hook_x86_sregs_from_env(env, out);
        return true;
    }
    if (kvm_vcpu_ioctl(cs, KVM_GET_SREGS, &sr) < 0) {
        error_setg(errp, "exec-hook: KVM_GET_SREGS failed on vCPU %d",
                   cs->cpu_index);
        return false;
    }
    if (kvm_vcpu_ioctl(cs, KVM_GET_MSRS, &msrs) != 1) {
        error_setg(errp, "exec-hook: reading MSR_KERNEL_GS_BASE failed on "
                   "vCPU %d", cs->cpu_index);
        return false;
    }
    out->cr0 = sr.cr0;
    out->cr3 = sr.cr3;
    out->cr4 = sr.cr4;
    out->efer = sr.efer;
    out->gs_base = sr.gs.base;
    out->kernel_gs_base = msrs.entries[0].data;
    return true;
}

static bool exec_hook_kvm_enabled(void)
{
    return kvm_enabled();
}

static const ExecHookBackendOps exec_hook_kvm_ops = {
    .kind = EXEC_HOOK_BACKEND_KVM,
    .enabled = exec_hook_kvm_enabled,
    .available = exec_hook_kvm_available,
    .slots_for_hooks = exec_hook_kvm_slots_for_hooks,
    .apply = exec_hook_kvm_apply,
    .read_sregs = exec_hook_kvm_read_sregs,
};

static void __attribute__((constructor)) exec_hook_kvm_register(void)
{
    exec_hook_backend_register(&exec_hook_kvm_ops);
}
