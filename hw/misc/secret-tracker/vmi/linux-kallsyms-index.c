/*
 * secret-tracker: decode the guest's kallsyms tables and index them
 *
 * From the markers and the token table (linux-kallsyms.c): the names and
 * their count, where the values are and how they are encoded, the sorted
 * names table if any, the per-CPU symbols; then lookups by name.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "linux-kallsyms-internal.h"

#define KS_GROUP_MAX (KS_GROUP * (2 + KS_ENCODED_MAX))

/* Where the values may be, and how they may be encoded */
typedef struct KsPlace {
    StKallsymsAddressing addressing;
    uint64_t values_va;
    uint64_t base_va;       /* kallsyms_relative_base, 0 if none */
    uint64_t seqs_va[2];    /* where the sorted names may follow, or 0 */
} KsPlace;

void st_kallsyms_free(StKallsyms *ks)
{
    if (ks) {
        g_free(ks->slots);
        g_free(ks->hash);
        g_free(ks->arena);
        g_free(ks->name_off);
        g_free(ks->types);
        g_free(ks->value);
        g_free(ks->percpu);
        g_free(ks);
    }
}

/* Length of the name at @p: one byte, or two with the top bit set (6.1+) */
static bool ks_name_len(const uint8_t *p, uint64_t avail, uint32_t *len,
                        unsigned *hdr)
{
    if (avail < 1) {
        return false;
    }
    if (!(p[0] & 0x80)) {
        *len = p[0];
        *hdr = 1;
    } else {
        if (avail < 2) {
            return false;
        }
        *len = (p[0] & 0x7f) | p[1] << 7;
        *hdr = 2;
    }
    return *len >= 1 && *len <= KS_ENCODED_MAX && *len <= avail - *hdr;
}

/* FNV-1a: cheap, and good enough for symbol names */
static uint32_t ks_hash_name(const char *name)
{
    uint32_t h = 2166136261u;

    while (*name) {
        h = (h ^ (uint8_t)*name++) * 16777619u;
    }
    return h;
}

/*
 * Decode @n names from @nb (@size bytes, all of them), checking markers.
 * Each name is expanded into the arena, its type letter kept apart.
 */
static bool ks_decode_names(KsCtx *c, StKallsyms *ks, const uint8_t *nb,
                            uint64_t size, uint32_t n, const uint32_t *markers)
{
    uint64_t q = 0, used = 0, cap = size * 3 + ST_KALLSYMS_NAME_MAX + 1;
    char *arena = g_try_malloc(cap);
    uint32_t i, len, k;
    unsigned hdr;

    ks->types = g_malloc(n);
    ks->name_off = g_new(uint32_t, n);
    ks->hash = g_new(uint32_t, n);
    for (i = 0; arena && i < n; i++) {
        uint64_t start = used;
        uint32_t h = 2166136261u;
        int type = -1;

        if ((i % KS_GROUP == 0 && q != markers[i / KS_GROUP]) ||
            !ks_name_len(nb + q, size - q, &len, &hdr)) {
            break;
        }
        q += hdr;
        if (cap - used < ST_KALLSYMS_NAME_MAX + 1) {
            cap *= 2;
            arena = g_try_realloc(arena, cap);
            if (!arena || !st_ks_charge(c, cap / 2)) {
                break;
            }
        }
        /* the type letter first, then the name (hashed as it goes) */
        for (k = 0; k < len; k++) {
            uint8_t t = nb[q + k];
            const uint8_t *tok = c->tt + c->tok_off[t];
            unsigned tl = c->tok_len[t], j = 0;

            if (!c->tok_ok[t] || used - start + tl > ST_KALLSYMS_NAME_MAX) {
                break;
            }
            if (type < 0 && tl) {
                type = tok[j++];
            }
            for (; j < tl; j++) {
                arena[used++] = tok[j];
                h = (h ^ tok[j]) * 16777619u;
            }
        }
        q += len;
        if (k < len || used == start || !st_ks_charge(c, used - start)) {
            break;
        }
        arena[used++] = 0;
        ks->types[i] = type;
        ks->name_off[i] = start;
        ks->hash[i] = h;
    }
    if (i < n || q != size || used > UINT32_MAX) {
        g_free(arena);
        return false;
    }
    ks->arena = g_realloc(arena, used);
    ks->count = n;
    return true;
}

