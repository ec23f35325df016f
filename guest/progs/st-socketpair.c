/*
 * st-socketpair SRC DST: a child reads SRC and writes its bytes into one
 * end of a unix stream socket pair; the parent reads the other end and
 * saves the bytes to DST.  The child is forked before anything is read.
 * Facts: writer and reader pids.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    int sv[2], out;
    size_t len;
    pid_t pid;
    char *buf;

    st_init(argc, argv, 2, "SRC DST");
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        st_die("socketpair");
    }
    out = st_create(argv[2]);
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        st_die("fork");
    }
    if (pid == 0) {
        close(sv[1]);
        buf = st_slurp(argv[1], &len);
        st_write_all(sv[0], buf, len);
        exit(close(sv[0]) < 0);
    }
    close(sv[0]);
    st_fact("pid:writer", "%d", (int)pid);
    st_fact("pid:reader", "%d", (int)getpid());
    buf = malloc(ST_MAX_SECRET);
    if (!buf) {
        st_die("malloc");
    }
    len = st_read_all(sv[1], buf, ST_MAX_SECRET);
    st_write_all(out, buf, len);
    st_wait_child(pid);
    return close(out) < 0;
}
