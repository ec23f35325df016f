/*
 * st-leave MODE SRC DST: send SRC with a socket family the tracker counts
 * as leaving the VM, to another process of this VM that receives it and
 * writes it to DST.  The receiver (MODE-r) is forked and bound before
 * anything reads SRC.
 *
 *   packet  one frame of ethertype 0x88b5 (local experimental) on the
 *           loopback interface, from one AF_PACKET socket to another
 *   udp     one IPv4/UDP packet from 10.79.0.2:9997 to 127.0.0.1:9996,
 *           made by hand and sent as a frame on the loopback interface
 *           from an AF_PACKET socket, to a UDP socket bound there (the
 *           caller lets lo route 127.0.0.1 from outside the IP stack:
 *           route_localnet; a source of the VM's own would be a martian)
 *   udpmsg  the same packet sent with sendmsg, its IP header split
 *           across two iovecs
 *   vsock   a stream to CID 1 (VMADDR_CID_LOCAL: the loopback transport),
 *           port 5000
 *   xdp     the frame of "packet", sent from an AF_XDP socket bound to
 *           lo's queue 0 in copy mode: written into the socket's UMEM
 *           (this program's own memory) and sent with a sendto of no
 *           bytes that only tells the kernel to look at the TX ring; the
 *           receiver is "packet"'s.  The socket and its rings are made
 *           before SRC is read.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <linux/if_ether.h>
#include <linux/if_xdp.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sys/mman.h>

#define ST_ETHERTYPE 0x88b5
#define UDP_PORT 9996
#define VSOCK_PORT 5000
#define TIMEOUT_MS 20000
#define HDR_LEN (sizeof(struct iphdr) + sizeof(struct udphdr))

#define XDP_FRAME 4096
#define XDP_RING 4

static char buf[ST_MAX_SECRET];
static char pkt[ST_MAX_SECRET + HDR_LEN];
/* The UMEM: this program's memory, registered, never mapped from the fd */
static uint8_t umem[XDP_RING * XDP_FRAME] __attribute__((aligned(4096)));

typedef struct Xsk {
    int fd;
    struct xdp_mmap_offsets off;
    uint8_t *tx;
    uint8_t *cq;
} Xsk;

/* A packet socket on lo for @proto, bound; its address in @ll. */
static int packet_socket(struct sockaddr_ll *ll, int proto)
{
    int s = socket(AF_PACKET, SOCK_DGRAM, htons(proto));

    if (s < 0) {
        st_die("socket(AF_PACKET)");
    }
    memset(ll, 0, sizeof(*ll));
    ll->sll_family = AF_PACKET;
    ll->sll_protocol = htons(proto);
    ll->sll_ifindex = if_nametoindex("lo");
    if (!ll->sll_ifindex) {
        st_die("if_nametoindex lo");
    }
    ll->sll_halen = 6;          /* to 00:00:00:00:00:00, lo's address */
    if (bind(s, (struct sockaddr *)ll, sizeof(*ll)) < 0) {
        st_die("bind(AF_PACKET)");
    }
    return s;
}

