/*
 * secret-tracker: a task's user memory, and the syscall registers saved
 * in a struct pt_regs
 *
 * A user pointer is read through the page tables of the task that
 * passed it (mm->pgd), never through whatever CR3 the vCPU has: the
 * io-wq and SQPOLL threads of io_uring run on other CPUs than the
 * submitter.  A pointer into the kernel half is refused.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"
#include "linux-readers-internal.h"
#include "linux-decode-internal.h"

#define ST_PAGE_SIZE 4096ULL

/* Largest pt_regs we agree to read in one go */
#define ST_PT_REGS_MAX 512

static bool st_decode_member(const StLinuxKernel *kernel, StLinuxOffset f,
                             const uint8_t *buf, size_t len, size_t base,
                             bool kernel_ptr, uint64_t *val, GError **errp)
{
    const StLinuxFieldInfo *fi = st_field_info(kernel, f, errp);
    char name[96];
    uint64_t v = 0;
    unsigned i;

    if (!fi) {
        return false;
    }
    if ((fi->kind != ST_FIELD_KIND_INT && fi->kind != ST_FIELD_KIND_PTR) ||
        fi->size == 0 || fi->size > 8 || base > len ||
        fi->offset > len - base || fi->size > len - base - fi->offset) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "profile field %s (offset %u, size %u) is not a scalar "
                    "inside the %zu bytes read",
                    st_offset_name(f, name, sizeof(name)), fi->offset,
                    fi->size, len - MIN(base, len));
        return false;
    }
    for (i = 0; i < fi->size; i++) {
        v |= (uint64_t)buf[base + fi->offset + i] << (8 * i);
    }
    if (fi->bit_size) {
        v >>= fi->bit_shift;
        if (fi->bit_size < 64) {
            v &= (1ULL << fi->bit_size) - 1;
        }
    }
    if (kernel_ptr && fi->kind == ST_FIELD_KIND_PTR && v &&
        !st_guest_is_kernel_va(kernel->vm, v)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "%s is 0x%" PRIx64 ", not a kernel address",
                    st_offset_name(f, name, sizeof(name)), v);
        return false;
    }
    *val = v;
    return true;
}

bool st_decode_field(const StLinuxKernel *kernel, StLinuxOffset f,
                     const uint8_t *buf, size_t len, size_t base,
                     uint64_t *val, GError **errp)
{
    return st_decode_member(kernel, f, buf, len, base, true, val, errp);
}

bool st_decode_user_field(const StLinuxKernel *kernel, StLinuxOffset f,
                          const uint8_t *buf, size_t len, size_t base,
                          uint64_t *val, GError **errp)
{
    return st_decode_member(kernel, f, buf, len, base, false, val, errp);
}

bool st_linux_user_vm(const StLinuxKernel *kernel, uint64_t task,
                      StGuestVm *vm, GError **errp)
{
    uint64_t mm, pgd, pa;

    if (!st_read_field(kernel, task, ST_TASK_STRUCT_MM, &mm, errp)) {
        return false;
    }
    if (!mm) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "task 0x%" PRIx64 " has no mm (a kernel thread)", task);
        return false;
    }
    if (!st_read_pointer(kernel, mm, ST_MM_STRUCT_PGD, &pgd, errp)) {
        return false;
    }
    if (pgd & (ST_PAGE_SIZE - 1)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "mm 0x%" PRIx64 " has a pgd 0x%" PRIx64 " that is not "
                    "page aligned", mm, pgd);
        return false;
    }
    if (!st_guest_vtop(kernel->vm, pgd, &pa, NULL, errp)) {
        g_prefix_error(errp, "the pgd of mm 0x%" PRIx64 ": ", mm);
        return false;
    }
    /*
     * mm->pgd is the kernel half of a PTI pair (it maps user space too),
     * or, without PTI, the one top table, which may be at an odd frame
     * (7.x): taken as it is, never rounded to a pair.
     */
    vm->mem = kernel->vm->mem;
    vm->root = pa;
    vm->pti_kernel = 0;
    vm->la57 = kernel->vm->la57;
    /* never the kernel's TLB: it caches by address, for another root */
    vm->tlb = NULL;
    return true;
}

