/*
 * st-sendmsg send SRC ADDR: read SRC and send its bytes as one datagram
 *     with sendmsg(), the destination in msg_name (udp:A.B.C.D:PORT), from
 *     an unconnected socket.
 * st-sendmsg recv PORT DST: bind a UDP socket to 0.0.0.0:PORT, receive
 *     one datagram and write it to DST.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

static int receive(const char *port, const char *dst)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    static char buf[ST_MAX_SECRET];
    ssize_t n;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), out;

    sin.sin_port = htons(atoi(port));
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
        st_die("bind 0.0.0.0:%s", port);
    }
    out = st_create(dst);
    n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
        st_die("recv");
    }
    st_expect(write(out, buf, n), n, "write");
    return 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_storage ss;
    struct msghdr msg = { 0 };
    struct iovec iov;
    int type, family, fd;
    socklen_t sslen;
    size_t len;

    st_init(argc, argv, 3, "send SRC ADDR | recv PORT DST");
    if (!strcmp(argv[1], "recv")) {
        return receive(argv[2], argv[3]);
    }
    sslen = st_sockaddr(argv[3], &type, &family, &ss);
    fd = socket(family, type, 0);
    if (fd < 0 || type != SOCK_DGRAM) {
        st_die("socket for %s", argv[3]);
    }
    iov.iov_base = st_slurp(argv[2], &len);
    iov.iov_len = len;
    msg.msg_name = &ss;
    msg.msg_namelen = sslen;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    st_expect(sendmsg(fd, &msg, 0), len, "sendmsg");
    return 0;
}