static bool ks_index_of(const StKallsyms *ks, const char *name, uint32_t *i)
{
    uint32_t h = ks_hash_name(name), slot = h & ks->mask, s;

    while ((s = ks->slots[slot]) != 0) {
        if (ks->hash[s - 1] == h &&
            strcmp(ks->arena + ks->name_off[s - 1], name) == 0) {
            *i = s - 1;
            return true;
        }
        slot = (slot + 1) & ks->mask;
    }
    return false;
}

/*
 * Names to symbols, in a table at most half full.  Where names repeat
 * (static symbols) the first global symbol wins, else the first one.
 */
static void ks_hash(StKallsyms *ks)
{
    uint32_t i, size = 1;

    while (size < 2 * ks->count) {
        size *= 2;
    }
    ks->slots = g_new0(uint32_t, size);
    ks->mask = size - 1;
    for (i = 0; i < ks->count; i++) {
        uint32_t slot = ks->hash[i] & ks->mask, s;

        while ((s = ks->slots[slot]) != 0) {
            if (ks->hash[s - 1] == ks->hash[i] &&
                strcmp(ks->arena + ks->name_off[s - 1],
                       ks->arena + ks->name_off[i]) == 0) {
                break;
            }
            slot = (slot + 1) & ks->mask;
        }
        if (!s || (g_ascii_islower(ks->types[s - 1]) &&
                   g_ascii_isupper(ks->types[i]))) {
            ks->slots[slot] = i + 1;
        }
    }
}

/*
 * Decode the values at @pl.  They must be kernel addresses but for a few
 * per-CPU ones, and never fall.  Zeroes are no table: an entry relative
 * to itself is never 0 (the tables are not symbols), and all-absolute
 * entries would be all per-CPU.
 */
static bool ks_decode_values(KsCtx *c, StKallsyms *ks, const KsPlace *pl)
{
    bool absolute = pl->addressing == ST_KALLSYMS_ABSOLUTE;
    uint64_t esize = absolute ? 8 : 4, n = ks->count, base = 0, prev = 0;
    uint64_t n_percpu = 0;
    g_autofree uint8_t *raw = NULL;
    g_autofree uint64_t *value = NULL;
    g_autofree uint8_t *percpu = NULL;
    uint64_t i;

    if (n * esize > ST_GUEST_MAX_READ) {
        return false;
    }
    raw = g_try_malloc(n * esize);
    value = g_new(uint64_t, n);
    percpu = g_new0(uint8_t, n);
    if (!raw || !st_ks_read(c, pl->values_va, raw, n * esize) ||
        (pl->base_va && (!st_ks_read(c, pl->base_va, &base, 8) ||
                         !st_guest_is_kernel_va(c->vm, le64_to_cpu(base))))) {
        return false;
    }
    base = le64_to_cpu(base);
    for (i = 0; i < n; i++) {
        int32_t e = absolute ? 0 : (int32_t)ldl_le_p(raw + 4 * i);
        uint64_t v;

        switch (pl->addressing) {
        case ST_KALLSYMS_ABSOLUTE:
            v = ldq_le_p(raw + 8 * i);
            percpu[i] = !st_guest_is_kernel_va(c->vm, v);
            break;
        case ST_KALLSYMS_BASE_RELATIVE:
            v = base + (uint32_t)e;
            break;
        case ST_KALLSYMS_BASE_RELATIVE_ABS_PERCPU:
            percpu[i] = e >= 0;
            v = e >= 0 ? (uint64_t)e : base - 1 - (int64_t)e;
            break;
        default:
            if (e == 0) {
                return false;
            }
            v = pl->values_va + 4 * i + (int64_t)e;
            break;
        }
        if (v < prev || (!percpu[i] && !st_guest_is_kernel_va(c->vm, v))) {
            return false;
        }
        value[i] = prev = v;
        n_percpu += percpu[i];
    }
    if (n_percpu > n / 2) {
        return false;
    }
    g_free(ks->value);
    g_free(ks->percpu);
    ks->value = g_steal_pointer(&value);
    ks->percpu = g_steal_pointer(&percpu);
    ks->layout.addressing = pl->addressing;
    ks->layout.offsets_va = pl->values_va;
    ks->layout.relative_base_va = pl->base_va;
    ks->layout.relative_base = pl->base_va ? base : 0;
    return true;
}

