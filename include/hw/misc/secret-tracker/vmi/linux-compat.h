/*
 * secret-tracker: i386 (compat) system calls as their x86-64 equivalents
 *
 * int 0x80 from any process, sysenter and the compat syscall entry all
 * reach ia32_sys_call() with an i386 number and the arguments in bx, cx,
 * dx, si, di and bp.  The engine knows x86-64 numbers only: this turns a
 * compat call into the x86-64 call with the same effect, rearranging the
 * arguments where i386 differs (split 64-bit offsets, mmap2's page
 * offset, clone's argument order) and opening socketcall(2) and the old
 * mmap's argument blocks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_COMPAT_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_COMPAT_H

#include "hw/misc/secret-tracker/vmi/guest-mem.h"

typedef struct StLinuxSyscall {
    uint32_t nr;            /* x86-64 number (abi/syscalls.h ST_NR_*) */
    uint64_t args[6];       /* as the x86-64 call takes them */
    /*
     * The structs the arguments point to (iovec, msghdr, mmsghdr, the
     * io_submit pointer array, ...) have their i386 layouts: pass it as
     * the decoders' @compat.  Always true for a translated call.
     */
    bool compat;
    uint32_t nr32;          /* the i386 number it came from */
    uint32_t socketcall;    /* ST_SOCKETCALL_* if it came that way, or 0 */
} StLinuxSyscall;

/*
 * The x86-64 number of i386 syscall @nr32, or -1 when there is no
 * translation (syscalls no engine family needs, and socketcall and ipc,
 * whose meaning is in their arguments).  A pure table.
 */
int st_linux_compat_native_nr(uint32_t nr32);

/* The x86-64 number socketcall @call becomes, or -1.  A pure table. */
int st_linux_compat_socketcall_nr(uint32_t call);
/* The x86-64 number the ipc(2) multiplexer's @call becomes, or -1 */
int st_linux_compat_ipc_nr(uint32_t call);

/*
 * Translate i386 syscall @nr32 with arguments @regs (bx, cx, dx, si, di,
 * bp; only their low 32 bits count).  @uvm, the caller's user memory, is
 * read for socketcall and the old mmap only (it may be NULL otherwise).
 * Fails with ST_GUEST_ERROR_NOT_FOUND for a call with no translation,
 * and with another error when the kernel would refuse the call before it
 * does anything (an unreadable argument block, an unaligned offset).
 */
bool st_linux_compat_syscall(const StGuestVm *uvm, uint32_t nr32,
                             const uint64_t regs[6], StLinuxSyscall *out,
                             GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_COMPAT_H */
