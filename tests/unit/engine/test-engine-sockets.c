/*
 * secret-tracker: tracking engine unit tests: sockets (loopback delivery,
 * unix peers, exfiltration endpoints)
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "engine-fake.h"

static void test_tcp_loopback(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask server = mktask(700, 7000, 1, 1, "server");
    StEngineEndpoint cli = ep4(127, 0, 0, 1, 40000);
    StEngineEndpoint srv = ep4(127, 0, 0, 1, 8080);
    const StEngineNodeInfo *s1, *s2;
    StEngineCounters c;

    fake_inet(f, 100, 5, 901, cli, srv);
    fake_inet(f, 700, 6, 902, srv, cli);
    /* The server socket is unknown when the client sends. */
    sys_rw(f, &client, ST_NR_SENDTO, 5, 64, 200);
    s1 = inode(f, DEV_SOCKFS, 901);
    g_assert_nonnull(s1);
    g_assert_cmpstr(s1->path, ==, "socket:[901]");
    g_assert_null(inode(f, DEV_SOCKFS, 902));
    c = counters(f);
    g_assert_cmpuint(c.pending_endpoints, ==, 1);
    sys_rw(f, &client, ST_NR_WRITE, 5, 36, 210);
    /* The server reads: its socket is matched by the endpoints. */
    sys_rw(f, &server, ST_NR_RECVFROM, 6, 100, 300);
    s2 = inode(f, DEV_SOCKFS, 902);
    g_assert_nonnull(s2);
    g_assert_nonnull(proc_of(f, &server));
    assert_labels(f, proc_of(f, &server)->labels, "S");
    g_assert_cmpuint(find_flow(f, s1->id, s2->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 100);
    g_assert_cmpuint(find_flow(f, s1->id, s2->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    g_assert_nonnull(find_flow(f, s2->id, proc_of(f, &server)->id,
                               ST_ENGINE_FAMILY_READ));
    c = counters(f);
    g_assert_cmpuint(c.pending_endpoints, ==, 0);
    /* Sending does not make the sender's own socket readable-tainted. */
    g_assert_cmpuint(s1->rx_labels, ==, 0);
    /* Now both are known: the reply goes straight to the client socket. */
    sys_rw(f, &server, ST_NR_SENDMSG, 6, 5, 400);
    g_assert_nonnull(find_flow(f, s2->id, s1->id, ST_ENGINE_FAMILY_WRITE));
    assert_labels(f, s1->rx_labels, "S");
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    fake_free(f);
}

/*
 * splice(2) from a tainted pipe into a loopback TCP socket: the bytes are
 * known only at the return, for the pipe->socket edge and for the
 * delivery to the peer, pending (peer socket unknown) or direct.
 */
static void test_tcp_splice_bytes(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(100, 1000, 1, 1, "t");
    StEngineTask server = mktask(700, 7000, 1, 1, "server");
    StEngineEndpoint cli = ep4(127, 0, 0, 1, 40000);
    StEngineEndpoint srv = ep4(127, 0, 0, 1, 8080);
    uint64_t pipe = reg(f, DEV_PIPEFS, 70, "S");
    const StEngineNodeInfo *s1, *s2;

    fake_fd(f, 100, 3, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 70, NULL);
    fake_inet(f, 100, 5, 901, cli, srv);
    fake_inet(f, 700, 6, 902, srv, cli);
    /* splice(3, NULL, 5, NULL, 4096, 0) moves 54 bytes */
    sys(f, &t, ST_NR_SPLICE, 3, 0, 5, 0, 4096, 54, 100);
    s1 = inode(f, DEV_SOCKFS, 901);
    g_assert_cmpuint(find_flow(f, pipe, s1->id,
                               ST_ENGINE_FAMILY_TRANSFER)->bytes, ==, 54);
    sys_rw(f, &server, ST_NR_RECVFROM, 6, 54, 200);
    s2 = inode(f, DEV_SOCKFS, 902);
    g_assert_nonnull(s2);
    g_assert_cmpuint(find_flow(f, s1->id, s2->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 54);
    /* Both known now: the return adds to the direct delivery. */
    sys(f, &t, ST_NR_SPLICE, 3, 0, 5, 0, 4096, 10, 300);
    g_assert_cmpuint(find_flow(f, s1->id, s2->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 64);
    fake_free(f);
}

static void test_tcp_reader_first(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask server = mktask(701, 7001, 1, 1, "server");
    StEngineEndpoint cli = ep4(127, 0, 0, 1, 40001);
    StEngineEndpoint srv = ep4(127, 0, 0, 1, 4444);
    const StEngineNodeInfo *s1, *s2;
    const StEngineFlowInfo *w;

    fake_inet(f, 100, 5, 911, cli, srv);
    fake_inet(f, 701, 6, 912, srv, cli);
    /* Never seen before, the server socket is read before the exit. */
    g_assert_false(entry(f, &client, ST_NR_WRITE, 5, 0x1000, 92, 0, 0, 200));
    sys_rw(f, &server, ST_NR_READ, 6, 92, 210);
    g_assert_nonnull(proc_of(f, &server));
    assert_labels(f, proc_of(f, &server)->labels, "S");
    st_engine_syscall_exit(f->e, &client, ST_NR_WRITE, 92, 220);
    s1 = inode(f, DEV_SOCKFS, 911);
    s2 = inode(f, DEV_SOCKFS, 912);
    w = find_flow(f, s1->id, s2->id, ST_ENGINE_FAMILY_WRITE);
    g_assert_nonnull(w);
    g_assert_cmpuint(w->count, ==, 1);
    g_assert_cmpuint(w->bytes, ==, 92);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    /*
     * A write that then fails is counted all the same: it is decided at
     * entry, with the bytes it asks to write.
     */
    sys(f, &client, ST_NR_WRITE, 5, 0x1000, 8, 0, 0, -32, 300);
    w = find_flow(f, s1->id, s2->id, ST_ENGINE_FAMILY_WRITE);
    g_assert_cmpuint(w->count, ==, 2);
    g_assert_cmpuint(w->bytes, ==, 100);
    fake_free(f);
}

/* Read after both ends closed: Linux has zeroed the local port. */
static void test_tcp_closed_reader(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask server = mktask(702, 7002, 1, 1, "server");
    StEngineEndpoint cli = ep4(127, 0, 0, 1, 40002);
    StEngineEndpoint srv = ep4(127, 0, 0, 1, 4444);
    StEngineEndpoint closed = ep4(127, 0, 0, 1, 0);
    StEngineEndpoint other = ep4(127, 0, 0, 1, 40003);

    fake_inet(f, 100, 5, 921, cli, srv);
    fake_inet(f, 702, 6, 922, closed, cli);
    fake_inet(f, 702, 7, 923, closed, other);
    sys_rw(f, &client, ST_NR_WRITE, 5, 54, 200);
    /* Another closed connection, from another client port: not this one. */
    sys_rw(f, &server, ST_NR_READ, 7, 10, 300);
    g_assert_null(proc_of(f, &server));
    sys_rw(f, &server, ST_NR_READ, 6, 54, 310);
    g_assert_nonnull(proc_of(f, &server));
    assert_labels(f, proc_of(f, &server)->labels, "S");
    g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, 921)->id,
                               inode(f, DEV_SOCKFS, 922)->id,
                               ST_ENGINE_FAMILY_WRITE));
    fake_free(f);
}

static void test_udp_loopback_wildcard(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask daemon = mktask(710, 7100, 1, 1, "syslogd");
    StEngineEndpoint none = { 0 };

    /* Unconnected UDP: the peer comes from the sendto arguments. */
    fake_inet(f, 100, 5, 911, ep4(0, 0, 0, 0, 0), none);
    f->have_send_peer = true;
    f->send_peer = ep4(127, 0, 0, 1, 514);
    sys(f, &client, ST_NR_SENDTO, 5, 0x1000, 10, 0, 0x2000, 10, 200);
    /* The daemon is bound to 0.0.0.0:514, with no peer. */
    fake_inet(f, 710, 3, 912, ep4(0, 0, 0, 0, 514), none);
    sys_rw(f, &daemon, ST_NR_RECVMSG, 3, 10, 300);
    g_assert_nonnull(proc_of(f, &daemon));
    g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, 911)->id,
                               inode(f, DEV_SOCKFS, 912)->id,
                               ST_ENGINE_FAMILY_WRITE));
    /* A second datagram finds the now known receiver directly. */
    sys(f, &client, ST_NR_SENDTO, 5, 0x1000, 10, 0, 0x2000, 10, 400);
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 911)->id,
                               inode(f, DEV_SOCKFS, 912)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    fake_free(f);
}

