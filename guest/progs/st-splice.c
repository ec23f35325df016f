/*
 * st-splice SRC TARGET: move SRC's bytes to TARGET (a path, or a socket
 * address as tcp:A.B.C.D:PORT, unix:PATH) with splice() through a pipe:
 * file to pipe, pipe to target.  The process never reads them.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    int in, out, p[2];
    size_t len;

    st_init(argc, argv, 2, "SRC TARGET");
    in = st_open(argv[1], O_RDONLY);
    out = st_open_target(argv[2]);
    len = st_size(in);
    if (pipe(p) < 0) {
        st_die("pipe");
    }
    st_expect(splice(in, NULL, p[1], NULL, len, 0), len, "splice in");
    st_expect(splice(p[0], NULL, out, NULL, len, 0), len, "splice out");
    return close(out) < 0;
}
