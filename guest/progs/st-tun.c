/*
 * st-tun MODE SRC DST: move SRC's bytes through a TUN interface, st-tun0
 * (10.77.0.1/24), from the process that read SRC to another that writes
 * DST.  Both modes create the interface, then fork the other process
 * before anything reads SRC.
 *
 *   read   a tun reader carries what a process sends: the parent sends
 *          SRC in one UDP datagram to 10.77.0.2:9999, which the kernel
 *          routes into st-tun0; the child, already blocked reading the
 *          tun fd, takes that packet and writes its UDP payload to DST
 *   write  a packet written into the tun reaches a local socket: the
 *          parent writes one IPv4/UDP packet 10.77.0.2:9997 ->
 *          10.77.0.1:9998 holding SRC into the tun fd; the child, bound
 *          to 10.77.0.1:9998 before the parent reads SRC, receives it
 *          and writes the payload to DST
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#define TUN_NAME "st-tun0"
#define TUN_ADDR "10.77.0.1"
#define TUN_MASK "255.255.255.0"
#define PEER_ADDR "10.77.0.2"
#define READ_PORT 9999
#define WRITE_SRC_PORT 9997
#define WRITE_PORT 9998
#define TIMEOUT_S 20
#define MAX_PACKETS 200
#define HDR_LEN (sizeof(struct iphdr) + sizeof(struct udphdr))

static const char *st_mode = "";

/* A child of this mode names itself MODE-c. */
static void child_comm(void)
{
    char name[16];

    snprintf(name, sizeof(name), "%s-c", st_mode);
    st_comm("tun", name);
}

static char buf[ST_MAX_SECRET];
static char pkt[ST_MAX_SECRET + 256];

static in_addr_t addr(const char *dotted)
{
    struct in_addr in;

    if (inet_pton(AF_INET, dotted, &in) != 1) {
        errno = 0;
        st_die("bad address %s", dotted);
    }
    return in.s_addr;
}

static void ifreq_init(struct ifreq *ifr)
{
    memset(ifr, 0, sizeof(*ifr));
    memcpy(ifr->ifr_name, TUN_NAME, sizeof(TUN_NAME));
}

static void set_inet(struct sockaddr *sa, const char *dotted)
{
    struct sockaddr_in in = { .sin_family = AF_INET };

    in.sin_addr.s_addr = addr(dotted);
    memcpy(sa, &in, sizeof(in));
}

/* Create st-tun0 (TUN, no packet info), address it and bring it up. */
static int tun_create(void)
{
    struct ifreq ifr;
    int fd = st_open("/dev/net/tun", O_RDWR);
    int s;

    ifreq_init(&ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        st_die("TUNSETIFF %s", TUN_NAME);
    }
    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        st_die("socket");
    }
    ifreq_init(&ifr);
    set_inet(&ifr.ifr_addr, TUN_ADDR);
    if (ioctl(s, SIOCSIFADDR, &ifr) < 0) {
        st_die("SIOCSIFADDR %s", TUN_ADDR);
    }
    ifreq_init(&ifr);
    set_inet(&ifr.ifr_netmask, TUN_MASK);
    if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) {
        st_die("SIOCSIFNETMASK %s", TUN_MASK);
    }
    ifreq_init(&ifr);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
        st_die("SIOCGIFFLAGS");
    }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
        st_die("SIOCSIFFLAGS");
    }
    close(s);
    return fd;
}

/* The IPv4 header checksum of @hdr, @len bytes with its checksum 0. */
static uint16_t ip_checksum(const void *hdr, size_t len)
{
    const uint8_t *p = hdr;
    uint32_t sum = 0;
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return htons(~sum & 0xffff);
}

/*
 * The child: post on @sync (a system call before the parent reads SRC:
 * the tracker sees this process before its parent is tracked), then read
 * packets from @fd until the UDP datagram for 10.77.0.2:9999; write its
 * payload to @dst.
 */
static void read_child(int sync, int fd, const char *dst)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    in_addr_t peer = addr(PEER_ADDR);
    struct udphdr udp;
    struct iphdr ip;
    size_t ihl, ulen;
    ssize_t n;
    int i;

    if (write(sync, "x", 1) != 1) {
        st_die("sync");
    }
    for (i = 0; i < MAX_PACKETS; i++) {
        n = poll(&pfd, 1, TIMEOUT_S * 1000);
        if (n < 0) {
            st_die("poll %s", TUN_NAME);
        }
        if (n == 0) {
            errno = 0;
            st_die("no packet on %s in %d s", TUN_NAME, TIMEOUT_S);
        }
        n = read(fd, pkt, sizeof(pkt));
        if (n < 0) {
            st_die("read %s", TUN_NAME);
        }
        if ((size_t)n < sizeof(ip)) {
            continue;
        }
        memcpy(&ip, pkt, sizeof(ip));
        if (ip.version != 4 || ip.protocol != IPPROTO_UDP ||
            ip.daddr != peer) {
            continue;
        }
        ihl = ip.ihl * 4;
        if (ihl < sizeof(ip) || ihl + sizeof(udp) > (size_t)n ||
            ntohs(ip.tot_len) > n) {
            errno = 0;
            st_die("malformed IPv4 packet (%zd bytes)", n);
        }
        memcpy(&udp, pkt + ihl, sizeof(udp));
        if (ntohs(udp.dest) != READ_PORT) {
            continue;
        }
        ulen = ntohs(udp.len);
        if (ulen < sizeof(udp) || ihl + ulen > (size_t)ntohs(ip.tot_len)) {
            errno = 0;
            st_die("malformed UDP packet (%zu bytes)", ulen);
        }
        st_save(dst, pkt + ihl + sizeof(udp), ulen - sizeof(udp));
        _exit(0);
    }
    errno = 0;
    st_die("no packet for %s:%d in %d packets", PEER_ADDR, READ_PORT,
           MAX_PACKETS);
}