/* The sorted-names table: a permutation of the symbols, sorted by name */
static bool ks_check_seqs(KsCtx *c, StKallsyms *ks, uint64_t va)
{
    uint64_t n = ks->count, i;
    g_autofree uint8_t *raw = NULL;
    g_autofree uint8_t *seen = NULL;
    const char *prev = NULL;

    if (3 * n > ST_GUEST_MAX_READ || !st_ks_charge(c, 8 * n)) {
        return false;
    }
    raw = g_try_malloc(3 * n);
    seen = g_new0(uint8_t, n);
    if (!raw || !st_ks_read(c, va, raw, 3 * n)) {
        return false;
    }
    for (i = 0; i < n; i++) {
        uint32_t s = raw[3 * i] << 16 | raw[3 * i + 1] << 8 | raw[3 * i + 2];
        const char *name;

        if (s >= n || seen[s]) {
            return false;
        }
        seen[s] = 1;
        name = ks->arena + ks->name_off[s];
        if (prev && strcmp(prev, name) > 0) {
            return false;
        }
        prev = name;
    }
    ks->layout.seqs_of_names_va = va;
    return true;
}

/*
 * The placements the values can have: after the token index (6.12, 7.2)
 * or before the symbol count (5.10, 6.1, and kallsyms_addresses).
 */
static unsigned ks_placements(KsCtx *c, const StKallsyms *ks,
                              uint64_t num_syms_va, KsPlace *pl)
{
    uint64_t n = ks->count, after = c->ti_va + 2 * 256;
    unsigned k = 0, a;

    for (a = 4; a <= 8; a += 4) {
        uint64_t off = ROUND_UP(after, a), end = off + 4 * n;
        uint64_t base = ROUND_UP(end, 8);

        if (a == 8 && off == ROUND_UP(after, 4)) {
            continue;
        }
        pl[k++] = (KsPlace){ ST_KALLSYMS_PC_RELATIVE, off, 0,
                             { ROUND_UP(end, 4), ROUND_UP(end, 8) } };
        pl[k++] = (KsPlace){ ST_KALLSYMS_BASE_RELATIVE_ABS_PERCPU, off, base,
                             { ROUND_UP(base + 8, 4), ROUND_UP(base + 8, 8) } };
        pl[k++] = (KsPlace){ ST_KALLSYMS_BASE_RELATIVE, off, base,
                             { ROUND_UP(base + 8, 4), ROUND_UP(base + 8, 8) } };
    }
    if (num_syms_va >= 8 + 8 * n && num_syms_va % 4 == 0) {
        uint64_t base = num_syms_va - 8;

        for (a = 0; a <= 4; a += 4) {
            uint64_t off = base - 4 * n - a;

            pl[k++] = (KsPlace){ ST_KALLSYMS_BASE_RELATIVE_ABS_PERCPU, off,
                                 base, { 0, 0 } };
            pl[k++] = (KsPlace){ ST_KALLSYMS_BASE_RELATIVE, off, base,
                                 { 0, 0 } };
        }
        pl[k++] = (KsPlace){ ST_KALLSYMS_ABSOLUTE, num_syms_va - 8 * n, 0,
                             { 0, 0 } };
    }
    return k;
}

