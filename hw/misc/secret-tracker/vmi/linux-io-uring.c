/*
 * secret-tracker: io_uring requests at io_issue_sqe(), as the x86-64
 * syscalls they amount to
 *
 * The op's own struct (io_rw, io_sr_msg, io_splice) lives in the
 * request's cmd area, a union with req->file at the start of struct
 * io_kiocb; their members come from the profile.  Checked on Debian's
 * 6.1 and 6.12 kernels (io_kiocb.flags went from 32 to 64 bits, and
 * everything after it moved).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-io-uring.h"
#include "linux-readers-internal.h"
#include "linux-decode-internal.h"

/* Largest io_kiocb we agree to copy (216 bytes in 6.1, 248 in 6.12) */
#define ST_IO_KIOCB_MAX 1024

/* REQ_F_FIXED_FILE is the sqe's IOSQE_FIXED_FILE, copied into req->flags */
#define ST_REQ_F_FIXED_FILE (1ULL << ST_IOSQE_FIXED_FILE_BIT)

/* Registered files: a pointer whose low bits are flags (FFS_*) */
#define ST_IO_FIXED_FILE_FLAGS 0x7ULL

static const StLinuxOffset st_io_uring_members[] = {
    ST_IO_KIOCB_FILE, ST_IO_KIOCB_CMD, ST_IO_KIOCB_OPCODE, ST_IO_KIOCB_FLAGS,
    ST_IO_KIOCB_CQE_FD, ST_IO_KIOCB_CTX, ST_IO_KIOCB_TASK,
    ST_IO_RW_ADDR, ST_IO_RW_LEN,
    ST_IO_SR_MSG_BUF, ST_IO_SR_MSG_LEN, ST_IO_SR_MSG_MSG_FLAGS,
    ST_IO_SR_MSG_ADDR, ST_IO_SR_MSG_ADDR_LEN,
    ST_IO_SPLICE_LEN, ST_IO_SPLICE_SPLICE_FD_IN, ST_IO_SPLICE_FLAGS,
    ST_IO_RING_CTX_COMPAT,
};

static const StLinuxOffset st_io_uring_fixed_members[] = {
    ST_IO_RING_CTX_FILE_TABLE_FILES, ST_IO_RING_CTX_NR_USER_FILES,
    ST_IO_FIXED_FILE_FILE_PTR,
};

static bool st_io_uring_has(const StLinuxProfile *prof,
                            const StLinuxOffset *members, size_t n,
                            GError **errp)
{
    StLinuxKernel kernel = { .prof = prof };
    size_t i;

    for (i = 0; i < n; i++) {
        if (!st_field_info(&kernel, members[i], errp)) {
            g_prefix_error(errp, "no io_uring decoding: ");
            return false;
        }
    }
    return true;
}

bool st_linux_io_uring_supported(const StLinuxProfile *prof, GError **errp)
{
    const StLinuxFieldInfo *cmd = &prof->field[ST_IO_KIOCB_CMD];
    uint32_t size = prof->struct_size[ST_STRUCT_IO_KIOCB];

    if (!st_io_uring_has(prof, st_io_uring_members,
                         G_N_ELEMENTS(st_io_uring_members), errp)) {
        return false;
    }
    if (size > ST_IO_KIOCB_MAX) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "no io_uring decoding: struct io_kiocb is %u bytes",
                    size);
        return false;
    }
    if (cmd->kind != ST_FIELD_KIND_STRUCT && cmd->kind != ST_FIELD_KIND_ARRAY) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "no io_uring decoding: io_kiocb.cmd is not an area");
        return false;
    }
    return true;
}

bool st_linux_io_uring_fixed_supported(const StLinuxProfile *prof,
                                       GError **errp)
{
    uint32_t stride = prof->struct_size[ST_STRUCT_IO_FIXED_FILE];

    if (!st_io_uring_has(prof, st_io_uring_fixed_members,
                         G_N_ELEMENTS(st_io_uring_fixed_members), errp)) {
        return false;
    }
    if (stride < 8 || stride > 64) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "no registered io_uring files: struct io_fixed_file is "
                    "%u bytes", stride);
        return false;
    }
    return true;
}

/*
 * A member of the op struct in the cmd area of the copied request: a
 * value or a user pointer (void __user *), never a kernel pointer.
 */
