/*
 * st-sendto SRC ADDR: read SRC and send its bytes as one datagram with
 * sendto() to ADDR (udp:A.B.C.D:PORT or unixdg:PATH) from an unconnected
 * socket.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    struct sockaddr_storage ss;
    int type, family, fd;
    socklen_t sslen;
    size_t len;
    char *buf;

    st_init(argc, argv, 2, "SRC ADDR");
    sslen = st_sockaddr(argv[2], &type, &family, &ss);
    fd = socket(family, type, 0);
    if (fd < 0 || type != SOCK_DGRAM) {
        st_die("socket for %s", argv[2]);
    }
    buf = st_slurp(argv[1], &len);
    st_expect(sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sslen), len,
              "sendto");
    return 0;
}
