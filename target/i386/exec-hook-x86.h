/*
 * Execution hooks: the x86 register snapshot both backends (KVM, TCG)
 * take from CPUX86State.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef I386_EXEC_HOOK_X86_H
#define I386_EXEC_HOOK_X86_H

#include "cpu.h"
#include "exec/exec-hook.h"

/*
 * Copy the general registers of @env into @r.  @rflags is passed in: TCG
 * keeps the arithmetic flags apart and computes them, KVM has them whole.
 */
static inline void exec_hook_x86_regs_from_env(const CPUX86State *env,
                                               uint64_t rflags,
                                               ExecHookRegs *r)
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
#else
    r->r8 = r->r9 = r->r10 = r->r11 = 0;
    r->r12 = r->r13 = r->r14 = r->r15 = 0;
#endif
    r->rip = env->eip;
    r->rflags = rflags;
}

/* System registers of @env (TCG, or KVM when QEMU holds the state). */
static inline void exec_hook_x86_sregs_from_env(const CPUX86State *env,
                                                ExecHookSregs *out)
{
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
}

#endif /* I386_EXEC_HOOK_X86_H */
