/*
 * st-bind SRC SOCKPATH DST: a receiver binds a unix datagram socket to
 * SOCKPATH and saves what it receives to DST; a sender connects a socket
 * to SOCKPATH, reads SRC and sends its bytes with send().
 *
 * The receiver is a child forked before anything is read; a pipe tells
 * the sender when the path is bound.  Facts: sender and receiver pids.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

static void receive(const char *sockpath, const char *dst, int ready)
{
    struct sockaddr_storage ss;
    int type, family, fd, out;
    socklen_t sslen;
    char buf[ST_MAX_SECRET];
    char spec[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
    ssize_t n;

    snprintf(spec, sizeof(spec), "unixdg:%s", sockpath);
    sslen = st_sockaddr(spec, &type, &family, &ss);
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sslen) < 0) {
        st_die("bind %s", sockpath);
    }
    out = st_create(dst);
    st_write_all(ready, "r", 1);
    n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
        st_die("recv");
    }
    st_write_all(out, buf, n);
    exit(close(out) < 0);
}

int main(int argc, char **argv)
{
    char spec[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
    int p[2], fd;
    size_t len;
    pid_t pid;
    char *buf, c;

    st_init(argc, argv, 3, "SRC SOCKPATH DST");
    if (pipe(p) < 0) {
        st_die("pipe");
    }
    pid = fork();
    if (pid < 0) {
        st_die("fork");
    }
    if (pid == 0) {
        close(p[0]);
        receive(argv[2], argv[3], p[1]);
    }
    close(p[1]);
    st_fact("pid:sender", "%d", (int)getpid());
    st_fact("pid:receiver", "%d", (int)pid);
    if (read(p[0], &c, 1) != 1) {
        st_die("receiver not ready");
    }
    snprintf(spec, sizeof(spec), "unixdg:%s", argv[2]);
    fd = st_connect(spec);
    buf = st_slurp(argv[1], &len);
    st_expect(send(fd, buf, len, 0), len, "send");
    st_wait_child(pid);
    return 0;
}