static void mode_read(int fd, const char *src, const char *dst)
{
    struct sockaddr_in to = {
        .sin_family = AF_INET,
        .sin_port = htons(READ_PORT),
    };
    int sync[2], s;
    size_t len;
    pid_t pid;
    char c;

    if (pipe(sync) < 0) {
        st_die("pipe");
    }
    pid = st_fork();
    if (pid == 0) {
        child_comm();
        close(sync[0]);
        read_child(sync[1], fd, dst);
    }
    close(sync[1]);
    if (read(sync[0], &c, 1) != 1) {
        st_die("sync");
    }
    usleep(200000);             /* the child is in its poll */
    to.sin_addr.s_addr = addr(PEER_ADDR);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        st_die("socket");
    }
    len = st_load(src, buf);
    st_expect(sendto(s, buf, len, 0, (struct sockaddr *)&to, sizeof(to)),
              len, "sendto");
    st_wait_child(pid);
    close(s);
}

/* The child: receive one datagram on 10.77.0.1:9998; its payload to @dst. */
static void write_child(int sync, const char *dst)
{
    struct sockaddr_in at = {
        .sin_family = AF_INET,
        .sin_port = htons(WRITE_PORT),
    };
    struct timeval tv = { .tv_sec = TIMEOUT_S };
    ssize_t n;
    int s;

    at.sin_addr.s_addr = addr(TUN_ADDR);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        st_die("socket");
    }
    if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
        st_die("SO_RCVTIMEO");
    }
    if (bind(s, (struct sockaddr *)&at, sizeof(at)) < 0) {
        st_die("bind %s:%d", TUN_ADDR, WRITE_PORT);
    }
    if (write(sync, "x", 1) != 1) {
        st_die("sync");
    }
    n = recvfrom(s, buf, sizeof(buf), 0, NULL, NULL);
    if (n < 0) {
        st_die("recvfrom %s:%d", TUN_ADDR, WRITE_PORT);
    }
    st_save(dst, buf, n);
    _exit(0);
}

static void mode_write(int fd, const char *src, const char *dst)
{
    struct udphdr udp;
    struct iphdr ip;
    size_t len, total;
    int sync[2];
    pid_t pid;
    char c;

    if (pipe(sync) < 0) {
        st_die("pipe");
    }
    pid = st_fork();
    if (pid == 0) {
        child_comm();
        close(sync[0]);
        write_child(sync[1], dst);
    }
    close(sync[1]);
    if (read(sync[0], &c, 1) != 1) {
        st_die("sync");
    }
    len = st_load(src, pkt + HDR_LEN);
    total = HDR_LEN + len;
    if (total > 0xffff) {
        errno = 0;
        st_die("%s is too long for one packet", src);
    }
    memset(&ip, 0, sizeof(ip));
    ip.version = 4;
    ip.ihl = sizeof(ip) / 4;
    ip.tot_len = htons(total);
    ip.id = 0;
    ip.frag_off = htons(IP_DF);
    ip.ttl = 64;
    ip.protocol = IPPROTO_UDP;
    ip.saddr = addr(PEER_ADDR);
    ip.daddr = addr(TUN_ADDR);
    ip.check = ip_checksum(&ip, sizeof(ip));
    memset(&udp, 0, sizeof(udp));
    udp.source = htons(WRITE_SRC_PORT);
    udp.dest = htons(WRITE_PORT);
    udp.len = htons(sizeof(udp) + len);
    udp.check = 0;              /* none */
    memcpy(pkt, &ip, sizeof(ip));
    memcpy(pkt + sizeof(ip), &udp, sizeof(udp));
    st_expect(write(fd, pkt, total), total, "write " TUN_NAME);
    st_wait_child(pid);
}

int main(int argc, char **argv)
{
    const char *mode;
    int fd;

    st_init(argc, argv, 3, "MODE SRC DST");
    mode = argv[1];
    st_mode = mode;
    st_comm("tun", mode);
    if (strcmp(mode, "read") && strcmp(mode, "write")) {
        errno = 0;
        st_die("unknown mode %s", mode);
    }
    fd = tun_create();
    if (!strcmp(mode, "read")) {
        mode_read(fd, argv[2], argv[3]);
    } else {
        mode_write(fd, argv[2], argv[3]);
    }
    close(fd);
    return 0;
}
