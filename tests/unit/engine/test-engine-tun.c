/*
 * secret-tracker: tracking engine unit tests: devices that are channels
 * between processes: TUN and TAP interfaces, FUSE file systems
 * (engine-tun.c, engine-devices.c); and the kernel's own writes: core
 * dumps (st_engine_coredump)
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

#define PKT_UPTR 0x5000
#define TUN_RDEV (10ull << 20 | 200)
#define FUSE_RDEV (10ull << 20 | 229)
#define DEV_FUSE_FS 0x2d


static const StEngineNodeInfo *tun_node(Fake *f)
{
    return fake_ipc_node(f, ST_ENGINE_IPC_TUN);
}

/*
 * An IPv4 UDP packet of @payload bytes from 10.77.0.2:9997 to
 * 10.77.0.1:@dport at @b + @pre, after @pre bytes of tun_pi or Ethernet
 * header (filled in by the caller).  Returns the packet's length.
 */
static size_t udp4(uint8_t *b, size_t pre, uint16_t dport, size_t payload)
{
    uint8_t *ip = b + pre;
    size_t len = 28 + payload;

    memset(ip, 0, 28);
    ip[0] = 0x45;
    stw_be_p(ip + 2, len);
    ip[8] = 64;
    ip[9] = ST_IPPROTO_UDP;
    memcpy(ip + 12, (uint8_t[]){ 10, 77, 0, 2 }, 4);
    memcpy(ip + 16, (uint8_t[]){ 10, 77, 0, 1 }, 4);
    stw_be_p(ip + 20, 9997);
    stw_be_p(ip + 22, dport);
    stw_be_p(ip + 24, 8 + payload);
    return pre + len;
}

/* Every framing a TUN or TAP fd may be written with, and what is not. */
static void test_tun_packet(void)
{
    uint8_t b[128];
    StEngineEndpoint src, dst;
    uint64_t payload;
    size_t len;

    len = udp4(b, 0, 9998, 54);             /* TUN, IFF_NO_PI */
    g_assert_true(st_engine_tun_packet(b, 64, len, &src, &dst, &payload));
    g_assert_cmpuint(dst.family, ==, ST_AF_INET);
    g_assert_cmpuint(dst.port, ==, 9998);
    g_assert_cmpuint(src.port, ==, 9997);
    g_assert_cmpuint(payload, ==, 54);
    g_assert_cmpmem(dst.addr, 4, ((uint8_t[]){ 10, 77, 0, 1 }), 4);
    g_assert_cmpmem(src.addr, 4, ((uint8_t[]){ 10, 77, 0, 2 }), 4);

    len = udp4(b, 4, 9998, 54);             /* TUN with its tun_pi */
    stw_be_p(b, 0);
    stw_be_p(b + 2, ST_ETH_P_IP);
    g_assert_true(st_engine_tun_packet(b, 64, len, &src, &dst, &payload));
    g_assert_cmpuint(dst.port, ==, 9998);

    len = udp4(b, 14, 9998, 30);            /* TAP: an Ethernet frame */
    memset(b, 0x02, 12);
    stw_be_p(b + 12, ST_ETH_P_IP);
    g_assert_true(st_engine_tun_packet(b, 64, len, &src, &dst, &payload));
    g_assert_cmpuint(dst.port, ==, 9998);
    g_assert_cmpuint(payload, ==, 30);

    memset(b, 0, 64);                       /* IPv6 UDP to ::1 port 53 */
    b[0] = 0x60;
    stw_be_p(b + 4, 8);
    b[6] = ST_IPPROTO_UDP;
    b[39] = 1;
    stw_be_p(b + 42, 53);
    g_assert_true(st_engine_tun_packet(b, 64, 48, &src, &dst, &payload));
    g_assert_cmpuint(dst.family, ==, ST_AF_INET6);
    g_assert_cmpuint(dst.port, ==, 53);
    g_assert_cmpuint(payload, ==, 0);

    /* Not a packet: garbage, truncated, longer than the write. */
    memset(b, 0xff, sizeof(b));
    g_assert_false(st_engine_tun_packet(b, 64, 64, &src, &dst, &payload));
    len = udp4(b, 0, 9998, 54);
    g_assert_false(st_engine_tun_packet(b, 10, len, &src, &dst, &payload));
    g_assert_false(st_engine_tun_packet(b, 64, len - 1, &src, &dst, &payload));
    g_assert_false(st_engine_tun_packet(b, 0, 0, &src, &dst, &payload));
}

