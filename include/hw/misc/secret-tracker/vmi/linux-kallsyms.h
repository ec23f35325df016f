/*
 * secret-tracker: the guest kernel's own symbol table (kallsyms) in RAM
 *
 * The compressed kallsyms tables sit in the kernel's .rodata, physically
 * contiguous with its text.  They are found from LSTAR alone (no
 * System.map), decoded once into an index hashed by name, and checked
 * against LSTAR: entry_SYSCALL_64 must be where LSTAR points.
 *
 * Every count, length and offset in the tables is guest data: all of it
 * is bounded, every read can fail, and a table that does not hold
 * together is refused.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef SECRET_TRACKER_VMI_LINUX_KALLSYMS_H
#define SECRET_TRACKER_VMI_LINUX_KALLSYMS_H

#include "hw/misc/secret-tracker/vmi/guest-mem.h"

/* How kallsyms stores a symbol's value */
typedef enum StKallsymsAddressing {
    /* kallsyms_addresses: one absolute u64 per symbol */
    ST_KALLSYMS_ABSOLUTE,
    /* kallsyms_offsets: value = kallsyms_relative_base + (u32) entry */
    ST_KALLSYMS_BASE_RELATIVE,
    /*
     * As above, but an entry >= 0 is an absolute value (the per-CPU
     * symbols: their per-CPU offset) and an entry < 0 is
     * kallsyms_relative_base - 1 - entry (Debian's 5.10, 6.1, 6.12)
     */
    ST_KALLSYMS_BASE_RELATIVE_ABS_PERCPU,
    /* value = the entry's own address + (s32) entry (Debian's 7.2) */
    ST_KALLSYMS_PC_RELATIVE,
} StKallsymsAddressing;

/* Where the tables were found (guest virtual addresses; 0: absent) */
typedef struct StKallsymsLayout {
    StKallsymsAddressing addressing;
    uint32_t num_syms;
    uint64_t num_syms_va;
    uint64_t names_va;
    uint64_t names_size;
    uint64_t markers_va;
    uint32_t num_markers;
    uint64_t token_table_va;
    uint32_t token_table_size;
    uint64_t token_index_va;
    uint64_t offsets_va;        /* kallsyms_offsets or kallsyms_addresses */
    uint64_t relative_base_va;
    uint64_t relative_base;     /* its value (relocated by KASLR) */
    uint64_t seqs_of_names_va;  /* Debian's 6.1 and later */
    /* per-CPU symbols: absolute entries, or values in this range */
    uint64_t percpu_start, percpu_end;
    uint64_t text;              /* _text (0 if the table has none) */
    uint64_t entry_syscall_64;  /* == LSTAR */
    int64_t find_time_us;       /* locating the tables */
    int64_t index_time_us;      /* decoding and hashing them */
} StKallsymsLayout;

/* Bounds of the search and of the work done on guest data */
typedef struct StKallsymsOptions {
    uint64_t forward;       /* bytes scanned after LSTAR's physical page */
    uint64_t backward;      /* bytes scanned before it */
    uint32_t max_syms;      /* largest symbol count accepted */
    uint64_t max_work;      /* bytes read and decoded, all candidates */
} StKallsymsOptions;

#define ST_KALLSYMS_MAX_SYMS (1u << 20)
/* Longest name, type letter included (KSYM_NAME_LEN is 512 from 6.1) */
#define ST_KALLSYMS_NAME_MAX 1024

void st_kallsyms_options_default(StKallsymsOptions *opts);

typedef struct StKallsyms StKallsyms;

/*
 * Find the symbol table of the kernel whose syscall entry is @lstar, in
 * the kernel address space @vm, and index it.  Fails with
 * ST_GUEST_ERROR_NOT_FOUND when no table is found, and with
 * ST_GUEST_ERROR_CORRUPT when one is found but entry_SYSCALL_64 is
 * missing or not at @lstar (a corrupt or hostile guest).
 */
StKallsyms *st_kallsyms_find(const StGuestVm *vm, uint64_t lstar,
                             const StKallsymsOptions *opts, GError **errp);
void st_kallsyms_free(StKallsyms *ks);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StKallsyms, st_kallsyms_free)

const StKallsymsLayout *st_kallsyms_layout(const StKallsyms *ks);
uint32_t st_kallsyms_count(const StKallsyms *ks);
const char *st_kallsyms_addressing_name(StKallsymsAddressing a);

/* One symbol; name points into @ks and lives as long as it does */
typedef struct StKallsym {
    const char *name;
    char type;          /* 'T', 't', 'D', 'd', 'A', ... as in /proc/kallsyms */
    bool percpu;        /* value is a per-CPU offset */
    uint64_t value;     /* address (runtime, KASLR included) or offset */
} StKallsym;

/* Symbol @i, in table order (ascending value) */
bool st_kallsyms_nth(const StKallsyms *ks, uint32_t i, StKallsym *sym);

/*
 * Symbol @name, O(1).  Where names repeat (static symbols), the first
 * global one wins, else the first one.
 */
bool st_kallsyms_lookup(const StKallsyms *ks, const char *name,
                        StKallsym *sym);

/* The runtime address of the non-per-CPU symbol @name */
bool st_kallsyms_address(const StKallsyms *ks, const char *name,
                         uint64_t *addr, GError **errp);

/*
 * The per-CPU offset of per-CPU variable @name: its copy for a CPU is at
 * that CPU's per-CPU base (GS base in the kernel) + offset.  On 5.10 to
 * 6.12 per-CPU symbols are absolute, small offsets from 0, which KASLR
 * does not move; on 7.2 the per-CPU section is linked in the kernel image
 * and the offset is the variable's (KASLR-relocated) address.
 */
bool st_kallsyms_percpu_offset(const StKallsyms *ks, const char *name,
                               uint64_t *offset, GError **errp);

#endif
