/*
 * st-vmsplice to SRC: read SRC and move its bytes into stdout, a pipe,
 *     with vmsplice() (memory to pipe: no write(2)).
 * st-vmsplice from DST: move what stdin, a pipe, holds into memory with
 *     vmsplice() on its read end (pipe to memory: no read(2)), then write
 *     it to DST.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    static char in[ST_MAX_SECRET];
    struct iovec iov;
    ssize_t n, got = 0;
    size_t len;
    char *buf;
    int out;

    st_init(argc, argv, 2, "to SRC | from DST");
    if (!strcmp(argv[1], "to")) {
        buf = st_slurp(argv[2], &len);
        iov.iov_base = buf;
        iov.iov_len = len;
        n = vmsplice(STDOUT_FILENO, &iov, 1, 0);
        st_expect(n, len, "vmsplice to the pipe");
        return 0;
    }
    if (strcmp(argv[1], "from")) {
        errno = 0;
        st_die("unknown direction %s", argv[1]);
    }
    out = st_create(argv[2]);
    do {
        iov.iov_base = in + got;
        iov.iov_len = sizeof(in) - got;
        n = vmsplice(STDIN_FILENO, &iov, 1, 0);
        if (n < 0) {
            st_die("vmsplice from the pipe");
        }
        got += n;
    } while (n > 0 && got < (ssize_t)sizeof(in));
    if (!got) {
        errno = 0;
        st_die("vmsplice from the pipe: nothing");
    }
    st_expect(write(out, in, got), got, "write");
    return 0;
}