static bool st_op_field(const StLinuxKernel *kernel, StLinuxOffset f,
                        const uint8_t *buf, size_t len, uint64_t *val,
                        GError **errp)
{
    const StLinuxFieldInfo *cmd = &kernel->prof->field[ST_IO_KIOCB_CMD];
    const StLinuxFieldInfo *fi = &kernel->prof->field[f];

    /* the op struct must fit in the cmd area, as the kernel checks */
    if (!fi->present || (uint64_t)fi->offset + fi->size > cmd->size) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "an io_uring op member lies outside io_kiocb.cmd");
        return false;
    }
    return st_decode_user_field(kernel, f, buf, len, cmd->offset, val, errp);
}

static bool st_io_uring_rw(const StLinuxKernel *kernel, const uint8_t *buf,
                           size_t len, StLinuxIoUringReq *out, GError **errp)
{
    uint64_t addr, n;
    bool vectored = out->opcode == ST_IORING_OP_READV ||
                    out->opcode == ST_IORING_OP_WRITEV;

    if (!st_op_field(kernel, ST_IO_RW_ADDR, buf, len, &addr, errp) ||
        !st_op_field(kernel, ST_IO_RW_LEN, buf, len, &n, errp)) {
        return false;
    }
    if (out->kind == ST_IO_URING_READ) {
        out->nr = vectored ? ST_NR_READV : ST_NR_READ;
    } else {
        out->nr = vectored ? ST_NR_WRITEV : ST_NR_WRITE;
    }
    out->args[0] = out->target.fd;
    out->args[1] = addr;
    out->args[2] = n;
    return true;
}

static bool st_io_uring_sr(const StLinuxKernel *kernel, const uint8_t *buf,
                           size_t len, StLinuxIoUringReq *out, GError **errp)
{
    uint64_t ubuf, n, flags, addr, addr_len;

    if (!st_op_field(kernel, ST_IO_SR_MSG_BUF, buf, len, &ubuf, errp) ||
        !st_op_field(kernel, ST_IO_SR_MSG_LEN, buf, len, &n, errp) ||
        !st_op_field(kernel, ST_IO_SR_MSG_MSG_FLAGS, buf, len, &flags,
                     errp) ||
        !st_op_field(kernel, ST_IO_SR_MSG_ADDR, buf, len, &addr, errp) ||
        !st_op_field(kernel, ST_IO_SR_MSG_ADDR_LEN, buf, len, &addr_len,
                     errp)) {
        return false;
    }
    out->args[0] = out->target.fd;
    out->args[1] = ubuf;
    switch (out->kind) {
    case ST_IO_URING_SEND:
        out->nr = ST_NR_SENDTO;
        out->args[2] = n;
        out->args[3] = flags;
        out->args[4] = addr;
        out->args[5] = addr_len;
        break;
    case ST_IO_URING_RECV:
        out->nr = ST_NR_RECVFROM;
        out->args[2] = n;
        out->args[3] = flags;
        break;
    default:
        /* the buffer is the user msghdr */
        out->nr = out->kind == ST_IO_URING_SENDMSG ? ST_NR_SENDMSG :
                  ST_NR_RECVMSG;
        out->args[2] = flags;
        break;
    }
    return true;
}

static bool st_io_uring_splice(const StLinuxKernel *kernel,
                               const uint8_t *buf, size_t len,
                               StLinuxIoUringReq *out, GError **errp)
{
    uint64_t n, fd_in, flags;

    if (!st_op_field(kernel, ST_IO_SPLICE_LEN, buf, len, &n, errp) ||
        !st_op_field(kernel, ST_IO_SPLICE_SPLICE_FD_IN, buf, len, &fd_in,
                     errp) ||
        !st_op_field(kernel, ST_IO_SPLICE_FLAGS, buf, len, &flags, errp)) {
        return false;
    }
    out->splice_in.fd = (int32_t)fd_in;
    out->splice_in.fixed = flags & ST_SPLICE_F_FD_IN_FIXED;
    flags &= ~(uint64_t)ST_SPLICE_F_FD_IN_FIXED;
    out->args[0] = out->splice_in.fd;
    if (out->kind == ST_IO_URING_SPLICE) {
        /* offsets are values here, not pointers: none passed on */
        out->nr = ST_NR_SPLICE;
        out->args[2] = out->target.fd;
        out->args[4] = n;
        out->args[5] = flags;
    } else {
        out->nr = ST_NR_TEE;
        out->args[1] = out->target.fd;
        out->args[2] = n;
        out->args[3] = flags;
    }
    return true;
}

