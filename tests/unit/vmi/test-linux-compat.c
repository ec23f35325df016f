/*
 * secret-tracker: i386 syscalls as x86-64 ones: the arguments
 * rearranged, socketcall and the old mmap opened (the numbers
 * themselves are checked against the host's headers in test-linux-abi)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/vmi/linux-compat.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"

#define PAGE 4096ULL
#define UBASE 0x400000ULL
#define GAP (UBASE + 4 * PAGE)      /* unmapped */

typedef struct Fixture {
    StSynth *s;
} Fixture;

static Fixture *fx_new(void)
{
    Fixture *f = g_new0(Fixture, 1);

    f->s = st_synth_new(false);
    st_synth_user_alloc(f->s, UBASE, GAP - UBASE);
    return f;
}

static void fx_free(Fixture *f)
{
    st_synth_free(f->s);
    g_free(f);
}

/* Translate with registers whose high halves are set: they never count */
static StLinuxSyscall xlate(Fixture *f, uint32_t nr32, uint32_t bx,
                            uint32_t cx, uint32_t dx, uint32_t si,
                            uint32_t di, uint32_t bp)
{
    const uint64_t regs[6] = {
        0xaaaa000000000000ULL | bx, 0xbbbb000000000000ULL | cx,
        0xcccc000000000000ULL | dx, 0xdddd000000000000ULL | si,
        0xeeee000000000000ULL | di, 0xffff000000000000ULL | bp,
    };
    StLinuxSyscall sc;
    GError *err = NULL;

    g_assert_true(st_linux_compat_syscall(&f->s->vm, nr32, regs, &sc, &err));
    g_assert_no_error(err);
    g_assert_true(sc.compat);
    g_assert_cmpuint(sc.nr32, ==, nr32);
    return sc;
}

static void check_args(const StLinuxSyscall *sc, uint64_t a0, uint64_t a1,
                       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    g_assert_cmphex(sc->args[0], ==, a0);
    g_assert_cmphex(sc->args[1], ==, a1);
    g_assert_cmphex(sc->args[2], ==, a2);
    g_assert_cmphex(sc->args[3], ==, a3);
    g_assert_cmphex(sc->args[4], ==, a4);
    g_assert_cmphex(sc->args[5], ==, a5);
}

static void test_same(void)
{
    Fixture *f = fx_new();
    StLinuxSyscall sc;

    /* openat(AT_FDCWD, path, flags, mode): the int stays 32 bits */
    sc = xlate(f, ST_NR32_OPENAT, 0xffffff9c, 0x8048000, 0x241, 0644, 7, 8);
    g_assert_cmpuint(sc.nr, ==, ST_NR_OPENAT);
    check_args(&sc, 0xffffff9c, 0x8048000, 0x241, 0644, 7, 8);
    g_assert_cmpint((int)sc.args[0], ==, -100);
    sc = xlate(f, ST_NR32_WRITE, 1, 0x8049000, 10, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_WRITE);
    sc = xlate(f, ST_NR32_SENDFILE64, 4, 3, 0x804a000, 4096, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_SENDFILE);
    check_args(&sc, 4, 3, 0x804a000, 4096, 0, 0);
    sc = xlate(f, ST_NR32_RECVMMSG_TIME64, 3, 0x804b000, 4, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_RECVMMSG);
    fx_free(f);
}

static void test_rearranged(void)
{
    Fixture *f = fx_new();
    StLinuxSyscall sc;

    /* pread64(fd, buf, count, pos_lo, pos_hi) -> (fd, buf, count, pos) */
    sc = xlate(f, ST_NR32_PREAD64, 3, 0x8050000, 100, 0x89abcdef, 0x1234,
               99);
    g_assert_cmpuint(sc.nr, ==, ST_NR_PREAD64);
    check_args(&sc, 3, 0x8050000, 100, 0x123489abcdefULL, 0, 99);
    sc = xlate(f, ST_NR32_PWRITE64, 3, 0x8050000, 100, 1, 2, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_PWRITE64);
    g_assert_cmphex(sc.args[3], ==, 0x200000001ULL);
    /* preadv2(fd, vec, vlen, pos_l, pos_h, flags): flags stay put */
    sc = xlate(f, ST_NR32_PREADV2, 5, 0x8051000, 2, 0x10, 0x1, 0x8);
    g_assert_cmpuint(sc.nr, ==, ST_NR_PREADV2);
    check_args(&sc, 5, 0x8051000, 2, 0x100000010ULL, 0, 0x8);
    sc = xlate(f, ST_NR32_PWRITEV, 5, 0x8051000, 2, 0xfffff000, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_PWRITEV);
    g_assert_cmphex(sc.args[3], ==, 0xfffff000ULL);
    /* mmap2: the offset in pages */
    sc = xlate(f, ST_NR32_MMAP2, 0, 8192, 1, 1, 4, 0x100001);
    g_assert_cmpuint(sc.nr, ==, ST_NR_MMAP);
    check_args(&sc, 0, 8192, 1, 1, 4, 0x100001000ULL);
    /* clone: i386 passes tls before child_tid */
    sc = xlate(f, ST_NR32_CLONE, 0x11, 0x9000, 0xa000, 0xb000, 0xc000, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_CLONE);
    check_args(&sc, 0x11, 0x9000, 0xa000, 0xc000, 0xb000, 0);
    /* io_submit's nr is a compat_long: negative stays negative */
    sc = xlate(f, ST_NR32_IO_SUBMIT, 1, 0xffffffff, 0x8052000, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_IO_SUBMIT);
    g_assert_cmpint((int64_t)sc.args[1], ==, -1);
    fx_free(f);
}

