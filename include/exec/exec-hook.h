/*
 * Execution hooks: run a callback on the vCPU thread when a vCPU is about
 * to execute a given guest-virtual address.  Accelerator-neutral: KVM uses
 * the debug registers through KVM_SET_GUEST_DEBUG, TCG uses CPU
 * breakpoints.  The guest never sees the hooks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EXEC_EXEC_HOOK_H
#define EXEC_EXEC_HOOK_H

#include "qapi/error.h"

/* Hooks that can be registered at once. */
#define EXEC_HOOK_MAX 32
/* vCPUs (by cpu_index) that hooks can be armed on. */
#define EXEC_HOOK_MAX_VCPUS 64
/* Hardware slots under KVM, shared with gdbstub's hardware breakpoints. */
#define EXEC_HOOK_KVM_SLOTS 4

typedef struct ExecHook ExecHook;

typedef enum ExecHookBackend {
    EXEC_HOOK_BACKEND_NONE,
    EXEC_HOOK_BACKEND_KVM,
    EXEC_HOOK_BACKEND_TCG,
} ExecHookBackend;

/*
 * How a hooked instruction is executed exactly once after its callback.
 * @EXEC_HOOK_STEP_PROBING: KVM, RF not probed yet (decided at first hit).
 * @EXEC_HOOK_STEP_RF: KVM, RFLAGS.RF set on re-entry: one exit per hit.
 * @EXEC_HOOK_STEP_SINGLESTEP: KVM, the hit breakpoint alone is disabled
 *   for one KVM_GUESTDBG_SINGLESTEP step: two exits per hit.
 * @EXEC_HOOK_STEP_TCG_ONE_INSN: TCG, the instruction runs alone in an
 *   uninterruptible one-instruction block; no VM exit at all.
 */
typedef enum ExecHookStepMethod {
    EXEC_HOOK_STEP_PROBING,
    EXEC_HOOK_STEP_RF,
    EXEC_HOOK_STEP_SINGLESTEP,
    EXEC_HOOK_STEP_TCG_ONE_INSN,
} ExecHookStepMethod;

/* Step-over policy: probe (auto) or force the single-step method. */
typedef enum ExecHookStepPolicy {
    EXEC_HOOK_POLICY_AUTO,
    EXEC_HOOK_POLICY_FORCE_SINGLESTEP,
} ExecHookStepPolicy;

/* General registers at the hooked instruction, read once per event. */
typedef struct ExecHookRegs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
} ExecHookRegs;

/*
 * System registers.  Under KVM they cost one KVM_GET_SREGS plus one
 * KVM_GET_MSRS (about 10 us on the development host) when refreshed, and
 * nothing when the per-vCPU cached copy is used.  Under TCG they are free.
 */
typedef struct ExecHookSregs {
    uint64_t cr0, cr3, cr4, efer;
    uint64_t gs_base, kernel_gs_base;
} ExecHookSregs;

typedef struct ExecHookEvent {
    CPUState *cpu;
    ExecHook *hook;
    uint64_t addr;
    const ExecHookRegs *regs;
} ExecHookEvent;

/*
 * ExecHookFn: called on the thread of the vCPU that hit the hook, before
 * the hooked instruction executes, without the BQL held.  It may read
 * @ev->regs and exec_hook_get_sregs(), read guest RAM (never MMIO, which
 * would need the BQL), and arm or disarm hooks; it must return quickly
 * and must not block or unregister hooks.
 */
typedef void (*ExecHookFn)(const ExecHookEvent *ev, void *opaque);

/* Callback cost statistics, in host TSC cycles. */
typedef struct ExecHookStats {
    uint64_t hits;
    uint64_t cycles_total;
    uint64_t cycles_mean;
    uint64_t cycles_p50;
    uint64_t cycles_p99;
    uint64_t cycles_max;
} ExecHookStats;

/**
 * exec_hook_register: create a hook at guest-virtual @addr, disarmed.
 * @addr: canonical address of an instruction's first byte.
 * @fn: the callback; @opaque is passed to it.
 * @errp: set when no guest has booted yet (machine not ready, or the
 *   accelerator cannot hook), when @addr is not canonical, when the
 *   hooks were disabled after a failure, or when all hook entries are
 *   in use.
 *
 * Returns: the hook, or NULL on error.
 */
