/*
 * st-cfr SRC DST: copy SRC to DST with copy_file_range() alone; the
 * process itself never reads the bytes.
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

    st_init(argc, argv, 2, "SRC DST");
    in = st_open(argv[1], O_RDONLY);
    out = st_create(argv[2]);
    len = st_size(in);
    st_expect(copy_file_range(in, NULL, out, NULL, len, 0), len,
              "copy_file_range");
    st_expect(copy_file_range(in, NULL, out, NULL, len, 0), 0,
              "copy_file_range at the end");
    return close(out) < 0;
}