static void test_unix_peer(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask srv = mktask(800, 8000, 1, 1, "srv");
    const StEngineNodeInfo *s1, *s2;

    fake_unix(f, 100, 5, 601, 602);
    sys_rw(f, &cat, ST_NR_SENDMSG, 5, 32, 200);
    s1 = inode(f, DEV_SOCKFS, 601);
    s2 = inode(f, DEV_SOCKFS, 602);
    g_assert_nonnull(s1);
    g_assert_nonnull(s2);
    g_assert_cmpuint(s1->rx_labels, ==, 0);
    assert_labels(f, s2->rx_labels, "S");
    g_assert_nonnull(find_flow(f, s1->id, s2->id, ST_ENGINE_FAMILY_WRITE));
    /* The peer's fd is seen only now, after the send. */
    fake_unix(f, 800, 4, 602, 601);
    sys_rw(f, &srv, ST_NR_READ, 4, 32, 300);
    assert_labels(f, proc_of(f, &srv)->labels, "S");
    g_assert_nonnull(find_flow(f, s2->id, proc_of(f, &srv)->id,
                               ST_ENGINE_FAMILY_READ));
    /* Reading the writer's own end does not taint (data goes the other way). */
    {
        StEngineTask sib = mktask(801, 8001, 1, 1, "sib");

        fake_unix(f, 801, 4, 601, 602);
        sys_rw(f, &sib, ST_NR_READ, 4, 32, 400);
        g_assert_null(proc_of(f, &sib));
    }
    /* An unconnected unix socket with no known peer is counted. */
    fake_unix(f, 100, 6, 603, 0);
    sys_rw(f, &cat, ST_NR_SENDTO, 6, 32, 500);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 1);
    fake_free(f);
}

