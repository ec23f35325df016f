/*
 * secret-tracker: find the guest kernel's kallsyms tables in RAM
 *
 * scripts/kallsyms emits, in .rodata, the symbol count, the names
 * (each a length byte or two, then indices into a table of 256 tokens,
 * the first character being the symbol type), a marker every 256 names,
 * the token table (256 NUL-terminated strings) with its index (256 u16
 * offsets), the values, and (on Debian's 6.1 and later) a sorted
 * permutation of the names, kallsyms_seqs_of_names.  The order of the
 * tables and how values are stored change across the Debian lines; seen
 * on the real kernels (generic, cloud and rt flavours alike: 5.10.0-32,
 * 6.1.0-57, 6.12.95+deb12, 6.12.117+deb13, 7.2.13+deb14):
 *
 *   5.10 (bullseye)  offsets, relative_base, num_syms, names, markers,
 *                    token_table, token_index
 *   6.1 (bookworm)   offsets, relative_base, num_syms, names, markers,
 *                    seqs_of_names, token_table, token_index
 *   6.12 (bookworm-backports, trixie)
 *                    num_syms, names, markers, token_table, token_index,
 *                    offsets, relative_base, seqs_of_names
 *   7.2 (sid)        num_syms, names, markers, token_table, token_index,
 *                    offsets (relative to themselves), seqs_of_names
 *
 * 5.10 to 6.12 store per-CPU symbols as absolute entries (their per-CPU
 * offset) and the others relative to kallsyms_relative_base; 7.2 links
 * the per-CPU section into the image and stores every value relative to
 * the entry's own address.  Nothing here depends on a version number:
 * the token table is found by its contents, the other tables where they
 * can sit next to it, and a placement is accepted only when everything
 * in it holds together.  Symbols are sorted by value, so the decoded
 * values must never decrease; that tells the placements and the
 * encodings of values apart.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"
#include "qemu/bswap.h"
#include "linux-kallsyms-internal.h"

#define KS_SCAN_CHUNK (64 * 1024)
#define KS_TOKENS 256
#define KS_TOKEN_INDEX_SIZE (KS_TOKENS * 2)
/* Hits of the anchor pattern, and marker arrays, tried at most */
#define KS_MAX_ANCHORS 64
#define KS_MAX_MARKER_CANDIDATES 16
/* Encoded bytes of 256 names: each at least 2, at most 2 + the max */
#define KS_GROUP_MIN (KS_GROUP * 2)
#define KS_GROUP_MAX (KS_GROUP * (2 + KS_ENCODED_MAX))

/*
 * Every byte that occurs in some symbol name keeps its own token, so the
 * digits are tokens 0x30..0x39, one after the other.
 */
static const uint8_t ks_digits[] = "0\0" "1\0" "2\0" "3\0" "4\0"
                                   "5\0" "6\0" "7\0" "8\0" "9";

void st_kallsyms_options_default(StKallsymsOptions *opts)
{
    opts->forward = 128 * 1024 * 1024;
    opts->backward = 16 * 1024 * 1024;
    opts->max_syms = ST_KALLSYMS_MAX_SYMS;
    opts->max_work = 256 * 1024 * 1024;
}

const char *st_kallsyms_addressing_name(StKallsymsAddressing a)
{
    switch (a) {
    case ST_KALLSYMS_ABSOLUTE:
        return "absolute (kallsyms_addresses)";
    case ST_KALLSYMS_BASE_RELATIVE:
        return "base-relative";
    case ST_KALLSYMS_BASE_RELATIVE_ABS_PERCPU:
        return "base-relative, absolute per-CPU";
    case ST_KALLSYMS_PC_RELATIVE:
        return "relative to each entry";
    }
    return "?";
}

bool st_ks_charge(KsCtx *c, uint64_t bytes)
{
    if (c->work + bytes > c->opts->max_work || c->work + bytes < c->work) {
        c->out_of_work = true;
        return false;
    }
    c->work += bytes;
    return true;
}

bool st_ks_read(KsCtx *c, uint64_t va, void *buf, uint64_t len)
{
    return len <= ST_GUEST_MAX_READ && st_ks_charge(c, len) &&
           st_guest_read(c->vm, va, buf, len, NULL);
}

