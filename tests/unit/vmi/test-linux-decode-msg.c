/*
 * secret-tracker: decoders of msghdr, mmsghdr, io_submit's iocbs and the
 * data-moving ioctls on synthetic guest memory
 *
 * Native structs come from the host's headers (the guest's x86-64 ABI);
 * compat ones are packed by hand from their i386 definitions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <linux/loop.h>

#define PAGE 4096ULL
#define UBASE 0x400000ULL
#define USIZE (40 * PAGE)
#define GAP (UBASE + USIZE)         /* an unmapped page */
#define MSGS (UBASE + 16 * PAGE)    /* 1024 mmsghdrs: 16 pages */

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

static void *uptr(uint64_t va)
{
    return (void *)(uintptr_t)va;
}

/* A sockaddr_in for 10.0.0.@host:@port at @va */
static void put_inet(Fixture *f, uint64_t va, uint8_t host, uint16_t port)
{
    struct sockaddr_in in = { .sin_family = AF_INET,
                              .sin_port = htons(port) };

    in.sin_addr.s_addr = htonl(0x0a000000 | host);
    put(f, va, &in, sizeof(in));
}

static void test_msghdr(void)
{
    Fixture *f = fx_new();
    struct iovec iov[2] = { { uptr(UBASE), 10 }, { uptr(UBASE), 32 } };
    struct msghdr m = { .msg_name = uptr(UBASE + 0x100),
                        .msg_namelen = 16, .msg_iov = uptr(UBASE + 0x200),
                        .msg_iovlen = 2, .msg_flags = 0x40 };
    uint8_t c[ST_COMPAT_MSGHDR_SIZE] = { 0 };
    StLinuxMsghdr out;
    GError *err = NULL;

    put_inet(f, UBASE + 0x100, 9, 53);
    put(f, UBASE + 0x200, iov, sizeof(iov));
    put(f, UBASE + 0x300, &m, sizeof(m));
    g_assert_true(st_linux_msghdr_decode(&f->uvm, UBASE + 0x300, false,
                                         ST_LINUX_MSG_NAME | ST_LINUX_MSG_IOV,
                                         &out, &err));
    g_assert_no_error(err);
    g_assert_true(out.has_dest);
    g_assert_cmpuint(out.dest.family, ==, ST_AF_INET);
    g_assert_cmpuint(out.dest.port, ==, 53);
    g_assert_cmpuint(out.bytes, ==, 42);
    g_assert_cmpuint(out.iovlen, ==, 2);
    g_assert_cmpuint(out.flags, ==, 0x40);
    /* recvmsg: the name is an output, not looked at */
    g_assert_true(st_linux_msghdr_decode(&f->uvm, UBASE + 0x300, false,
                                         ST_LINUX_MSG_IOV, &out, &err));
    g_assert_false(out.has_dest);
    /* too long a name is clamped, as the kernel does */
    m.msg_namelen = 200;
    put(f, UBASE + 0x300, &m, sizeof(m));
    g_assert_true(st_linux_msghdr_decode(&f->uvm, UBASE + 0x300, false,
                                         ST_LINUX_MSG_NAME, &out, &err));
    g_assert_cmpuint(out.namelen, ==, 128);
    g_assert_true(out.dest.valid);
    /* a negative one is refused; no name means no length */
    m.msg_namelen = -1;
    put(f, UBASE + 0x300, &m, sizeof(m));
    g_assert_false(st_linux_msghdr_decode(&f->uvm, UBASE + 0x300, false,
                                          ST_LINUX_MSG_NAME, &out, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    m.msg_name = NULL;
    put(f, UBASE + 0x300, &m, sizeof(m));
    g_assert_true(st_linux_msghdr_decode(&f->uvm, UBASE + 0x300, false,
                                         ST_LINUX_MSG_NAME, &out, &err));
    g_assert_false(out.has_dest);
    g_assert_cmpuint(out.namelen, ==, 0);
    /* too many iovecs */
    m.msg_iovlen = ST_UIO_MAXIOV + 1;
    put(f, UBASE + 0x300, &m, sizeof(m));
    g_assert_false(st_linux_msghdr_decode(&f->uvm, UBASE + 0x300, false, 0,
                                          &out, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);

    /* compat_msghdr: u32 name, s32 namelen, u32 iov, u32 iovlen, ... */
    put32(c, UBASE + 0x100);
    put32(c + 4, 16);
    put32(c + 8, UBASE + 0x400);
    put32(c + 12, 2);
    put32(c + 24, 0x80);
    put32((uint8_t *)iov, UBASE);           /* two compat iovecs */
    put32((uint8_t *)iov + 4, 5);
    put32((uint8_t *)iov + 8, UBASE);
    put32((uint8_t *)iov + 12, 6);
    put(f, UBASE + 0x400, iov, 16);
    put(f, UBASE + 0x500, c, sizeof(c));
    g_assert_true(st_linux_msghdr_decode(&f->uvm, UBASE + 0x500, true,
                                         ST_LINUX_MSG_NAME | ST_LINUX_MSG_IOV,
                                         &out, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(out.dest.port, ==, 53);
    g_assert_cmpuint(out.bytes, ==, 11);
    g_assert_cmpuint(out.flags, ==, 0x80);
    /* the compat header ends just before the unmapped page */
    put(f, GAP - sizeof(c), c, sizeof(c));
    g_assert_true(st_linux_msghdr_decode(&f->uvm, GAP - sizeof(c), true, 0,
                                         &out, &err));
    g_assert_false(st_linux_msghdr_decode(&f->uvm, GAP - sizeof(c), false, 0,
                                          &out, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    fx_free(f);
}

static void test_mmsghdr(void)
{
    Fixture *f = fx_new();
    g_autofree StLinuxMsghdr *out = g_new0(StLinuxMsghdr, ST_UIO_MAXIOV);
    struct iovec iov = { uptr(UBASE), 100 };
    uint8_t c[ST_COMPAT_MMSGHDR_SIZE] = { 0 };
    unsigned i, n;
    GError *err = NULL;

    put(f, UBASE + 0x800, &iov, sizeof(iov));
    for (i = 0; i < ST_UIO_MAXIOV; i++) {
        struct mmsghdr mm = { .msg_hdr = {
            .msg_name = uptr(UBASE + 0x1000 + 16 * (i % 3)),
            .msg_namelen = 16, .msg_iov = uptr(UBASE + 0x800),
            .msg_iovlen = 1 } };

        put(f, MSGS + i * sizeof(mm), &mm, sizeof(mm));
    }
    for (i = 0; i < 3; i++) {
        put_inet(f, UBASE + 0x1000 + 16 * i, i + 1, 1000 + i);
    }
    /* one destination per message */
    g_assert_true(st_linux_mmsghdr_decode(&f->uvm, MSGS, 3, false,
                                          ST_LINUX_MSG_NAME |
                                          ST_LINUX_MSG_IOV,
                                          out, ST_UIO_MAXIOV, &n, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(n, ==, 3);
    for (i = 0; i < 3; i++) {
        g_assert_cmpuint(out[i].dest.port, ==, 1000 + i);
        g_assert_cmpuint(out[i].dest.addr[3], ==, i + 1);
        g_assert_cmpuint(out[i].bytes, ==, 100);
    }
    /* a huge vlen is capped at UIO_MAXIOV; an unsigned int is read */
    g_assert_true(st_linux_mmsghdr_decode(&f->uvm, MSGS, 0x100000000ULL +
                                          5000, false, 0, out,
                                          ST_UIO_MAXIOV, &n, &err));
    g_assert_cmpuint(n, ==, ST_UIO_MAXIOV);
    g_assert_true(st_linux_mmsghdr_decode(&f->uvm, MSGS, 0x100000000ULL,
                                          false, 0, out, ST_UIO_MAXIOV, &n,
                                          &err));
    g_assert_cmpuint(n, ==, 0);
    /* and at the caller's room */
    g_assert_true(st_linux_mmsghdr_decode(&f->uvm, MSGS, 50, false, 0, out,
                                          7, &n, &err));
    g_assert_cmpuint(n, ==, 7);
    /* a bad message stops the vector; those before it count */
    put32(c, 0xffffffff);       /* the third one's msg_namelen: -1 */
    put(f, MSGS + 2 * sizeof(struct mmsghdr) + 8, c, 4);
    g_assert_false(st_linux_mmsghdr_decode(&f->uvm, MSGS, 3, false,
                                           ST_LINUX_MSG_NAME, out,
                                           ST_UIO_MAXIOV, &n, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_assert_cmpuint(n, ==, 2);
    g_clear_error(&err);
    /* a vector that runs into the unmapped page */
    g_assert_false(st_linux_mmsghdr_decode(&f->uvm, GAP - 64, 2, false, 0,
                                           out, ST_UIO_MAXIOV, &n, &err));
    g_assert_cmpuint(n, ==, 1);
    g_clear_error(&err);
    /* compat mmsghdr: 28-byte header, msg_len, 32 bytes each */
    memset(c, 0, sizeof(c));
    put32(c, UBASE + 0x1010);
    put32(c + 4, 16);
    put(f, UBASE + 0x2000, c, sizeof(c));
    put32(c, UBASE + 0x1020);
    put(f, UBASE + 0x2000 + sizeof(c), c, sizeof(c));
    g_assert_true(st_linux_mmsghdr_decode(&f->uvm, UBASE + 0x2000, 2, true,
                                          ST_LINUX_MSG_NAME, out,
                                          ST_UIO_MAXIOV, &n, &err));
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpuint(out[0].dest.port, ==, 1001);
    g_assert_cmpuint(out[1].dest.port, ==, 1002);
    fx_free(f);
}

static void test_aio(void)
{
    Fixture *f = fx_new();
    struct iocb cb[3] = {
        { .aio_lio_opcode = IOCB_CMD_PWRITE, .aio_fildes = 5,
          .aio_buf = UBASE, .aio_nbytes = 4096, .aio_offset = 512 },
        { .aio_lio_opcode = IOCB_CMD_PREADV, .aio_fildes = 6,
          .aio_buf = UBASE + 0x100, .aio_nbytes = 2 },
        { .aio_lio_opcode = IOCB_CMD_FSYNC, .aio_fildes = 7 },
    };
    struct iovec iov[2] = { { uptr(UBASE), 3 }, { uptr(UBASE), 4 } };
    uint64_t ptrs[3] = { UBASE + 0x200, UBASE + 0x240, UBASE + 0x280 };
    uint8_t cptrs[12], civ[16];
    StLinuxIocb out[4];
    unsigned n;
    GError *err = NULL;

    put(f, UBASE + 0x100, iov, sizeof(iov));
    put(f, UBASE + 0x200, cb, sizeof(cb));
    put(f, UBASE + 0x300, ptrs, sizeof(ptrs));
    g_assert_true(st_linux_aio_decode(&f->uvm, UBASE + 0x300, 3, false, out,
                                      4, &n, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpuint(out[0].opcode, ==, ST_IOCB_CMD_PWRITE);
    g_assert_cmpint(out[0].fd, ==, 5);
    g_assert_cmphex(out[0].buf, ==, UBASE);
    g_assert_cmpuint(out[0].bytes, ==, 4096);
    g_assert_cmpint(out[0].offset, ==, 512);
    g_assert_cmphex(out[0].iocb, ==, UBASE + 0x200);
    g_assert_cmpuint(out[1].bytes, ==, 7);
    g_assert_cmpint(out[2].fd, ==, 7);
    g_assert_cmpuint(out[2].bytes, ==, 0);
    /* at most @max */
    g_assert_true(st_linux_aio_decode(&f->uvm, UBASE + 0x300, 1000, false,
                                      out, 2, &n, &err));
    g_assert_cmpuint(n, ==, 2);
    /* a negative count (a long), and a compat one (an int) */
    g_assert_false(st_linux_aio_decode(&f->uvm, UBASE + 0x300, -1, false,
                                       out, 4, &n, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_assert_false(st_linux_aio_decode(&f->uvm, UBASE + 0x300, 0xffffffffULL,
                                       true, out, 4, &n, &err));
    g_clear_error(&err);

    /* compat: 4-byte pointers, and compat iovecs for PREADV */
    put32(cptrs, UBASE + 0x200);
    put32(cptrs + 4, UBASE + 0x240);
    put32(cptrs + 8, UBASE + 0x280);
    put(f, UBASE + 0x400, cptrs, sizeof(cptrs));
    put32(civ, UBASE);
    put32(civ + 4, 30);
    put32(civ + 8, UBASE);
    put32(civ + 12, 12);
    put(f, UBASE + 0x100, civ, sizeof(civ));
    g_assert_true(st_linux_aio_decode(&f->uvm, UBASE + 0x400, 3, true, out,
                                      4, &n, &err));
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpuint(out[1].bytes, ==, 42);

    /* a pointer into the kernel stops the batch there */
    ptrs[1] = f->k->task;
    put(f, UBASE + 0x300, ptrs, sizeof(ptrs));
    g_assert_false(st_linux_aio_decode(&f->uvm, UBASE + 0x300, 3, false, out,
                                       4, &n, &err));
    g_assert_cmpuint(n, ==, 1);
    g_clear_error(&err);
    /* reserved bits, an unknown opcode, a negative length */
    ptrs[1] = UBASE + 0x240;
    put(f, UBASE + 0x300, ptrs, sizeof(ptrs));
    cb[2].aio_reserved2 = 1;
    put(f, UBASE + 0x200, cb, sizeof(cb));
    g_assert_false(st_linux_aio_decode(&f->uvm, UBASE + 0x300, 3, false, out,
                                       4, &n, &err));
    g_assert_cmpuint(n, ==, 2);
    g_clear_error(&err);
    cb[0].aio_lio_opcode = 4;
    put(f, UBASE + 0x200, cb, sizeof(cb));
    g_assert_false(st_linux_aio_decode(&f->uvm, UBASE + 0x300, 3, false, out,
                                       4, &n, &err));
    g_assert_cmpuint(n, ==, 0);
    g_clear_error(&err);
    cb[0].aio_lio_opcode = IOCB_CMD_PREAD;
    cb[0].aio_nbytes = 1ULL << 63;
    put(f, UBASE + 0x200, cb, sizeof(cb));
    g_assert_false(st_linux_aio_decode(&f->uvm, UBASE + 0x300, 3, false, out,
                                       4, &n, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* a pointer array that runs into the unmapped page */
    put(f, GAP - 8, ptrs, 8);
    cb[0].aio_nbytes = 1;
    put(f, UBASE + 0x200, cb, sizeof(cb));
    g_assert_false(st_linux_aio_decode(&f->uvm, GAP - 8, 2, false, out, 4,
                                       &n, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_assert_cmpuint(n, ==, 1);
    g_clear_error(&err);
    fx_free(f);
}

static void test_ioctl(void)
{
    Fixture *f = fx_new();
    struct file_clone_range cr = { .src_fd = 0x700000009LL,
                                   .src_offset = 4096, .src_length = 8192,
                                   .dest_offset = 0 };
    struct loop_config lc = { .fd = 11 };
    g_autofree struct file_dedupe_range *dr =
        g_malloc0(4096 + sizeof(struct file_dedupe_range_info));
    StLinuxIoctl out;
    GError *err = NULL;
    unsigned i;

    /* FICLONE: the fd is the argument, an unsigned int */
    g_assert_true(st_linux_ioctl_decode(&f->uvm, 0xdead000000000000ULL |
                                        FICLONE, 0x100000005ULL, &out,
                                        &err));
    g_assert_cmpint(out.kind, ==, ST_LINUX_IOCTL_CLONE);
    g_assert_cmpint(out.src_fd, ==, 5);

    put(f, UBASE, &cr, sizeof(cr));
    g_assert_true(st_linux_ioctl_decode(&f->uvm, FICLONERANGE, UBASE, &out,
                                        &err));
    g_assert_no_error(err);
    g_assert_cmpint(out.kind, ==, ST_LINUX_IOCTL_CLONE_RANGE);
    g_assert_cmpint(out.src_fd, ==, 9);
    g_assert_cmpuint(out.src_offset, ==, 4096);
    g_assert_cmpuint(out.length, ==, 8192);
    g_assert_false(st_linux_ioctl_decode(&f->uvm, FICLONERANGE, GAP - 16,
                                         &out, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);

    dr->src_offset = 0;
    dr->src_length = 65536;
    dr->dest_count = 2;
    dr->info[0].dest_fd = 12;
    dr->info[1].dest_fd = 0x10000000dLL;
    put(f, UBASE + PAGE, dr, sizeof(*dr) + 2 * sizeof(dr->info[0]));
    g_assert_true(st_linux_ioctl_decode(&f->uvm, FIDEDUPERANGE, UBASE + PAGE,
                                        &out, &err));
    g_assert_no_error(err);
    g_assert_cmpint(out.kind, ==, ST_LINUX_IOCTL_DEDUPE_RANGE);
    g_assert_cmpint(out.src_fd, ==, -1);
    g_assert_cmpuint(out.n_dest, ==, 2);
    g_assert_cmpint(out.dest_fd[0], ==, 12);
    g_assert_cmpint(out.dest_fd[1], ==, 13);
    g_assert_cmpuint(out.length, ==, 65536);
    /* as many destinations as fit a page, and one more */
    dr->dest_count = ST_FIDEDUPERANGE_MAX_DEST;
    for (i = 0; i < ST_FIDEDUPERANGE_MAX_DEST; i++) {
        dr->info[i].dest_fd = 100 + i;
    }
    put(f, UBASE + PAGE, dr, sizeof(*dr) +
        ST_FIDEDUPERANGE_MAX_DEST * sizeof(dr->info[0]));
    g_assert_true(st_linux_ioctl_decode(&f->uvm, FIDEDUPERANGE, UBASE + PAGE,
                                        &out, &err));
    g_assert_cmpuint(out.n_dest, ==, ST_FIDEDUPERANGE_MAX_DEST);
    g_assert_cmpint(out.dest_fd[ST_FIDEDUPERANGE_MAX_DEST - 1], ==,
                    100 + ST_FIDEDUPERANGE_MAX_DEST - 1);
    dr->dest_count = ST_FIDEDUPERANGE_MAX_DEST + 1;
    put(f, UBASE + PAGE, dr, sizeof(*dr));
    g_assert_false(st_linux_ioctl_decode(&f->uvm, FIDEDUPERANGE, UBASE + PAGE,
                                         &out, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* the infos run into the unmapped page */
    dr->dest_count = 3;
    put(f, GAP - sizeof(*dr) - 2 * sizeof(dr->info[0]), dr, sizeof(*dr));
    g_assert_false(st_linux_ioctl_decode(&f->uvm, FIDEDUPERANGE,
                                         GAP - sizeof(*dr) -
                                         2 * sizeof(dr->info[0]), &out,
                                         &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);

    g_assert_true(st_linux_ioctl_decode(&f->uvm, LOOP_SET_FD, 8, &out, &err));
    g_assert_cmpint(out.kind, ==, ST_LINUX_IOCTL_LOOP);
    g_assert_cmpint(out.src_fd, ==, 8);
    g_assert_true(st_linux_ioctl_decode(&f->uvm, LOOP_CHANGE_FD, 10, &out,
                                        &err));
    g_assert_cmpint(out.src_fd, ==, 10);
    put(f, UBASE + 2 * PAGE, &lc, sizeof(lc));
    g_assert_true(st_linux_ioctl_decode(&f->uvm, LOOP_CONFIGURE,
                                        UBASE + 2 * PAGE, &out, &err));
    g_assert_cmpint(out.kind, ==, ST_LINUX_IOCTL_LOOP);
    g_assert_cmpint(out.src_fd, ==, 11);
    g_assert_false(st_linux_ioctl_decode(&f->uvm, LOOP_CONFIGURE,
                                         f->k->task, &out, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    /* anything else: nothing read */
    g_assert_true(st_linux_ioctl_decode(&f->uvm, FIONREAD, f->k->task, &out,
                                        &err));
    g_assert_cmpint(out.kind, ==, ST_LINUX_IOCTL_OTHER);
    g_assert_no_error(err);
    fx_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/decode/msghdr", test_msghdr);
    g_test_add_func("/vmi/decode/mmsghdr", test_mmsghdr);
    g_test_add_func("/vmi/decode/aio", test_aio);
    g_test_add_func("/vmi/decode/ioctl", test_ioctl);
    return g_test_run();
}
