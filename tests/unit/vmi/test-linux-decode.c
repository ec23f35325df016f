/*
 * secret-tracker: decoders of syscall arguments on synthetic guest
 * memory: a task's user memory, saved registers, iovecs, socket
 * addresses, msghdr and mmsghdr
 *
 * The native structs are laid out by the host compiler from the host's
 * own headers (x86-64, the guest's ABI), so the decoders' offsets are
 * checked against an independent source; compat structs are packed by
 * hand from their i386 definitions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <linux/vm_sockets.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <linux/netlink.h>

#define PAGE 4096ULL
#define UBASE 0x400000ULL           /* mapped user memory ... */
#define USIZE (80 * PAGE)
#define GAP (UBASE + USIZE)         /* ... then an unmapped page */

typedef struct Fixture {
    StSynthKernel *k;
    StSynth *s;
    StGuestVm uvm;
} Fixture;

static Fixture *fx_new(void)
{
    Fixture *f = g_new0(Fixture, 1);

    f->k = st_synth_kernel_new(false);
    st_synth_profile_add_decode(f->k->prof);
    f->s = f->k->s;
    st_synth_user_alloc(f->s, UBASE, USIZE);
    f->uvm = f->s->vm;
    return f;
}

static void fx_free(Fixture *f)
{
    st_synth_kernel_free(f->k);
    g_free(f);
}

