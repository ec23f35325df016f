/*
 * st-copy32 SRC DST: copy SRC to DST with read() and write(), as a 32-bit
 * program: its C library enters the kernel through the vDSO, by sysenter
 * (Intel) or the compat syscall instruction (AMD), never through int $0x80
 * or the 64-bit entry.  Built with gcc -m32 (package gcc-multilib).
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
    int fd;

    st_init(argc, argv, 2, "SRC DST");
    if (sizeof(long) != 4) {
        errno = 0;
        st_die("not built as a 32-bit program");
    }
    buf = st_slurp(argv[1], &len);
    fd = st_create(argv[2]);
    st_write_all(fd, buf, len);
    close(fd);
    free(buf);
    return 0;
}
