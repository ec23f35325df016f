/*
 * secret-tracker: io_submit's iocbs and the ioctls that move file data
 * (reflinks, dedupe, loop devices), from a task's user memory
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"
#include "linux-decode-internal.h"

/*
 * struct iocb (linux/aio_abi.h), the same for compat callers: aio_data,
 * aio_key and aio_rw_flags, then these.
 */
#define ST_IOCB_RW_FLAGS    12
#define ST_IOCB_OPCODE      16
#define ST_IOCB_FILDES      20
#define ST_IOCB_BUF         24
#define ST_IOCB_NBYTES      32
#define ST_IOCB_OFFSET      40
#define ST_IOCB_RESERVED2   48
#define ST_IOCB_FLAGS       56

/* Decode one iocb as io_submit_one() would accept it */
static bool st_iocb_parse(const StGuestVm *uvm, const uint8_t *cb,
                          bool compat, StLinuxIocb *out, GError **errp)
{
    out->opcode = st_ld16(cb + ST_IOCB_OPCODE);
    out->fd = (int32_t)st_ld32(cb + ST_IOCB_FILDES);
    out->buf = st_ld64(cb + ST_IOCB_BUF);
    out->nbytes = st_ld64(cb + ST_IOCB_NBYTES);
    out->offset = (int64_t)st_ld64(cb + ST_IOCB_OFFSET);
    out->flags = st_ld32(cb + ST_IOCB_FLAGS);
    out->bytes = 0;
    if (st_ld64(cb + ST_IOCB_RESERVED2) || out->nbytes > INT64_MAX) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "iocb at 0x%" PRIx64 " has reserved bits or a negative "
                    "length", out->iocb);
        return false;
    }
    switch (out->opcode) {
    case ST_IOCB_CMD_PREAD:
    case ST_IOCB_CMD_PWRITE:
        out->bytes = MIN(out->nbytes, ST_MAX_RW_COUNT);
        return true;
    case ST_IOCB_CMD_PREADV:
    case ST_IOCB_CMD_PWRITEV:
        if (!st_linux_iovec_total(uvm, out->buf, out->nbytes, compat,
                                  &out->bytes, errp)) {
            g_prefix_error(errp, "iocb at 0x%" PRIx64 ": ", out->iocb);
            return false;
        }
        return true;
    case ST_IOCB_CMD_FSYNC:
    case ST_IOCB_CMD_FDSYNC:
    case ST_IOCB_CMD_POLL:
    case ST_IOCB_CMD_NOOP:
        return true;
    default:
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "iocb at 0x%" PRIx64 " has an unknown opcode %u",
                    out->iocb, out->opcode);
        return false;
    }
}

bool st_linux_aio_decode(const StGuestVm *uvm, uint64_t iocbpp,
                         uint64_t nr_arg, bool compat, StLinuxIocb *out,
                         unsigned max, unsigned *n, GError **errp)
{
    int64_t nr = compat ? (int32_t)nr_arg : (int64_t)nr_arg;
    unsigned psize = compat ? 4 : 8;
    uint64_t count, i;

    *n = 0;
    if (nr < 0) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "io_submit of %" PRId64 " iocbs", nr);
        return false;
    }
    count = MIN((uint64_t)nr, max);
    for (i = 0; i < count; i++) {
        uint8_t p[8] = { 0 }, cb[ST_IOCB_SIZE];
        StLinuxIocb *o = &out[i];

        memset(o, 0, sizeof(*o));
        if (!st_linux_user_read(uvm, iocbpp + i * psize, p, psize, errp)) {
            g_prefix_error(errp, "iocb pointer %" PRIu64 ": ", i);
            return false;
        }
        o->iocb = st_ld64(p);
        if (!st_linux_user_read(uvm, o->iocb, cb, sizeof(cb), errp)) {
            g_prefix_error(errp, "iocb %" PRIu64 ": ", i);
            return false;
        }
        if (!st_iocb_parse(uvm, cb, compat, o, errp)) {
            return false;
        }
        *n = i + 1;
    }
    return true;
}

