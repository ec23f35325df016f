/*
 * secret-tracker: the kallsyms reader on tables written by the test, in
 * each layout, then damaged every way a hostile guest could
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "vmi-synth.h"
#include "kallsyms-synth.h"
#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"

#define TEXT_VA 0xffffffff81000000ULL
#define TEXT_PA 0x1000000ULL
#define TABLES_VA (TEXT_VA + 0x100000)
#define ENTRY_VA (TEXT_VA + 0x40)
#define BASE TEXT_VA
#define PERCPU_VA 0xffffffff81600000ULL    /* 7.x: in the image */
#define N_FUNCS 700
#define CURRENT_TASK 0x1fb80

typedef struct Case {
    KsTokens tokens;
    KsSym syms[N_FUNCS + 32];
    unsigned n;
    KsLayout layout;
    KsTables t;
    StSynth *s;
    unsigned pad;       /* characters added to the names of the last group */
} Case;

static const char *const layout_names[] = {
    "5.10", "6.1", "6.12", "7", "addresses",
};

static void add(Case *c, const char *typed_name, uint64_t value, bool percpu)
{
    KsSym *sym = &c->syms[c->n++];

    g_assert_cmpuint(c->n, <=, G_N_ELEMENTS(c->syms));
    g_assert_true(ks_encode(&c->tokens, typed_name, sym));
    sym->value = value;
    sym->percpu = percpu;
}

/* Symbols as the layout's kernels have them, sorted by value */
static void make_symbols(Case *c)
{
    bool abs_percpu = c->layout != KS_LAYOUT_7;
    g_autofree char *longname = g_strnfill(300, 'x');
    g_autofree char *typed_long = g_strconcat("t", longname, NULL);
    unsigned i;

    ks_tokens_simple(&c->tokens);
    if (abs_percpu) {
        add(c, "A__per_cpu_start", 0, true);
        add(c, "Afixed_percpu_data", 0, true);
        add(c, "Acurrent_task", CURRENT_TASK, true);
        add(c, "A__per_cpu_end", 0x36000, true);
    }
    add(c, "T_text", TEXT_VA, false);
    add(c, "T_stext", TEXT_VA, false);
    add(c, "Tentry_SYSCALL_64", ENTRY_VA, false);
    add(c, "Tx64_sys_call", ENTRY_VA + 0x400, false);
    add(c, "tdup", ENTRY_VA + 0x500, false);
    add(c, "Tdup", ENTRY_VA + 0x600, false);
    add(c, "tsame", ENTRY_VA + 0x700, false);
    add(c, "tsame", ENTRY_VA + 0x800, false);
    /* a long (Rust-sized) name: a two-byte length */
    add(c, typed_long, ENTRY_VA + 0x900, false);
    for (i = 0; i < N_FUNCS; i++) {
        g_autofree char *tail = g_strnfill(i >= 2 * 256 ? c->pad : 0, 'x');
        g_autofree char *name = g_strdup_printf("%cfunc_%04u%s",
                                                i % 3 ? 't' : 'T', i, tail);

        add(c, name, ENTRY_VA + 0x1000 + 0x40 * i, false);
    }
    add(c, "Dcore_pattern", TEXT_VA + 0x500000, false);
    if (!abs_percpu) {
        add(c, "D__per_cpu_start", PERCPU_VA, false);
        add(c, "Dcurrent_task", PERCPU_VA + CURRENT_TASK, false);
        add(c, "D__per_cpu_end", PERCPU_VA + 0x36000, false);
    }
    add(c, "B_end", TEXT_VA + 0x800000, false);
}

/* The tables in guest memory after the text, mapped as the kernel is */
static Case *case_new_padded(KsLayout layout, unsigned pad)
{
    Case *c = g_new0(Case, 1);
    uint64_t off;

    c->layout = layout;
    c->pad = pad;
    make_symbols(c);
    ks_build(&c->t, layout, &c->tokens, c->syms, c->n, TABLES_VA, BASE);
    c->s = st_synth_new(false);
    for (off = 0; off < (8 << 20); off += 2 << 20) {
        st_synth_map(c->s, TEXT_VA + off, TEXT_PA + off, 2 << 20);
    }
    /* something that is not zero where the text is */
    st_synth_write_phys(c->s, TEXT_PA, "\x0f\x01\xf8", 3);
    st_synth_write_phys(c->s, TABLES_VA - TEXT_VA + TEXT_PA,
                        c->t.bytes->data, c->t.bytes->len);
    return c;
}

static Case *case_new(KsLayout layout)
{
    return case_new_padded(layout, 0);
}