static StLinuxIoUringKind st_io_uring_kind(uint8_t opcode)
{
    switch (opcode) {
    case ST_IORING_OP_READV:
    case ST_IORING_OP_READ_FIXED:
    case ST_IORING_OP_READ:
    case ST_IORING_OP_READ_MULTISHOT:
        return ST_IO_URING_READ;
    case ST_IORING_OP_WRITEV:
    case ST_IORING_OP_WRITE_FIXED:
    case ST_IORING_OP_WRITE:
        return ST_IO_URING_WRITE;
    case ST_IORING_OP_SEND:
    case ST_IORING_OP_SEND_ZC:
        return ST_IO_URING_SEND;
    case ST_IORING_OP_SENDMSG:
    case ST_IORING_OP_SENDMSG_ZC:
        return ST_IO_URING_SENDMSG;
    case ST_IORING_OP_RECV:
        return ST_IO_URING_RECV;
    case ST_IORING_OP_RECVMSG:
        return ST_IO_URING_RECVMSG;
    case ST_IORING_OP_SPLICE:
        return ST_IO_URING_SPLICE;
    case ST_IORING_OP_TEE:
        return ST_IO_URING_TEE;
    case ST_IORING_OP_OPENAT:
    case ST_IORING_OP_OPENAT2:
        return ST_IO_URING_OPEN;
    default:
        return ST_IO_URING_IGNORED;
    }
}

bool st_linux_io_uring_read_req(const StLinuxKernel *kernel, uint64_t req,
                                StLinuxIoUringReq *out, GError **errp)
{
    uint32_t size = kernel->prof->struct_size[ST_STRUCT_IO_KIOCB];
    uint8_t buf[ST_IO_KIOCB_MAX];
    uint64_t opcode, fd, compat;
    bool ok;

    memset(out, 0, sizeof(*out));
    out->req = req;
    out->nr = ST_IO_URING_NR_NONE;
    if (!st_linux_io_uring_supported(kernel->prof, errp)) {
        return false;
    }
    if (!st_guest_is_kernel_va(kernel->vm, req)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "io_kiocb at 0x%" PRIx64 " is not a kernel address", req);
        return false;
    }
    /* one copy: every member below comes from it */
    if (!st_guest_read(kernel->vm, req, buf, size, errp)) {
        g_prefix_error(errp, "reading io_kiocb at 0x%" PRIx64 ": ", req);
        return false;
    }
    if (!st_decode_field(kernel, ST_IO_KIOCB_OPCODE, buf, size, 0, &opcode,
                         errp) ||
        !st_decode_field(kernel, ST_IO_KIOCB_FLAGS, buf, size, 0,
                         &out->flags, errp) ||
        !st_decode_field(kernel, ST_IO_KIOCB_CQE_FD, buf, size, 0, &fd,
                         errp) ||
        !st_decode_field(kernel, ST_IO_KIOCB_FILE, buf, size, 0, &out->file,
                         errp) ||
        !st_decode_field(kernel, ST_IO_KIOCB_CTX, buf, size, 0, &out->ctx,
                         errp) ||
        !st_decode_field(kernel, ST_IO_KIOCB_TASK, buf, size, 0, &out->task,
                         errp)) {
        g_prefix_error(errp, "io_kiocb at 0x%" PRIx64 ": ", req);
        return false;
    }
    out->opcode = opcode;
    out->target.fd = (int32_t)fd;
    out->target.fixed = out->flags & ST_REQ_F_FIXED_FILE;
    out->kind = st_io_uring_kind(out->opcode);
    if (!out->ctx || !out->task) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "io_kiocb at 0x%" PRIx64 " has no ring or no task", req);
        return false;
    }
    if (!st_read_field(kernel, out->ctx, ST_IO_RING_CTX_COMPAT, &compat,
                       errp)) {
        return false;
    }
    out->compat = compat;
    switch (out->kind) {
    case ST_IO_URING_READ:
    case ST_IO_URING_WRITE:
        ok = st_io_uring_rw(kernel, buf, size, out, errp);
        break;
    case ST_IO_URING_SEND:
    case ST_IO_URING_SENDMSG:
    case ST_IO_URING_RECV:
    case ST_IO_URING_RECVMSG:
        ok = st_io_uring_sr(kernel, buf, size, out, errp);
        break;
    case ST_IO_URING_SPLICE:
    case ST_IO_URING_TEE:
        ok = st_io_uring_splice(kernel, buf, size, out, errp);
        break;
    default:
        return true;
    }
    if (!ok) {
        g_prefix_error(errp, "io_kiocb at 0x%" PRIx64 ": ", req);
        out->nr = ST_IO_URING_NR_NONE;
    }
    return ok;
}