/*
 * A packet written into a TUN fd reaches the local socket it is addressed
 * to; a receiver of another port gets nothing.
 */
static void test_tun_write(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask rcv = mktask(200, 2000, 1, 1, "rcv");
    StEngineTask other = mktask(201, 2010, 1, 1, "other");
    StEngineEndpoint none = { 0 };
    const StEngineNodeInfo *tun;
    size_t len;

    fake_inet(f, 200, 3, 920, ep4(10, 77, 0, 1, 9998), none);
    fake_inet(f, 201, 3, 921, ep4(10, 77, 0, 1, 9999), none);
    /* both block in recvfrom before the packet is written */
    entry(f, &rcv, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 200);
    entry(f, &other, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 201);

    fake_fd(f, 100, 6, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 7, NULL)->obj.rdev =
        TUN_RDEV;
    len = udp4(f->user, 0, 9998, 36);
    f->user_uptr = PKT_UPTR;
    f->user_len = len;
    sys(f, &cat, ST_NR_WRITE, 6, PKT_UPTR, len, 0, 0, len, 210);
    tun = tun_node(f);
    g_assert_nonnull(tun);
    assert_labels(f, tun->labels, "S");
    g_assert_nonnull(find_flow(f, proc_of(f, &cat)->id, tun->id,
                               ST_ENGINE_FAMILY_WRITE));
    st_engine_syscall_exit(f->e, &rcv, ST_NR_RECVFROM, 36, 220);
    st_engine_syscall_exit(f->e, &other, ST_NR_RECVFROM, 36, 221);
    g_assert_nonnull(proc_of(f, &rcv));
    assert_labels(f, proc_of(f, &rcv)->labels, "S");
    /* what the socket receives: the UDP payload */
    g_assert_cmpuint(find_flow(f, tun->id, inode(f, DEV_SOCKFS, 920)->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 36);
    g_assert_null(proc_of(f, &other));

    /* A write that is no packet taints the node only, and is counted. */
    memset(f->user, 0xff, len);
    sys(f, &cat, ST_NR_WRITE, 6, PKT_UPTR, len, 0, 0, len, 230);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 1);
    fake_free(f);
}

/*
 * A frame sent on a packet socket that is an IP packet for the VM (on
 * the loopback interface) reaches the socket it is addressed to, raw IP
 * (SOCK_DGRAM) or an Ethernet frame (SOCK_RAW); a frame for an address
 * that is not the VM's, or no IP at all, reaches no socket.
 */