/* @len bytes of @data in an IPv4/UDP packet to 127.0.0.1:UDP_PORT. */
static size_t udp_packet(const char *data, size_t len)
{
    struct iphdr *ip = (struct iphdr *)pkt;
    struct udphdr *udp = (struct udphdr *)(pkt + sizeof(*ip));
    const uint16_t *w = (const uint16_t *)ip;
    uint32_t sum = 0;
    size_t i;

    memset(pkt, 0, HDR_LEN);
    ip->version = 4;
    ip->ihl = sizeof(*ip) / 4;
    ip->tot_len = htons(HDR_LEN + len);
    ip->ttl = 64;
    ip->protocol = IPPROTO_UDP;
    ip->saddr = inet_addr("10.79.0.2");
    ip->daddr = htonl(INADDR_LOOPBACK);
    for (i = 0; i < sizeof(*ip) / 2; i++) {
        sum += w[i];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    ip->check = ~sum;
    udp->source = htons(UDP_PORT + 1);
    udp->dest = htons(UDP_PORT);
    udp->len = htons(sizeof(*udp) + len);  /* checksum 0: none (IPv4) */
    memcpy(pkt + HDR_LEN, data, len);
    return HDR_LEN + len;
}

/* An AF_XDP socket on lo's queue 0, copy mode, with a TX ring. */
static void xsk_open(Xsk *x)
{
    struct xdp_umem_reg reg = { .addr = (uintptr_t)umem,
                                .len = sizeof(umem),
                                .chunk_size = XDP_FRAME };
    struct sockaddr_xdp sa = { .sxdp_family = AF_XDP,
                               .sxdp_queue_id = 0,
                               .sxdp_flags = XDP_COPY };
    socklen_t len = sizeof(x->off);
    int n = XDP_RING;

    x->fd = socket(AF_XDP, SOCK_RAW, 0);
    if (x->fd < 0) {
        st_die("socket(AF_XDP)");
    }
    if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0 ||
        setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) < 0 ||
        setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n,
                   sizeof(n)) < 0 ||
        setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)) < 0 ||
        getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &x->off, &len) < 0) {
        st_die("AF_XDP UMEM and rings");
    }
    x->tx = mmap(NULL, x->off.tx.desc + n * sizeof(struct xdp_desc),
                 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, x->fd,
                 XDP_PGOFF_TX_RING);
    x->cq = mmap(NULL, x->off.cr.desc + n * sizeof(uint64_t),
                 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, x->fd,
                 XDP_UMEM_PGOFF_COMPLETION_RING);
    if (x->tx == MAP_FAILED || x->cq == MAP_FAILED) {
        st_die("mmap AF_XDP rings");
    }
    sa.sxdp_ifindex = if_nametoindex("lo");
    if (!sa.sxdp_ifindex || bind(x->fd, (struct sockaddr *)&sa,
                                 sizeof(sa)) < 0) {
        st_die("bind(AF_XDP) to lo queue 0");
    }
}

/*
 * @len bytes of @data in one frame to lo's address, of ST_ETHERTYPE, put
 * on the TX ring; a sendto of no bytes has the kernel send it.  Waits
 * until the completion ring says it went.
 */
static void xsk_send(Xsk *x, const char *data, size_t len)
{
    struct xdp_desc *desc = (struct xdp_desc *)(x->tx + x->off.tx.desc);
    uint32_t *prod = (uint32_t *)(x->tx + x->off.tx.producer);
    uint32_t *done = (uint32_t *)(x->cq + x->off.cr.producer);
    struct ethhdr *eth = (struct ethhdr *)umem;
    int ms;

    if (len > XDP_FRAME - sizeof(*eth)) {
        errno = 0;
        st_die("%zu bytes are too long for one AF_XDP frame", len);
    }
    memset(eth, 0, sizeof(*eth));   /* 00:00:00:00:00:00 to itself */
    eth->h_proto = htons(ST_ETHERTYPE);
    memcpy(umem + sizeof(*eth), data, len);
    desc[0] = (struct xdp_desc){ .addr = 0, .len = sizeof(*eth) + len };
    __atomic_store_n(prod, 1, __ATOMIC_RELEASE);
    st_expect(sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0), 0,
              "sendto(AF_XDP)");
    for (ms = 0; __atomic_load_n(done, __ATOMIC_ACQUIRE) < 1; ms++) {
        if (ms == TIMEOUT_MS) {
            errno = 0;
            st_die("the AF_XDP frame did not complete in %d ms", ms);
        }
        usleep(1000);
    }
}

static void wait_readable(int s)
{
    struct pollfd p = { .fd = s, .events = POLLIN };
    int n = poll(&p, 1, TIMEOUT_MS);

    if (n < 0) {
        st_die("poll");
    }
    if (n == 0) {
        errno = 0;
        st_die("nothing received in %d ms", TIMEOUT_MS);
    }
}

/* Say on @ready that @s is bound, then take one message from it. */
static size_t recv_one(int ready, int s)
{
    ssize_t n;

    st_expect(write(ready, "r", 1), 1, "write ready");
    wait_readable(s);
    n = recv(s, buf, sizeof(buf), 0);
    if (n < 0) {
        st_die("recv");
    }
    return n;
}

