/*
 * secret-tracker: io_uring requests at io_issue_sqe() on synthetic
 * guest memory (the synthetic io_kiocb puts its file/cmd union 0x10 in,
 * the io_fixed_file stride is 16: unlike any real kernel)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-io-uring.h"

typedef struct Fixture {
    StSynthKernel *k;
    StSynth *s;
    StLinuxProfile *p;
    uint64_t req, ctx, files;
    uint64_t file3, file_fixed;     /* struct file at fd 3, and slot 1 */
} Fixture;

static Fixture *fx_new(void)
{
    Fixture *f = g_new0(Fixture, 1);
    StLinuxProfile *p;
    uint8_t compat;

    f->k = st_synth_kernel_new(false);
    f->s = f->k->s;
    f->p = p = f->k->prof;
    st_synth_profile_add_decode(p);
    f->req = st_synth_alloc(f->s, p->struct_size[ST_STRUCT_IO_KIOCB]);
    f->ctx = st_synth_alloc(f->s, p->struct_size[ST_STRUCT_IO_RING_CTX]);
    f->files = st_synth_alloc(f->s, 4 * 16);
    f->file3 = st_synth_file(f->k, f->k->home_mnt, f->k->secret_dentry, 0);
    f->file_fixed = st_synth_file(f->k, f->k->home_mnt, f->k->user_dentry,
                                  0);
    st_synth_install_fd(f->k, 3, f->file3);
    /* two registered files: slot 0 empty, slot 1 with flag bits set */
    st_synth_w64(f->s, f->files + 16 + 8, f->file_fixed | 0x3);
    st_synth_set(f->s, p, f->ctx, ST_IO_RING_CTX_FILE_TABLE_FILES, f->files);
    st_synth_set(f->s, p, f->ctx, ST_IO_RING_CTX_NR_USER_FILES, 2);
    /* the compat bit is bit 3 of its byte; its neighbours are set */
    compat = 0xff & ~(1 << 3);
    st_synth_write(f->s, f->ctx + p->field[ST_IO_RING_CTX_COMPAT].offset,
                   &compat, 1);
    st_synth_set(f->s, p, f->req, ST_IO_KIOCB_CTX, f->ctx);
    st_synth_set(f->s, p, f->req, ST_IO_KIOCB_TASK, f->k->task);
    st_synth_set(f->s, p, f->req, ST_IO_KIOCB_CQE_FD, 3);
    return f;
}

static void fx_free(Fixture *f)
{
    st_synth_kernel_free(f->k);
    g_free(f);
}

/* An op member, in the request's cmd area */
static void set_op(Fixture *f, StLinuxOffset m, uint64_t v)
{
    st_synth_set(f->s, f->p, f->req + f->p->field[ST_IO_KIOCB_CMD].offset,
                 m, v);
}

static StLinuxIoUringReq decode(Fixture *f, uint8_t opcode)
{
    StLinuxIoUringReq r;
    GError *err = NULL;

    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_OPCODE, opcode);
    g_assert_true(st_linux_io_uring_read_req(&f->k->kernel, f->req, &r,
                                             &err));
    g_assert_no_error(err);
    g_assert_cmphex(r.req, ==, f->req);
    g_assert_cmpuint(r.opcode, ==, opcode);
    return r;
}

