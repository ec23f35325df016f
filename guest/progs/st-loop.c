/*
 * st-loop MODE SRC DST: put SRC behind a free loop device with MODE's
 * ioctl, then copy the device's bytes to DST with read() and write().
 * The process never reads SRC: the loop driver does, in the kernel.
 *
 *   set-fd     LOOP_SET_FD
 *   configure  LOOP_CONFIGURE (the backing fd inside struct loop_config)
 *
 * A loop device has whole 512-byte sectors: SRC's size must be a
 * multiple of 512, and DST gets exactly SRC's bytes.  The device stays
 * attached, so that each run has a device of its own.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <linux/loop.h>
#include <sys/ioctl.h>

static char buf[ST_MAX_SECRET];

/* A free loop device, opened read-only; its path in @path. */
static int free_loop(char *path, size_t size)
{
    int ctl = st_open("/dev/loop-control", O_RDWR);
    int nr = ioctl(ctl, LOOP_CTL_GET_FREE);

    if (nr < 0) {
        st_die("LOOP_CTL_GET_FREE");
    }
    close(ctl);
    snprintf(path, size, "/dev/loop%d", nr);
    return st_open(path, O_RDONLY);
}

int main(int argc, char **argv)
{
    char path[32];
    int src, loop, dev, out;
    size_t len, got;

    st_init(argc, argv, 3, "set-fd|configure SRC DST");
    if (strcmp(argv[1], "set-fd") && strcmp(argv[1], "configure")) {
        errno = 0;
        st_die("unknown mode %s", argv[1]);
    }
    st_comm("loop", argv[1]);
    src = st_open(argv[2], O_RDONLY);
    len = st_size(src);
    if (!len || len % 512 || len > sizeof(buf)) {
        errno = 0;
        st_die("%s: %zu bytes, not whole sectors", argv[2], len);
    }
    loop = free_loop(path, sizeof(path));
    if (!strcmp(argv[1], "set-fd")) {
        if (ioctl(loop, LOOP_SET_FD, src) < 0) {
            st_die("LOOP_SET_FD %s", path);
        }
    } else {
        struct loop_config cfg = { .fd = src, .block_size = 512 };

        cfg.info.lo_flags = LO_FLAGS_READ_ONLY;
        if (ioctl(loop, LOOP_CONFIGURE, &cfg) < 0) {
            st_die("LOOP_CONFIGURE %s", path);
        }
    }
    close(src);
    /* A new open sees the device's size as set by the ioctl. */
    dev = st_open(path, O_RDONLY);
    got = st_read_all(dev, buf, sizeof(buf));
    if (got != len) {
        errno = 0;
        st_die("%s: read %zu bytes, not %zu", path, got, len);
    }
    close(dev);
    out = st_create(argv[3]);
    st_write_all(out, buf, len);
    close(loop);
    return close(out) < 0;
}
