/*
 * st-same REF FILE...: exit 0 if every FILE holds exactly REF's bytes.
 *
 * The scenarios' proof that a secret's bytes reached each output.  One
 * process reads them all (with read()), so a check adds one process and
 * one read edge per file to the flow graph; it prints nothing unless a
 * file differs.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    size_t ref_len, len;
    char *ref, *buf;
    int i;

    st_init(argc, argv, -2, "REF FILE...");
    ref = st_slurp(argv[1], &ref_len);
    for (i = 2; i < argc; i++) {
        buf = st_slurp(argv[i], &len);
        if (len != ref_len || memcmp(buf, ref, len)) {
            errno = 0;
            st_die("%s (%zu bytes) differs from %s (%zu bytes)",
                   argv[i], len, argv[1], ref_len);
        }
        free(buf);
    }
    return 0;
}
