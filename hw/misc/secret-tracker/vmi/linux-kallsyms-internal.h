/*
 * secret-tracker: kallsyms reader internals (linux-kallsyms*.c only)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef SECRET_TRACKER_VMI_LINUX_KALLSYMS_INTERNAL_H
#define SECRET_TRACKER_VMI_LINUX_KALLSYMS_INTERNAL_H

#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"

#define KS_PAGE 4096ULL
/* A marker every 256 names */
#define KS_GROUP 256
/* Encoded bytes of one name (its length byte(s) not included) */
#define KS_ENCODED_MAX ST_KALLSYMS_NAME_MAX
/* The token table of a real kernel is about 1 KiB */
#define KS_TOKEN_TABLE_MAX (16 * 1024)

struct StKallsyms {
    StKallsymsLayout layout;
    uint32_t count;
    char *arena;            /* the names, type letter dropped, each NUL-ended */
    uint32_t *name_off;     /* symbol -> its name in arena */
    char *types;            /* symbol -> type letter */
    uint64_t *value;        /* symbol -> address or per-CPU offset */
    uint8_t *percpu;        /* symbol -> per-CPU? */
    uint32_t *hash;         /* symbol -> hash of its name */
    uint32_t *slots;        /* open addressing: symbol + 1, 0 if free */
    uint32_t mask;          /* slots - 1, a power of two minus one */
};

/* A buffer read leniently: outside [lo, hi) it is all zeroes */
typedef struct KsWindow {
    uint8_t *buf;
    uint64_t size;
    uint64_t lo;
    uint64_t hi;
    uint64_t cap;           /* bytes allocated, if its size varies */
} KsWindow;

/* One search: its bounds, the work done so far, the token table found */
typedef struct KsCtx {
    const StGuestVm *vm;
    const StKallsymsOptions *opts;
    uint64_t lstar;
    uint64_t delta;         /* virtual - physical, in the kernel image */
    uint64_t work;
    bool out_of_work;
    GError *mismatch;       /* a table whose entry_SYSCALL_64 is not LSTAR */
    uint64_t names_va;      /* names that decoded, 0 if none yet */
    uint64_t tt_va;
    uint64_t ti_va;
    uint32_t tt_size;
    uint8_t tt[KS_TOKEN_TABLE_MAX];
    uint16_t tok_off[256];
    uint16_t tok_len[256];
    bool tok_ok[256];       /* a token of symbol characters */
    /* st_ks_from_markers' windows: kept for the search, not per try */
    KsWindow tail_win;
    KsWindow count_win;
} KsCtx;

/* Count @bytes of work; false once the budget is spent */
bool st_ks_charge(KsCtx *c, uint64_t bytes);
/* Bounded, charged virtual reads; lenient ones read holes as zeroes */
bool st_ks_read(KsCtx *c, uint64_t va, void *buf, uint64_t len);
bool st_ks_read_lenient(KsCtx *c, uint64_t va, KsWindow *w);

/*
 * @n_markers markers (their bytes at @markers) at @markers_va, the token
 * table in @c: find the names and the values, check them, and index them.
 */
StKallsyms *st_ks_from_markers(KsCtx *c, uint64_t markers_va,
                               uint32_t n_markers, const uint8_t *markers);

#endif