/*
 * Read what can be read of [va, va + w->size) into @w, the rest as
 * zeroes.  False if nothing could be read.  A window reused for many
 * reads (one per candidate) is zeroed only where stale data may be.
 */
bool st_ks_read_lenient(KsCtx *c, uint64_t va, KsWindow *w)
{
    uint64_t len = w->size, off = 0, lo = len, hi = 0;

    if (len > ST_GUEST_MAX_READ || !st_ks_charge(c, len)) {
        return false;
    }
    /* a failed read may leave data anywhere: try it whole only if stale */
    if (w->lo == 0 && w->hi == len &&
        st_guest_read(c->vm, va, w->buf, len, NULL)) {
        return true;
    }
    while (off < len) {
        uint64_t pa, page = KS_PAGE, n, k, step;
        bool mapped = st_guest_vtop(c->vm, va + off, &pa, &page, NULL);
        bool whole;

        /* one walk per page, however large: a hole is not walked twice */
        page = mapped ? page : KS_PAGE;
        n = MIN(len - off, page - ((va + off) & (page - 1)));
        whole = mapped && st_guest_read_phys(c->vm->mem, pa, w->buf + off, n,
                                             NULL);
        for (k = 0; k < n; k += step) {
            step = MIN(n - k, KS_PAGE - ((va + off + k) & (KS_PAGE - 1)));
            if (whole || (mapped && n > KS_PAGE &&
                          st_guest_read_phys(c->vm->mem, pa + k,
                                             w->buf + off + k, step, NULL))) {
                lo = MIN(lo, off + k);
                hi = off + k + step;
            } else if (mapped || (off + k < w->hi && off + k + step > w->lo)) {
                /* written to by the read that failed, or stale */
                memset(w->buf + off + k, 0, step);
            }
        }
        off += n;
    }
    w->lo = lo;
    w->hi = hi;
    return hi > 0;
}

/*
 * Read what can be read of [pa, pa + len) into @buf.  Returns the length
 * of the prefix of @buf that holds all of it, the holes in it zeroed; 0
 * if nothing could be read.  Past the prefix @buf is undefined: a chunk
 * of hole, common past the end of RAM, costs no zeroing.
 */
static uint64_t ks_read_phys_lenient(const StGuestMem *mem, uint64_t pa,
                                     uint8_t *buf, uint64_t len)
{
    uint64_t off = 0, end = 0;

    if (st_guest_read_phys(mem, pa, buf, len, NULL)) {
        return len;
    }
    while (off < len) {
        uint64_t n = MIN(len - off, KS_PAGE - ((pa + off) & (KS_PAGE - 1)));

        if (st_guest_read_phys(mem, pa + off, buf + off, n, NULL)) {
            memset(buf + end, 0, off - end);
            end = off + n;
        }
        off += n;
    }
    return end;
}

static uint16_t ks_le16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

/*
 * Is there a token table whose digit tokens are at @hit_pa, followed by
 * its index?  Fills the token fields of @c.
 */