/* entry_SYSCALL_64 must be where LSTAR points: the KASLR cross-check */
static bool ks_entry_matches(KsCtx *c, StKallsyms *ks, bool record)
{
    uint32_t i;
    bool have = ks_index_of(ks, "entry_SYSCALL_64", &i);

    if (have && !ks->percpu[i] && ks->value[i] == c->lstar) {
        ks->layout.entry_syscall_64 = ks->value[i];
        return true;
    }
    if (record && !c->mismatch && have) {
        g_set_error(&c->mismatch, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "kallsyms: the symbol table's entry_SYSCALL_64 "
                    "(0x%" PRIx64 ") is not LSTAR (0x%" PRIx64 "): corrupt "
                    "or hostile guest", ks->value[i], c->lstar);
    } else if (record && !c->mismatch) {
        g_set_error(&c->mismatch, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "kallsyms: the symbol table has no entry_SYSCALL_64 "
                    "(LSTAR 0x%" PRIx64 "): corrupt or hostile guest",
                    c->lstar);
    }
    return false;
}

/* Per-CPU symbols, where they are not told apart by their encoding */
static void ks_percpu(StKallsyms *ks)
{
    uint32_t s, e, i;

    if (!ks_index_of(ks, "__per_cpu_start", &s) ||
        !ks_index_of(ks, "__per_cpu_end", &e) || ks->value[e] < ks->value[s]) {
        return;
    }
    ks->layout.percpu_start = ks->value[s];
    ks->layout.percpu_end = ks->value[e];
    if (ks->layout.addressing == ST_KALLSYMS_BASE_RELATIVE_ABS_PERCPU ||
        ks->layout.addressing == ST_KALLSYMS_ABSOLUTE) {
        return;
    }
    for (i = 0; i < ks->count; i++) {
        ks->percpu[i] = ks->value[i] >= ks->layout.percpu_start &&
                        ks->value[i] < ks->layout.percpu_end;
    }
}

/* Names decoded and indexed: find the values, check LSTAR, finish */
static bool ks_finish(KsCtx *c, StKallsyms *ks, uint64_t num_syms_va,
                      const uint64_t *seqs_before)
{
    KsPlace pl[12];
    unsigned k = ks_placements(c, ks, num_syms_va, pl), i, j;
    bool decoded = false;
    uint32_t t;

    for (i = 0; i < k && !c->out_of_work; i++) {
        if (!ks_decode_values(c, ks, &pl[i])) {
            continue;
        }
        decoded = true;
        if (!ks_entry_matches(c, ks, false)) {
            continue;
        }
        for (j = 0; j < 4; j++) {
            uint64_t at = j < 2 ? pl[i].seqs_va[j] : seqs_before[j - 2];

            if (at && ks_check_seqs(c, ks, at)) {
                break;
            }
        }
        ks_percpu(ks);
        if (ks_index_of(ks, "_text", &t) && !ks->percpu[t]) {
            ks->layout.text = ks->value[t];
        }
        return true;
    }
    if (decoded) {
        ks_entry_matches(c, ks, true);
    }
    return false;
}

/*
 * The names end just before the markers, and the symbol count (a u32,
 * maybe padded to 8) sits just before the names.  Returns where the names
 * end, or 0.
 */
static uint64_t ks_names_tail(const uint8_t *tb, uint64_t tlo, uint64_t q,
                              uint32_t r, uint64_t markers_va)
{
    uint32_t k, len;
    unsigned hdr;

    for (k = 0; k < r; k++) {
        if (q < tlo || q >= markers_va ||
            !ks_name_len(tb + (q - tlo), markers_va - q, &len, &hdr)) {
            return 0;
        }
        q += hdr + len;
    }
    if (q + 8 <= markers_va) {
        return 0;
    }
    for (k = 0; q + k < markers_va; k++) {
        if (tb[q + k - tlo]) {
            return 0;
        }
    }
    return q;
}

/*
 * The names at @names_va: decode them (*@names_ok tells that they held
 * together), then find everything else.
 */