/*
 * A socket bound to a path is shown by it, also when it is first met as
 * the peer of a sender (e2e "bind" found it shown as socket:[ino]).
 */
static void test_unix_bound_path(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    FakeFd *ff;

    ff = fake_unix(f, 100, 5, 611, 612);
    g_strlcpy(ff->obj.unix_peer_path, "/tmp/st.sock",
              sizeof(ff->obj.unix_peer_path));
    sys_rw(f, &cat, ST_NR_SENDTO, 5, 32, 200);
    g_assert_cmpstr(inode(f, DEV_SOCKFS, 612)->path, ==, "/tmp/st.sock");
    g_assert_cmpuint(inode(f, DEV_SOCKFS, 612)->endpoint.family, ==,
                     ST_AF_UNIX);
    g_assert_cmpstr(inode(f, DEV_SOCKFS, 611)->path, ==, "socket:[611]");
    /* the bound receiver reads it: its node is the same, with the labels */
    {
        StEngineTask rcv = mktask(810, 8100, 1, 1, "rcv");

        ff = fake_unix(f, 810, 3, 612, 0);
        g_strlcpy(ff->obj.unix_path, "/tmp/st.sock",
                  sizeof(ff->obj.unix_path));
        sys_rw(f, &rcv, ST_NR_RECVFROM, 3, 32, 250);
        assert_labels(f, proc_of(f, &rcv)->labels, "S");
    }
    /* and a bound socket seen through its own fd */
    ff = fake_unix(f, 100, 6, 613, 612);
    g_strlcpy(ff->obj.unix_path, "@abstract", sizeof(ff->obj.unix_path));
    sys_rw(f, &cat, ST_NR_SENDTO, 6, 32, 300);
    g_assert_cmpstr(inode(f, DEV_SOCKFS, 613)->path, ==, "@abstract");
    fake_free(f);
}

