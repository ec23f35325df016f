/*
 * secret-tracker probe: finding a guest kernel (main loop)
 *
 * From LSTAR alone: the kernel's symbol table (kallsyms), its profile
 * (in-guest BTF, or the ISF file given), the root of its kernel page
 * tables, and the sites to hook.  Everything here reads guest memory
 * and is checked before anything is armed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"
#include "probe-internal.h"
#include "trace.h"

/* Call-depth tracking may call a few bytes before a function. */
#define ST_CALL_SLACK 64
/* How much of do_syscall_64 holds its calls, at most */
#define ST_CALLER_LEN 1024

const char *st_probe_site_name(StProbeSite site)
{
    static const char *const names[ST_SITE__COUNT] = {
        [ST_SITE_SYSCALL64] = "syscall-entry",
        [ST_SITE_RETURN64] = "syscall-exit",
        [ST_SITE_SYSCALL32] = "compat-syscall",
        [ST_SITE_INT80] = "int80",
        [ST_SITE_FAST32] = "fast-syscall32",
        [ST_SITE_IO_URING] = "io-uring",
        [ST_SITE_RETURN32] = "compat-exit",
        [ST_SITE_RETURN32F] = "compat-exit-fast",
        [ST_SITE_COREDUMP] = "core-dump",
    };

    return (unsigned)site < ST_SITE__COUNT ? names[site] : "?";
}

void st_probe_kernel_free(StProbeKernel *k)
{
    if (!k) {
        return;
    }
    if (k->prof_owned) {
        st_linux_profile_free(k->prof);
    }
    st_kallsyms_free(k->ksyms);
    g_free(k->ksyms_error);
    g_free(k);
}

static bool st_symbol(const StProbeKernel *k, const char *name,
                      uint64_t *addr)
{
    return k->ksyms && st_kallsyms_address(k->ksyms, name, addr, NULL);
}

/* The ISF given, if it names this kernel; else the kernel's own BTF. */
static bool st_probe_profile(SecretTrackerProbe *p, StProbeKernel *k,
                             const StGuestVm *vm, GError **errp)
{
    if (p->isf) {
        g_autofree char *banner = NULL;
        uint64_t start;

        /* A profile made for another kernel is refused, not half-used. */
        if (st_guest_vtop(vm, k->lstar, &start, NULL, NULL)) {
            banner = st_linux_find_banner(vm->mem, start, NULL, NULL);
        }
        if (!st_linux_profile_check_banner(p->isf, banner, errp)) {
            return false;
        }
        if (p->isf->has_entry_syscall) {
            int64_t slide;

            if (!st_linux_kaslr_slide(p->isf, k->lstar, &slide, errp)) {
                g_prefix_error(errp, "profile does not fit this kernel: ");
                return false;
            }
        }
        k->prof = p->isf;
        return true;
    }
    k->prof = st_linux_profile_auto(vm, k->lstar, NULL, errp);
    if (!k->prof) {
        g_prefix_error(errp, "no kernel profile: ");
        return false;
    }
    k->prof_owned = true;
    return true;
}

/*
 * The kernel half is read through the kernel's own top-level table
 * (init_top_pgt): unlike the CR3 of whatever process ran when we armed,
 * it is never freed and reused.
 */
static void st_probe_root(StProbeKernel *k, const StGuestVm *vm)
{
    uint64_t va, pa;

    k->vm = *vm;
    k->vm.tlb = NULL;
    if (st_symbol(k, "init_top_pgt", &va) &&
        st_guest_vtop(vm, va, &pa, NULL, NULL) && !(pa & 0xfff)) {
        k->vm.root = pa;
        k->vm.pti_kernel = 0;
        k->root_from_symbols = true;
    } else {
        trace_secret_tracker_probe_error("no init_top_pgt: the kernel half "
                                         "is read through the CR3 at arming");
    }
}

/* Where the call to @disp in the first of @callers that has one returns */
static uint64_t st_return_site(const StProbeKernel *k, const StGuestVm *vm,
                               uint64_t disp, const char *const *callers)
{
    uint8_t code[ST_CALLER_LEN];
    uint64_t caller, after;

    for (; *callers; callers++) {
        if (st_symbol(k, *callers, &caller) &&
            st_guest_read(vm, caller, code, sizeof(code), NULL) &&
            st_linux_find_call(code, sizeof(code), caller, disp,
                               ST_CALL_SLACK, &after, NULL)) {
            return after;
        }
    }
    return 0;
}

/*
 * The returns of ia32_sys_call(): one call inlined into the int 0x80
 * handler, one into the sysenter/compat-syscall one (names vary by line).
 */