ExecHook *exec_hook_register(uint64_t addr, ExecHookFn fn, void *opaque,
                             Error **errp);

/**
 * exec_hook_unregister: disarm @hook on every vCPU and free it.
 * Call with the BQL held, never from a hook callback.
 */
void exec_hook_unregister(ExecHook *hook);

/**
 * exec_hook_arm: arm @hook on @cpu, or on every vCPU when @cpu is NULL.
 * Under KVM each vCPU has EXEC_HOOK_KVM_SLOTS debug-register slots shared
 * with gdbstub's hardware breakpoints; running out is an error and leaves
 * the armed set unchanged.  Takes effect before the vCPU next enters the
 * guest (at once when called on @cpu's own thread).
 *
 * Returns: true on success.
 */
bool exec_hook_arm(ExecHook *hook, CPUState *cpu, Error **errp);

/**
 * exec_hook_disarm: disarm @hook on @cpu, or on every vCPU if NULL.
 */
void exec_hook_disarm(ExecHook *hook, CPUState *cpu);

/**
 * exec_hook_swap: disarm @out (NULL: none) and arm @in on @cpu, as one
 * update: under KVM one KVM_SET_GUEST_DEBUG, and @out's debug register
 * is free for @in.  Two hooks can so take turns in one slot.
 *
 * Returns: true on success; on failure nothing changed.
 */
bool exec_hook_swap(ExecHook *out, ExecHook *in, CPUState *cpu,
                    Error **errp);

/* exec_hook_addr: the guest-virtual address of @hook. */
uint64_t exec_hook_addr(const ExecHook *hook);

/* exec_hook_is_armed: whether @hook is armed on @cpu (NULL: on any). */
bool exec_hook_is_armed(const ExecHook *hook, CPUState *cpu);

/* exec_hook_backend: the backend of the running accelerator. */
ExecHookBackend exec_hook_backend(void);
const char *exec_hook_backend_name(ExecHookBackend backend);

/*
 * exec_hook_step_method: the step-over method in use.  Under KVM with the
 * auto policy it is EXEC_HOOK_STEP_PROBING until the first hit decides.
 */
ExecHookStepMethod exec_hook_step_method(void);
const char *exec_hook_step_method_name(ExecHookStepMethod method);

/*
 * exec_hook_set_step_policy: choose how to step over hooked instructions.
 * Only before the first hit; later changes return false with @errp set.
 */
bool exec_hook_set_step_policy(ExecHookStepPolicy policy, Error **errp);

/*
 * exec_hook_disabled_reason: NULL while hooks work, else why they were
 * turned off (e.g. KVM_SET_GUEST_DEBUG failed).  The VM keeps running.
 */
const char *exec_hook_disabled_reason(void);

/* exec_hook_get_stats: exact hit count and callback cycle statistics. */
void exec_hook_get_stats(const ExecHook *hook, ExecHookStats *stats);

/*
 * exec_hook_vcpu_exits: exits (KVM_EXIT_DEBUG, or TCG execution-loop
 * exits) that @cpu took for hooks, step-over exits included.
 */
uint64_t exec_hook_vcpu_exits(CPUState *cpu);

/*
 * exec_hook_vcpu_exit_cycles: host TSC cycles @cpu spent handling those
 * exits outside the guest, callbacks included (KVM only; 0 on TCG).
 */
uint64_t exec_hook_vcpu_exit_cycles(CPUState *cpu);

/**
 * exec_hook_get_sregs: system registers of @cpu.
 * @refresh: false returns the copy cached at arm time or at the last
 *   refresh (CR3 is then the page-table root current at that time; fine
 *   for the kernel half under a stable kernel, and KERNEL_GS_BASE never
 *   changes after boot); true reads them again from the accelerator.
 *   Under KVM, refresh only on @cpu's own thread (e.g. in its callback).
 *
 * Returns: false with @errp set if they cannot be read.
 */
bool exec_hook_get_sregs(CPUState *cpu, bool refresh, ExecHookSregs *out,
                         Error **errp);

#endif /* EXEC_EXEC_HOOK_H */
