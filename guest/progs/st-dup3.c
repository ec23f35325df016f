/*
 * st-dup3 SRC A B: read SRC; write its bytes through fd 10 made by
 * dup3() from A's fd, then through fd 10 made again by dup3() from B's.
 *
 * The second write must be seen going to B: a tracker that kept what fd
 * 10 was before the second dup3() would credit A twice.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#define ST_FD 10

int main(int argc, char **argv)
{
    int a, b;
    size_t len;
    char *buf;

    st_init(argc, argv, 3, "SRC A B");
    a = st_create(argv[2]);
    b = st_create(argv[3]);
    buf = st_slurp(argv[1], &len);
    if (dup3(a, ST_FD, 0) != ST_FD) {
        st_die("dup3 A");
    }
    st_expect(write(ST_FD, buf, len), len, "write to A");
    if (dup3(b, ST_FD, O_CLOEXEC) != ST_FD) {
        st_die("dup3 B");
    }
    st_expect(write(ST_FD, buf, len), len, "write to B");
    return 0;
}
