/*
 * st-mmio BAR SRC OUT: map a PCI device's MMIO BAR (its sysfs resource
 * file), read SRC, then pass the kernel pointers into the BAR: rename()
 * with the BAR as the old path, sendto() with the BAR as the address.
 * Both fail in the kernel (not a path, not an address family); the point
 * is that the tracker, reading the same pointers from outside, must not
 * touch device memory.  Then a plain copy of SRC to OUT.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    struct sockaddr_in none = { .sin_family = AF_INET };
    int bar_fd, sock, out;
    /* device memory: every access must reach the device */
    volatile uint32_t *bar;
    size_t len;
    char *buf;
    long r;

    st_init(argc, argv, 3, "BAR SRC OUT");
    bar_fd = st_open(argv[1], O_RDWR | O_SYNC);
    bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, bar_fd, 0);
    if (bar == MAP_FAILED) {
        st_die("mmap %s", argv[1]);
    }
    /* the device answers: its memory really is mapped here */
    st_fact("mmio:id", "0x%08x", bar[0]);
    buf = st_slurp(argv[2], &len);

    r = rename((const char *)bar, "/tmp/mmio-renamed");
    st_fact("mmio:rename", "%ld %d", r, r < 0 ? errno : 0);
    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        st_die("socket");
    }
    r = sendto(sock, buf, len, 0, (const struct sockaddr *)bar,
               sizeof(none));
    st_fact("mmio:sendto", "%ld %d", r, r < 0 ? errno : 0);

    out = st_create(argv[3]);
    st_write_all(out, buf, len);
    close(out);
    return 0;
}