/* The receiver: bound, then says so on @ready, then gets one message. */
static void receive(const char *mode, int ready, const char *dst)
{
    size_t len = 0;
    int s, out;

    st_comm(mode, "r");
    if (!strcmp(mode, "packet") || !strcmp(mode, "xdp")) {
        struct sockaddr_ll ll;

        len = recv_one(ready, packet_socket(&ll, ST_ETHERTYPE));
    } else if (!strncmp(mode, "udp", 3)) {
        struct sockaddr_in in = { .sin_family = AF_INET,
                                  .sin_port = htons(UDP_PORT) };

        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s = socket(AF_INET, SOCK_DGRAM, 0);
        if (s < 0 || bind(s, (struct sockaddr *)&in, sizeof(in)) < 0) {
            st_die("bind 127.0.0.1:%d", UDP_PORT);
        }
        len = recv_one(ready, s);
    } else {
        struct sockaddr_vm vm = { .svm_family = AF_VSOCK,
                                  .svm_cid = VMADDR_CID_ANY,
                                  .svm_port = VSOCK_PORT };
        int l = socket(AF_VSOCK, SOCK_STREAM, 0);

        if (l < 0 || bind(l, (struct sockaddr *)&vm, sizeof(vm)) < 0 ||
            listen(l, 1) < 0) {
            st_die("vsock listen on port %d", VSOCK_PORT);
        }
        st_expect(write(ready, "r", 1), 1, "write ready");
        wait_readable(l);
        s = accept(l, NULL, NULL);
        if (s < 0) {
            st_die("accept(AF_VSOCK)");
        }
        len = st_read_all(s, buf, sizeof(buf));
    }
    out = st_create(dst);
    st_write_all(out, buf, len);
    exit(close(out) < 0);
}

int main(int argc, char **argv)
{
    int ready[2], status, s;
    Xsk xsk = { .fd = -1 };
    const char *mode;
    pid_t pid;
    size_t len;
    char *data;
    char c;

    st_init(argc, argv, 3, "packet|udp|udpmsg|vsock|xdp SRC DST");
    mode = argv[1];
    if (strcmp(mode, "packet") && strcmp(mode, "udp") &&
        strcmp(mode, "udpmsg") && strcmp(mode, "vsock") &&
        strcmp(mode, "xdp")) {
        errno = 0;
        st_die("unknown mode %s", mode);
    }
    st_comm(mode, "s");
    if (pipe(ready) < 0) {
        st_die("pipe");
    }
    pid = fork();
    if (pid < 0) {
        st_die("fork");
    }
    if (pid == 0) {
        close(ready[0]);
        receive(mode, ready[1], argv[3]);
    }
    close(ready[1]);
    st_expect(read(ready[0], &c, 1), 1, "read ready");
    if (!strcmp(mode, "xdp")) {
        xsk_open(&xsk);
    }
    data = st_slurp(argv[2], &len);
    if (!strcmp(mode, "xdp")) {
        xsk_send(&xsk, data, len);
        s = xsk.fd;
    } else if (!strcmp(mode, "packet")) {
        struct sockaddr_ll ll;

        s = packet_socket(&ll, ST_ETHERTYPE);
        st_expect(sendto(s, data, len, 0, (struct sockaddr *)&ll,
                         sizeof(ll)), len, "sendto(AF_PACKET)");
    } else if (!strncmp(mode, "udp", 3)) {
        struct sockaddr_ll ll;
        struct iovec iov[2];
        struct msghdr msg = { .msg_name = &ll, .msg_namelen = sizeof(ll),
                              .msg_iov = iov, .msg_iovlen = 2 };
        size_t plen;

        if (len > sizeof(pkt) - HDR_LEN) {
            errno = 0;
            st_die("%s is too long for one packet", argv[2]);
        }
        plen = udp_packet(data, len);
        s = packet_socket(&ll, ETH_P_IP);
        if (!strcmp(mode, "udp")) {
            st_expect(sendto(s, pkt, plen, 0, (struct sockaddr *)&ll,
                             sizeof(ll)), plen, "sendto(AF_PACKET, ETH_P_IP)");
        } else {
            iov[0] = (struct iovec){ pkt, 12 };
            iov[1] = (struct iovec){ pkt + 12, plen - 12 };
            st_expect(sendmsg(s, &msg, 0), plen,
                      "sendmsg(AF_PACKET, ETH_P_IP)");
        }
    } else {
        struct sockaddr_vm vm = { .svm_family = AF_VSOCK,
                                  .svm_cid = VMADDR_CID_LOCAL,
                                  .svm_port = VSOCK_PORT };

        s = socket(AF_VSOCK, SOCK_STREAM, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&vm, sizeof(vm)) < 0) {
            st_die("vsock connect to CID 1 port %d", VSOCK_PORT);
        }
        st_expect(write(s, data, len), len, "write(AF_VSOCK)");
    }
    close(s);
    if (waitpid(pid, &status, 0) < 0) {
        st_die("waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        errno = 0;
        st_die("the receiver failed (status 0x%x)", status);
    }
    return 0;
}
