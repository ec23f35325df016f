/*
 * Execution hooks: interface between the accelerator-neutral core and
 * its KVM and TCG backends.  Not for users of the hook API.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EXEC_EXEC_HOOK_BACKEND_H
#define EXEC_EXEC_HOOK_BACKEND_H

#include "exec/exec-hook.h"
#include "qemu/thread.h"

/* Per-vCPU state; fields are used only on the vCPU's own thread. */
typedef struct ExecHookVcpu {
    uint64_t exits;             /* read by other threads with qatomic */
    uint64_t exit_cycles;       /* ditto: host cycles handling them */
    bool sregs_valid;
    ExecHookSregs sregs;
    /*
     * KVM: the slot and step state below is written on the vCPU's thread
     * and by upstream's kvm_arch_update_guest_debug() on whatever thread
     * gdbstub runs; kvm_lock orders the two.  gdb_* keep gdbstub's part of
     * the last KVM_SET_GUEST_DEBUG that upstream computed, so that hooks
     * can be re-armed from the vCPU's thread without reading gdbstub's
     * tables (which need the BQL).
     */
    QemuSpin kvm_lock;
    uint32_t gdb_control;
    uint64_t gdb_dr[4];
    uint64_t gdb_dr7;
    /* KVM: a step-over in progress, and the RF probe. */
    bool stepping;
    bool step_disables_hit;
    uint64_t step_addr;
    bool probing;
    uint64_t probe_pc;
    /* KVM: what the last KVM_SET_GUEST_DEBUG programmed. */
    uint8_t our_slots;
    uint64_t slot_addr[EXEC_HOOK_KVM_SLOTS];
    uint64_t last_dr7;
    bool dr7_valid;
    /* TCG: the hook at done_pc ran; its instruction has not run yet. */
    bool done_valid;
    uint64_t done_pc;
} ExecHookVcpu;

typedef struct ExecHookBackendOps {
    ExecHookBackend kind;
    /* Whether this backend's accelerator runs the VM. */
    bool (*enabled)(void);
    /* Whether hooks can work at all; else set @errp. */
    bool (*available)(Error **errp);
    /* Slots per vCPU left for hooks, or -1 when unlimited. */
    int (*slots_for_hooks)(void);
    /* Make @cpu's armed set effective; runs on @cpu's thread. */
    void (*apply)(CPUState *cpu);
    /* Read system registers of @cpu from the accelerator. */
    bool (*read_sregs)(CPUState *cpu, ExecHookSregs *out, Error **errp);
} ExecHookBackendOps;

/*
 * Backends register themselves at start-up (a constructor); the core
 * uses the one whose accelerator is enabled.
 */
void exec_hook_backend_register(const ExecHookBackendOps *ops);

/* The vCPU's state, or NULL if its index is beyond EXEC_HOOK_MAX_VCPUS. */
ExecHookVcpu *exec_hook_vcpu(CPUState *cpu);

/* Whether hooks are live (not disabled after a failure). */
bool exec_hook_active(void);

/* The hook armed on @cpu at @addr, or NULL. */
ExecHook *exec_hook_find_armed(CPUState *cpu, uint64_t addr);

/*
 * Addresses of the hooks armed on @cpu, in registration order, at most
 * @max of them.  Returns how many.
 */
int exec_hook_armed_addrs(CPUState *cpu, uint64_t *addrs, int max);

/* Run @hook's callback with @regs, timing it, on @cpu's thread. */
void exec_hook_dispatch(ExecHook *hook, CPUState *cpu,
                        const ExecHookRegs *regs);

/* Count one exit taken for hooks on @cpu. */
void exec_hook_count_exit(CPUState *cpu);

/* The step-over policy, and the method the backend settled on. */
ExecHookStepPolicy exec_hook_step_policy(void);
void exec_hook_set_step_method(ExecHookStepMethod method);

/*
 * TCG: called first at each block lookup while breakpoints exist.  When a
 * hook is armed at @pc it runs the callback, asks for @pc's instruction
 * alone in an uninterruptible block built from @cflags, and returns true:
 * the caller leaves the execution loop (no exception) and comes back.
 */
bool exec_hook_tcg_check(CPUState *cpu, vaddr pc, uint32_t cflags);

/*
 * Tests only: make the KVM backend treat its next KVM_SET_GUEST_DEBUG as
 * failed (-EIO), to exercise the failure path.
 */
extern bool exec_hook_inject_failure;

/*
 * KVM: take the registers of a hit from kvm_run (KVM_CAP_SYNC_REGS) when
 * the host can; false reads them with KVM_GET_REGS.  Set before the
 * first hook is registered (tests use it to compare the two).
 */
extern bool exec_hook_kvm_use_sync_regs;

/* Turn every hook off for good, saying why; the VM keeps running. */
void exec_hook_disable(const char *reason);

#endif /* EXEC_EXEC_HOOK_BACKEND_H */