static void test_rw(void)
{
    Fixture *f = fx_new();
    StLinuxIoUringReq r;
    uint64_t file;
    GError *err = NULL;
    uint8_t compat;

    set_op(f, ST_IO_RW_ADDR, 0x7f0000001000ULL);
    set_op(f, ST_IO_RW_LEN, 4096);
    r = decode(f, ST_IORING_OP_READ);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_READ);
    g_assert_cmpuint(r.nr, ==, ST_NR_READ);
    g_assert_cmphex(r.args[0], ==, 3);
    g_assert_cmphex(r.args[1], ==, 0x7f0000001000ULL);
    g_assert_cmphex(r.args[2], ==, 4096);
    g_assert_false(r.target.fixed);
    g_assert_false(r.compat);
    g_assert_cmphex(r.task, ==, f->k->task);
    g_assert_cmphex(r.file, ==, 0);
    /* not assigned yet: the submitter's fd 3 */
    g_assert_true(st_linux_io_uring_file(&f->k->kernel, &r,
                                         ST_IO_URING_TARGET, &file, &err));
    g_assert_no_error(err);
    g_assert_cmphex(file, ==, f->file3);
    g_assert_false(st_linux_io_uring_file(&f->k->kernel, &r,
                                          ST_IO_URING_SPLICE_IN, &file,
                                          &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);

    r = decode(f, ST_IORING_OP_READ_FIXED);
    g_assert_cmpuint(r.nr, ==, ST_NR_READ);
    r = decode(f, ST_IORING_OP_READ_MULTISHOT);
    g_assert_cmpuint(r.nr, ==, ST_NR_READ);
    /* a compat ring: its iovecs are compat ones */
    compat = 1 << 3;
    st_synth_write(f->s, f->ctx + f->p->field[ST_IO_RING_CTX_COMPAT].offset,
                   &compat, 1);
    set_op(f, ST_IO_RW_LEN, 2);
    r = decode(f, ST_IORING_OP_READV);
    g_assert_cmpuint(r.nr, ==, ST_NR_READV);
    g_assert_true(r.compat);
    g_assert_cmphex(r.args[2], ==, 2);
    r = decode(f, ST_IORING_OP_WRITEV);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_WRITE);
    g_assert_cmpuint(r.nr, ==, ST_NR_WRITEV);
    r = decode(f, ST_IORING_OP_WRITE);
    g_assert_cmpuint(r.nr, ==, ST_NR_WRITE);
    r = decode(f, ST_IORING_OP_WRITE_FIXED);
    g_assert_cmpuint(r.nr, ==, ST_NR_WRITE);

    /* already assigned: req->file, nothing else looked up */
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_FILE, f->file_fixed);
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_CQE_FD, 63);
    r = decode(f, ST_IORING_OP_WRITE);
    g_assert_cmphex(r.file, ==, f->file_fixed);
    g_assert_true(st_linux_io_uring_file(&f->k->kernel, &r,
                                         ST_IO_URING_TARGET, &file, &err));
    g_assert_cmphex(file, ==, f->file_fixed);
    fx_free(f);
}

