/*
 * st-pwrite SRC DST: read SRC, write its bytes to DST with one pwrite64().
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    size_t len;
    char *buf;
    int out;

    st_init(argc, argv, 2, "SRC DST");
    out = st_create(argv[2]);
    buf = st_slurp(argv[1], &len);
    st_expect(pwrite(out, buf, len, 0), len, "pwrite64");
    return close(out) < 0;
}
