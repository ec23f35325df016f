/*
 * secret-tracker: io_uring requests at io_issue_sqe(req, issue_flags)
 *
 * Every io_uring op goes through io_issue_sqe(), whether the submitter
 * issues it inline, an SQPOLL thread picks it up with no syscall at all,
 * or an io-wq worker runs it.  At its entry the request is prepared: the
 * opcode, the fd (or registered-file index) and the op's own fields in
 * the request's cmd area are set, and req->file may still be NULL.
 *
 * The structs come from the profile (optional members): a kernel that
 * lacks them disables only this decoder, and
 * st_linux_io_uring_supported() says which member is missing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_IO_URING_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_IO_URING_H

#include "hw/misc/secret-tracker/vmi/linux-readers.h"

/* What an op amounts to, for the engine */
typedef enum StLinuxIoUringKind {
    ST_IO_URING_IGNORED,    /* moves no file data we follow (counted) */
    ST_IO_URING_READ,       /* READ*, READV: read / readv */
    ST_IO_URING_WRITE,      /* WRITE*, WRITEV: write / writev */
    ST_IO_URING_SEND,       /* SEND, SEND_ZC: sendto */
    ST_IO_URING_SENDMSG,    /* SENDMSG, SENDMSG_ZC: sendmsg */
    ST_IO_URING_RECV,       /* RECV: recvfrom */
    ST_IO_URING_RECVMSG,    /* RECVMSG: recvmsg */
    ST_IO_URING_SPLICE,     /* SPLICE: splice */
    ST_IO_URING_TEE,        /* TEE: tee */
    ST_IO_URING_OPEN,       /* OPENAT, OPENAT2: nothing to decode */
} StLinuxIoUringKind;

/* An fd of the submitting task, or an index in the ring's file table */
typedef struct StLinuxIoUringFd {
    int32_t fd;
    bool fixed;
} StLinuxIoUringFd;

typedef enum StLinuxIoUringSide {
    ST_IO_URING_TARGET,     /* the op's file (splice/tee: the output) */
    ST_IO_URING_SPLICE_IN,  /* splice/tee: the input */
} StLinuxIoUringSide;

#define ST_IO_URING_NR_NONE UINT32_MAX

typedef struct StLinuxIoUringReq {
    uint64_t req;           /* the struct io_kiocb */
    uint8_t opcode;         /* ST_IORING_OP_* */
    uint64_t flags;         /* REQ_F_* */
    uint64_t file;          /* req->file if already assigned, else 0 */
    uint64_t ctx;           /* the ring (struct io_ring_ctx) */
    uint64_t task;          /* the submitting task: whose fds and memory */
    /*
     * A ring set up by a compat syscall: its iovecs and msghdrs have the
     * i386 layouts (the decoders' @compat).
     */
    bool compat;
    StLinuxIoUringKind kind;
    StLinuxIoUringFd target;
    StLinuxIoUringFd splice_in;
    /*
     * The x86-64 syscall it amounts to (ST_NR_*, or ST_IO_URING_NR_NONE
     * when ignored or OPEN) and its arguments.  An fd argument holds
     * target.fd / splice_in.fd, which is a registered-file index when
     * .fixed: resolve files with st_linux_io_uring_file(), not as fds.
     */
    uint32_t nr;
    uint64_t args[6];
} StLinuxIoUringReq;

/*
 * Does the profile have what st_linux_io_uring_read_req() needs?  If
 * not, @errp names the first member missing.
 */
bool st_linux_io_uring_supported(const StLinuxProfile *prof, GError **errp);

/* The same for registered (fixed) files */
bool st_linux_io_uring_fixed_supported(const StLinuxProfile *prof,
                                       GError **errp);

/*
 * Decode the request at @req (io_issue_sqe's first argument, RDI) from
 * one bounded copy of its struct io_kiocb, and read the ring's compat
 * flag.
 */
bool st_linux_io_uring_read_req(const StLinuxKernel *kernel, uint64_t req,
                                StLinuxIoUringReq *out, GError **errp);

/*
 * The struct file of one side of a decoded request: req->file if it is
 * already assigned (the target side), else the ring's registered file
 * (bounded by its count) or the submitting task's fd.
 */
bool st_linux_io_uring_file(const StLinuxKernel *kernel,
                            const StLinuxIoUringReq *req,
                            StLinuxIoUringSide side, uint64_t *file,
                            GError **errp);

/* "read", "sendmsg", ... or NULL for an opcode we have no name for */
const char *st_linux_io_uring_op_name(uint8_t opcode);

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_IO_URING_H */