static void st_probe_compat_returns(StProbeKernel *k, const StGuestVm *vm,
                                    uint64_t disp)
{
    static const char *const int80[] = {
        "do_int80_emulation", "int80_emulation", "do_int80_syscall_32", NULL,
    };
    static const char *const fast[] = {
        "__do_fast_syscall_32", "do_fast_syscall_32", NULL,
    };

    k->site[ST_SITE_RETURN32] = st_return_site(k, vm, disp, int80);
    k->site[ST_SITE_RETURN32F] = st_return_site(k, vm, disp, fast);
    if (k->site[ST_SITE_RETURN32F] == k->site[ST_SITE_RETURN32]) {
        k->site[ST_SITE_RETURN32F] = 0;
    }
}

/*
 * Where @callee returns to do_syscall_64: after its one direct call there
 * (not in the function that follows: on 5.10 a compat handler that
 * makes the same call).
 */
static bool st_syscall64_call(const StProbeKernel *k, const StGuestVm *vm,
                              uint64_t callee, uint64_t *after)
{
    uint8_t code[ST_CALLER_LEN];
    uint64_t caller, end;
    size_t len = sizeof(code);

    if (!st_symbol(k, "do_syscall_64", &caller)) {
        return false;
    }
    if (st_linux_symbol_end(k->ksyms, caller, &end) && end - caller < len) {
        len = end - caller;
    }
    return st_guest_read(vm, caller, code, len, NULL) &&
           st_linux_find_call(code, len, caller, callee, ST_CALL_SLACK,
                              after, NULL);
}

/*
 * Hook at the dispatchers; else where the tracer has had its say (5.10),
 * or at the entry; with no dispatchers, the return is the sysretq.
 */
static bool st_probe_sites(StProbeKernel *k, const StGuestVm *vm,
                           GError **errp)
{
    uint64_t disp, after, addr;

    if (st_symbol(k, "x64_sys_call", &disp)) {
        k->entry = ST_ENTRY_DISPATCHER;
        k->site[ST_SITE_SYSCALL64] = disp;
        if (st_syscall64_call(k, vm, disp, &after)) {
            k->site[ST_SITE_RETURN64] = after;
        }
    } else {
        uint8_t code[ST_SITES_CODE_LEN];
        uint64_t off;

        if (!st_guest_read(vm, k->lstar, code, sizeof(code), errp) ||
            !st_linux_find_sysret(code, sizeof(code), &off, errp)) {
            g_prefix_error(errp, "cannot find the system call return: ");
            return false;
        }
        k->site[ST_SITE_RETURN64] = k->lstar + off;
        if (st_symbol(k, "syscall_enter_from_user_mode", &addr) &&
            st_syscall64_call(k, vm, addr, &after)) {
            k->entry = ST_ENTRY_TRACED;
            k->site[ST_SITE_SYSCALL64] = after;
        } else {
            k->entry = ST_ENTRY_LSTAR;
            k->site[ST_SITE_SYSCALL64] = k->lstar;
        }
    }
    if (st_symbol(k, "ia32_sys_call", &addr)) {
        k->site[ST_SITE_SYSCALL32] = addr;
        st_probe_compat_returns(k, vm, addr);
    } else {
        if (st_symbol(k, "do_int80_syscall_32", &addr) ||
            st_symbol(k, "int80_emulation", &addr)) {
            k->site[ST_SITE_INT80] = addr;
        }
        if (st_symbol(k, "do_fast_syscall_32", &addr)) {
            k->site[ST_SITE_FAST32] = addr;
        }
    }
    if (st_symbol(k, "io_issue_sqe", &addr)) {
        k->site[ST_SITE_IO_URING] = addr;
        k->io_uring_decode = st_linux_io_uring_supported(k->prof, NULL);
    }
    /*
     * The ELF core writer, called through binfmt->core_dump once the
     * file (or the pipe to a |helper) is open.  The compat binfmt's copy
     * has the same name and comes later: the first is the native one.
     */
    if (k->prof->field[ST_COREDUMP_PARAMS_FILE].present &&
        st_symbol(k, "elf_core_dump", &addr)) {
        k->site[ST_SITE_COREDUMP] = addr;
    }
    return true;
}

StProbeKernel *st_probe_kernel_new(SecretTrackerProbe *p, uint64_t lstar,
                                   uint64_t cr3, uint64_t cr4,
                                   GError **errp)
{
    StProbeKernel *k = g_new0(StProbeKernel, 1);
    g_autoptr(GError) kerr = NULL;
    StGuestVm vm;

    k->lstar = lstar;
    st_guest_vm_init(&vm, &p->mem, cr3, cr4);
    k->ksyms = st_kallsyms_find(&vm, lstar, NULL, &kerr);
    if (!k->ksyms) {
        /* Not fatal: the entry and its sysretq are found by their code. */
        k->ksyms_error = g_strdup(kerr->message);
    }
    st_probe_root(k, &vm);
    if (!st_probe_profile(p, k, &k->vm, errp) ||
        !st_probe_sites(k, &k->vm, errp)) {
        st_probe_kernel_free(k);
        return NULL;
    }
    return k;
}
