/*
 * Execution hooks: the x86 KVM backend's entry points for kvm.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef I386_EXEC_HOOK_KVM_H
#define I386_EXEC_HOOK_KVM_H

#include <linux/kvm.h>

/* Hardware breakpoints gdbstub holds now (defined in kvm.c). */
int kvm_arch_hw_breakpoint_count(void);

/* Most debug-register slots hooks hold on any one vCPU. */
int exec_hook_kvm_slots_in_use(void);

/* Add @cpu's hooks to the free slots of @dbg (after gdbstub's). */
void exec_hook_kvm_update_guest_debug(CPUState *cpu,
                                      struct kvm_guest_debug *dbg);

/*
 * Handle a KVM_EXIT_DEBUG on @cpu's thread.  Returns true if it was ours
 * and is finished (resume the guest); false to leave it to upstream.
 */
bool exec_hook_kvm_handle_debug(CPUState *cpu,
                                struct kvm_debug_exit_arch *arch);

#endif /* I386_EXEC_HOOK_KVM_H */