static void test_packet_frame(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask rcv = mktask(200, 2000, 1, 1, "rcv");
    StEngineTask eth = mktask(201, 2010, 1, 1, "eth");
    StEngineTask other = mktask(202, 2020, 1, 1, "other");
    StEngineEndpoint none = { 0 };
    size_t len;
    FakeFd *ff;

    fake_inet(f, 200, 3, 920, ep4(10, 77, 0, 1, 9998), none);
    fake_inet(f, 201, 3, 921, ep4(10, 77, 0, 1, 9999), none);
    fake_inet(f, 202, 3, 922, ep4(10, 77, 0, 1, 9997), none);
    entry(f, &rcv, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 200);
    entry(f, &eth, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 201);
    entry(f, &other, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 202);
    ff = fake_fd(f, 100, 6, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 930, NULL);
    ff->obj.sock_family = ST_AF_PACKET;
    f->user_uptr = PKT_UPTR;

    len = udp4(f->user, 0, 9998, 20);       /* SOCK_DGRAM, ETH_P_IP */
    f->user_len = len;
    sys(f, &cat, ST_NR_SENDTO, 6, PKT_UPTR, len, 0, 0, len, 210);
    len = udp4(f->user, 14, 9999, 20);      /* SOCK_RAW: Ethernet */
    memset(f->user, 0, 12);
    stw_be_p(f->user + 12, ST_ETH_P_IP);
    f->user_len = len;
    sys(f, &cat, ST_NR_SENDTO, 6, PKT_UPTR, len, 0, 0, len, 220);
    len = udp4(f->user, 0, 9997, 20);       /* not the VM's address */
    f->user[19] = 9;
    f->user_len = len;
    sys(f, &cat, ST_NR_SENDTO, 6, PKT_UPTR, len, 0, 0, len, 230);
    memset(f->user, 0xff, len);             /* not IP */
    sys(f, &cat, ST_NR_SENDTO, 6, PKT_UPTR, len, 0, 0, len, 240);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 0);
    /* a frame that cannot be read: counted */
    sys(f, &cat, ST_NR_SENDTO, 6, PKT_UPTR + 0x10000, len, 0, 0, len, 245);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 1);

    st_engine_syscall_exit(f->e, &rcv, ST_NR_RECVFROM, 20, 250);
    st_engine_syscall_exit(f->e, &eth, ST_NR_RECVFROM, 20, 251);
    st_engine_syscall_exit(f->e, &other, ST_NR_RECVFROM, 20, 252);
    g_assert_nonnull(proc_of(f, &rcv));
    assert_labels(f, proc_of(f, &rcv)->labels, "S");
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 930)->id,
                               inode(f, DEV_SOCKFS, 920)->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 20);
    g_assert_nonnull(proc_of(f, &eth));
    g_assert_null(proc_of(f, &other));
    g_assert_null(tun_node(f));
    fake_free(f);
}

/*
 * The frames of writev, sendmsg and sendmmsg come from their iovecs
 * (send_head): each reaches its socket as write's and sendto's do, a
 * live one before a known one that may be closed, and a socket bound
 * there later too.
 */
