/*
 * st-clone MODE SRC DST: make DST share SRC's extents with MODE's ioctl
 * (a reflink, as "cp --reflink" makes on XFS or btrfs); the process never
 * reads SRC's bytes, and DST gets exactly them.
 *
 *   clone   FICLONE, the whole file
 *   range   FICLONERANGE from offset 0 to SRC's end (src_length 0)
 *   dedupe  FIDEDUPERANGE of all of SRC into DST, which must exist and
 *           hold the same bytes (its writer guessed them): the kernel
 *           compares, then shares, and says so
 *
 * SRC and DST must be on one filesystem that shares extents.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <linux/fs.h>
#include <sys/ioctl.h>

static int dedupe(const char *from, const char *to)
{
    struct {
        struct file_dedupe_range r;
        struct file_dedupe_range_info info;
    } d;
    int src, dst;
    size_t len;

    st_comm("clone", "dedupe");
    src = st_open(from, O_RDONLY);
    dst = st_open(to, O_RDWR);
    len = st_size(src);
    if (st_size(dst) != len) {
        errno = 0;
        st_die("%s and %s differ in size", from, to);
    }
    memset(&d, 0, sizeof(d));
    d.r.src_length = len;
    d.r.dest_count = 1;
    d.info.dest_fd = dst;
    if (ioctl(src, FIDEDUPERANGE, &d) < 0) {
        st_die("FIDEDUPERANGE %s to %s", from, to);
    }
    if (d.info.status != FILE_DEDUPE_RANGE_SAME ||
        d.info.bytes_deduped != len) {
        errno = d.info.status < 0 ? -d.info.status : 0;
        st_die("FIDEDUPERANGE %s to %s: status %d, %llu bytes shared", from,
               to, d.info.status, (unsigned long long)d.info.bytes_deduped);
    }
    close(src);
    return close(dst) < 0;
}

int main(int argc, char **argv)
{
    int src, dst;

    st_init(argc, argv, 3, "clone|range|dedupe SRC DST");
    if (!strcmp(argv[1], "dedupe")) {
        return dedupe(argv[2], argv[3]);
    }
    if (strcmp(argv[1], "clone") && strcmp(argv[1], "range")) {
        errno = 0;
        st_die("unknown mode %s", argv[1]);
    }
    st_comm("clone", argv[1]);
    src = st_open(argv[2], O_RDONLY);
    dst = st_open(argv[3], O_RDWR | O_CREAT | O_TRUNC);
    if (!strcmp(argv[1], "clone")) {
        if (ioctl(dst, FICLONE, src) < 0) {
            st_die("FICLONE %s to %s", argv[2], argv[3]);
        }
    } else {
        struct file_clone_range r = { .src_fd = src };

        if (ioctl(dst, FICLONERANGE, &r) < 0) {
            st_die("FICLONERANGE %s to %s", argv[2], argv[3]);
        }
    }
    if (st_size(dst) != st_size(src)) {
        errno = 0;
        st_die("%s has %zu bytes, not %zu", argv[3], st_size(dst),
               st_size(src));
    }
    close(src);
    return close(dst) < 0;
}
