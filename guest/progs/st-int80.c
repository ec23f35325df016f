/*
 * st-int80 SRC DST: copy SRC to DST with open, read, write and close
 * made through int $0x80, the i386 system call gate, from this 64-bit
 * program.  Any process may do this; its buffers must be below 4 GiB.
 *
 * st-int80 xattr-set SRC, st-int80 xattr-get DST: SRC's bytes into an
 * extended attribute (trusted.st80 of /tmp/st-int80-xattr) with an i386
 * setxattr, and back out into DST with an i386 getxattr, by two processes
 * (i80-xattr-set, i80-xattr-get): kernel-held data through the gate.
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
#define I386_SETXATTR 226
#define I386_GETXATTR 229

#define XATTR_FILE "/tmp/st-int80-xattr"
#define XATTR_NAME "trusted.st80"

#define LOW_SIZE (ST_MAX_SECRET + 8192)

static long int80_5(long nr, long a, long b, long c, long d, long e)
{
    long ret;

    asm volatile("int $0x80"
                 : "=a"(ret)
                 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                 : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

static long int80(long nr, long a, long b, long c)
{
    return int80_5(nr, a, b, c, 0, 0);
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

static char *low_area(void)
{
    char *low = mmap(NULL, LOW_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

    if (low == MAP_FAILED) {
        st_die("mmap below 4 GiB");
    }
    return low;
}

/* xattr-set SRC / xattr-get DST */
static void mode_xattr(int set, const char *arg)
{
    char *low = low_area(), *data;
    char *file = low_string(low, XATTR_FILE);
    char *name = low_string(low + 4096, XATTR_NAME);
    char *buf = low + 8192;
    size_t len;
    long n;
    int fd;

    st_comm("i80", set ? "xattr-set" : "xattr-get");
    if (set) {
        close(st_create(XATTR_FILE));
        data = st_slurp(arg, &len);
        memcpy(buf, data, len);
        free(data);
        n = int80_5(I386_SETXATTR, (long)file, (long)name, (long)buf, len, 0);
        if (n) {
            errno = n < 0 ? -n : 0;
            st_die("int 0x80 setxattr %s", XATTR_FILE);
        }
        return;
    }
    n = int80_5(I386_GETXATTR, (long)file, (long)name, (long)buf,
                ST_MAX_SECRET, 0);
    if (n <= 0) {
        errno = n ? -n : 0;
        st_die("int 0x80 getxattr %s", XATTR_FILE);
    }
    fd = st_create(arg);
    st_write_all(fd, buf, n);
    close(fd);
}

int main(int argc, char **argv)
{
    char *low, *src, *dst, *buf;
    long in, out, n, w;

    st_init(argc, argv, 2, "SRC DST | xattr-set SRC | xattr-get DST");
    if (!strcmp(argv[1], "xattr-set") || !strcmp(argv[1], "xattr-get")) {
        mode_xattr(!strcmp(argv[1], "xattr-set"), argv[2]);
        return 0;
    }
    low = low_area();
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