static void test_ipv6_loopback_and_mmsg(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask server = mktask(720, 7200, 1, 1, "server6");
    StEngineEndpoint cli = { .family = ST_AF_INET6, .port = 41000 };
    StEngineEndpoint srv = { .family = ST_AF_INET6, .port = 9000 };
    FakeFd *ff;

    cli.addr[15] = 1;           /* ::1 */
    srv.addr[15] = 1;
    ff = fake_inet(f, 100, 5, 941, cli, srv);
    ff->obj.sock_family = ST_AF_INET6;
    ff = fake_inet(f, 720, 3, 942, srv, cli);
    ff->obj.sock_family = ST_AF_INET6;
    /* sendmmsg of 3 messages, recvmmsg of 2: bytes from mmsg_bytes. */
    sys(f, &client, ST_NR_SENDMMSG, 5, 0x1000, 3, 0, 0, 3, 200);
    sys(f, &server, ST_NR_RECVMMSG, 3, 0x1000, 2, 0, 0, 2, 300);
    g_assert_nonnull(proc_of(f, &server));
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 941)->id,
                               inode(f, DEV_SOCKFS, 942)->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 300);
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 942)->id,
                               proc_of(f, &server)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 200);
    /* No endpoint node: ::1 is local. */
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    fake_free(f);
}

static void test_exfiltration(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask curl = setup_reader(f, &secret);
    g_autoptr(GPtrArray) eps = g_ptr_array_new();
    const StEngineNodeInfo *ep, *sock;
    StEngineEndpoint remote = ep4(93, 184, 216, 34, 443);
    FakeFd *ff;

    ff = fake_inet(f, 100, 5, 921, ep4(10, 0, 2, 15, 51000), remote);
    /* An IPv4-mapped IPv6 peer is the same endpoint. */
    ff->obj.peer.family = ST_AF_INET6;
    memset(ff->obj.peer.addr, 0, 16);
    ff->obj.peer.addr[10] = 0xff;
    ff->obj.peer.addr[11] = 0xff;
    memcpy(ff->obj.peer.addr + 12, remote.addr, 4);
    sys_rw(f, &curl, ST_NR_SENDTO, 5, 500, 200);
    sys_rw(f, &curl, ST_NR_WRITE, 5, 500, 210);

    st_engine_foreach_node(f->e, ST_ENGINE_KIND_ENDPOINT, collect_node, eps);
    g_assert_cmpuint(eps->len, ==, 1);
    ep = g_ptr_array_index(eps, 0);
    g_assert_true(ep->exfiltration);
    g_assert_cmpuint(ep->endpoint.family, ==, ST_AF_INET);
    g_assert_cmpuint(ep->endpoint.port, ==, 443);
    g_assert_cmpmem(ep->endpoint.addr, 4, remote.addr, 4);
    g_assert_cmpstr(ep->path, ==, "inet:93.184.216.34:443");
    assert_labels(f, ep->labels, "S");
    sock = inode(f, DEV_SOCKFS, 921);
    g_assert_cmpuint(find_flow(f, sock->id, ep->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 1000);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    fake_free(f);
}

/* The endpoint node of @ep, or NULL. */
static const StEngineNodeInfo *endpoint_of(Fake *f, StEngineEndpoint ep)
{
    g_autoptr(GPtrArray) eps = g_ptr_array_new();
    unsigned i;

    st_engine_foreach_node(f->e, ST_ENGINE_KIND_ENDPOINT, collect_node, eps);
    for (i = 0; i < eps->len; i++) {
        const StEngineNodeInfo *n = g_ptr_array_index(eps, i);

        if (memcmp(&n->endpoint, &ep, sizeof(ep)) == 0) {
            return n;
        }
    }
    return NULL;
}

/*
 * sendmmsg names one destination per message; sendmsg one in msg_name.
 * An unconnected socket's destinations come from them.
 */
static void test_send_destinations(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask daemon = mktask(710, 7100, 1, 1, "daemon");
    StEngineEndpoint none = { 0 };
    StEngineEndpoint a = ep4(93, 184, 216, 34, 53);
    StEngineEndpoint b = ep4(198, 51, 100, 7, 53);
    unsigned i;

    fake_inet(f, 100, 5, 960, ep4(0, 0, 0, 0, 40000), none);
    fake_inet(f, 710, 3, 961, ep4(0, 0, 0, 0, 5353), none);
    /* Three messages: a, b, and a loopback one; a again is one edge. */
    f->n_peers = 4;
    f->peers[0] = a;
    f->peers[1] = b;
    f->peers[2] = ep4(127, 0, 0, 1, 5353);
    f->peers[3] = a;
    sys(f, &client, ST_NR_SENDMMSG, 5, 0x1000, 4, 0, 0, 4, 200);
    g_assert_nonnull(endpoint_of(f, a));
    g_assert_nonnull(endpoint_of(f, b));
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 1);
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 960)->id,
                               endpoint_of(f, a)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 1);
    sys_rw(f, &daemon, ST_NR_RECVMSG, 3, 10, 210);
    assert_labels(f, proc_of(f, &daemon)->labels, "S");
    /* sendmsg with a msg_name on the same unconnected socket. */
    f->n_peers = 1;
    f->peers[0] = ep4(203, 0, 113, 9, 443);
    sys(f, &client, ST_NR_SENDMSG, 5, 0x1000, 0, 0, 0, 10, 220);
    g_assert_nonnull(endpoint_of(f, ep4(203, 0, 113, 9, 443)));
    /* Beyond the destinations followed per call: counted. */
    f->n_peers = ST_ENGINE_MAX_SEND_PEERS + 3;
    for (i = 0; i < f->n_peers; i++) {
        f->peers[i] = a;
    }
    sys(f, &client, ST_NR_SENDMMSG, 5, 0x1000, 19, 0, 0, 19, 230);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 3);
    fake_free(f);
}

