/*
 * secret-tracker: unit tests of the sysretq site finder and KASLR slide
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"

/* Instruction bytes, as string literals that concatenate */
#define SWAPGS "\x0f\x01\xf8"
#define SYSRETQ "\x48\x0f\x07"
#define SYSRETL "\x0f\x07"
#define NOP5 "\x0f\x1f\x44\x00\x00"
#define POP_RDI "\x5f"
#define POP_RSP "\x5c"
#define MOV_RSP_RDI "\x48\x89\xe7"

/* Shaped like entry_SYSCALL_64: swapgs first, the exit far below */
static size_t build_entry(uint8_t *buf, size_t len, const char *tail,
                          size_t tail_len, size_t at)
{
    static const char head[] = SWAPGS MOV_RSP_RDI NOP5;
    size_t i;

    memset(buf, 0x90, len);
    memcpy(buf, head, sizeof(head) - 1);
    /* filler: "push imm32" instructions, which contain no 0f 07 */
    for (i = sizeof(head) - 1; i + 5 <= at; i += 5) {
        buf[i] = 0x68;
        buf[i + 1] = 0x11;
        buf[i + 2] = 0x22;
        buf[i + 3] = 0x33;
        buf[i + 4] = 0x44;
    }
    memcpy(buf + i, tail, tail_len);
    return i;
}

static void test_found(void)
{
    static const char tail[] = POP_RDI POP_RSP SWAPGS SYSRETQ;
    uint8_t code[1024];
    size_t at = build_entry(code, sizeof(code), tail, sizeof(tail) - 1, 0x1a0);
    uint64_t off = 0;
    GError *err = NULL;

    g_assert_true(st_linux_find_sysret(code, sizeof(code), &off, &err));
    g_assert_no_error(err);
    g_assert_cmphex(off, ==, at + 5);
}

static void test_verw_between(void)
{
    /* 6.12 shape: swapgs, then a patched "verw" (CLEAR_CPU_BUFFERS) */
    static const char tail[] = POP_RDI POP_RSP SWAPGS "\x0f" "\x00" "\x2d"
        "\x10" "\x20" "\x30" "\x40" SYSRETQ;
    uint8_t code[1024];
    size_t at = build_entry(code, sizeof(code), tail, sizeof(tail) - 1, 0x220);
    uint64_t off = 0;
    GError *err = NULL;

    g_assert_true(st_linux_find_sysret(code, sizeof(code), &off, &err));
    g_assert_no_error(err);
    g_assert_cmphex(off, ==, at + 12);
}

static void test_nop_padding(void)
{
    /* 6.12 before patching: swapgs, 7 one-byte NOPs, sysretq */
    static const char tail[] = POP_RDI POP_RSP SWAPGS "\x90" "\x90" "\x90"
        "\x90" "\x90" "\x90" "\x90" SYSRETQ;
    uint8_t code[1024];
    size_t at = build_entry(code, sizeof(code), tail, sizeof(tail) - 1, 0x140);
    uint64_t off = 0;
    GError *err = NULL;

    g_assert_true(st_linux_find_sysret(code, sizeof(code), &off, &err));
    g_assert_no_error(err);
    g_assert_cmphex(off, ==, at + 12);
}

static void test_absent(void)
{
    uint8_t code[1024];
    uint64_t off;
    GError *err = NULL;

    build_entry(code, sizeof(code), "", 0, 0x100);
    g_assert_false(st_linux_find_sysret(code, sizeof(code), &off, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);

    /* only a 32-bit sysretl: not ours */
    {
        static const char tail[] = SWAPGS SYSRETL;

        build_entry(code, sizeof(code), tail, sizeof(tail) - 1, 0x100);
        g_assert_false(st_linux_find_sysret(code, sizeof(code), &off, &err));
        g_clear_error(&err);
    }
    g_assert_false(st_linux_find_sysret(code, 0, &off, &err));
    g_clear_error(&err);
}

static void test_no_swapgs(void)
{
    static const char tail[] = POP_RDI POP_RSP NOP5 NOP5 NOP5 NOP5 NOP5
        SYSRETQ;
    uint8_t code[1024];
    uint64_t off;
    GError *err = NULL;

    build_entry(code, sizeof(code), tail, sizeof(tail) - 1, 0x180);
    g_assert_false(st_linux_find_sysret(code, sizeof(code), &off, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "without swapgs"));
    g_clear_error(&err);
}

static void test_two(void)
{
    static const char tail[] = SWAPGS SYSRETQ POP_RDI SWAPGS SYSRETQ;
    uint8_t code[1024];
    uint64_t off;
    GError *err = NULL;

    build_entry(code, sizeof(code), tail, sizeof(tail) - 1, 0x180);
    g_assert_false(st_linux_find_sysret(code, sizeof(code), &off, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_assert_nonnull(strstr(err->message, "ambiguous"));
    g_clear_error(&err);
}

static void test_bytes_inside_instruction(void)
{
    /* 48 0f 07 as the immediate of a mov: linear disassembly skips it */
    static const char tail[] = SWAPGS "\x48" "\xb8" "\x0f" "\x01" "\xf8"
        "\x48" "\x0f" "\x07" "\x00" "\x00" POP_RDI SWAPGS SYSRETQ;
    uint8_t code[1024];
    size_t at = build_entry(code, sizeof(code), tail, sizeof(tail) - 1, 0x100);
    uint64_t off = 0;
    GError *err = NULL;

    g_assert_true(st_linux_find_sysret(code, sizeof(code), &off, &err));
    g_assert_no_error(err);
    g_assert_cmphex(off, ==, at + 3 + 10 + 1 + 3);
}

static void test_slide(void)
{
    g_autoptr(StLinuxProfile) p = st_linux_profile_new();
    int64_t slide;
    GError *err = NULL;

    g_assert_false(st_linux_kaslr_slide(p, 0xffffffff9a600000ULL, &slide,
                                        &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING);
    g_clear_error(&err);

    p->has_entry_syscall = true;
    p->entry_syscall = 0xffffffff81e00080ULL;
    g_assert_true(st_linux_kaslr_slide(p, 0xffffffff9a600080ULL, &slide,
                                       &err));
    g_assert_no_error(err);
    g_assert_cmphex(slide, ==, 0x18800000);
    g_assert_true(st_linux_kaslr_slide(p, 0xffffffff81e00080ULL, &slide,
                                       &err));
    g_assert_cmpint(slide, ==, 0);
    g_assert_false(st_linux_kaslr_slide(p, 0xffffffff9a600090ULL, &slide,
                                        &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE);
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/sites/found", test_found);
    g_test_add_func("/vmi/sites/verw-between", test_verw_between);
    g_test_add_func("/vmi/sites/nop-padding", test_nop_padding);
    g_test_add_func("/vmi/sites/absent", test_absent);
    g_test_add_func("/vmi/sites/no-swapgs", test_no_swapgs);
    g_test_add_func("/vmi/sites/two-candidates", test_two);
    g_test_add_func("/vmi/sites/inside-instruction",
                    test_bytes_inside_instruction);
    g_test_add_func("/vmi/sites/kaslr-slide", test_slide);
    return g_test_run();
}
