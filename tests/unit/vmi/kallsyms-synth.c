/*
 * secret-tracker: kallsyms tables written for tests
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "kallsyms-synth.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"

/* Longer tokens, as kallsyms' compression would make some */
static const char *const ks_long_tokens[] = {
    "entry_", "sys_", "__", "_SYSCALL_", "per_cpu", "current", "task",
};

void ks_tokens_simple(KsTokens *t)
{
    unsigned i, filler = 0;

    t->size = 0;
    for (i = 0; i < 256; i++) {
        char tok[16];

        if (i > 0x20 && i < 0x7f) {
            tok[0] = i;
            tok[1] = 0;
        } else if (i >= 0x80 && i - 0x80 < G_N_ELEMENTS(ks_long_tokens)) {
            g_strlcpy(tok, ks_long_tokens[i - 0x80], sizeof(tok));
        } else {
            /* never used by names: "~", "~~", ... */
            memset(tok, '~', filler % 4 + 1);
            tok[filler++ % 4 + 1] = 0;
        }
        t->index[i] = t->size;
        memcpy(t->table + t->size, tok, strlen(tok) + 1);
        t->size += strlen(tok) + 1;
    }
}

bool ks_encode(const KsTokens *t, const char *typed_name, KsSym *sym)
{
    const char *p = typed_name;

    sym->enc_len = 0;
    while (*p) {
        unsigned best = 256, best_len = 0, i;

        for (i = 0; i < 256; i++) {
            const char *tok = (const char *)t->table + t->index[i];
            size_t len = strlen(tok);

            if (len > best_len && strncmp(p, tok, len) == 0) {
                best = i;
                best_len = len;
            }
        }
        if (best == 256 || sym->enc_len >= sizeof(sym->enc)) {
            return false;
        }
        sym->enc[sym->enc_len++] = best;
        p += best_len;
    }
    return true;
}

void ks_decode(const KsTokens *t, const KsSym *sym, char *out)
{
    GString *s = g_string_new(NULL);
    unsigned i;

    for (i = 0; i < sym->enc_len; i++) {
        g_string_append(s, (const char *)t->table + t->index[sym->enc[i]]);
    }
    g_assert_cmpuint(s->len, >=, 1);
    g_assert_cmpuint(s->len, <=, 1024);
    memcpy(out, s->str + 1, s->len);
    g_string_free(s, true);
}

static void put(KsTables *t, const void *p, size_t len)
{
    g_byte_array_append(t->bytes, p, len);
}

static void put32(KsTables *t, uint32_t v)
{
    v = cpu_to_le32(v);
    put(t, &v, 4);
}

static void put64(KsTables *t, uint64_t v)
{
    v = cpu_to_le64(v);
    put(t, &v, 8);
}

/* A label: aligned as scripts/kallsyms aligns them; returns its address */
static uint64_t label(KsTables *t, unsigned align)
{
    static const uint8_t zero[8];

    put(t, zero, (align - t->bytes->len % align) % align);
    return t->va + t->bytes->len;
}

typedef struct KsSortName {
    char name[1025];
    uint32_t index;
} KsSortName;

static int ks_sort_cmp(const void *a, const void *b)
{
    const KsSortName *x = a, *y = b;
    int r = strcmp(x->name, y->name);

    return r ? r : (int)x->index - (int)y->index;
}

static void put_seqs(KsTables *t, const KsTokens *tk, const KsSym *syms,
                     unsigned n, unsigned align)
{
    KsSortName *s = g_new(KsSortName, n);
    unsigned i;

    for (i = 0; i < n; i++) {
        ks_decode(tk, &syms[i], s[i].name);
        s[i].index = i;
    }
    qsort(s, n, sizeof(*s), ks_sort_cmp);
    t->seqs = label(t, align);
    for (i = 0; i < n; i++) {
        uint8_t b[3] = { s[i].index >> 16, s[i].index >> 8, s[i].index };

        put(t, b, 3);
    }
    g_free(s);
}

static void put_names(KsTables *t, const KsSym *syms, unsigned n,
                      unsigned align)
{
    g_autofree uint32_t *markers = g_new(uint32_t, (n + 255) / 256);
    uint64_t start;
    unsigned i;

    t->num_syms = label(t, align);
    put32(t, n);
    t->names = start = label(t, align);
    for (i = 0; i < n; i++) {
        uint8_t len[2] = { syms[i].enc_len, 0 };

        if (i % 256 == 0) {
            markers[i / 256] = t->va + t->bytes->len - start;
        }
        if (syms[i].enc_len >= 0x80) {
            len[0] = (syms[i].enc_len & 0x7f) | 0x80;
            len[1] = syms[i].enc_len >> 7;
        }
        put(t, len, syms[i].enc_len >= 0x80 ? 2 : 1);
        put(t, syms[i].enc, syms[i].enc_len);
    }
    t->markers = label(t, align);
    for (i = 0; i < (n + 255) / 256; i++) {
        put32(t, markers[i]);
    }
}