static StKallsyms *ks_try_names(KsCtx *c, uint64_t names_va,
                                uint64_t names_end, uint32_t n,
                                uint64_t num_syms_va, uint64_t markers_va,
                                uint32_t n_markers, const uint32_t *markers,
                                bool *names_ok)
{
    g_autoptr(StKallsyms) ks = g_new0(StKallsyms, 1);
    uint64_t size = names_end - names_va, mend = markers_va + 4 * n_markers;
    g_autofree uint8_t *nb = NULL;
    uint64_t seqs_before[2] = { 0, 0 };
    unsigned a;
    int64_t t0;

    *names_ok = false;
    if (size > ST_GUEST_MAX_READ) {
        return NULL;
    }
    nb = g_try_malloc(size);
    if (!nb || !st_ks_read(c, names_va, nb, size) ||
        !ks_decode_names(c, ks, nb, size, n, markers)) {
        return NULL;
    }
    /* 6.1: the sorted names are between the markers and the token table */
    for (a = 0; a < 2 && c->tt_va - mend >= 8; a++) {
        uint64_t at = ROUND_UP(mend, a ? 8 : 4);

        if (at + 3ULL * n <= c->tt_va && c->tt_va < at + 3ULL * n + 8) {
            seqs_before[a] = at;
        }
    }
    if (c->tt_va - mend >= 8 && !seqs_before[0] && !seqs_before[1]) {
        return NULL;
    }
    *names_ok = true;
    c->names_va = names_va;
    t0 = g_get_monotonic_time();
    ks_hash(ks);
    ks->layout.index_time_us = g_get_monotonic_time() - t0;
    if (!ks_finish(c, ks, num_syms_va, seqs_before)) {
        return NULL;
    }
    ks->layout.num_syms = n;
    ks->layout.num_syms_va = num_syms_va;
    ks->layout.names_va = names_va;
    ks->layout.names_size = size;
    ks->layout.markers_va = markers_va;
    ks->layout.num_markers = n_markers;
    ks->layout.token_table_va = c->tt_va;
    ks->layout.token_table_size = c->tt_size;
    ks->layout.token_index_va = c->ti_va;
    return g_steal_pointer(&ks);
}

/*
 * Read into @w what can be read of [@top - @max, @top), down from @top
 * to the first page that cannot be: the names and the count before them
 * are all readable, so nothing below a hole is of use.  Probed first, a
 * byte a page, so that no more is allocated than can be read.  False if
 * not even the byte below @top can be read.
 */
static bool ks_win_down(KsCtx *c, KsWindow *w, uint64_t top, uint64_t max)
{
    uint64_t size = 0, got = 0;
    uint8_t probe;

    while (size < max) {
        uint64_t n = MIN(max - size, ((top - size - 1) & (KS_PAGE - 1)) + 1);

        if (!st_guest_read(c->vm, top - size - n, &probe, 1, NULL)) {
            break;
        }
        size += n;
    }
    if (!size || !st_ks_charge(c, size)) {
        return false;
    }
    if (size > w->cap) {
        g_free(w->buf);
        w->buf = g_malloc(size);
        w->cap = size;
    }
    if (!st_guest_read(c->vm, top - size, w->buf, size, NULL)) {
        /* a page only partly readable: keep what is above it */
        while (got < size) {
            uint64_t n = MIN(size - got, ((top - got - 1) & (KS_PAGE - 1)) + 1);

            if (!st_guest_read(c->vm, top - got - n, w->buf + size - got - n,
                               n, NULL)) {
                break;
            }
            got += n;
        }
        memmove(w->buf, w->buf + size - got, got);
        size = got;
    }
    w->size = size;
    w->lo = 0;
    w->hi = size;
    return size > 0;
}