/*
 * ipc(call, first, second, third, ptr, fifth): the System V calls it
 * multiplexes, arguments in their x86-64 order; the others, refused.
 */
static void test_ipc(void)
{
    Fixture *f = fx_new();
    StLinuxSyscall sc;
    GError *err = NULL;
    uint64_t regs[6] = { 1, 5, 0, 0, 0x8053000, 0 };   /* semop */

    sc = xlate(f, ST_NR32_IPC, 11, 7, 54, 0x800, 0x8053000, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_MSGSND);
    check_args(&sc, 7, 0x8053000, 54, 0x800, 0, 0);
    /* msgrcv: version 1 in the high half; msgtyp is a signed long */
    sc = xlate(f, ST_NR32_IPC, 0x10000 | 12, 7, 8192, 0x800, 0x8053000,
               0xffffffff);
    g_assert_cmpuint(sc.nr, ==, ST_NR_MSGRCV);
    check_args(&sc, 7, 0x8053000, 8192, (uint64_t)-1, 0x800, 0);
    sc = xlate(f, ST_NR32_IPC, 21, 9, 0x1000, 0x8054000, 0x40000000, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_SHMAT);
    check_args(&sc, 9, 0x40000000, 0x1000, 0, 0, 0);
    g_assert_false(st_linux_compat_syscall(NULL, ST_NR32_IPC, regs, &sc,
                                           &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    /* the direct calls are the x86-64 ones */
    sc = xlate(f, ST_NR32_MSGSND, 7, 0x8053000, 54, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_MSGSND);
    check_args(&sc, 7, 0x8053000, 54, 0, 0, 0);
    sc = xlate(f, ST_NR32_MQ_TIMEDSEND_TIME64, 3, 0x8053000, 54, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_MQ_TIMEDSEND);
    fx_free(f);
}

static void test_old_mmap(void)
{
    Fixture *f = fx_new();
    uint32_t a[6] = { 0x10000, 4096, 3, 2, 5, 0x3000 };
    uint64_t regs[6] = { UBASE };
    StLinuxSyscall sc;
    GError *err = NULL;

    st_synth_write(f->s, UBASE, a, sizeof(a));
    sc = xlate(f, ST_NR32_MMAP, UBASE, 0, 0, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_MMAP);
    check_args(&sc, 0x10000, 4096, 3, 2, 5, 0x3000);
    /* an offset that is not page aligned: the kernel refuses */
    a[5] = 0x3001;
    st_synth_write(f->s, UBASE, a, sizeof(a));
    g_assert_false(st_linux_compat_syscall(&f->s->vm, ST_NR32_MMAP, regs,
                                           &sc, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* a block that runs into an unmapped page; no user memory at all */
    regs[0] = GAP - 8;
    g_assert_false(st_linux_compat_syscall(&f->s->vm, ST_NR32_MMAP, regs,
                                           &sc, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    g_assert_false(st_linux_compat_syscall(NULL, ST_NR32_MMAP, regs, &sc,
                                           &err));
    g_clear_error(&err);
    fx_free(f);
}

static void test_socketcall(void)
{
    Fixture *f = fx_new();
    uint32_t a[6] = { 3, 0x8060000, 100, 0x40, 0x8061000, 16 };
    uint64_t regs[6] = { ST_SOCKETCALL_SEND, UBASE + 0x100 };
    StLinuxSyscall sc;
    GError *err = NULL;

    st_synth_write(f->s, UBASE + 0x100, a, sizeof(a));
    sc = xlate(f, ST_NR32_SOCKETCALL, ST_SOCKETCALL_SENDTO, UBASE + 0x100, 0,
               0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_SENDTO);
    g_assert_cmpuint(sc.socketcall, ==, ST_SOCKETCALL_SENDTO);
    check_args(&sc, 3, 0x8060000, 100, 0x40, 0x8061000, 16);
    /* send: sendto without an address, though the block has more */
    sc = xlate(f, ST_NR32_SOCKETCALL, ST_SOCKETCALL_SEND, UBASE + 0x100, 0,
               0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_SENDTO);
    check_args(&sc, 3, 0x8060000, 100, 0x40, 0, 0);
    sc = xlate(f, ST_NR32_SOCKETCALL, ST_SOCKETCALL_RECV, UBASE + 0x100, 0,
               0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_RECVFROM);
    check_args(&sc, 3, 0x8060000, 100, 0x40, 0, 0);
    sc = xlate(f, ST_NR32_SOCKETCALL, ST_SOCKETCALL_CONNECT, UBASE + 0x100,
               0, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_CONNECT);
    check_args(&sc, 3, 0x8060000, 100, 0, 0, 0);
    sc = xlate(f, ST_NR32_SOCKETCALL, ST_SOCKETCALL_SENDMSG, UBASE + 0x100,
               0, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_SENDMSG);
    sc = xlate(f, ST_NR32_SOCKETCALL, ST_SOCKETCALL_SENDMMSG, UBASE + 0x100,
               0, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_SENDMMSG);
    check_args(&sc, 3, 0x8060000, 100, 0x40, 0, 0);
    sc = xlate(f, ST_NR32_SOCKETCALL, ST_SOCKETCALL_RECVMMSG, UBASE + 0x100,
               0, 0, 0, 0);
    g_assert_cmpuint(sc.nr, ==, ST_NR_RECVMMSG);
    check_args(&sc, 3, 0x8060000, 100, 0x40, 0x8061000, 0);

    /* exactly the kernel's block: 4 words just before an unmapped page */
    st_synth_write(f->s, GAP - 16, a, 16);
    regs[1] = GAP - 16;
    g_assert_true(st_linux_compat_syscall(&f->s->vm, ST_NR32_SOCKETCALL,
                                          regs, &sc, &err));
    g_assert_no_error(err);
    regs[0] = ST_SOCKETCALL_SENDTO;
    g_assert_false(st_linux_compat_syscall(&f->s->vm, ST_NR32_SOCKETCALL,
                                           regs, &sc, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* only the low 32 bits count, of the call and of the pointer */
    regs[0] = ST_SOCKETCALL_SEND | 0xffffffff00000000ULL;
    regs[1] = 0xffff888000000000ULL | (UBASE + 0x100);
    g_assert_true(st_linux_compat_syscall(&f->s->vm, ST_NR32_SOCKETCALL,
                                          regs, &sc, &err));
    g_assert_cmpuint(sc.nr, ==, ST_NR_SENDTO);
    check_args(&sc, 3, 0x8060000, 100, 0x40, 0, 0);
    regs[1] = 0xffff8880ULL << 16;      /* low half: unmapped */
    g_assert_false(st_linux_compat_syscall(&f->s->vm, ST_NR32_SOCKETCALL,
                                           regs, &sc, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* calls with no translation, and ones that do not exist */
    regs[1] = UBASE + 0x100;
    regs[0] = ST_SOCKETCALL_SOCKET;
    g_assert_false(st_linux_compat_syscall(&f->s->vm, ST_NR32_SOCKETCALL,
                                           regs, &sc, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    regs[0] = 0;
    g_assert_false(st_linux_compat_syscall(&f->s->vm, ST_NR32_SOCKETCALL,
                                           regs, &sc, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    regs[0] = ST_SOCKETCALL_SENDMMSG + 1;
    g_assert_false(st_linux_compat_syscall(&f->s->vm, ST_NR32_SOCKETCALL,
                                           regs, &sc, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    /* the ordinary number of a 64-bit syscall means nothing here */
    g_assert_false(st_linux_compat_syscall(&f->s->vm, 20, regs, &sc, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(st_linux_compat_syscall(&f->s->vm, 1u << 30, regs, &sc,
                                           &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    fx_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/compat/same", test_same);
    g_test_add_func("/vmi/compat/rearranged", test_rearranged);
    g_test_add_func("/vmi/compat/ipc", test_ipc);
    g_test_add_func("/vmi/compat/old-mmap", test_old_mmap);
    g_test_add_func("/vmi/compat/socketcall", test_socketcall);
    return g_test_run();
}
