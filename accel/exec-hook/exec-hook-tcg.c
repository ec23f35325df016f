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
    CPUX86State *env = &X86_CPU(cs)->env;

    out->cr0 = env->cr[0];
    out->cr3 = env->cr[3];
    out->cr4 = env->cr[4];
    out->efer = env->efer;
    out->gs_base = env->segs[R_GS].base;
#ifdef TARGET_X86_64
    out->kernel_gs_base = env->kernelgsbase;
#else
    out->kernel_gs_base = 0;
#endif
    return true;
}

static void exec_hook_tcg_regs(CPUX86State *env, ExecHookRegs *r)
{
    r->rax = env->regs[R_EAX];
    r->rbx = env->regs[R_EBX];
    r->rcx = env->regs[R_ECX];
    r->rdx = env->regs[R_EDX];
    r->rsi = env->regs[R_ESI];
    r->rdi = env->regs[R_EDI];
    r->rbp = env->regs[R_EBP];
    r->rsp = env->regs[R_ESP];
#ifdef TARGET_X86_64
    r->r8 = env->regs[8];
    r->r9 = env->regs[9];
    r->r10 = env->regs[10];
    r->r11 = env->regs[11];
    r->r12 = env->regs[12];
    r->r13 = env->regs[13];
    r->r14 = env->regs[14];
    r->r15 = env->regs[15];
#endif
    r->rip = env->eip;
    r->rflags = cpu_compute_eflags(env);
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
    exec_hook_tcg_regs(cpu_env(cpu), &regs);
    exec_hook_dispatch(hook, cpu, &regs);
    exec_hook_count_exit(cpu);
    v->done_valid = true;
    v->done_pc = pc;
    cpu->cflags_next_tb = (cflags & ~CF_COUNT_MASK) | CF_NO_GOTO_TB |
                          CF_NOIRQ | 1;
    return true;
}

const ExecHookBackendOps exec_hook_tcg_ops = {
    .kind = EXEC_HOOK_BACKEND_TCG,
    .available = exec_hook_tcg_available,
    .slots_for_hooks = exec_hook_tcg_slots_for_hooks,
    .apply = exec_hook_tcg_apply,
    .read_sregs = exec_hook_tcg_read_sregs,
};