static void case_free(Case *c)
{
    st_synth_free(c->s);
    g_byte_array_free(c->t.bytes, true);
    g_free(c);
}

static void poke(Case *c, uint64_t va, const void *buf, size_t len)
{
    st_synth_write_phys(c->s, va - TEXT_VA + TEXT_PA, buf, len);
}

static void poke32(Case *c, uint64_t va, uint32_t v)
{
    v = cpu_to_le32(v);
    poke(c, va, &v, 4);
}

static StKallsyms *find(Case *c, uint64_t lstar, GError **errp)
{
    StKallsymsOptions o;

    st_kallsyms_options_default(&o);
    o.backward = 1 << 20;
    o.forward = 8 << 20;
    return st_kallsyms_find(&c->s->vm, lstar, &o, errp);
}

static void find_fails(Case *c, int code)
{
    GError *err = NULL;

    g_assert_null(find(c, ENTRY_VA, &err));
    g_assert_error(err, ST_GUEST_ERROR, code);
    g_test_message("%s", err->message);
    g_error_free(err);
}

static void test_layout(gconstpointer data)
{
    Case *c = case_new(GPOINTER_TO_UINT(data));
    g_autoptr(StKallsyms) ks = NULL;
    const StKallsymsLayout *l;
    StKallsym sym;
    uint64_t v;
    unsigned i;
    GError *err = NULL;

    ks = find(c, ENTRY_VA, &err);
    g_assert_no_error(err);
    l = st_kallsyms_layout(ks);
    g_assert_cmpuint(st_kallsyms_count(ks), ==, c->n);
    g_assert_cmphex(l->num_syms_va, ==, c->t.num_syms);
    g_assert_cmphex(l->names_va, ==, c->t.names);
    g_assert_cmphex(l->markers_va, ==, c->t.markers);
    g_assert_cmpuint(l->num_markers, ==, (c->n + 255) / 256);
    g_assert_cmphex(l->token_table_va, ==, c->t.token_table);
    g_assert_cmphex(l->token_index_va, ==, c->t.token_index);
    g_assert_cmphex(l->offsets_va, ==, c->t.offsets);
    g_assert_cmphex(l->relative_base_va, ==, c->t.relative_base);
    g_assert_cmphex(l->seqs_of_names_va, ==, c->t.seqs);
    g_assert_cmphex(l->entry_syscall_64, ==, ENTRY_VA);
    g_assert_cmphex(l->text, ==, TEXT_VA);
    g_assert_cmpint(l->addressing, ==,
                    c->layout == KS_LAYOUT_7 ? ST_KALLSYMS_PC_RELATIVE :
                    c->layout == KS_LAYOUT_ADDRESSES ? ST_KALLSYMS_ABSOLUTE :
                    ST_KALLSYMS_BASE_RELATIVE_ABS_PERCPU);
    for (i = 0; i < c->n; i++) {
        char name[1025];

        ks_decode(&c->tokens, &c->syms[i], name);
        g_assert_true(st_kallsyms_nth(ks, i, &sym));
        g_assert_cmpstr(sym.name, ==, name);
        g_assert_cmpint(sym.type, ==, c->tokens.table[c->tokens.index[
                                          c->syms[i].enc[0]]]);
        g_assert_cmphex(sym.value, ==, c->syms[i].value);
        g_assert_cmpint(sym.percpu, ==, c->syms[i].percpu ||
                        (c->syms[i].value >= PERCPU_VA &&
                         c->syms[i].value < PERCPU_VA + 0x36000));
    }
    g_assert_false(st_kallsyms_nth(ks, c->n, &sym));
    /* repeated names: the global one, else the first */
    g_assert_true(st_kallsyms_lookup(ks, "dup", &sym));
    g_assert_cmpint(sym.type, ==, 'T');
    g_assert_cmphex(sym.value, ==, ENTRY_VA + 0x600);
    g_assert_true(st_kallsyms_lookup(ks, "same", &sym));
    g_assert_cmphex(sym.value, ==, ENTRY_VA + 0x700);
    g_assert_false(st_kallsyms_lookup(ks, "nosuchsymbol", &sym));
    g_assert_false(st_kallsyms_lookup(ks, "", &sym));
    g_assert_true(st_kallsyms_lookup(ks, "func_0699", &sym));
    g_assert_cmphex(sym.value, ==, ENTRY_VA + 0x1000 + 0x40 * 699);
    /* addresses and per-CPU offsets, each refusing the other kind */
    g_assert_true(st_kallsyms_address(ks, "x64_sys_call", &v, &err));
    g_assert_cmphex(v, ==, ENTRY_VA + 0x400);
    g_assert_true(st_kallsyms_percpu_offset(ks, "current_task", &v, &err));
    g_assert_no_error(err);
    g_assert_cmphex(v, ==, c->layout == KS_LAYOUT_7 ?
                    PERCPU_VA + CURRENT_TASK : CURRENT_TASK);
    g_assert_false(st_kallsyms_percpu_offset(ks, "x64_sys_call", &v, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(st_kallsyms_address(ks, "nosuchsymbol", &v, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    if (c->layout != KS_LAYOUT_7) {
        g_assert_false(st_kallsyms_address(ks, "current_task", &v, &err));
        g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
        g_clear_error(&err);
    }
    case_free(c);
}

/* LSTAR elsewhere, or no entry_SYSCALL_64: corrupt, never accepted */
static void test_entry_mismatch(void)
{
    Case *c = case_new(KS_LAYOUT_6_12);
    GError *err = NULL;
    unsigned i;

    g_assert_null(find(c, ENTRY_VA + 0x400, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_assert_nonnull(strstr(err->message, "entry_SYSCALL_64"));
    g_clear_error(&err);
    case_free(c);

    /* the name changed in place: "entry_SYSCALL_64" -> "entry_SYSCALL_65" */
    c = case_new(KS_LAYOUT_7);
    for (i = 0; i < c->n; i++) {
        char name[1025];

        ks_decode(&c->tokens, &c->syms[i], name);
        if (strcmp(name, "entry_SYSCALL_64") == 0) {
            c->syms[i].enc[c->syms[i].enc_len - 1] = '5';
        }
    }
    g_byte_array_free(c->t.bytes, true);
    ks_build(&c->t, c->layout, &c->tokens, c->syms, c->n, TABLES_VA, BASE);
    poke(c, TABLES_VA, c->t.bytes->data, c->t.bytes->len);
    find_fails(c, ST_GUEST_ERROR_CORRUPT);
    case_free(c);
}

/* Ways to damage the tables, each enough to refuse them */
static void damage(Case *c, unsigned how)
{
    static const uint8_t control[] = { 0x01 };

    switch (how) {
    case 0:     /* marker 1 */
        poke32(c, c->t.markers + 4, 0x7fffffff);
        break;
    case 1:     /* the count */
        poke32(c, c->t.num_syms, c->n + 1000);
        break;
    case 2:
        poke32(c, c->t.num_syms, 0xffffffff);
        break;
    case 3:     /* a value falls below the one before */
        poke32(c, c->t.offsets + (c->layout == KS_LAYOUT_ADDRESSES ? 8 : 4) *
                  (c->n - 2), 0);
        break;
    case 4:     /* the first name's length */
        poke(c, c->t.names, "\x7f", 1);
        break;
    case 5:     /* a token with a control character */
        poke(c, c->t.token_table + c->tokens.index['x'], control, 1);
        break;
    case 6:     /* the token index */
        poke32(c, c->t.token_index + 2 * 'A', 0x0fff0fff);
        break;
    default:
        g_assert_not_reached();
    }
}

/* Each table damaged in turn: never found, never a crash */
static void test_damaged(void)
{
    unsigned i, how;

    for (i = 0; i < KS_LAYOUT__COUNT; i++) {
        for (how = 0; how < 7; how++) {
            Case *c = case_new(i);

            g_test_message("layout %s, damage %u", layout_names[i], how);
            damage(c, how);
            find_fails(c, ST_GUEST_ERROR_NOT_FOUND);
            case_free(c);
        }
    }
}

/*
 * The last group's names 400 characters longer (75 KiB where a real
 * kernel has a few): the search reaches as far down as it must.
 */
static void test_long_names(void)
{
    unsigned i, k;

    for (i = 0; i < KS_LAYOUT__COUNT; i++) {
        Case *c = case_new_padded(i, 400);
        g_autoptr(StKallsyms) ks = NULL;
        const StKallsymsLayout *l;
        GError *err = NULL;
        StKallsym sym;

        g_test_message("layout %s", layout_names[i]);
        ks = find(c, ENTRY_VA, &err);
        g_assert_no_error(err);
        l = st_kallsyms_layout(ks);
        g_assert_cmpuint(c->t.markers - c->t.names, >, 64 * 1024);
        g_assert_cmpuint(st_kallsyms_count(ks), ==, c->n);
        g_assert_cmphex(l->num_syms_va, ==, c->t.num_syms);
        g_assert_cmphex(l->names_va, ==, c->t.names);
        for (k = 0; k < c->n; k++) {
            char name[1025];

            ks_decode(&c->tokens, &c->syms[k], name);
            g_assert_true(st_kallsyms_nth(ks, k, &sym));
            g_assert_cmpstr(sym.name, ==, name);
        }
        case_free(c);
    }
}

/* A page of the names unmapped: not found, not a crash */
static void test_hole(void)
{
    Case *c = case_new(KS_LAYOUT_6_1);
    uint64_t off;

    st_synth_unmap_level(c->s, TEXT_VA, 2);
    for (off = 0; off < (2 << 20); off += 4096) {
        if (TEXT_VA + off != ((c->t.names + 0x800) & ~0xfffULL)) {
            st_synth_map(c->s, TEXT_VA + off, TEXT_PA + off, 4096);
        }
    }
    find_fails(c, ST_GUEST_ERROR_NOT_FOUND);
    case_free(c);
}

/* A broken sorted-names table is left out; the rest still works */
static void test_bad_seqs(void)
{
    Case *c = case_new(KS_LAYOUT_6_12);
    g_autoptr(StKallsyms) ks = NULL;
    GError *err = NULL;

    poke(c, c->t.seqs, "\x00\x00\x01\x00\x00\x01", 6);
    ks = find(c, ENTRY_VA, &err);
    g_assert_no_error(err);
    g_assert_cmphex(st_kallsyms_layout(ks)->seqs_of_names_va, ==, 0);
    g_assert_cmpuint(st_kallsyms_count(ks), ==, c->n);
    case_free(c);
}

/* The bounds: window, symbol count, work, and a flood of fake anchors */
static void test_bounds(void)
{
    static const uint8_t digits[] = "0\0" "1\0" "2\0" "3\0" "4\0"
                                    "5\0" "6\0" "7\0" "8\0" "9";
    Case *c = case_new(KS_LAYOUT_5_10);
    StKallsymsOptions o;
    GError *err = NULL;
    uint64_t va;
    int64_t t0;

    st_kallsyms_options_default(&o);
    o.forward = 0x80000;     /* the tables are 1 MiB away */
    g_assert_null(st_kallsyms_find(&c->s->vm, ENTRY_VA, &o, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);

    st_kallsyms_options_default(&o);
    o.max_syms = 500;
    g_assert_null(st_kallsyms_find(&c->s->vm, ENTRY_VA, &o, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);

    st_kallsyms_options_default(&o);
    o.max_work = 100000;
    g_assert_null(st_kallsyms_find(&c->s->vm, ENTRY_VA, &o, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);

    /* 2000 fake token tables before the real one: it gives up, quickly */
    for (va = TEXT_VA + 0x1000; va < TEXT_VA + 0x1000 + 2000 * 64; va += 64) {
        poke(c, va, digits, sizeof(digits));
    }
    t0 = g_get_monotonic_time();
    find_fails(c, ST_GUEST_ERROR_NOT_FOUND);
    g_test_message("gave up after %" PRId64 " us",
                   g_get_monotonic_time() - t0);
    case_free(c);
}

/*
 * With ST_KALLSYMS_SEED_DIR set: fuzzer seeds of the synthetic tables,
 * for kallsyms_addresses, which no real kernel here has.
 */
static void test_seeds(void)
{
    const char *dir = g_getenv("ST_KALLSYMS_SEED_DIR");
    Case *c = case_new(KS_LAYOUT_ADDRESSES);
    g_byte_array_free(c->t.bytes, true);
    ks_build(&c->t, c->layout, &c->tokens, c->syms, c->n, TEXT_VA + 0x1000,
             BASE);
    ks_fuzz_seed(dir, "synth-addresses", ks_fuzz_input(&c->t, TEXT_VA,
                                                       ENTRY_VA), c->n);
    case_free(c);
}

int main(int argc, char **argv)
{
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < KS_LAYOUT__COUNT; i++) {
        g_autofree char *path = g_strdup_printf("/vmi/kallsyms/layout/%s",
                                                layout_names[i]);

        g_test_add_data_func(path, GUINT_TO_POINTER(i), test_layout);
    }
    g_test_add_func("/vmi/kallsyms/entry-mismatch", test_entry_mismatch);
    g_test_add_func("/vmi/kallsyms/damaged", test_damaged);
    g_test_add_func("/vmi/kallsyms/long-names", test_long_names);
    g_test_add_func("/vmi/kallsyms/hole", test_hole);
    g_test_add_func("/vmi/kallsyms/bad-seqs", test_bad_seqs);
    g_test_add_func("/vmi/kallsyms/bounds", test_bounds);
    if (g_getenv("ST_KALLSYMS_SEED_DIR")) {
        g_test_add_func("/vmi/kallsyms/seeds", test_seeds);
    }
    return g_test_run();
}