static void test_fixed(void)
{
    Fixture *f = fx_new();
    StLinuxIoUringReq r;
    uint64_t file;
    GError *err = NULL;

    /* IOSQE_FIXED_FILE, among other flags */
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_FLAGS,
                 0x100000000ULL | 0x10 | (1 << ST_IOSQE_FIXED_FILE_BIT));
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_CQE_FD, 1);
    r = decode(f, ST_IORING_OP_WRITE);
    g_assert_true(r.target.fixed);
    g_assert_cmpint(r.target.fd, ==, 1);
    g_assert_true(st_linux_io_uring_file(&f->k->kernel, &r,
                                         ST_IO_URING_TARGET, &file, &err));
    g_assert_no_error(err);
    g_assert_cmphex(file, ==, f->file_fixed);
    /* an empty slot; an index past the count; a negative one */
    r.target.fd = 0;
    g_assert_false(st_linux_io_uring_file(&f->k->kernel, &r,
                                          ST_IO_URING_TARGET, &file, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    r.target.fd = 2;
    g_assert_false(st_linux_io_uring_file(&f->k->kernel, &r,
                                          ST_IO_URING_TARGET, &file, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    r.target.fd = -1;
    g_assert_false(st_linux_io_uring_file(&f->k->kernel, &r,
                                          ST_IO_URING_TARGET, &file, &err));
    g_clear_error(&err);
    /* a huge count does not make a table out of thin air */
    st_synth_set(f->s, f->p, f->ctx, ST_IO_RING_CTX_NR_USER_FILES,
                 0xffffffff);
    r.target.fd = 0x7fffffff;
    g_assert_false(st_linux_io_uring_file(&f->k->kernel, &r,
                                          ST_IO_URING_TARGET, &file, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* a profile without the file table: only fixed files are lost */
    f->p->field[ST_IO_RING_CTX_FILE_TABLE_FILES].present = false;
    g_assert_false(st_linux_io_uring_fixed_supported(f->p, &err));
    g_assert_nonnull(strstr(err->message, "io_ring_ctx.file_table.files"));
    g_clear_error(&err);
    g_assert_true(st_linux_io_uring_supported(f->p, &err));
    r = decode(f, ST_IORING_OP_WRITE);
    r.target.fd = 1;
    g_assert_false(st_linux_io_uring_file(&f->k->kernel, &r,
                                          ST_IO_URING_TARGET, &file, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE);
    g_clear_error(&err);
    fx_free(f);
}

static void test_net(void)
{
    Fixture *f = fx_new();
    StLinuxIoUringReq r;

    set_op(f, ST_IO_SR_MSG_BUF, 0x7f0000002000ULL);
    set_op(f, ST_IO_SR_MSG_LEN, 1500);
    set_op(f, ST_IO_SR_MSG_MSG_FLAGS, 0x40);
    set_op(f, ST_IO_SR_MSG_ADDR, 0x7f0000003000ULL);
    set_op(f, ST_IO_SR_MSG_ADDR_LEN, 16);
    r = decode(f, ST_IORING_OP_SEND);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_SEND);
    g_assert_cmpuint(r.nr, ==, ST_NR_SENDTO);
    g_assert_cmphex(r.args[0], ==, 3);
    g_assert_cmphex(r.args[1], ==, 0x7f0000002000ULL);
    g_assert_cmphex(r.args[2], ==, 1500);
    g_assert_cmphex(r.args[3], ==, 0x40);
    g_assert_cmphex(r.args[4], ==, 0x7f0000003000ULL);
    g_assert_cmphex(r.args[5], ==, 16);
    r = decode(f, ST_IORING_OP_SEND_ZC);
    g_assert_cmpuint(r.nr, ==, ST_NR_SENDTO);
    /* the receive side has no address in this struct */
    r = decode(f, ST_IORING_OP_RECV);
    g_assert_cmpuint(r.nr, ==, ST_NR_RECVFROM);
    g_assert_cmphex(r.args[2], ==, 1500);
    g_assert_cmphex(r.args[4], ==, 0);
    g_assert_cmphex(r.args[5], ==, 0);
    /* the buffer is the user msghdr */
    r = decode(f, ST_IORING_OP_SENDMSG);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_SENDMSG);
    g_assert_cmpuint(r.nr, ==, ST_NR_SENDMSG);
    g_assert_cmphex(r.args[1], ==, 0x7f0000002000ULL);
    g_assert_cmphex(r.args[2], ==, 0x40);
    r = decode(f, ST_IORING_OP_SENDMSG_ZC);
    g_assert_cmpuint(r.nr, ==, ST_NR_SENDMSG);
    r = decode(f, ST_IORING_OP_RECVMSG);
    g_assert_cmpuint(r.nr, ==, ST_NR_RECVMSG);
    fx_free(f);
}

static void test_splice(void)
{
    Fixture *f = fx_new();
    StLinuxIoUringReq r;
    uint64_t file;
    GError *err = NULL;

    set_op(f, ST_IO_SPLICE_LEN, 65536);
    set_op(f, ST_IO_SPLICE_SPLICE_FD_IN, 1);
    set_op(f, ST_IO_SPLICE_FLAGS, ST_SPLICE_F_FD_IN_FIXED | 0x4);
    r = decode(f, ST_IORING_OP_SPLICE);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_SPLICE);
    g_assert_cmpuint(r.nr, ==, ST_NR_SPLICE);
    g_assert_true(r.splice_in.fixed);
    g_assert_cmpint(r.splice_in.fd, ==, 1);
    g_assert_false(r.target.fixed);
    g_assert_cmphex(r.args[0], ==, 1);
    g_assert_cmphex(r.args[1], ==, 0);
    g_assert_cmphex(r.args[2], ==, 3);
    g_assert_cmphex(r.args[3], ==, 0);
    g_assert_cmphex(r.args[4], ==, 65536);
    g_assert_cmphex(r.args[5], ==, 0x4);
    g_assert_true(st_linux_io_uring_file(&f->k->kernel, &r,
                                         ST_IO_URING_SPLICE_IN, &file, &err));
    g_assert_cmphex(file, ==, f->file_fixed);
    g_assert_true(st_linux_io_uring_file(&f->k->kernel, &r,
                                         ST_IO_URING_TARGET, &file, &err));
    g_assert_cmphex(file, ==, f->file3);
    /* tee, with a plain input fd */
    set_op(f, ST_IO_SPLICE_FLAGS, 0);
    set_op(f, ST_IO_SPLICE_SPLICE_FD_IN, 3);
    r = decode(f, ST_IORING_OP_TEE);
    g_assert_cmpuint(r.nr, ==, ST_NR_TEE);
    g_assert_false(r.splice_in.fixed);
    g_assert_cmphex(r.args[0], ==, 3);
    g_assert_cmphex(r.args[1], ==, 3);
    g_assert_cmphex(r.args[2], ==, 65536);
    g_assert_true(st_linux_io_uring_file(&f->k->kernel, &r,
                                         ST_IO_URING_SPLICE_IN, &file, &err));
    g_assert_no_error(err);
    g_assert_cmphex(file, ==, f->file3);
    fx_free(f);
}

static void test_other_ops(void)
{
    Fixture *f = fx_new();
    StLinuxIoUringReq r;

    r = decode(f, ST_IORING_OP_OPENAT);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_OPEN);
    g_assert_cmpuint(r.nr, ==, ST_IO_URING_NR_NONE);
    r = decode(f, ST_IORING_OP_OPENAT2);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_OPEN);
    r = decode(f, ST_IORING_OP_NOP);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_IGNORED);
    g_assert_cmpuint(r.nr, ==, ST_IO_URING_NR_NONE);
    r = decode(f, ST_IORING_OP_URING_CMD);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_IGNORED);
    r = decode(f, 250);
    g_assert_cmpint(r.kind, ==, ST_IO_URING_IGNORED);
    g_assert_cmpstr(st_linux_io_uring_op_name(ST_IORING_OP_READ), ==, "read");
    g_assert_cmpstr(st_linux_io_uring_op_name(ST_IORING_OP_SENDMSG_ZC), ==,
                    "sendmsg_zc");
    g_assert_cmpstr(st_linux_io_uring_op_name(ST_IORING_OP_FIXED_FD_INSTALL),
                    ==, "fixed_fd_install");
    g_assert_null(st_linux_io_uring_op_name(250));
    fx_free(f);
}