static bool ks_token_table_at(KsCtx *c, uint64_t hit_pa)
{
    uint64_t lo = hit_pa > KS_TOKEN_TABLE_MAX ? hit_pa - KS_TOKEN_TABLE_MAX
                                              : 0;
    uint64_t size = hit_pa - lo + KS_TOKEN_TABLE_MAX + 8 + KS_TOKEN_INDEX_SIZE;
    g_autofree uint8_t *buf = g_malloc(size);
    uint64_t h = hit_pa - lo, q = h, e, p, t;
    uint16_t idx[KS_TOKENS];
    unsigned i, j;

    if (!st_ks_charge(c, size)) {
        return false;
    }
    e = ks_read_phys_lenient(c->vm->mem, lo, buf, size);
    if (!e) {
        return false;
    }
    memset(buf + e, 0, size - e);
    /* the end of the table: past tokens 0x30 .. 0xff */
    for (i = '0'; i < KS_TOKENS; i++) {
        const uint8_t *nul = memchr(buf + q, 0, size - q);

        if (!nul) {
            return false;
        }
        q = nul - buf + 1;
    }
    e = q;
    for (p = e; p < e + 8 && p + KS_TOKEN_INDEX_SIZE <= size; p++) {
        if (p > e && buf[p - 1]) {
            return false;   /* padding is zeroes */
        }
        if ((lo + p) % 2) {
            continue;
        }
        for (i = 0; i < KS_TOKENS; i++) {
            idx[i] = ks_le16(buf + p + 2 * i);
        }
        if (idx[0] != 0 || idx['0'] > h) {
            continue;
        }
        t = h - idx['0'];
        if (e - t > KS_TOKEN_TABLE_MAX) {
            continue;
        }
        for (i = 1; i < KS_TOKENS; i++) {
            const uint8_t *start = buf + t + idx[i - 1];

            if (idx[i] <= idx[i - 1] || t + idx[i] >= e ||
                memchr(start, 0, idx[i] - idx[i - 1]) !=
                buf + t + idx[i] - 1) {
                break;
            }
        }
        /* and the last token ends the table */
        if (i < KS_TOKENS || memchr(buf + t + idx[KS_TOKENS - 1], 0,
                                    e - t - idx[KS_TOKENS - 1]) !=
                             buf + e - 1) {
            continue;
        }
        c->tt_size = e - t;
        memcpy(c->tt, buf + t, c->tt_size);
        for (i = 0; i < KS_TOKENS; i++) {
            c->tok_off[i] = idx[i];
            c->tok_len[i] = strlen((char *)c->tt + idx[i]);
            c->tok_ok[i] = true;
            for (j = 0; j < c->tok_len[i]; j++) {
                uint8_t ch = c->tt[idx[i] + j];

                c->tok_ok[i] &= ch > 0x20 && ch < 0x7f;
            }
        }
        c->tt_va = lo + t + c->delta;
        c->ti_va = lo + p + c->delta;
        return true;
    }
    return false;
}

/*
 * The markers end at @e (4-aligned); walk them back to marker 0.  Each
 * step is 256 encoded names.  Returns the number of markers, 0 if none.
 */
static uint32_t ks_markers_ending(KsCtx *c, const uint8_t *wbuf,
                                  uint64_t wlo, uint64_t e)
{
    uint32_t max = c->opts->max_syms / KS_GROUP + 1, n = 1;
    uint64_t j = e - 4;
    uint32_t prev = ldl_le_p(wbuf + (j - wlo)), cur;

    if (prev == 0) {
        return 0;
    }
    while (j >= wlo + 4 && n < max) {
        j -= 4;
        n++;
        cur = ldl_le_p(wbuf + (j - wlo));
        if (cur >= prev || prev - cur < KS_GROUP_MIN ||
            prev - cur > KS_GROUP_MAX || !st_ks_charge(c, 4)) {
            return 0;
        }
        if (cur == 0) {
            return n;
        }
        prev = cur;
    }
    return 0;
}

/*
 * With the token table known: find the markers before it (right before,
 * or before the sorted-names table that sits between them in 6.1), then
 * the names and their count, then the values.
 */
static StKallsyms *ks_from_token_table(KsCtx *c)
{
    uint64_t window = 3ULL * c->opts->max_syms +
                      4ULL * (c->opts->max_syms / KS_GROUP + 2) + 64;
    uint64_t wlo, e, top, bottom;
    g_autofree uint8_t *wbuf = NULL;
    KsWindow w;
    unsigned candidates = 0;

    window = MIN(window, c->tt_va & ~3ULL);
    wlo = (c->tt_va & ~3ULL) - window;
    wbuf = g_try_malloc(window);
    w = (KsWindow){ wbuf, window, 0, window };
    if (!wbuf || !st_ks_read_lenient(c, wlo, &w)) {
        return NULL;
    }
    /* a last marker of 0 (as in the zeroes around what was read) ends none */
    top = MIN(c->tt_va & ~3ULL, ROUND_UP(wlo + w.hi, 4));
    bottom = MAX(wlo + 8, (wlo + w.lo) & ~3ULL);
    for (e = top; e >= bottom; e -= 4) {
        uint32_t n = ks_markers_ending(c, wbuf, wlo, e);
        StKallsyms *ks;

        if (c->out_of_work) {
            return NULL;
        }
        if (n < 2) {
            continue;
        }
        ks = st_ks_from_markers(c, e - 4ULL * n, n,
                             wbuf + (e - 4ULL * n - wlo));
        if (ks || c->out_of_work ||
            ++candidates >= KS_MAX_MARKER_CANDIDATES) {
            return ks;
        }
    }
    return NULL;
}