/* vsock, packet and XDP sends leave the VM whatever their address. */
static void test_leaving_families(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask t = setup_reader(f, &secret);
    StEngineEndpoint host = { .family = ST_AF_VSOCK };
    const StEngineNodeInfo *n;
    FakeFd *ff;

    /* Connected to the host (CID 2), port 1234. */
    host.addr[3] = 2;
    host.addr[6] = 0x04;
    host.addr[7] = 0xd2;
    ff = fake_fd(f, 100, 5, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 970, NULL);
    ff->obj.sock_family = ST_AF_VSOCK;
    ff->obj.peer = host;
    sys_rw(f, &t, ST_NR_WRITE, 5, 16, 200);
    n = endpoint_of(f, host);
    g_assert_nonnull(n);
    g_assert_true(n->exfiltration);
    g_assert_cmpstr(n->path, ==, "vsock:2:1234");
    assert_labels(f, n->labels, "S");
    /* A raw packet socket, destination unknown: still leaving. */
    ff = fake_fd(f, 100, 6, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 971, NULL);
    ff->obj.sock_family = ST_AF_PACKET;
    f->user_uptr = 0x1000;      /* its frame: no IP (zeros) */
    f->user_len = sizeof(f->user);
    sys_rw(f, &t, ST_NR_SENDTO, 6, 60, 210);
    {
        StEngineEndpoint unknown = { .family = ST_AF_PACKET };

        n = endpoint_of(f, unknown);
        g_assert_nonnull(n);
        g_assert_cmpstr(n->path, ==, "packet:unknown");
    }
    /* XDP. */
    ff = fake_fd(f, 100, 7, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 972, NULL);
    ff->obj.sock_family = ST_AF_XDP;
    sys_rw(f, &t, ST_NR_SENDTO, 7, 60, 220);
    {
        StEngineEndpoint unknown = { .family = ST_AF_XDP };

        g_assert_nonnull(endpoint_of(f, unknown));
    }
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 0);
    fake_free(f);
}

/*
 * @t sends @bytes on a new socket of @family (fd @fd, inode @ino): the
 * packet channel is tainted, by a flow from that socket.
 */
static const StEngineNodeInfo *send_frame(Fake *f, const StEngineTask *t,
                                          int fd, uint64_t ino,
                                          uint16_t family, int64_t bytes,
                                          uint64_t ns)
{
    const StEngineNodeInfo *chan;
    FakeFd *ff = fake_fd(f, t->tgid, fd, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS,
                         ino, NULL);

    ff->obj.sock_family = family;
    sys_rw(f, t, ST_NR_SENDTO, fd, bytes, ns);
    chan = fake_ipc_node(f, ST_ENGINE_IPC_PACKET);
    g_assert_nonnull(chan);
    assert_labels(f, chan->labels, "S");
    g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, ino)->id, chan->id,
                               ST_ENGINE_FAMILY_WRITE));
    return chan;
}