static void test_hostile(void)
{
    Fixture *f = fx_new();
    StLinuxIoUringReq r;
    GError *err = NULL;

    /* a request that is not in the kernel, or runs off its page */
    g_assert_false(st_linux_io_uring_read_req(&f->k->kernel, 0x7f0000000000,
                                              &r, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);
    g_assert_false(st_linux_io_uring_read_req(&f->k->kernel,
                                              f->req + 4096 - 0x40, &r,
                                              &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    /* a user address as the task; no ring */
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_TASK, 0x7f0000000000ULL);
    g_assert_false(st_linux_io_uring_read_req(&f->k->kernel, f->req, &r,
                                              &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_TASK, f->k->task);
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_CTX, 0);
    g_assert_false(st_linux_io_uring_read_req(&f->k->kernel, f->req, &r,
                                              &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_CTX, f->ctx);
    /* an op member the profile puts outside the cmd area */
    f->p->field[ST_IO_RW_LEN].offset = 0x46;
    st_synth_set(f->s, f->p, f->req, ST_IO_KIOCB_OPCODE, ST_IORING_OP_READ);
    g_assert_false(st_linux_io_uring_read_req(&f->k->kernel, f->req, &r,
                                              &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE);
    g_assert_cmpuint(r.nr, ==, ST_IO_URING_NR_NONE);
    g_clear_error(&err);
    /* a kernel without the members: a reason naming the first missing */
    f->p->field[ST_IO_KIOCB_TASK].present = false;
    g_assert_false(st_linux_io_uring_supported(f->p, &err));
    g_assert_nonnull(strstr(err->message, "io_kiocb.task"));
    g_clear_error(&err);
    g_assert_false(st_linux_io_uring_read_req(&f->k->kernel, f->req, &r,
                                              &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE);
    g_clear_error(&err);
    fx_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/io-uring/rw", test_rw);
    g_test_add_func("/vmi/io-uring/fixed", test_fixed);
    g_test_add_func("/vmi/io-uring/net", test_net);
    g_test_add_func("/vmi/io-uring/splice", test_splice);
    g_test_add_func("/vmi/io-uring/other-ops", test_other_ops);
    g_test_add_func("/vmi/io-uring/hostile", test_hostile);
    return g_test_run();
}
