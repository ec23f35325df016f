/*
 * st-int80 SRC DST: copy SRC to DST with open, read, write and close
 * made through int $0x80, the i386 system call gate, from this 64-bit
 * program.  Any process may do this; its buffers must be below 4 GiB.
 *
 * A tracker that hooks only the 64-bit entry sees none of these calls.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

/* i386 system call numbers */
#define I386_READ 3
#define I386_WRITE 4
#define I386_OPEN 5
#define I386_CLOSE 6

#define LOW_SIZE (ST_MAX_SECRET + 8192)

static long int80(long nr, long a, long b, long c)
{
    long ret;

    asm volatile("int $0x80"
                 : "=a"(ret)
                 : "a"(nr), "b"(a), "c"(b), "d"(c)
                 : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

/* Copy @s into the low area at @at: i386 calls take 32-bit pointers. */
static char *low_string(char *at, const char *s)
{
    size_t n = strlen(s) + 1;

    if (n > 4096) {
        errno = ENAMETOOLONG;
        st_die("%s", s);
    }
    return memcpy(at, s, n);
}

int main(int argc, char **argv)
{
    char *low, *src, *dst, *buf;
    long in, out, n, w;

    st_init(argc, argv, 2, "SRC DST");
    low = mmap(NULL, LOW_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) {
        st_die("mmap below 4 GiB");
    }
    src = low_string(low, argv[1]);
    dst = low_string(low + 4096, argv[2]);
    buf = low + 8192;
    in = int80(I386_OPEN, (long)src, O_RDONLY, 0);
    if (in < 0) {
        errno = -in;
        st_die("int 0x80 open %s", argv[1]);
    }
    out = int80(I386_OPEN, (long)dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
        errno = -out;
        st_die("int 0x80 open %s", argv[2]);
    }
    n = int80(I386_READ, in, (long)buf, ST_MAX_SECRET);
    if (n <= 0) {
        errno = n ? -n : 0;
        st_die("int 0x80 read %s", argv[1]);
    }
    w = int80(I386_WRITE, out, (long)buf, n);
    if (w != n) {
        errno = w < 0 ? -w : 0;
        st_die("int 0x80 write %s: %ld of %ld bytes", argv[2], w, n);
    }
    if (int80(I386_CLOSE, in, 0, 0) || int80(I386_CLOSE, out, 0, 0)) {
        st_die("int 0x80 close");
    }
    return 0;
}