bool st_linux_user_range_ok(const StGuestVm *uvm, uint64_t va, uint64_t len)
{
    /* TASK_SIZE_MAX: the user half less its last (guard) page */
    uint64_t limit = (1ULL << (uvm->la57 ? 56 : 47)) - ST_PAGE_SIZE;

    return va <= limit && len <= limit - va;
}

bool st_linux_user_read(const StGuestVm *uvm, uint64_t va, void *buf,
                        size_t len, GError **errp)
{
    if (!st_linux_user_range_ok(uvm, va, len)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "user range 0x%" PRIx64 " + %zu is not in user space",
                    va, len);
        return false;
    }
    return st_guest_read(uvm, va, buf, len, errp);
}

bool st_linux_user_string(const StGuestVm *uvm, uint64_t va, char *buf,
                          size_t size, size_t *len, GError **errp)
{
    size_t n = 0;

    if (size == 0 || size > ST_GUEST_MAX_READ) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "no room for a user string of up to %zu bytes", size);
        return false;
    }
    while (n < size) {
        size_t chunk = ST_PAGE_SIZE - ((va + n) & (ST_PAGE_SIZE - 1));
        char *nul;

        chunk = MIN(chunk, size - n);
        if (!st_linux_user_read(uvm, va + n, buf + n, chunk, errp)) {
            g_prefix_error(errp, "user string at 0x%" PRIx64 ": ", va);
            return false;
        }
        nul = memchr(buf + n, 0, chunk);
        if (nul) {
            if (len) {
                *len = nul - buf;
            }
            return true;
        }
        n += chunk;
    }
    g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                "user string at 0x%" PRIx64 " is longer than %zu bytes",
                va, size - 1);
    return false;
}

bool st_linux_read_syscall_regs(const StLinuxKernel *kernel, uint64_t regs,
                                StLinuxSyscallRegs *out, GError **errp)
{
    static const StLinuxOffset native[6] = {
        ST_PT_REGS_DI, ST_PT_REGS_SI, ST_PT_REGS_DX,
        ST_PT_REGS_R10, ST_PT_REGS_R8, ST_PT_REGS_R9,
    };
    static const StLinuxOffset compat[6] = {
        ST_PT_REGS_BX, ST_PT_REGS_CX, ST_PT_REGS_DX,
        ST_PT_REGS_SI, ST_PT_REGS_DI, ST_PT_REGS_BP,
    };
    uint32_t size = kernel->prof->struct_size[ST_STRUCT_PT_REGS];
    uint8_t buf[ST_PT_REGS_MAX];
    uint64_t cs;
    unsigned i;

    memset(out, 0, sizeof(*out));
    if (size == 0 || size > sizeof(buf)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "the profile's struct pt_regs has no usable size (%u)",
                    size);
        return false;
    }
    if (!st_guest_is_kernel_va(kernel->vm, regs)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "pt_regs at 0x%" PRIx64 " is not a kernel address", regs);
        return false;
    }
    /* one read: every register below comes from the same copy */
    if (!st_guest_read(kernel->vm, regs, buf, size, errp)) {
        g_prefix_error(errp, "reading pt_regs at 0x%" PRIx64 ": ", regs);
        return false;
    }
    out->regs = regs;
    for (i = 0; i < 6; i++) {
        if (!st_decode_field(kernel, native[i], buf, size, 0, &out->native[i],
                             errp) ||
            !st_decode_field(kernel, compat[i], buf, size, 0, &out->compat[i],
                             errp)) {
            return false;
        }
        out->compat[i] &= 0xffffffffULL;
    }
    if (!st_decode_field(kernel, ST_PT_REGS_ORIG_AX, buf, size, 0,
                         &out->orig_ax, errp) ||
        !st_decode_field(kernel, ST_PT_REGS_AX, buf, size, 0, &out->ax,
                         errp) ||
        !st_decode_field(kernel, ST_PT_REGS_IP, buf, size, 0, &out->ip,
                         errp) ||
        !st_decode_field(kernel, ST_PT_REGS_SP, buf, size, 0, &out->sp,
                         errp) ||
        !st_decode_field(kernel, ST_PT_REGS_FLAGS, buf, size, 0, &out->flags,
                         errp) ||
        !st_decode_field(kernel, ST_PT_REGS_CS, buf, size, 0, &cs, errp)) {
        return false;
    }
    /* 6.9+ (FRED): cs is a u16 in a union; before, an unsigned long */
    out->cs = cs;
    return true;
}