static void put_tokens(KsTables *t, const KsTokens *tk, unsigned align)
{
    unsigned i;

    t->token_table = label(t, align);
    put(t, tk->table, tk->size);
    t->token_index = label(t, align);
    for (i = 0; i < 256; i++) {
        uint16_t v = cpu_to_le16(tk->index[i]);

        put(t, &v, 2);
    }
}

/* Base-relative entries, per-CPU symbols absolute (5.10 .. 6.12) */
static void put_offsets(KsTables *t, const KsSym *syms, unsigned n,
                        uint64_t base, unsigned align)
{
    unsigned i;

    t->offsets = label(t, align);
    for (i = 0; i < n; i++) {
        int64_t e = syms[i].percpu ? (int64_t)syms[i].value
                                   : (int64_t)(base - 1 - syms[i].value);

        g_assert_cmpint(e, ==, (int32_t)e);
        put32(t, e);
    }
    t->relative_base = label(t, 8);
    put64(t, base);
}

void ks_build(KsTables *t, KsLayout layout, const KsTokens *tk,
              const KsSym *syms, unsigned n, uint64_t va, uint64_t base)
{
    unsigned a = layout == KS_LAYOUT_7 ? 4 : 8, i;

    memset(t, 0, sizeof(*t));
    t->bytes = g_byte_array_new();
    t->va = va;
    switch (layout) {
    case KS_LAYOUT_5_10:
    case KS_LAYOUT_6_1:
        put_offsets(t, syms, n, base, a);
        put_names(t, syms, n, a);
        if (layout == KS_LAYOUT_6_1) {
            put_seqs(t, tk, syms, n, a);
        }
        put_tokens(t, tk, a);
        break;
    case KS_LAYOUT_6_12:
        put_names(t, syms, n, a);
        put_tokens(t, tk, a);
        put_offsets(t, syms, n, base, a);
        put_seqs(t, tk, syms, n, a);
        break;
    case KS_LAYOUT_7:
        put_names(t, syms, n, a);
        put_tokens(t, tk, a);
        t->offsets = label(t, a);
        for (i = 0; i < n; i++) {
            int64_t e = syms[i].value - (t->va + t->bytes->len);

            g_assert_cmpint(e, ==, (int32_t)e);
            put32(t, e);
        }
        put_seqs(t, tk, syms, n, a);
        break;
    case KS_LAYOUT_ADDRESSES:
        t->offsets = label(t, a);
        for (i = 0; i < n; i++) {
            put64(t, syms[i].value);
        }
        put_names(t, syms, n, a);
        put_tokens(t, tk, a);
        break;
    default:
        g_assert_not_reached();
    }
}

GByteArray *ks_fuzz_input(const KsTables *t, uint64_t base, uint64_t lstar)
{
    GByteArray *in = g_byte_array_new();
    KsFuzzHeader h = {
        .base = cpu_to_le64(base),
        .lstar = cpu_to_le32(lstar - base),
    };
    uint64_t at = t->va - base;

    g_assert_cmphex(base % KS_FUZZ_PAGE, ==, 0);
    g_assert_cmphex(t->va, >, lstar);
    g_byte_array_append(in, (uint8_t *)&h, sizeof(h));
    g_byte_array_set_size(in, sizeof(h) + at);
    memset(in->data + sizeof(h), 0, at);
    g_byte_array_append(in, t->bytes->data, t->bytes->len);
    return in;
}

void ks_fuzz_seed(const char *dir, const char *name, GByteArray *in,
                  unsigned count)
{
    const KsFuzzHeader *h = (const KsFuzzHeader *)in->data;
    uint64_t base = le64_to_cpu(h->base), off;
    g_autofree char *path = g_build_filename(dir, name, NULL);
    StSynth *s = st_synth_new(false);
    StKallsyms *ks;
    GError *err = NULL;

    for (off = 0; off < in->len; off += KS_FUZZ_PAGE) {
        st_synth_map(s, base + off, KS_FUZZ_IMAGE_PA + off, KS_FUZZ_PAGE);
    }
    st_synth_write_phys(s, KS_FUZZ_IMAGE_PA, in->data + sizeof(*h),
                        in->len - sizeof(*h));
    ks = st_kallsyms_find(&s->vm, base + le32_to_cpu(h->lstar), NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(st_kallsyms_count(ks), ==, count);
    st_kallsyms_free(ks);
    st_synth_free(s);
    g_assert_true(g_file_set_contents(path, (char *)in->data, in->len,
                                      NULL));
    g_test_message("fuzz seed %s: %u bytes", path, in->len);
}
