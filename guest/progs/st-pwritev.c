/*
 * st-pwritev SRC DST: read SRC, write its bytes to DST with one pwritev()
 * of two buffers.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    struct iovec iov[2];
    size_t len;
    char *buf;
    int out;

    st_init(argc, argv, 2, "SRC DST");
    out = st_create(argv[2]);
    buf = st_slurp(argv[1], &len);
    iov[0].iov_base = buf;
    iov[0].iov_len = len / 2;
    iov[1].iov_base = buf + len / 2;
    iov[1].iov_len = len - len / 2;
    st_expect(pwritev(out, iov, 2, 0), len, "pwritev");
    return close(out) < 0;
}
