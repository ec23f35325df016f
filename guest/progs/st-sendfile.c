/*
 * st-sendfile SRC TARGET: send SRC's bytes to TARGET (a path, or a socket
 * address as tcp:A.B.C.D:PORT, unix:PATH) with one sendfile(); the
 * process itself never reads them.
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

    st_init(argc, argv, 2, "SRC TARGET");
    in = st_open(argv[1], O_RDONLY);
    out = st_open_target(argv[2]);
    len = st_size(in);
    st_expect(sendfile(out, in, NULL, len), len, "sendfile");
    return close(out) < 0;
}