/*
 * A packet or vsock send may also reach a reader here (a frame on the
 * loopback interface, a vsock stream to CID 1): a reader of a socket of
 * the same family takes from its channel, also one already blocked;
 * a reader of another family's socket does not.  An XDP socket's frame
 * (sent from its ring with a sendto of no bytes) is a packet's.
 */
static void test_leaving_families_local(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask t = setup_reader(f, &secret);
    StEngineTask blocked = mktask(200, 2000, 1, 1, "blocked");
    StEngineTask later = mktask(201, 2010, 1, 1, "later");
    StEngineTask vsock = mktask(202, 2020, 1, 1, "vsock");
    StEngineTask inet = mktask(203, 2030, 1, 1, "inet");
    StEngineEndpoint none = { 0 };
    const StEngineNodeInfo *chan;
    FakeFd *ff;

    ff = fake_fd(f, 200, 3, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 990, NULL);
    ff->obj.sock_family = ST_AF_PACKET;
    ff = fake_fd(f, 201, 3, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 991, NULL);
    ff->obj.sock_family = ST_AF_PACKET;
    ff = fake_fd(f, 202, 3, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 992, NULL);
    ff->obj.sock_family = ST_AF_VSOCK;
    fake_inet(f, 203, 3, 993, ep4(0, 0, 0, 0, 7000), none);
    /* blocked in recvfrom before anything is sent */
    entry(f, &blocked, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 190);

    chan = send_frame(f, &t, 6, 971, ST_AF_PACKET, 60, 200);
    g_assert_null(fake_ipc_node(f, ST_ENGINE_IPC_VSOCK));
    st_engine_syscall_exit(f->e, &blocked, ST_NR_RECVFROM, 60, 210);
    g_assert_nonnull(proc_of(f, &blocked));
    assert_labels(f, proc_of(f, &blocked)->labels, "S");
    sys_rw(f, &later, ST_NR_RECVFROM, 3, 60, 220);
    g_assert_nonnull(proc_of(f, &later));
    g_assert_nonnull(find_flow(f, chan->id, proc_of(f, &later)->id,
                               ST_ENGINE_FAMILY_READ));
    /* other families: nothing */
    sys_rw(f, &vsock, ST_NR_READ, 3, 60, 230);
    g_assert_null(proc_of(f, &vsock));
    sys_rw(f, &inet, ST_NR_RECVFROM, 3, 60, 240);
    g_assert_null(proc_of(f, &inet));

    /* A vsock write: its channel, and its reader. */
    ff = fake_fd(f, 100, 7, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 972, NULL);
    ff->obj.sock_family = ST_AF_VSOCK;
    sys_rw(f, &t, ST_NR_WRITE, 7, 16, 250);
    chan = fake_ipc_node(f, ST_ENGINE_IPC_VSOCK);
    g_assert_nonnull(chan);
    assert_labels(f, chan->labels, "S");
    sys_rw(f, &vsock, ST_NR_READ, 3, 16, 260);
    g_assert_nonnull(proc_of(f, &vsock));
    g_assert_null(proc_of(f, &inet));
    fake_free(f);

    /* An XDP send, no bytes of its own: the packet channel and its reader */
    f = fake_new();
    t = setup_reader(f, &secret);
    ff = fake_fd(f, 200, 3, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 990, NULL);
    ff->obj.sock_family = ST_AF_PACKET;
    send_frame(f, &t, 8, 973, ST_AF_XDP, 0, 200);
    sys_rw(f, &blocked, ST_NR_RECVFROM, 3, 60, 210);
    g_assert_nonnull(proc_of(f, &blocked));
    assert_labels(f, proc_of(f, &blocked)->labels, "S");
    fake_free(f);
}

/*
 * The VM's own addresses are local: learnt from sockets (a connection's
 * local address, a bind) or given by the caller.  A receiver bound to
 * 0.0.0.0 gets what is sent to them (they counted as exfiltration).
 */