/* ctx->file_table.files[index], as io_file_get_fixed() finds it */
static bool st_io_uring_fixed_file(const StLinuxKernel *kernel,
                                   uint64_t ctx, int32_t index,
                                   uint64_t *file, GError **errp)
{
    uint32_t stride = kernel->prof->struct_size[ST_STRUCT_IO_FIXED_FILE];
    const StLinuxFieldInfo *fi;
    uint64_t nr, files, ptr;

    if (!st_linux_io_uring_fixed_supported(kernel->prof, errp) ||
        !st_read_field(kernel, ctx, ST_IO_RING_CTX_NR_USER_FILES, &nr,
                       errp) ||
        !st_read_field(kernel, ctx, ST_IO_RING_CTX_FILE_TABLE_FILES, &files,
                       errp)) {
        return false;
    }
    if (index < 0 || (uint64_t)index >= nr || !files) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "registered file %d is not in the ring's %" PRIu64
                    " files", index, nr);
        return false;
    }
    fi = &kernel->prof->field[ST_IO_FIXED_FILE_FILE_PTR];
    if (fi->kind != ST_FIELD_KIND_INT || fi->size != 8 ||
        fi->offset + fi->size > stride) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "io_fixed_file.file_ptr is not a word in its struct");
        return false;
    }
    if (!st_guest_read_u64(kernel->vm,
                           files + (uint64_t)index * stride + fi->offset,
                           &ptr, errp)) {
        g_prefix_error(errp, "registered file %d: ", index);
        return false;
    }
    ptr &= ~ST_IO_FIXED_FILE_FLAGS;
    if (!ptr || !st_guest_is_kernel_va(kernel->vm, ptr)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "registered file %d is empty (0x%" PRIx64 ")", index,
                    ptr);
        return false;
    }
    *file = ptr;
    return true;
}

bool st_linux_io_uring_file(const StLinuxKernel *kernel,
                            const StLinuxIoUringReq *req,
                            StLinuxIoUringSide side, uint64_t *file,
                            GError **errp)
{
    const StLinuxIoUringFd *fd = side == ST_IO_URING_SPLICE_IN ?
                                 &req->splice_in : &req->target;

    if (side == ST_IO_URING_TARGET && req->file) {
        *file = req->file;
        return true;
    }
    if (side == ST_IO_URING_SPLICE_IN && req->kind != ST_IO_URING_SPLICE &&
        req->kind != ST_IO_URING_TEE) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "an io_uring %s has no input side",
                    st_linux_io_uring_op_name(req->opcode) ?: "op");
        return false;
    }
    if (fd->fixed) {
        return st_io_uring_fixed_file(kernel, req->ctx, fd->fd, file, errp);
    }
    return st_linux_fd_file(kernel, req->task, fd->fd, file, errp);
}

const char *st_linux_io_uring_op_name(uint8_t opcode)
{
    static const char *const names[] = {
        "nop", "readv", "writev", "fsync", "read_fixed", "write_fixed",
        "poll_add", "poll_remove", "sync_file_range", "sendmsg", "recvmsg",
        "timeout", "timeout_remove", "accept", "async_cancel",
        "link_timeout", "connect", "fallocate", "openat", "close",
        "files_update", "statx", "read", "write", "fadvise", "madvise",
        "send", "recv", "openat2", "epoll_ctl", "splice",
        "provide_buffers", "remove_buffers", "tee", "shutdown", "renameat",
        "unlinkat", "mkdirat", "symlinkat", "linkat", "msg_ring",
        "fsetxattr", "setxattr", "fgetxattr", "getxattr", "socket",
        "uring_cmd", "send_zc", "sendmsg_zc", "read_multishot", "waitid",
        "futex_wait", "futex_wake", "futex_waitv", "fixed_fd_install",
        "ftruncate", "bind", "listen",
    };

    return opcode < G_N_ELEMENTS(names) ? names[opcode] : NULL;
}