static void test_packet_frame_vectored(void)
{
    static const unsigned nrs[] = { ST_NR_WRITEV, ST_NR_SENDMSG,
                                    ST_NR_SENDMMSG };
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineEndpoint none = { 0 };
    StEngineTask rcv[3], late;
    size_t len;
    FakeFd *ff;
    unsigned i;

    ff = fake_fd(f, 100, 6, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, 930, NULL);
    ff->obj.sock_family = ST_AF_PACKET;
    f->user_uptr = PKT_UPTR;
    for (i = 0; i < 3; i++) {
        rcv[i] = mktask(200 + i, 2000 + i, 1, 1, "rcv");
        fake_inet(f, 200 + i, 3, 920 + i, ep4(10, 77, 0, 1, 9990 + i), none);
        entry(f, &rcv[i], ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 200 + i);
    }
    for (i = 0; i < 3; i++) {
        len = udp4(f->user, 0, 9990 + i, 20);
        f->user_len = len;
        sys(f, &cat, nrs[i], 6, PKT_UPTR, 1, 0, 0, len, 210 + 10 * i);
    }
    g_assert_cmpuint(f->send_head_calls, ==, 3);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 0);
    /* iovecs that cannot be read: counted, once per message */
    sys(f, &cat, ST_NR_SENDMMSG, 6, PKT_UPTR + 64, 2, 0, 0, 2, 245);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 2);
    for (i = 0; i < 3; i++) {
        st_engine_syscall_exit(f->e, &rcv[i], ST_NR_RECVFROM, 20, 250 + i);
        g_assert_nonnull(proc_of(f, &rcv[i]));
        assert_labels(f, proc_of(f, &rcv[i])->labels, "S");
        g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, 930)->id,
                                   inode(f, DEV_SOCKFS, 920 + i)->id,
                                   ST_ENGINE_FAMILY_WRITE));
    }

    /*
     * The first receiver's socket is gone (no close seen) and another
     * socket, bound to the same address, waits: it gets the next frame.
     */
    late = mktask(210, 2100, 1, 1, "late");
    fake_inet(f, 210, 3, 925, ep4(10, 77, 0, 1, 9990), none);
    entry(f, &late, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 260);
    len = udp4(f->user, 0, 9990, 20);
    f->user_len = len;
    sys(f, &cat, ST_NR_SENDMSG, 6, PKT_UPTR, 1, 0, 0, len, 270);
    st_engine_syscall_exit(f->e, &late, ST_NR_RECVFROM, 20, 280);
    g_assert_nonnull(proc_of(f, &late));
    assert_labels(f, proc_of(f, &late)->labels, "S");
    g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, 930)->id,
                               inode(f, DEV_SOCKFS, 925)->id,
                               ST_ENGINE_FAMILY_WRITE));

    /*
     * Likewise, but the new socket reads only after the frame came (it
     * polled): the known one, maybe closed, is sent it, and the new one
     * reads it too.
     */
    late = mktask(211, 2110, 1, 1, "later");
    fake_inet(f, 211, 3, 926, ep4(10, 77, 0, 1, 9991), none);
    len = udp4(f->user, 0, 9991, 20);
    f->user_len = len;
    sys(f, &cat, ST_NR_SENDMSG, 6, PKT_UPTR, 1, 0, 0, len, 290);
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 930)->id,
                               inode(f, DEV_SOCKFS, 921)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    g_assert_null(proc_of(f, &late));
    sys(f, &late, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 20, 300);
    g_assert_nonnull(proc_of(f, &late));
    assert_labels(f, proc_of(f, &late)->labels, "S");
    g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, 930)->id,
                               inode(f, DEV_SOCKFS, 926)->id,
                               ST_ENGINE_FAMILY_WRITE));
    fake_free(f);
}

/*
 * Once the VM has a TUN interface, a send to an address that is not the
 * VM's may be routed through it: its reader takes the labels.  Before,
 * such a send makes no tun node.
 */
static void test_tun_read(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask vpn = mktask(300, 3000, 1, 1, "vpn");
    StEngineEndpoint none = { 0 };

    fake_inet(f, 100, 5, 930, ep4(0, 0, 0, 0, 0), none);
    f->have_send_peer = true;
    f->send_peer = ep4(10, 77, 0, 2, 9999);
    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 54, 0, 0x2000, 54, 200);
    g_assert_null(tun_node(f));

    fake_fd(f, 300, 7, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 8, NULL)->obj.rdev =
        TUN_RDEV;
    sys(f, &vpn, ST_NR_IOCTL, 7, ST_TUNSETIFF, 0x3000, 0, 0, 0, 210);
    sys_rw(f, &vpn, ST_NR_READ, 7, 100, 220);
    g_assert_null(proc_of(f, &vpn));         /* nothing sent yet */

    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 54, 0, 0x2000, 54, 230);
    g_assert_nonnull(tun_node(f));
    assert_labels(f, tun_node(f)->labels, "S");
    g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, 930)->id,
                               tun_node(f)->id, ST_ENGINE_FAMILY_WRITE));
    sys_rw(f, &vpn, ST_NR_READ, 7, 82, 240);
    g_assert_nonnull(proc_of(f, &vpn));
    assert_labels(f, proc_of(f, &vpn)->labels, "S");
    g_assert_nonnull(find_flow(f, tun_node(f)->id, proc_of(f, &vpn)->id,
                               ST_ENGINE_FAMILY_READ));
    /* a send over loopback never goes through a TUN interface */
    f->send_peer = ep4(127, 0, 0, 1, 9999);
    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 54, 0, 0x2000, 54, 250);
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 930)->id,
                               tun_node(f)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 1);
    fake_free(f);
}

