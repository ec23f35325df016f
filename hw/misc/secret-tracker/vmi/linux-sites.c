/*
 * secret-tracker: find hook sites in the syscall entry with capstone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"

#include <capstone.h>

#define ST_KASLR_ALIGN (2 * 1024 * 1024)

bool st_linux_find_sysret(const uint8_t *code, size_t len, uint64_t *offset,
                          GError **errp)
{
    csh handle;
    cs_insn *insn;
    const uint8_t *p = code;
    size_t left = len;
    uint64_t addr = 0;
    unsigned since_swapgs = UINT_MAX / 2;
    unsigned found = 0, unpaired = 0;
    uint64_t where = 0;

    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "cannot start the capstone disassembler");
        return false;
    }
    insn = cs_malloc(handle);
    while (left) {
        if (!cs_disasm_iter(handle, &p, &left, &addr, insn)) {
            /* undecodable byte: skip it, the next one may decode */
            p++;
            left--;
            addr++;
            since_swapgs++;
            continue;
        }
        /* alternatives leave NOP padding: it does not count */
        if (insn->id != X86_INS_NOP) {
            since_swapgs++;
        }
        if (insn->id == X86_INS_SWAPGS) {
            since_swapgs = 0;
        } else if (insn->id == X86_INS_SYSRET && insn->size == 3 &&
                   insn->bytes[0] == 0x48) {
            if (since_swapgs <= ST_SITES_SWAPGS_WINDOW) {
                found++;
                where = insn->address;
            } else {
                unpaired++;
            }
        }
    }
    cs_free(insn, 1);
    cs_close(&handle);
    if (found == 1) {
        *offset = where;
        return true;
    }
    if (found > 1) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "%u swapgs+sysretq sites in the first %zu bytes at LSTAR:"
                    " ambiguous", found, len);
    } else {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "no sysretq preceded by swapgs in the first %zu bytes at "
                    "LSTAR%s", len,
                    unpaired ? " (a sysretq without swapgs was seen)" : "");
    }
    return false;
}

bool st_linux_find_call(const uint8_t *code, size_t len, uint64_t code_va,
                        uint64_t target, uint64_t slack, uint64_t *after,
                        GError **errp)
{
    csh handle;
    cs_insn *insn;
    const uint8_t *p = code;
    size_t left = len;
    uint64_t addr = code_va;
    unsigned found = 0;

    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "cannot start the capstone disassembler");
        return false;
    }
    insn = cs_malloc(handle);
    while (left) {
        if (!cs_disasm_iter(handle, &p, &left, &addr, insn)) {
            p++;
            left--;
            addr++;
            continue;
        }
        /* call rel32: e8 + a 32-bit displacement from the next insn */
        if (insn->id == X86_INS_CALL && insn->size == 5 &&
            insn->bytes[0] == 0xe8) {
            int32_t rel = ldl_le_p(&insn->bytes[1]);
            uint64_t dest = insn->address + 5 + (int64_t)rel;

            if (dest <= target && target - dest <= slack) {
                found++;
                *after = insn->address + 5;
            }
        }
    }
    cs_free(insn, 1);
    cs_close(&handle);
    if (found == 1) {
        return true;
    }
    g_set_error(errp, ST_GUEST_ERROR,
                found ? ST_GUEST_ERROR_CORRUPT : ST_GUEST_ERROR_NOT_FOUND,
                "%u calls to 0x%" PRIx64 " in %zu bytes at 0x%" PRIx64,
                found, target, len, code_va);
    return false;
}

bool st_linux_symbol_end(const StKallsyms *ks, uint64_t addr, uint64_t *end)
{
    uint32_t i, n = st_kallsyms_count(ks);
    uint64_t best = UINT64_MAX;
    StKallsym sym;

    for (i = 0; i < n && st_kallsyms_nth(ks, i, &sym); i++) {
        if (!sym.percpu && sym.value > addr && sym.value < best) {
            best = sym.value;
        }
    }
    if (best == UINT64_MAX) {
        return false;
    }
    *end = best;
    return true;
}

bool st_linux_kaslr_slide(const StLinuxProfile *prof, uint64_t lstar,
                          int64_t *slide, GError **errp)
{
    int64_t s;

    if (!prof->has_entry_syscall) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "the profile has no entry_SYSCALL_64: KASLR slide unknown");
        return false;
    }
    s = (int64_t)(lstar - prof->entry_syscall);
    if (s % ST_KASLR_ALIGN) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "LSTAR 0x%" PRIx64 " - entry_SYSCALL_64 0x%" PRIx64
                    " is not a multiple of 2 MiB: profile for another kernel?",
                    lstar, prof->entry_syscall);
        return false;
    }
    *slide = s;
    return true;
}
