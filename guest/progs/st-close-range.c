/*
 * st-close-range SRC A B: read SRC; write its bytes to A through A's fd;
 * close_range() that fd, make the same fd number again with dup() of B's
 * fd (dup is not a call the tracker watches) and write through it.
 *
 * The second write must be seen going to B: a tracker that kept what the
 * fd was before close_range() would credit A twice.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    int a, b;
    size_t len;
    char *buf;

    st_init(argc, argv, 3, "SRC A B");
    a = st_create(argv[2]);
    b = st_create(argv[3]);
    buf = st_slurp(argv[1], &len);
    st_expect(write(a, buf, len), len, "write to A");
    if (syscall(SYS_close_range, a, a, 0) < 0) {
        st_die("close_range");
    }
    if (dup(b) != a) {
        st_die("dup B did not reuse fd %d", a);
    }
    st_expect(write(a, buf, len), len, "write to B");
    return 0;
}