/*
 * FUSE: what a tracked process writes to a file of a FUSE file system
 * reaches its daemon, already blocked reading /dev/fuse; what a tracked
 * daemon writes to /dev/fuse reaches a reader of such a file, already
 * blocked in its read.  A file of another file system is no channel.
 */
static void test_fuse(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask d = mktask(400, 4000, 1, 1, "fuse-daemon");
    StEngineTask r = mktask(401, 4010, 1, 1, "reader");
    StEngineTask plain = mktask(402, 4020, 1, 1, "plain");
    const StEngineNodeInfo *fuse;

    fake_fd(f, 400, 3, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 9, NULL)->obj.rdev =
        FUSE_RDEV;
    fake_file(f, 100, 4, 50, "/mnt/fuse/f", 0, 0)->obj.fuse = true;
    fake_file(f, 100, 5, 51, "/tmp/plain", 0, 0);
    fake_fd(f, 402, 3, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 9, NULL)->obj.rdev =
        FUSE_RDEV;

    g_assert_false(entry(f, &d, ST_NR_READ, 3, 0x1000, 8192, 0, 0, 200));
    sys_rw(f, &cat, ST_NR_WRITE, 5, 54, 205);
    g_assert_null(fake_ipc_node(f, ST_ENGINE_IPC_FUSE));
    sys_rw(f, &cat, ST_NR_WRITE, 4, 54, 210);
    fuse = fake_ipc_node(f, ST_ENGINE_IPC_FUSE);
    g_assert_nonnull(fuse);
    assert_labels(f, fuse->labels, "S");
    g_assert_nonnull(proc_of(f, &d));
    assert_labels(f, proc_of(f, &d)->labels, "S");
    g_assert_cmpuint(find_flow(f, fuse->id, proc_of(f, &d)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 54);
    st_engine_syscall_exit(f->e, &d, ST_NR_READ, 134, 211);
    /* a later reader of /dev/fuse takes from it at entry */
    sys_rw(f, &plain, ST_NR_READ, 3, 100, 240);
    g_assert_nonnull(proc_of(f, &plain));
    fake_free(f);

    /* The way back: a reader of a FUSE file blocked before the reply. */
    f = fake_new();
    cat = setup_reader(f, &secret);         /* cat is the daemon now */
    fake_fd(f, 100, 6, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 9, NULL)->obj.rdev =
        FUSE_RDEV;
    fake_file(f, 401, 3, 52, "/mnt/fuse/g", 54, 0)->obj.fuse = true;
    g_assert_false(entry(f, &r, ST_NR_READ, 3, 0x1000, 4096, 0, 0, 220));
    g_assert_null(proc_of(f, &r));
    sys_rw(f, &cat, ST_NR_WRITE, 6, 70, 230);
    fuse = fake_ipc_node(f, ST_ENGINE_IPC_FUSE);
    g_assert_nonnull(fuse);
    g_assert_nonnull(proc_of(f, &r));
    assert_labels(f, proc_of(f, &r)->labels, "S");
    g_assert_nonnull(find_flow(f, fuse->id, proc_of(f, &r)->id,
                               ST_ENGINE_FAMILY_READ));
    fake_free(f);
}

/* A file that is not FUSE's, and a clean FUSE channel, taint nothing. */
static void test_fuse_clean(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask d = mktask(400, 4000, 1, 1, "fuse-daemon");
    StEngineTask u = mktask(403, 4030, 1, 1, "untracked");

    fake_fd(f, 400, 3, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 9, NULL)->obj.rdev =
        FUSE_RDEV;
    fake_file(f, 403, 4, 53, "/mnt/fuse/h", 0, 0)->obj.fuse = true;
    g_assert_false(entry(f, &d, ST_NR_READ, 3, 0x1000, 8192, 0, 0, 200));
    sys_rw(f, &u, ST_NR_WRITE, 4, 54, 210);     /* not tracked */
    fake_file(f, 100, 5, 51, "/tmp/plain", 0, 0);
    sys_rw(f, &cat, ST_NR_WRITE, 5, 54, 220);   /* not FUSE */
    g_assert_null(fake_ipc_node(f, ST_ENGINE_IPC_FUSE));
    g_assert_null(proc_of(f, &d));
    fake_free(f);
}

/*
 * A tainted process's core: into a file, and into the pipe of a |helper
 * core_pattern, whose reader is then tracked.  An untainted process's
 * core and a guest "syscall" with the core dump's number record nothing.
 */
static void test_coredump(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask helper = mktask(500, 5000, 1, 1, "core-helper");
    StEngineTask u = mktask(501, 5010, 1, 1, "untracked");
    StEngineTask app = mktask(600, 6000, 1, 1, "app");
    const StEngineNodeInfo *core, *pipe;
    const StEngineFlowInfo *fl;
    uint64_t args[ST_ENGINE_NR_ARGS] = { 9 };
    unsigned before;

    g_assert_cmpstr(st_engine_syscall_name(ST_NR_COREDUMP), ==, "coredump");
    g_assert_false(st_engine_syscall_relevant(ST_NR_COREDUMP, args));
    fake_file(f, 100, 9, 60, "/tmp/core", 0, 0);
    before = n_flows(f);
    g_assert_false(entry(f, &cat, ST_NR_COREDUMP, 9, 0x1000, 54, 0, 0, 290));
    g_assert_cmpuint(n_flows(f), ==, before);
    g_assert_null(inode(f, DEV_DISK, 60));

    st_engine_coredump(f->e, &cat, 9, 300);
    core = inode(f, DEV_DISK, 60);
    g_assert_nonnull(core);
    assert_labels(f, core->labels, "S");
    fl = find_flow(f, proc_of(f, &cat)->id, core->id, ST_ENGINE_FAMILY_WRITE);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->syscall_nr, ==, ST_NR_COREDUMP);
    g_assert_true(proc_of(f, &cat)->dead);      /* it dies by the signal */

    /* core_pattern "|helper": the kernel writes the pipe, helper reads */
    fake_fd(f, 600, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &app, ST_NR_READ, 3, 54, 305);
    fake_fd(f, 600, 10, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 78, NULL);
    fake_fd(f, 500, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 78, NULL);
    fake_file(f, 500, 3, 61, "/var/crash/core", 0, 0);
    st_engine_coredump(f->e, &app, 10, 310);
    g_assert_true(proc_of(f, &app)->dead);
    pipe = inode(f, DEV_PIPEFS, 78);
    g_assert_nonnull(pipe);
    assert_labels(f, pipe->labels, "S");
    sys_rw(f, &helper, ST_NR_READ, 0, 4096, 320);
    g_assert_nonnull(proc_of(f, &helper));
    sys_rw(f, &helper, ST_NR_WRITE, 3, 4096, 330);
    assert_labels(f, inode(f, DEV_DISK, 61)->labels, "S");

    /* the negative control: an untracked process's core */
    fake_file(f, 501, 9, 62, "/tmp/core.501", 0, 0);
    before = n_flows(f);
    st_engine_coredump(f->e, &u, 9, 340);
    g_assert_cmpuint(n_flows(f), ==, before);
    g_assert_null(inode(f, DEV_DISK, 62));
    g_assert_null(proc_of(f, &u));
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/tun/packet", test_tun_packet);
    g_test_add_func("/engine/tun/write", test_tun_write);
    g_test_add_func("/engine/tun/read", test_tun_read);
    g_test_add_func("/engine/packet/frame", test_packet_frame);
    g_test_add_func("/engine/packet/frame-vectored",
                    test_packet_frame_vectored);
    g_test_add_func("/engine/fuse/both-ways", test_fuse);
    g_test_add_func("/engine/fuse/clean", test_fuse_clean);
    g_test_add_func("/engine/coredump", test_coredump);
    return g_test_run();
}
