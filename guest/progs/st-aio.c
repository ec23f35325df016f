/*
 * st-aio SRC DST: copy SRC to DST with Linux AIO: one io_submit() with an
 * IOCB_CMD_PREAD, then one with an IOCB_CMD_PWRITE, never read(2) or
 * write(2).  Raw system calls: glibc's aio_* functions are POSIX AIO on
 * threads, not these.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <linux/aio_abi.h>

/* Submit one iocb on @ctx and wait for it; its result. */
static long aio_run(aio_context_t ctx, uint16_t op, int fd, void *buf,
                    size_t len)
{
    struct iocb cb = { 0 };
    struct iocb *list[1] = { &cb };
    struct io_event ev;

    cb.aio_lio_opcode = op;
    cb.aio_fildes = fd;
    cb.aio_buf = (unsigned long)buf;
    cb.aio_nbytes = len;
    cb.aio_offset = 0;
    if (syscall(__NR_io_submit, ctx, 1, list) != 1) {
        st_die("io_submit");
    }
    if (syscall(__NR_io_getevents, ctx, 1, 1, &ev, NULL) != 1) {
        st_die("io_getevents");
    }
    return ev.res;
}

int main(int argc, char **argv)
{
    static char buf[ST_MAX_SECRET];
    aio_context_t ctx = 0;
    long n, w;
    int in, out;

    st_init(argc, argv, 2, "SRC DST");
    in = st_open(argv[1], O_RDONLY);
    out = st_create(argv[2]);
    if (syscall(__NR_io_setup, 4, &ctx)) {
        st_die("io_setup");
    }
    n = aio_run(ctx, IOCB_CMD_PREAD, in, buf, sizeof(buf));
    if (n <= 0) {
        errno = n ? -n : 0;
        st_die("IOCB_CMD_PREAD %s", argv[1]);
    }
    w = aio_run(ctx, IOCB_CMD_PWRITE, out, buf, n);
    if (w != n) {
        errno = w < 0 ? -w : 0;
        st_die("IOCB_CMD_PWRITE %s: %ld of %ld bytes", argv[2], w, n);
    }
    return 0;
}