static void put(Fixture *f, uint64_t va, const void *p, size_t n)
{
    st_synth_write(f->s, va, p, n);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* The task's mm->pgd: the decoders read through that space, not CR3 */
static void test_user_vm(void)
{
    Fixture *f = fx_new();
    const StLinuxProfile *p = f->k->prof;
    uint64_t mm, root, odd, pgd_va, pa;
    StGuestTlb tlb = { 0 };
    StGuestVm uvm;
    char buf[16];
    GError *err = NULL;

    root = st_synth_space_new(f->s);
    pa = st_synth_space_map(f->s, root, UBASE, PAGE);
    st_synth_write_phys(f->s, pa, "other space", 12);
    put(f, UBASE, "this space", 11);
    /* a kernel address for the new top table */
    pgd_va = 0xffffc90000400000ULL;
    st_synth_map(f->s, pgd_va, root, PAGE);
    g_assert_true(st_guest_read_u64(&f->s->vm, f->k->task +
                                    p->field[ST_TASK_STRUCT_MM].offset,
                                    &mm, NULL));
    st_synth_set(f->s, p, mm, ST_MM_STRUCT_PGD, pgd_va);

    /* the kernel's translation cache is not for this root */
    f->s->vm.tlb = &tlb;
    memset(&uvm, 0xff, sizeof(uvm));
    g_assert_true(st_linux_user_vm(&f->k->kernel, f->k->task, &uvm, &err));
    g_assert_no_error(err);
    g_assert_cmphex(uvm.root, ==, root);
    g_assert_null(uvm.tlb);
    g_assert_true(uvm.mem == &f->s->mem);
    g_assert_false(uvm.la57);
    g_assert_true(st_linux_user_read(&uvm, UBASE, buf, 12, &err));
    g_assert_cmpstr(buf, ==, "other space");
    g_assert_true(st_linux_user_read(&f->uvm, UBASE, buf, 11, &err));
    g_assert_cmpstr(buf, ==, "this space");

    /* without PTI the top table is one page, at an odd frame too (7.x) */
    odd = st_synth_space_new(f->s) + PAGE;
    pa = st_synth_space_map(f->s, odd, UBASE, PAGE);
    st_synth_write_phys(f->s, pa, "odd frame", 10);
    st_synth_map(f->s, pgd_va + 4 * PAGE, odd, PAGE);
    st_synth_set(f->s, p, mm, ST_MM_STRUCT_PGD, pgd_va + 4 * PAGE);
    g_assert_true(st_linux_user_vm(&f->k->kernel, f->k->task, &uvm, &err));
    g_assert_cmphex(uvm.root, ==, odd);
    g_assert_true(st_linux_user_read(&uvm, UBASE, buf, 10, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(buf, ==, "odd frame");

    /* a pgd that is not page aligned, or not mapped */
    st_synth_set(f->s, p, mm, ST_MM_STRUCT_PGD, pgd_va + 8);
    g_assert_false(st_linux_user_vm(&f->k->kernel, f->k->task, &uvm, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);
    st_synth_set(f->s, p, mm, ST_MM_STRUCT_PGD, pgd_va + 16 * PAGE);
    g_assert_false(st_linux_user_vm(&f->k->kernel, f->k->task, &uvm, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* a user address as the pgd */
    st_synth_set(f->s, p, mm, ST_MM_STRUCT_PGD, UBASE);
    g_assert_false(st_linux_user_vm(&f->k->kernel, f->k->task, &uvm, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);
    /* a kernel thread */
    st_synth_set(f->s, p, f->k->task, ST_TASK_STRUCT_MM, 0);
    g_assert_false(st_linux_user_vm(&f->k->kernel, f->k->task, &uvm, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    fx_free(f);
}

static void test_user_read(void)
{
    Fixture *f = fx_new();
    StSynth *s57 = st_synth_new(true);
    uint8_t buf[32];
    GError *err = NULL;

    /* kernel addresses are refused even where they are mapped */
    g_assert_false(st_linux_user_read(&f->uvm, f->k->task, buf, 8, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_assert_false(st_linux_user_read(&f->uvm, 0x0000800000000000ULL, buf,
                                      8, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* a range that runs past TASK_SIZE_MAX */
    g_assert_false(st_linux_user_range_ok(&f->uvm, 0x7ffffffff000ULL - 8,
                                          16));
    g_assert_true(st_linux_user_range_ok(&f->uvm, 0x7ffffffff000ULL - 8, 8));
    g_assert_false(st_linux_user_range_ok(&f->uvm, 16, UINT64_MAX - 8));
    /* with 5-level paging user space is larger */
    g_assert_true(st_linux_user_range_ok(&s57->vm, 0x0000800000000000ULL,
                                         8));
    g_assert_false(st_linux_user_range_ok(&s57->vm, 0x0100000000000000ULL,
                                          8));
    /* an unmapped page */
    g_assert_false(st_linux_user_read(&f->uvm, GAP - 4, buf, 8, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    st_synth_free(s57);
    fx_free(f);
}

static void test_user_string(void)
{
    Fixture *f = fx_new();
    char buf[4096];
    size_t len = 0;
    GError *err = NULL;

    /* ends with the last byte before the unmapped page */
    put(f, GAP - 6, "tail", 5);
    put(f, GAP - 1, "", 1);
    g_assert_true(st_linux_user_string(&f->uvm, GAP - 6, buf, sizeof(buf),
                                       &len, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(buf, ==, "tail");
    g_assert_cmpuint(len, ==, 4);
    /* runs into the unmapped page */
    put(f, GAP - 4, "abcd", 4);
    g_assert_false(st_linux_user_string(&f->uvm, GAP - 4, buf, sizeof(buf),
                                        NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* longer than the buffer, across a page edge */
    memset(buf, 'x', sizeof(buf));
    put(f, UBASE + PAGE - 100, buf, 300);
    g_assert_false(st_linux_user_string(&f->uvm, UBASE + PAGE - 100, buf,
                                        200, NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    put(f, UBASE + PAGE - 100 + 199, "", 1);
    g_assert_false(st_linux_user_string(&f->uvm, UBASE + PAGE - 100, buf,
                                        199, NULL, &err));
    g_clear_error(&err);
    g_assert_true(st_linux_user_string(&f->uvm, UBASE + PAGE - 100, buf,
                                       200, &len, &err));
    g_assert_cmpuint(len, ==, 199);
    /* a kernel pointer */
    g_assert_false(st_linux_user_string(&f->uvm, f->k->task, buf, 64, NULL,
                                        &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    fx_free(f);
}

static void test_syscall_regs(void)
{
    Fixture *f = fx_new();
    StLinuxProfile *p = f->k->prof;
    uint64_t regs = st_synth_alloc(f->s, PAGE);
    static const StLinuxOffset order[] = {
        ST_PT_REGS_DI, ST_PT_REGS_SI, ST_PT_REGS_DX, ST_PT_REGS_R10,
        ST_PT_REGS_R8, ST_PT_REGS_R9, ST_PT_REGS_BX, ST_PT_REGS_CX,
        ST_PT_REGS_BP,
    };
    StLinuxSyscallRegs r;
    GError *err = NULL;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(order); i++) {
        /* high halves set: compat arguments keep the low 32 bits */
        st_synth_set(f->s, p, regs, order[i], 0xdead000000000000ULL | i);
    }
    st_synth_set(f->s, p, regs, ST_PT_REGS_ORIG_AX, 3);
    st_synth_set(f->s, p, regs, ST_PT_REGS_AX, -38);
    st_synth_set(f->s, p, regs, ST_PT_REGS_IP, 0x401000);
    st_synth_set(f->s, p, regs, ST_PT_REGS_SP, 0x7ffd0000);
    st_synth_set(f->s, p, regs, ST_PT_REGS_CS, ST_USER_CS);
    st_synth_set(f->s, p, regs, ST_PT_REGS_FLAGS, 0x346);

    g_assert_true(st_linux_read_syscall_regs(&f->k->kernel, regs, &r, &err));
    g_assert_no_error(err);
    for (i = 0; i < 6; i++) {
        g_assert_cmphex(r.native[i], ==, 0xdead000000000000ULL | i);
    }
    /* compat: bx, cx, dx, si, di, bp */
    g_assert_cmphex(r.compat[0], ==, 6);
    g_assert_cmphex(r.compat[1], ==, 7);
    g_assert_cmphex(r.compat[2], ==, 2);
    g_assert_cmphex(r.compat[3], ==, 1);
    g_assert_cmphex(r.compat[4], ==, 0);
    g_assert_cmphex(r.compat[5], ==, 8);
    g_assert_cmphex(r.orig_ax, ==, 3);
    g_assert_cmphex(r.ip, ==, 0x401000);
    g_assert_cmphex(r.sp, ==, 0x7ffd0000);
    g_assert_true(st_linux_regs_user64(&r));
    g_assert_true(st_linux_regs_trap_flag(&r));

    st_synth_set(f->s, p, regs, ST_PT_REGS_CS, ST_USER32_CS);
    st_synth_set(f->s, p, regs, ST_PT_REGS_FLAGS, 0x246);
    g_assert_true(st_linux_read_syscall_regs(&f->k->kernel, regs, &r, &err));
    g_assert_false(st_linux_regs_user64(&r));
    g_assert_false(st_linux_regs_trap_flag(&r));

    /* not a kernel address; a struct running into an unmapped page */
    g_assert_false(st_linux_read_syscall_regs(&f->k->kernel, UBASE, &r,
                                              &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);
    g_assert_false(st_linux_read_syscall_regs(&f->k->kernel, regs + PAGE - 8,
                                              &r, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* a profile without cs: a clear error naming it */
    p->field[ST_PT_REGS_CS].present = false;
    g_assert_false(st_linux_read_syscall_regs(&f->k->kernel, regs, &r,
                                              &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE);
    g_assert_nonnull(strstr(err->message, "pt_regs.cs"));
    g_clear_error(&err);
    fx_free(f);
}

/* A frame's first bytes, gathered across the buffers of its iovecs */
static void test_iovec_head(void)
{
    Fixture *f = fx_new();
    struct iovec iov[10];
    uint8_t c[ST_COMPAT_IOVEC_SIZE * 2], buf[64];
    size_t got;
    GError *err = NULL;
    unsigned i;

    put(f, UBASE, "0123456789abcdef", 16);
    iov[0] = (struct iovec){ (void *)(uintptr_t)UBASE, 3 };
    iov[1] = (struct iovec){ NULL, 0 };
    iov[2] = (struct iovec){ (void *)(uintptr_t)(UBASE + 10), 100 };
    put(f, UBASE + PAGE, iov, 3 * sizeof(iov[0]));
    g_assert_true(st_linux_iovec_head(&f->uvm, UBASE + PAGE, 3, false, buf,
                                      5, &got, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(got, ==, 5);
    g_assert_cmpmem(buf, 5, "012ab", 5);
    /* compat iovecs */
    put32(c, UBASE + 4);
    put32(c + 4, 2);
    put32(c + 8, UBASE + 15);
    put32(c + 12, 1);
    put(f, UBASE + 2 * PAGE, c, sizeof(c));
    g_assert_true(st_linux_iovec_head(&f->uvm, UBASE + 2 * PAGE, 2, true,
                                      buf, sizeof(buf), &got, &err));
    g_assert_cmpuint(got, ==, 3);
    g_assert_cmpmem(buf, 3, "45f", 3);
    /* only the first ST_LINUX_IOV_HEAD_SEGS buffers */
    for (i = 0; i < 10; i++) {
        iov[i] = (struct iovec){ (void *)(uintptr_t)(UBASE + i), 1 };
    }
    put(f, UBASE + PAGE, iov, sizeof(iov));
    g_assert_true(st_linux_iovec_head(&f->uvm, UBASE + PAGE, 10, false, buf,
                                      sizeof(buf), &got, &err));
    g_assert_cmpuint(got, ==, ST_LINUX_IOV_HEAD_SEGS);
    /* a buffer in the kernel ends it; an unreadable one fails */
    iov[1] = (struct iovec){ (void *)(uintptr_t)f->k->task, 1 };
    put(f, UBASE + PAGE, iov, sizeof(iov));
    g_assert_true(st_linux_iovec_head(&f->uvm, UBASE + PAGE, 10, false, buf,
                                      sizeof(buf), &got, &err));
    g_assert_cmpuint(got, ==, 1);
    iov[1] = (struct iovec){ (void *)(uintptr_t)(GAP - 1), 2 };
    put(f, UBASE + PAGE, iov, sizeof(iov));
    g_assert_false(st_linux_iovec_head(&f->uvm, UBASE + PAGE, 10, false, buf,
                                       sizeof(buf), &got, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* refused as the kernel refuses it */
    iov[0].iov_len = 1ULL << 63;
    put(f, UBASE + PAGE, iov, sizeof(iov));
    g_assert_false(st_linux_iovec_head(&f->uvm, UBASE + PAGE, 10, false, buf,
                                       sizeof(buf), &got, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_assert_false(st_linux_iovec_head(&f->uvm, UBASE + PAGE,
                                       ST_UIO_MAXIOV + 1, false, buf,
                                       sizeof(buf), &got, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    fx_free(f);
}

static void test_iovec(void)
{
    Fixture *f = fx_new();
    struct iovec iov[4];
    uint8_t c[ST_COMPAT_IOVEC_SIZE * 2];
    uint64_t bytes, big = UBASE + 4 * PAGE;
    GError *err = NULL;
    unsigned i;

    iov[0] = (struct iovec){ (void *)(uintptr_t)UBASE, 100 };
    iov[1] = (struct iovec){ (void *)(uintptr_t)(UBASE + 200), 20 };
    iov[2] = (struct iovec){ NULL, 0 };
    put(f, UBASE + PAGE, iov, 3 * sizeof(iov[0]));
    g_assert_true(st_linux_iovec_total(&f->uvm, UBASE + PAGE, 3, false,
                                       &bytes, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(bytes, ==, 120);
    /* the same bytes read as compat iovecs mean something else */
    put32(c, UBASE);
    put32(c + 4, 7);
    put32(c + 8, UBASE);
    put32(c + 12, 9);
    put(f, UBASE + 2 * PAGE, c, sizeof(c));
    g_assert_true(st_linux_iovec_total(&f->uvm, UBASE + 2 * PAGE, 2, true,
                                       &bytes, &err));
    g_assert_cmpuint(bytes, ==, 16);
    /* a negative compat length */
    put32(c + 12, 0x80000000);
    put(f, UBASE + 2 * PAGE, c, sizeof(c));
    g_assert_false(st_linux_iovec_total(&f->uvm, UBASE + 2 * PAGE, 2, true,
                                        &bytes, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* a negative native length */
    iov[1].iov_len = 1ULL << 63;
    put(f, UBASE + PAGE, iov, 3 * sizeof(iov[0]));
    g_assert_false(st_linux_iovec_total(&f->uvm, UBASE + PAGE, 3, false,
                                        &bytes, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* lengths that would overflow: capped at MAX_RW_COUNT */
    for (i = 0; i < 3; i++) {
        iov[i] = (struct iovec){ (void *)(uintptr_t)UBASE, 1ULL << 40 };
    }
    put(f, UBASE + PAGE, iov, 3 * sizeof(iov[0]));
    g_assert_true(st_linux_iovec_total(&f->uvm, UBASE + PAGE, 3, false,
                                       &bytes, &err));
    g_assert_cmphex(bytes, ==, ST_MAX_RW_COUNT);
    /* a buffer in the kernel: the segments before it count */
    iov[0].iov_len = 5;
    iov[1] = (struct iovec){ (void *)(uintptr_t)UBASE, 6 };
    iov[2] = (struct iovec){ (void *)(uintptr_t)f->k->task, 7 };
    iov[3] = (struct iovec){ (void *)(uintptr_t)UBASE, 8 };
    put(f, UBASE + PAGE, iov, sizeof(iov));
    g_assert_true(st_linux_iovec_total(&f->uvm, UBASE + PAGE, 4, false,
                                       &bytes, &err));
    g_assert_cmpuint(bytes, ==, 11);
    g_assert_false(st_linux_iovec_total(&f->uvm, UBASE + PAGE + 32, 2, false,
                                        &bytes, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* UIO_MAXIOV entries, and one more */
    for (i = 0; i < ST_UIO_MAXIOV; i++) {
        struct iovec one = { (void *)(uintptr_t)UBASE, 3 };

        put(f, big + i * sizeof(one), &one, sizeof(one));
    }
    g_assert_true(st_linux_iovec_total(&f->uvm, big, ST_UIO_MAXIOV, false,
                                       &bytes, &err));
    g_assert_cmpuint(bytes, ==, 3 * ST_UIO_MAXIOV);
    g_assert_false(st_linux_iovec_total(&f->uvm, big, ST_UIO_MAXIOV + 1,
                                        false, &bytes, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_assert_false(st_linux_iovec_total(&f->uvm, big, 1ULL << 60, false,
                                        &bytes, &err));
    g_clear_error(&err);
    /* an array that runs into the unmapped page; a pointer to the kernel */
    g_assert_false(st_linux_iovec_total(&f->uvm, GAP - 16, 2, false, &bytes,
                                        &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    g_assert_false(st_linux_iovec_total(&f->uvm, f->k->fd_array, 1, false,
                                        &bytes, &err));
    g_clear_error(&err);
    g_assert_true(st_linux_iovec_total(&f->uvm, 0, 0, false, &bytes, &err));
    g_assert_cmpuint(bytes, ==, 0);
    fx_free(f);
}

/* Decode what the host compiler laid out at UBASE + 3 pages */
static bool sa_decode(Fixture *f, const void *sa, size_t n, uint64_t len,
                      StLinuxSockaddr *out, GError **errp)
{
    put(f, UBASE + 3 * PAGE, sa, n);
    return st_linux_sockaddr_decode(&f->uvm, UBASE + 3 * PAGE, len, out,
                                    errp);
}

static void test_sockaddr_inet(void)
{
    Fixture *f = fx_new();
    struct sockaddr_in in = { .sin_family = AF_INET,
                              .sin_port = htons(8080) };
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
                                .sin6_port = htons(443),
                                .sin6_scope_id = 3 };
    struct sockaddr_storage ss = { 0 };
    StLinuxSockaddr sa;
    g_autofree char *text = NULL;
    GError *err = NULL;

    in.sin_addr.s_addr = htonl(0x0a000202);
    g_assert_true(sa_decode(f, &in, sizeof(in), sizeof(in), &sa, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(sa.family, ==, ST_AF_INET);
    g_assert_true(sa.valid);
    g_assert_cmpuint(sa.port, ==, 8080);
    g_assert_cmpmem(sa.addr, 4, &in.sin_addr, 4);
    text = st_linux_sockaddr_describe(&sa);
    g_assert_cmpstr(text, ==, "inet 10.0.2.2:8080");
    /* too short for AF_INET: decoded, not valid */
    g_assert_true(sa_decode(f, &in, sizeof(in), 15, &sa, &err));
    g_assert_false(sa.valid);
    /* the kernel reads an int: high bits of the register do not count */
    g_assert_true(sa_decode(f, &in, sizeof(in), 0x100000010ULL, &sa, &err));
    g_assert_true(sa.valid);
    g_assert_cmpuint(sa.len, ==, 16);

    inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
    g_assert_true(sa_decode(f, &in6, sizeof(in6), sizeof(in6), &sa, &err));
    g_assert_true(sa.valid);
    g_assert_cmpuint(sa.port, ==, 443);
    g_assert_cmpuint(sa.scope_id, ==, 3);
    g_assert_cmpmem(sa.addr, 16, &in6.sin6_addr, 16);
    g_assert_false(sa.v4_mapped);
    g_free(text);
    text = st_linux_sockaddr_describe(&sa);
    g_assert_cmpstr(text, ==, "inet6 [2001:db8::1]:443");
    /* RFC 2133 length: no scope id */
    g_assert_true(sa_decode(f, &in6, sizeof(in6), 24, &sa, &err));
    g_assert_true(sa.valid);
    g_assert_cmpuint(sa.scope_id, ==, 0);
    g_assert_true(sa_decode(f, &in6, sizeof(in6), 23, &sa, &err));
    g_assert_false(sa.valid);
    inet_pton(AF_INET6, "::ffff:192.0.2.7", &in6.sin6_addr);
    g_assert_true(sa_decode(f, &in6, sizeof(in6), sizeof(in6), &sa, &err));
    g_assert_true(sa.v4_mapped);

    /* up to a whole sockaddr_storage is accepted, one byte more is not */
    memcpy(&ss, &in6, sizeof(in6));
    g_assert_true(sa_decode(f, &ss, sizeof(ss), sizeof(ss), &sa, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(sa.len, ==, 128);
    g_assert_false(sa_decode(f, &ss, sizeof(ss), sizeof(ss) + 1, &sa, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_assert_false(sa_decode(f, &ss, sizeof(ss), 0xffffffffULL, &sa, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* no address */
    g_assert_true(st_linux_sockaddr_decode(&f->uvm, 0, 16, &sa, &err));
    g_assert_cmpuint(sa.len, ==, 0);
    g_assert_true(sa_decode(f, &in, sizeof(in), 0, &sa, &err));
    g_assert_cmpuint(sa.family, ==, ST_AF_UNSPEC);
    /* ends just before the unmapped page; one byte more crosses it */
    put(f, GAP - 16, &in, 16);
    g_assert_true(st_linux_sockaddr_decode(&f->uvm, GAP - 16, 16, &sa, &err));
    g_assert_true(sa.valid);
    g_assert_false(st_linux_sockaddr_decode(&f->uvm, GAP - 16, 17, &sa,
                                            &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* a kernel pointer */
    g_assert_false(st_linux_sockaddr_decode(&f->uvm, f->k->task, 16, &sa,
                                            &err));
    g_clear_error(&err);
    fx_free(f);
}

static void test_sockaddr_unix(void)
{
    Fixture *f = fx_new();
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    StLinuxSockaddr sa;
    g_autofree char *text = NULL;
    GError *err = NULL;

    strcpy(un.sun_path, "/run/secret.sock");
    g_assert_true(sa_decode(f, &un, sizeof(un), sizeof(un), &sa, &err));
    g_assert_no_error(err);
    g_assert_true(sa.valid);
    g_assert_false(sa.unix_abstract);
    g_assert_cmpstr(sa.unix_path, ==, "/run/secret.sock");
    g_assert_cmpuint(sa.unix_name_len, ==, 16);
    /* the length ends the path, whatever follows */
    g_assert_true(sa_decode(f, &un, sizeof(un), 2 + 4, &sa, &err));
    g_assert_cmpstr(sa.unix_path, ==, "/run");
    /* a full sun_path with no NUL */
    memset(un.sun_path, 'p', sizeof(un.sun_path));
    g_assert_true(sa_decode(f, &un, sizeof(un), sizeof(un), &sa, &err));
    g_assert_true(sa.valid);
    g_assert_cmpuint(strlen(sa.unix_path), ==, 108);
    /* longer than sockaddr_un, or no path at all: not valid */
    g_assert_true(sa_decode(f, &un, sizeof(un), sizeof(un) + 1, &sa, &err));
    g_assert_false(sa.valid);
    g_assert_true(sa_decode(f, &un, sizeof(un), 2, &sa, &err));
    g_assert_false(sa.valid);
    /* abstract, with a NUL inside: every byte counts */
    memset(un.sun_path, 0, sizeof(un.sun_path));
    memcpy(un.sun_path, "\0ab\0c\033", 6);
    g_assert_true(sa_decode(f, &un, sizeof(un), 2 + 6, &sa, &err));
    g_assert_true(sa.valid);
    g_assert_true(sa.unix_abstract);
    g_assert_cmpuint(sa.unix_name_len, ==, 6);
    g_assert_cmpmem(sa.unix_name, 6, "\0ab\0c\033", 6);
    g_assert_cmpstr(sa.unix_path, ==, "@ab");
    text = st_linux_sockaddr_describe(&sa);
    g_assert_cmpstr(text, ==, "unix @ab\\x00c\\x1b");
    fx_free(f);
}

static void test_sockaddr_other(void)
{
    Fixture *f = fx_new();
    struct sockaddr_vm vm = { .svm_family = AF_VSOCK, .svm_port = 5000,
                              .svm_cid = VMADDR_CID_HOST };
    struct sockaddr_ll ll = { .sll_family = AF_PACKET,
                              .sll_protocol = htons(0x0800),
                              .sll_ifindex = 2 };
    struct sockaddr_xdp xdp = { .sxdp_family = AF_XDP, .sxdp_ifindex = 3,
                                .sxdp_queue_id = 1 };
    struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = 0,
                              .nl_groups = 0x10 };
    struct sockaddr un = { .sa_family = 99 };
    StLinuxSockaddr sa;
    g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
    g_autofree char *t5 = NULL;
    GError *err = NULL;

    g_assert_true(sa_decode(f, &vm, sizeof(vm), sizeof(vm), &sa, &err));
    g_assert_true(sa.valid);
    g_assert_cmpuint(sa.vsock_cid, ==, 2);
    g_assert_cmpuint(sa.vsock_port, ==, 5000);
    t1 = st_linux_sockaddr_describe(&sa);
    g_assert_cmpstr(t1, ==, "vsock cid 2 port 5000");
    g_assert_true(sa_decode(f, &vm, sizeof(vm), sizeof(vm) - 1, &sa, &err));
    g_assert_false(sa.valid);

    g_assert_true(sa_decode(f, &ll, sizeof(ll), sizeof(ll), &sa, &err));
    g_assert_true(sa.valid);
    g_assert_cmpint(sa.ifindex, ==, 2);
    g_assert_cmpuint(sa.packet_protocol, ==, 0x0800);
    t2 = st_linux_sockaddr_describe(&sa);
    g_assert_cmpstr(t2, ==, "packet ifindex 2 protocol 0x0800");

    g_assert_true(sa_decode(f, &xdp, sizeof(xdp), sizeof(xdp), &sa, &err));
    g_assert_true(sa.valid);
    g_assert_cmpint(sa.ifindex, ==, 3);
    g_assert_cmpuint(sa.xdp_queue_id, ==, 1);
    t3 = st_linux_sockaddr_describe(&sa);
    g_assert_cmpstr(t3, ==, "xdp ifindex 3 queue 1");

    g_assert_true(sa_decode(f, &nl, sizeof(nl), sizeof(nl), &sa, &err));
    g_assert_true(sa.valid);
    g_assert_cmpuint(sa.nl_groups, ==, 0x10);
    t4 = st_linux_sockaddr_describe(&sa);
    g_assert_cmpstr(t4, ==, "netlink pid 0 groups 0x10");

    g_assert_true(sa_decode(f, &un, sizeof(un), sizeof(un), &sa, &err));
    g_assert_cmpuint(sa.family, ==, 99);
    t5 = st_linux_sockaddr_describe(&sa);
    g_assert_cmpstr(t5, ==, "family 99 (16 bytes)");
    /* one byte: not even a family */
    g_assert_true(sa_decode(f, &un, sizeof(un), 1, &sa, &err));
    g_assert_false(sa.valid);
    g_assert_no_error(err);
    fx_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/decode/user-vm", test_user_vm);
    g_test_add_func("/vmi/decode/user-read", test_user_read);
    g_test_add_func("/vmi/decode/user-string", test_user_string);
    g_test_add_func("/vmi/decode/syscall-regs", test_syscall_regs);
    g_test_add_func("/vmi/decode/iovec", test_iovec);
    g_test_add_func("/vmi/decode/iovec-head", test_iovec_head);
    g_test_add_func("/vmi/decode/sockaddr/inet", test_sockaddr_inet);
    g_test_add_func("/vmi/decode/sockaddr/unix", test_sockaddr_unix);
    g_test_add_func("/vmi/decode/sockaddr/other", test_sockaddr_other);
    return g_test_run();
}