StKallsyms *st_ks_from_markers(KsCtx *c, uint64_t markers_va,
                               uint32_t n_markers, const uint8_t *mbytes)
{
    g_autofree uint32_t *markers = g_new(uint32_t, n_markers);
    KsWindow *tw = &c->tail_win, *sw = &c->count_win;
    uint64_t last, tlo, shi, slo, s, base;
    uint32_t i, groups = n_markers - 1;
    bool names_ok;

    for (i = 0; i < n_markers; i++) {
        markers[i] = ldl_le_p(mbytes + 4 * i);
    }
    last = markers[groups];
    if (markers_va < last + 64 + KS_GROUP_MAX) {
        return NULL;
    }
    /* where the names may start: the count is before them */
    shi = (markers_va - last - 2) & ~3ULL;
    slo = shi - KS_GROUP_MAX - 8;
    /* the last group of names, up to the markers; the count's window */
    if (!ks_win_down(c, tw, markers_va, 8 + KS_GROUP_MAX) ||
        !ks_win_down(c, sw, shi, shi - slo + 8)) {
        return NULL;
    }
    tlo = markers_va - tw->size;
    base = shi - sw->size;
    for (s = shi; s >= slo && s >= base + 4 && !c->out_of_work; s -= 4) {
        uint32_t w4 = ldl_le_p(sw->buf + (s - 4 - base));
        /* a count 8 bytes before is read only past a zero word */
        uint32_t w8 = s >= base + 8 ? ldl_le_p(sw->buf + (s - 8 - base)) : 0;
        unsigned gap;

        for (gap = 4; gap <= 8; gap += 4) {
            uint32_t n = gap == 4 ? w4 : (w4 ? 0 : w8);
            uint64_t end;
            StKallsyms *ks;

            if (n <= (uint64_t)KS_GROUP * groups ||
                n > (uint64_t)KS_GROUP * n_markers || n > c->opts->max_syms ||
                !st_ks_charge(c, 64)) {
                continue;
            }
            end = ks_names_tail(tw->buf, tlo, s + last, n - KS_GROUP * groups,
                                markers_va);
            if (!end) {
                continue;
            }
            ks = ks_try_names(c, s, end, n, s - gap, markers_va, n_markers,
                              markers, &names_ok);
            if (ks || names_ok || c->out_of_work) {
                return ks;
            }
        }
    }
    return NULL;
}

const StKallsymsLayout *st_kallsyms_layout(const StKallsyms *ks)
{
    return &ks->layout;
}

uint32_t st_kallsyms_count(const StKallsyms *ks)
{
    return ks->count;
}

bool st_kallsyms_nth(const StKallsyms *ks, uint32_t i, StKallsym *sym)
{
    if (i >= ks->count) {
        return false;
    }
    sym->name = ks->arena + ks->name_off[i];
    sym->type = ks->types[i];
    sym->percpu = ks->percpu[i];
    sym->value = ks->value[i];
    return true;
}

bool st_kallsyms_lookup(const StKallsyms *ks, const char *name,
                        StKallsym *sym)
{
    uint32_t i;

    return ks_index_of(ks, name, &i) && st_kallsyms_nth(ks, i, sym);
}

bool st_kallsyms_address(const StKallsyms *ks, const char *name,
                         uint64_t *addr, GError **errp)
{
    StKallsym sym;

    if (!st_kallsyms_lookup(ks, name, &sym)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "kallsyms: no symbol %s", name);
        return false;
    }
    /* per-CPU symbols have addresses only when linked in the image */
    if (sym.percpu &&
        (ks->layout.addressing == ST_KALLSYMS_BASE_RELATIVE_ABS_PERCPU ||
         ks->layout.addressing == ST_KALLSYMS_ABSOLUTE)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "kallsyms: %s is a per-CPU symbol (offset 0x%" PRIx64
                    "), not an address", name, sym.value);
        return false;
    }
    *addr = sym.value;
    return true;
}

bool st_kallsyms_percpu_offset(const StKallsyms *ks, const char *name,
                               uint64_t *offset, GError **errp)
{
    StKallsym sym;

    if (!st_kallsyms_lookup(ks, name, &sym)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "kallsyms: no symbol %s", name);
        return false;
    }
    if (!sym.percpu) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "kallsyms: %s (0x%" PRIx64 ") is not a per-CPU symbol",
                    name, sym.value);
        return false;
    }
    *offset = sym.value;
    return true;
}
