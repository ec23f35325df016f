/*
 * st-mmap SRC DST: map SRC with PROT_READ and MAP_PRIVATE, and write the
 * mapped bytes to DST; the process never read()s them.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    int in, out;
    size_t len;
    char *map;

    st_init(argc, argv, 2, "SRC DST");
    in = st_open(argv[1], O_RDONLY);
    out = st_create(argv[2]);
    len = st_size(in);
    map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, in, 0);
    if (map == MAP_FAILED) {
        st_die("mmap");
    }
    st_expect(write(out, map, len), len, "write");
    return close(out) < 0;
}
