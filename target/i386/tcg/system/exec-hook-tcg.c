/*
 * Execution hooks: TCG backend.  Hooks are CPU breakpoints with a flag of
 * their own, so the upstream breakpoint loop (BP_GDB, BP_CPU) ignores them
 * while they still make their page run one instruction per block.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "hw/core/cpu.h"
#include "accel/tcg/cpu-ops.h"
#include "exec/translation-block.h"
#include "exec/tb-flush.h"
#include "exec/exec-hook-backend.h"
#include "system/tcg.h"
#include "target/i386/exec-hook-x86.h"
#include "trace.h"

/* Neither BP_GDB nor BP_CPU, nor a watchpoint bit. */
#define EXEC_HOOK_BP_FLAG 0x1000

static bool exec_hook_tcg_available(Error **errp)
{
    return true;
}

static int exec_hook_tcg_slots_for_hooks(void)
{
    return -1;
}

static void exec_hook_tcg_apply(CPUState *cpu)
{
    ExecHookVcpu *v = exec_hook_vcpu(cpu);
    uint64_t addrs[EXEC_HOOK_MAX];
    int i, n;

    n = exec_hook_armed_addrs(cpu, addrs, EXEC_HOOK_MAX);
    cpu_breakpoint_remove_all(cpu, EXEC_HOOK_BP_FLAG);
    for (i = 0; i < n; i++) {
        cpu_breakpoint_insert(cpu, addrs[i], EXEC_HOOK_BP_FLAG, NULL);
    }
    if (v) {
        v->done_valid = false;
    }
    /* Blocks chained across a new hook would run past it. */
    tb_flush(cpu);
    trace_exec_hook_tcg_apply(cpu->cpu_index, n);
}

static bool exec_hook_tcg_read_sregs(CPUState *cs, ExecHookSregs *out,
                                     Error **errp)
{
    exec_hook_x86_sregs_from_env(&X86_CPU(cs)->env, out);
    return true;
}

static bool exec_hook_tcg_enabled(void)
{
    return tcg_enabled();
}

bool exec_hook_tcg_check(CPUState *cpu, vaddr pc, uint32_t cflags)
{
    ExecHookVcpu *v = exec_hook_vcpu(cpu);
    CPUBreakpoint *bp;
    ExecHookRegs regs;
    ExecHook *hook;
    bool mine = false;

    if (!v) {
        return false;
    }
    if (v->done_valid) {
        if (v->done_pc == pc) {
            return false;       /* the hook ran: now run its instruction */
        }
        v->done_valid = false;
    }
    QTAILQ_FOREACH(bp, &cpu->breakpoints, entry) {
        if (bp->pc != pc) {
            continue;
        }
        if (bp->flags == EXEC_HOOK_BP_FLAG) {
            mine = true;
        } else if (!cpu->singlestep_enabled) {
            /* gdbstub's stop or the guest's #DB come first, as on KVM. */
            if (bp->flags & BP_GDB) {
                return false;
            }
            if ((bp->flags & BP_CPU) &&
                cpu->cc->tcg_ops->debug_check_breakpoint(cpu)) {
                return false;
            }
        }
    }
    if (!mine || !exec_hook_active()) {
        return false;
    }
    hook = exec_hook_find_armed(cpu, pc);
    if (!hook) {
        return false;
    }
    exec_hook_x86_regs_from_env(cpu_env(cpu),
                                cpu_compute_eflags(cpu_env(cpu)), &regs);
    exec_hook_dispatch(hook, cpu, &regs);
    exec_hook_count_exit(cpu);
    v->done_valid = true;
    v->done_pc = pc;
    cpu->cflags_next_tb = (cflags & ~CF_COUNT_MASK) | CF_NO_GOTO_TB |
                          CF_NOIRQ | 1;
    return true;
}

static const ExecHookBackendOps exec_hook_tcg_ops = {
    .kind = EXEC_HOOK_BACKEND_TCG,
    .enabled = exec_hook_tcg_enabled,
    .available = exec_hook_tcg_available,
    .slots_for_hooks = exec_hook_tcg_slots_for_hooks,
    .apply = exec_hook_tcg_apply,
    .read_sregs = exec_hook_tcg_read_sregs,
};

static void __attribute__((constructor)) exec_hook_tcg_register(void)
{
    exec_hook_backend_register(&exec_hook_tcg_ops);
}
