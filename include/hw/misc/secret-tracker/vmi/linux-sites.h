/*
 * secret-tracker: code sites in the Linux x86-64 syscall entry
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_SITES_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_SITES_H

#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

/* How much of entry_SYSCALL_64 to read and disassemble */
#define ST_SITES_CODE_LEN 1024

/* A swapgs at most this many instructions (NOPs aside) before sysretq */
#define ST_SITES_SWAPGS_WINDOW 4

/*
 * Find the one "swapgs ... sysretq" exit in @code (the bytes at LSTAR),
 * disassembling linearly.  Returns its offset from LSTAR.
 */
bool st_linux_find_sysret(const uint8_t *code, size_t len, uint64_t *offset,
                          GError **errp);

/*
 * Find the one direct call in @code (at guest-virtual @code_va) whose
 * target lies in [@target - @slack, @target] (call-depth tracking may
 * call a few bytes before a function), disassembling linearly.  *@after
 * is the address of the instruction after it: where the callee returns.
 */
bool st_linux_find_call(const uint8_t *code, size_t len, uint64_t code_va,
                        uint64_t target, uint64_t slack, uint64_t *after,
                        GError **errp);

/*
 * Where the function at @addr ends: the next symbol's address above it
 * in @ks (any order; the table is guest data).  False if none is.
 */
bool st_linux_symbol_end(const StKallsyms *ks, uint64_t addr, uint64_t *end);

/* KASLR slide: LSTAR minus the profile's unrandomized entry_SYSCALL_64 */
bool st_linux_kaslr_slide(const StLinuxProfile *prof, uint64_t lstar,
                          int64_t *slide, GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_SITES_H */