static void test_own_addresses(void)
{
    StEngineConfig cfg = { .max_local_addrs = 3 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask syslogd = mktask(720, 7200, 1, 1, "syslogd");
    StEngineTask web = mktask(721, 7201, 1, 1, "web");
    StEngineTask other = mktask(722, 7202, 1, 1, "other");
    StEngineEndpoint none = { 0 };
    StEngineEndpoint own = ep4(10, 0, 2, 15, 514);
    StEngineEndpoint given = ep4(192, 168, 7, 7, 0);

    /* cat's ssh connection: its local address is the VM's. */
    fake_inet(f, 100, 7, 980, ep4(10, 0, 2, 15, 22), ep4(10, 0, 2, 2, 5555));
    sys_rw(f, &cat, ST_NR_WRITE, 7, 10, 200);
    g_assert_nonnull(endpoint_of(f, ep4(10, 0, 2, 2, 5555)));
    /* A datagram to 10.0.2.15:514, received on 0.0.0.0:514. */
    fake_inet(f, 100, 5, 981, ep4(0, 0, 0, 0, 0), none);
    fake_inet(f, 720, 3, 982, ep4(0, 0, 0, 0, 514), none);
    f->have_send_peer = true;
    f->send_peer = own;
    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 10, 0, 0x2000, 10, 210);
    g_assert_null(endpoint_of(f, own));
    sys_rw(f, &syslogd, ST_NR_RECVFROM, 3, 10, 220);
    assert_labels(f, proc_of(f, &syslogd)->labels, "S");
    /* An address the caller gives. */
    st_engine_add_local_address(f->e, &given);
    f->send_peer = ep4(192, 168, 7, 7, 514);
    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 10, 0, 0x2000, 10, 230);
    g_assert_null(endpoint_of(f, f->send_peer));
    /* A bind teaches its address at its return. */
    fake_inet(f, 721, 3, 983, ep4(172, 16, 0, 9, 8080), none);
    g_assert_true(entry(f, &web, ST_NR_BIND, 3, 0x1000, 16, 0, 0, 240));
    st_engine_syscall_exit(f->e, &web, ST_NR_BIND, 0, 241);
    f->send_peer = ep4(172, 16, 0, 9, 8080);
    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 10, 0, 0x2000, 10, 250);
    g_assert_null(endpoint_of(f, f->send_peer));
    sys_rw(f, &web, ST_NR_RECVFROM, 3, 10, 260);
    assert_labels(f, proc_of(f, &web)->labels, "S");
    /* A fourth address evicts the least recently used (10.0.2.15). */
    fake_inet(f, 722, 3, 984, ep4(10, 9, 9, 9, 99), ep4(10, 0, 2, 2, 99));
    sys_rw(f, &other, ST_NR_READ, 3, 1, 270);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_LOCAL_ADDRS], ==, 1);
    f->send_peer = own;
    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 10, 0, 0x2000, 10, 280);
    g_assert_nonnull(endpoint_of(f, own));
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/socket/tcp-loopback", test_tcp_loopback);
    g_test_add_func("/engine/socket/tcp-reader-first", test_tcp_reader_first);
    g_test_add_func("/engine/socket/tcp-splice-bytes", test_tcp_splice_bytes);
    g_test_add_func("/engine/socket/tcp-closed-reader", test_tcp_closed_reader);
    g_test_add_func("/engine/socket/udp-loopback", test_udp_loopback_wildcard);
    g_test_add_func("/engine/socket/unix-peer", test_unix_peer);
    g_test_add_func("/engine/socket/unix-bound-path", test_unix_bound_path);
    g_test_add_func("/engine/socket/ipv6-loopback-mmsg",
                    test_ipv6_loopback_and_mmsg);
    g_test_add_func("/engine/socket/exfiltration", test_exfiltration);
    g_test_add_func("/engine/socket/send-destinations",
                    test_send_destinations);
    g_test_add_func("/engine/socket/leaving-families",
                    test_leaving_families);
    g_test_add_func("/engine/socket/leaving-families-local",
                    test_leaving_families_local);
    g_test_add_func("/engine/socket/own-addresses", test_own_addresses);
    return g_test_run();
}
