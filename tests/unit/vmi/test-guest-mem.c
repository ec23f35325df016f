/*
 * secret-tracker: unit tests of the x86-64 page walk and guest reads
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"

static void test_kernel_root(void)
{
    /* bit 63 (no-flush), PCID bits and the PTI user bit all cleared */
    g_assert_cmphex(st_guest_kernel_root(0x8000000012345fffULL), ==,
                    0x12344000ULL);
    g_assert_cmphex(st_guest_kernel_root(0x7000ULL), ==, 0x6000ULL);
    g_assert_cmphex(st_guest_kernel_root(0x6000ULL), ==, 0x6000ULL);
    /* the table itself: only bit 63 and the PCID bits cleared */
    g_assert_cmphex(st_guest_cr3_table(0x8000000012345fffULL), ==,
                    0x12345000ULL);
    g_assert_cmphex(st_guest_cr3_table(0x7000ULL), ==, 0x7000ULL);
}

static void check_small_pages(bool la57)
{
    StSynth *s = st_synth_new(la57);
    uint64_t va = la57 ? 0xff23456789a00000ULL : 0xffffc90000400000ULL;
    uint64_t pa1 = st_synth_phys_alloc(s, 4096, 4096);
    uint64_t pa2 = st_synth_phys_alloc(s, 4096 * 8, 4096) + 4096 * 5;
    uint64_t got, size;
    uint8_t in[64], out[64];
    GError *err = NULL;
    unsigned i;

    /* two virtually adjacent pages, physically apart */
    st_synth_map(s, va, pa1, 4096);
    st_synth_map(s, va + 4096, pa2, 4096);
    for (i = 0; i < sizeof(in); i++) {
        in[i] = i * 7 + 1;
    }
    st_synth_write_phys(s, pa1 + 4096 - 32, in, 32);
    st_synth_write_phys(s, pa2, in + 32, 32);

    g_assert_true(st_guest_vtop(&s->vm, va + 0x123, &got, &size, &err));
    g_assert_no_error(err);
    g_assert_cmphex(got, ==, pa1 + 0x123);
    g_assert_cmpuint(size, ==, 4096);
    g_assert_true(st_guest_vtop(&s->vm, va + 4096 + 8, &got, NULL, &err));
    g_assert_cmphex(got, ==, pa2 + 8);

    memset(out, 0, sizeof(out));
    g_assert_true(st_guest_read(&s->vm, va + 4096 - 32, out, 64, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(in, 64, out, 64);

    /* the third page is not mapped: a read across it fails as a whole */
    g_assert_false(st_guest_read(&s->vm, va + 2 * 4096 - 8, out, 16, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    st_synth_free(s);
}

static void test_4level(void)
{
    check_small_pages(false);
}

static void test_5level(void)
{
    check_small_pages(true);
}

static void check_large(bool la57, uint64_t page)
{
    StSynth *s = st_synth_new(la57);
    uint64_t va = (la57 ? 0xff11000000000000ULL : 0xffff888000000000ULL) +
                  5 * page;
    uint64_t pa = 3 * page, got, size;
    uint64_t off = page - 0x1008;   /* near the end of the page */
    uint64_t val = 0x1122334455667788ULL, rd = 0;
    GError *err = NULL;

    st_synth_map(s, va, pa, page);
    st_synth_write_phys(s, pa + off, &val, 8);
    g_assert_true(st_guest_vtop(&s->vm, va + off, &got, &size, &err));
    g_assert_no_error(err);
    g_assert_cmphex(got, ==, pa + off);
    g_assert_cmphex(size, ==, page);
    g_assert_true(st_guest_read_u64(&s->vm, va + off, &rd, &err));
    g_assert_cmphex(rd, ==, val);
    /* inside the page, but physical memory there was never populated */
    g_assert_false(st_guest_read_u64(&s->vm, va + 0x1000, &rd, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* the next page is not mapped */
    g_assert_false(st_guest_vtop(&s->vm, va + page, &got, NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    st_synth_free(s);
}

static void test_2m(void)
{
    check_large(false, 2ULL << 20);
    check_large(true, 2ULL << 20);
}

static void test_1g(void)
{
    check_large(false, 1ULL << 30);
    check_large(true, 1ULL << 30);
}

static void check_not_present(bool la57)
{
    int levels = la57 ? 5 : 4, level;

    for (level = 1; level <= levels; level++) {
        StSynth *s = st_synth_new(la57);
        uint64_t va = st_synth_alloc(s, 4096), pa;
        GError *err = NULL;

        g_assert_true(st_guest_vtop(&s->vm, va, &pa, NULL, &err));
        st_synth_unmap_level(s, va, level);
        g_assert_false(st_guest_vtop(&s->vm, va, &pa, NULL, &err));
        g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
        g_assert_nonnull(strstr(err->message, "not present"));
        g_clear_error(&err);
        st_synth_free(s);
    }
}

static void test_not_present(void)
{
    check_not_present(false);
    check_not_present(true);
}

static void test_bad_addresses(void)
{
    StSynth *s = st_synth_new(false);
    StSynth *s5 = st_synth_new(true);
    uint64_t va = st_synth_alloc(s, 4096), pa, v;
    uint8_t buf[16];
    GError *err = NULL;

    /* not canonical for 4-level, fine (but unmapped) for 5-level */
    g_assert_false(st_guest_vtop(&s->vm, 0xff11000000000000ULL, &pa, NULL,
                                 &err));
    g_assert_nonnull(strstr(err->message, "canonical"));
    g_clear_error(&err);
    g_assert_false(st_guest_vtop(&s5->vm, 0xff11000000000000ULL, &pa, NULL,
                                 &err));
    g_assert_null(strstr(err->message, "canonical"));
    g_clear_error(&err);
    g_assert_false(st_guest_vtop(&s->vm, 0x0000800000000000ULL, &pa, NULL,
                                 &err));
    g_clear_error(&err);

    g_assert_true(st_guest_is_kernel_va(&s->vm, va));
    g_assert_false(st_guest_is_kernel_va(&s->vm, 0x7fffffffe000ULL));
    g_assert_false(st_guest_is_kernel_va(&s->vm, 0xff11000000000000ULL));
    g_assert_true(st_guest_is_kernel_va(&s5->vm, 0xff11000000000000ULL));
    g_assert_false(st_guest_is_kernel_va(&s5->vm, 0xfe00000000000000ULL));

    /* absurd lengths and wrap-around */
    g_assert_false(st_guest_read(&s->vm, va, buf, ST_GUEST_MAX_READ + 1,
                                 &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_assert_false(st_guest_read(&s->vm, 0xfffffffffffffff8ULL, buf, 16,
                                 &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_assert_false(st_guest_read_uint(&s->vm, va, 9, &v, &err));
    g_clear_error(&err);

    /* a user-space pointer where a kernel one is expected */
    st_synth_w64(s, va, 0x00007f0000001000ULL);
    g_assert_false(st_guest_read_kptr(&s->vm, va, &v, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);
    st_synth_w64(s, va, 0);
    g_assert_true(st_guest_read_kptr(&s->vm, va, &v, &err));
    g_assert_cmphex(v, ==, 0);
    st_synth_free(s);
    st_synth_free(s5);
}

static void test_hostile_tables(void)
{
    StSynth *s = st_synth_new(false);
    uint64_t va = 0xffffffff81000000ULL, pa, e;
    uint64_t root = s->vm.root;
    GError *err = NULL;

    /* a top-level entry that points back at the root table (a loop) */
    e = root | 0x3;
    st_synth_write_phys(s, root + 8 * ((va >> 39) & 0x1ff), &e, 8);
    g_assert_false(st_guest_vtop(&s->vm, va, &pa, NULL, &err));
    g_clear_error(&err);

    /* a table pointer far outside guest memory */
    e = 0x000ffffffffff000ULL | 0x3;
    st_synth_write_phys(s, root + 8 * ((va >> 39) & 0x1ff), &e, 8);
    g_assert_false(st_guest_vtop(&s->vm, va, &pa, NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);

    st_synth_free(s);
}

/*
 * RAM above 4 GiB behind a hole, as on q35 (and pc past 3.5 GiB): page
 * tables and data up there read like any other RAM, the hole does not.
 */
static void test_high_ram(void)
{
    StSynth *s = st_synth_new(false);
    const uint64_t high_table = 0x138622000ULL;   /* seen on q35 -m 4G */
    const uint64_t high_data = 0x3ffffe000ULL;    /* near 16 GiB */
    const uint64_t hole = 0xc0000000ULL;          /* PCI hole: no RAM */
    uint64_t va = 0xffff888100000000ULL, pa, e, got;
    uint64_t root = s->vm.root;
    uint64_t l3 = st_synth_phys_alloc(s, 4096, 4096);
    uint64_t l2 = st_synth_phys_alloc(s, 4096, 4096);
    GError *err = NULL;

    /* root -> l3 -> l2 -> a level-1 table above 4 GiB -> data near 16G */
    e = l3 | 0x3;
    st_synth_write_phys(s, root + 8 * ((va >> 39) & 0x1ff), &e, 8);
    e = l2 | 0x3;
    st_synth_write_phys(s, l3 + 8 * ((va >> 30) & 0x1ff), &e, 8);
    e = high_table | 0x3;
    st_synth_write_phys(s, l2 + 8 * ((va >> 21) & 0x1ff), &e, 8);
    e = high_data | 0x3;
    st_synth_write_phys(s, high_table + 8 * ((va >> 12) & 0x1ff), &e, 8);
    e = 0x1122334455667788ULL;
    st_synth_write_phys(s, high_data + 0x10, &e, 8);

    g_assert_true(st_guest_vtop(&s->vm, va + 0x10, &pa, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmphex(pa, ==, high_data + 0x10);
    g_assert_true(st_guest_read_u64(&s->vm, va + 0x10, &got, &err));
    g_assert_no_error(err);
    g_assert_cmphex(got, ==, 0x1122334455667788ULL);

    /* a page-table entry into the hole fails cleanly */
    e = hole | 0x3;
    st_synth_write_phys(s, high_table + 8 * ((va >> 12) & 0x1ff), &e, 8);
    g_assert_false(st_guest_read_u64(&s->vm, va + 0x10, &got, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    st_synth_free(s);
}

/*
 * The translation cache keeps large pages (kernel image, direct map) and
 * never 4 KiB ones; a hit gives what the walk gave; a flush forgets.
 */
static void test_tlb(void)
{
    StSynth *s = st_synth_new(false);
    StGuestTlb tlb;
    uint64_t big = 0xffff888000000000ULL + (7ULL << 21), pa_big = 9ULL << 21;
    uint64_t small = st_synth_alloc(s, 4096), pa, size;
    uint64_t val = 0xcafef00d12345678ULL, rd = 0;

    memset(&tlb, 0, sizeof(tlb));
    s->vm.tlb = &tlb;
    st_synth_map(s, big, pa_big, 2ULL << 20);
    st_synth_write_phys(s, pa_big + 0x1230, &val, 8);

    g_assert_true(st_guest_read_u64(&s->vm, big + 0x1230, &rd, NULL));
    g_assert_cmphex(rd, ==, val);
    g_assert_cmpuint(tlb.hits, ==, 0);
    g_assert_true(st_guest_vtop(&s->vm, big + 0x1ffff8, &pa, &size, NULL));
    g_assert_cmpuint(tlb.hits, ==, 1);
    g_assert_cmphex(pa, ==, pa_big + 0x1ffff8);
    g_assert_cmphex(size, ==, 2ULL << 20);

    /* 4 KiB mappings are walked every time */
    g_assert_true(st_guest_vtop(&s->vm, small, &pa, NULL, NULL));
    g_assert_true(st_guest_vtop(&s->vm, small, &pa, NULL, NULL));
    g_assert_cmpuint(tlb.hits, ==, 1);
    st_synth_unmap_level(s, small, 1);
    g_assert_false(st_guest_vtop(&s->vm, small, &pa, NULL, NULL));

    /* a cached large page survives its unmapping until a flush */
    st_synth_unmap_level(s, big, 2);
    g_assert_true(st_guest_vtop(&s->vm, big, &pa, NULL, NULL));
    st_guest_tlb_flush(&tlb);
    g_assert_false(st_guest_vtop(&s->vm, big, &pa, NULL, NULL));
    s->vm.tlb = NULL;
    st_synth_free(s);
}

/*
 * PTI: the user half of an 8 KiB pair maps what the kernel half lacks;
 * it is taken only when both halves share the user stack's entry.
 */
static void test_pti_user_half(void)
{
    StSynth *s = st_synth_new(false);
    uint64_t pair = st_synth_phys_alloc(s, 8192, 8192);
    uint64_t pdpt = st_synth_phys_alloc(s, 4096, 4096);
    uint64_t top = pdpt | 0x67, nx_top = top | (1ULL << 63);
    uint64_t zero = 0;
    StGuestVm k = s->vm, u;

    k.root = pair;
    /* no entry in the user stack's slot: not a pair */
    g_assert_false(st_guest_pti_user_half(&k, &u));
    /* both halves map the stack's slot, the kernel one with NX */
    st_synth_write_phys(s, pair + 255 * 8, &nx_top, 8);
    st_synth_write_phys(s, pair + 4096 + 255 * 8, &top, 8);
    g_assert_true(st_guest_pti_user_half(&k, &u));
    g_assert_cmphex(u.root, ==, pair + 4096);
    g_assert_null(u.tlb);
    /* the kernel half without that entry: the user half still counts */
    st_synth_write_phys(s, pair + 255 * 8, &zero, 8);
    g_assert_true(st_guest_pti_user_half(&k, &u));
    /* nothing in the next page's slot, or another table: no pair */
    st_synth_write_phys(s, pair + 4096 + 255 * 8, &zero, 8);
    g_assert_false(st_guest_pti_user_half(&k, &u));
    st_synth_write_phys(s, pair + 255 * 8, &nx_top, 8);
    top = (pdpt + 4096) | 0x67;
    st_synth_write_phys(s, pair + 4096 + 255 * 8, &top, 8);
    g_assert_false(st_guest_pti_user_half(&k, &u));
    st_synth_free(s);
}

/*
 * A CR3 at an odd frame: without PTI a table of its own, whose even
 * neighbour is any page; with PTI the user half, which maps little of
 * the kernel.  Kernel addresses are found either way.
 */
static void test_cr3_odd_frame(void)
{
    StSynth *s = st_synth_new(false);
    uint64_t kva = st_synth_alloc(s, 4096), data, got;
    uint64_t solo = st_synth_phys_alloc(s, 8192, 8192);
    uint64_t pair = st_synth_phys_alloc(s, 8192, 8192);
    uint8_t table[4096];
    StGuestVm vm;
    GError *err = NULL;

    st_synth_user_alloc(s, 0x400000, 4096);
    g_assert_true(st_guest_vtop(&s->vm, kva, &data, NULL, NULL));
    g_assert_true(st_guest_read_phys(&s->mem, s->vm.root, table,
                                     sizeof(table), NULL));

    /* no PTI: the whole table at the odd frame, a freed page before it */
    st_synth_write_phys(s, solo + 4096, table, sizeof(table));
    st_guest_vm_init(&vm, &s->mem, solo + 4096, 0);
    g_assert_true(st_guest_vtop(&vm, kva, &got, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmphex(got, ==, data);

    /* PTI: the kernel half maps all; the user half (empty here) not @kva */
    st_synth_write_phys(s, pair, table, sizeof(table));
    memset(table, 0, sizeof(table));
    st_synth_write_phys(s, pair + 4096, table, sizeof(table));
    /* PCID bits and the no-flush bit as Linux sets them */
    st_guest_vm_init(&vm, &s->mem,
                     (1ULL << 63) | (pair + 4096) | 0x800 | 0x5, 0);
    g_assert_cmphex(vm.root, ==, pair + 4096);
    g_assert_cmphex(vm.pti_kernel, ==, pair);
    g_assert_true(st_guest_vtop(&vm, kva, &got, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmphex(got, ==, data);
    /* not mapped in either half: the kernel half's answer */
    g_assert_false(st_guest_vtop(&vm, kva + 0x40000000ULL, &got, NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* user addresses only from the table CR3 names */
    g_assert_false(st_guest_vtop(&vm, 0x400000, &got, NULL, NULL));
    vm.pti_kernel = 0;
    g_assert_false(st_guest_vtop(&vm, kva, &got, NULL, NULL));
    st_synth_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/guest-mem/kernel-root", test_kernel_root);
    g_test_add_func("/vmi/guest-mem/4level", test_4level);
    g_test_add_func("/vmi/guest-mem/5level", test_5level);
    g_test_add_func("/vmi/guest-mem/2m-pages", test_2m);
    g_test_add_func("/vmi/guest-mem/1g-pages", test_1g);
    g_test_add_func("/vmi/guest-mem/not-present", test_not_present);
    g_test_add_func("/vmi/guest-mem/bad-addresses", test_bad_addresses);
    g_test_add_func("/vmi/guest-mem/hostile-tables", test_hostile_tables);
    g_test_add_func("/vmi/guest-mem/high-ram", test_high_ram);
    g_test_add_func("/vmi/guest-mem/tlb", test_tlb);
    g_test_add_func("/vmi/guest-mem/pti-user-half", test_pti_user_half);
    g_test_add_func("/vmi/guest-mem/cr3-odd-frame", test_cr3_odd_frame);
    return g_test_run();
}