/* struct file_clone_range: src_fd, src_offset, src_length, dest_offset */
static bool st_ioctl_clone_range(const StGuestVm *uvm, uint64_t arg,
                                 StLinuxIoctl *out, GError **errp)
{
    uint8_t r[ST_FILE_CLONE_RANGE_SIZE];

    if (!st_linux_user_read(uvm, arg, r, sizeof(r), errp)) {
        g_prefix_error(errp, "file_clone_range: ");
        return false;
    }
    /* an s64 the kernel hands to fdget() as an unsigned int */
    out->src_fd = (int32_t)st_ld32(r);
    out->src_offset = st_ld64(r + 8);
    out->length = st_ld64(r + 16);
    out->dest_offset = st_ld64(r + 24);
    return true;
}

/*
 * struct file_dedupe_range: src_offset, src_length, dest_count (u16),
 * reserved, then dest_count infos of dest_fd (s64), dest_offset, ...
 * The kernel copies the whole request at once, at most a page.
 */
static bool st_ioctl_dedupe_range(const StGuestVm *uvm, uint64_t arg,
                                  StLinuxIoctl *out, GError **errp)
{
    uint8_t r[4096];
    uint16_t count;
    unsigned i;

    if (!st_linux_user_read(uvm, arg, r, ST_FILE_DEDUPE_RANGE_SIZE, errp)) {
        g_prefix_error(errp, "file_dedupe_range: ");
        return false;
    }
    count = st_ld16(r + 16);
    if (count > ST_FIDEDUPERANGE_MAX_DEST) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "file_dedupe_range with %u destinations: more than a "
                    "page", count);
        return false;
    }
    /*
     * The whole request, as the kernel copies it after reading the count:
     * the count of this second copy is ignored, as the kernel ignores it.
     */
    if (!st_linux_user_read(uvm, arg, r, ST_FILE_DEDUPE_RANGE_SIZE +
                            count * ST_FILE_DEDUPE_RANGE_INFO_SIZE, errp)) {
        g_prefix_error(errp, "file_dedupe_range: ");
        return false;
    }
    out->src_fd = -1;
    out->src_offset = st_ld64(r);
    out->length = st_ld64(r + 8);
    out->n_dest = count;
    for (i = 0; i < count; i++) {
        const uint8_t *info = r + ST_FILE_DEDUPE_RANGE_SIZE +
                              i * ST_FILE_DEDUPE_RANGE_INFO_SIZE;

        out->dest_fd[i] = (int32_t)st_ld32(info);
    }
    return true;
}

bool st_linux_ioctl_decode(const StGuestVm *uvm, uint64_t cmd_arg,
                           uint64_t arg, StLinuxIoctl *out, GError **errp)
{
    uint8_t fd[4];

    memset(out, 0, sizeof(*out));
    out->cmd = (uint32_t)cmd_arg;       /* an unsigned int */
    out->src_fd = -1;
    switch (out->cmd) {
    case ST_FICLONE:
        out->kind = ST_LINUX_IOCTL_CLONE;
        out->src_fd = (int32_t)arg;
        return true;
    case ST_FICLONERANGE:
        out->kind = ST_LINUX_IOCTL_CLONE_RANGE;
        return st_ioctl_clone_range(uvm, arg, out, errp);
    case ST_FIDEDUPERANGE:
        out->kind = ST_LINUX_IOCTL_DEDUPE_RANGE;
        return st_ioctl_dedupe_range(uvm, arg, out, errp);
    case ST_LOOP_SET_FD:
    case ST_LOOP_CHANGE_FD:
        out->kind = ST_LINUX_IOCTL_LOOP;
        out->src_fd = (int32_t)arg;
        return true;
    case ST_LOOP_CONFIGURE:
        out->kind = ST_LINUX_IOCTL_LOOP;
        if (!st_linux_user_read(uvm, arg + ST_LOOP_CONFIG_FD_OFFSET, fd,
                                sizeof(fd), errp)) {
            g_prefix_error(errp, "loop_config: ");
            return false;
        }
        out->src_fd = (int32_t)st_ld32(fd);
        return true;
    default:
        out->kind = ST_LINUX_IOCTL_OTHER;
        return true;
    }
}