static void ks_ctx_free(KsCtx *c)
{
    /* a mismatch seen before a table that fits is not reported */
    g_clear_error(&c->mismatch);
    g_free(c->tail_win.buf);
    g_free(c->count_win.buf);
    g_free(c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KsCtx, ks_ctx_free)

static void ks_set_error(KsCtx *c, GError **errp, uint64_t lo, uint64_t hi,
                         unsigned anchors)
{
    if (c->mismatch) {
        g_propagate_error(errp, c->mismatch);
        c->mismatch = NULL;
    } else if (c->out_of_work) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "kallsyms: gave up after %" PRIu64 " MiB of work on "
                    "%u candidate tables", c->work >> 20, anchors);
    } else if (c->names_va) {
        /* a layout not seen yet, most likely: say how far it got */
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "kallsyms: names found at 0x%" PRIx64 " (token table "
                    "0x%" PRIx64 "), but no symbol values that hold "
                    "together", c->names_va, c->tt_va);
    } else {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "kallsyms: no symbol table in guest-physical 0x%"
                    PRIx64 "..0x%" PRIx64 " (%u candidate token tables)",
                    lo, hi, anchors);
    }
}

StKallsyms *st_kallsyms_find(const StGuestVm *vm, uint64_t lstar,
                             const StKallsymsOptions *opts, GError **errp)
{
    const size_t pat_len = sizeof(ks_digits);
    StKallsymsOptions defaults;
    g_autoptr(KsCtx) c = g_new0(KsCtx, 1);
    g_autofree uint8_t *buf = NULL;
    uint64_t lstar_pa, page, lo, hi, pos;
    unsigned anchors = 0;
    int64_t t0 = g_get_monotonic_time();
    GError *err = NULL;

    if (!opts) {
        st_kallsyms_options_default(&defaults);
        opts = &defaults;
    }
    if (!st_guest_vtop(vm, lstar, &lstar_pa, NULL, &err)) {
        g_propagate_prefixed_error(errp, err, "kallsyms: LSTAR 0x%" PRIx64
                                   ": ", lstar);
        return NULL;
    }
    c->vm = vm;
    c->opts = opts;
    c->lstar = lstar;
    c->delta = lstar - lstar_pa;
    page = lstar_pa & ~(KS_PAGE - 1);
    lo = page - MIN(opts->backward, page);
    hi = page + MIN(opts->forward, UINT64_MAX - page);
    /* no larger than the range: a small scan touches little memory */
    buf = g_malloc(MIN(hi - lo, (uint64_t)KS_SCAN_CHUNK) + pat_len);
    for (pos = lo; pos < hi && anchors < KS_MAX_ANCHORS; pos += KS_SCAN_CHUNK) {
        uint64_t len = MIN(hi - pos, (uint64_t)KS_SCAN_CHUNK + pat_len - 1);
        const uint8_t *p = buf, *end;

        len = ks_read_phys_lenient(vm->mem, pos, buf, len);
        if (!len) {
            continue;
        }
        end = buf + len;
        while (p < end && anchors < KS_MAX_ANCHORS) {
            const uint8_t *m = memmem(p, end - p, ks_digits, pat_len);
            StKallsyms *ks;

            if (!m) {
                break;
            }
            p = m + 1;
            anchors++;
            if (!ks_token_table_at(c, pos + (m - buf))) {
                if (c->out_of_work) {
                    break;
                }
                continue;
            }
            ks = ks_from_token_table(c);
            if (ks) {
                ks->layout.find_time_us = g_get_monotonic_time() - t0 -
                                          ks->layout.index_time_us;
                return ks;
            }
            if (c->out_of_work) {
                break;
            }
        }
        if (c->out_of_work) {
            break;
        }
    }
    ks_set_error(c, errp, lo, hi, anchors);
    return NULL;
}
