/*
 * secret-tracker engine: TUN and TAP interfaces
 *
 * A TUN or TAP fd (/dev/net/tun after TUNSETIFF) is a network interface
 * run by a process: what it writes is a packet entering the VM's stack,
 * which delivers it to a local socket or forwards it; what it reads is a
 * packet the stack routed to the interface.  One node, ipc:tun, stands
 * for all of them.  A tracked process writing a packet taints it, and
 * the packet's destination (read from its IP header) is followed like
 * the destination of a send.  Once the VM has a TUN or TAP fd, a tainted
 * send to an address that is not the VM's may be routed through one:
 * it taints the node too, and every read of a TUN or TAP fd takes from
 * it (over, never under: the route is not known).  A frame sent on a
 * packet socket is read the same way, for where in the VM it goes.
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
#include "engine-internal.h"

#define ST_IPV4_MIN_HEADER 20
#define ST_IPV6_HEADER 40
#define ST_ETH_HEADER 14
#define ST_TUN_PI 4             /* struct tun_pi, without IFF_NO_PI */

/* TUNSETIFF: the VM has a TUN or TAP interface from now on. */
void st_tun_attach(StEngine *e)
{
    e->tun_in_use = true;
}

/*
 * The ports of a TCP or UDP header at @l4 (@avail bytes read, @len in
 * the packet), if there; what follows the header in @payload.
 */
static void st_tun_l4(const uint8_t *l4, size_t avail, uint64_t len,
                      uint8_t proto, StEngineEndpoint *src,
                      StEngineEndpoint *dst, uint64_t *payload)
{
    unsigned hdr = 0;

    if ((proto == ST_IPPROTO_UDP || proto == ST_IPPROTO_TCP) && avail >= 4) {
        src->port = lduw_be_p(l4);
        dst->port = lduw_be_p(l4 + 2);
        hdr = proto == ST_IPPROTO_UDP ? 8 : avail >= 13 ? (l4[12] >> 4) * 4 :
                                                          20;
    }
    *payload = len > hdr ? len - hdr : 0;
}

/* An IPv4 or IPv6 header at @ip (@avail bytes read, @len in the packet). */
static bool st_tun_ip(const uint8_t *ip, size_t avail, uint64_t len,
                      StEngineEndpoint *src, StEngineEndpoint *dst,
                      uint64_t *payload)
{
    unsigned ihl, total;

    if (avail < 1) {
        return false;
    }
    memset(src, 0, sizeof(*src));
    memset(dst, 0, sizeof(*dst));
    switch (ip[0] >> 4) {
    case 4:
        ihl = (ip[0] & 0xf) * 4;
        total = avail >= ST_IPV4_MIN_HEADER ? lduw_be_p(ip + 2) : 0;
        if (ihl < ST_IPV4_MIN_HEADER || avail < ST_IPV4_MIN_HEADER ||
            total < ihl || total > len) {
            return false;
        }
        src->family = dst->family = ST_AF_INET;
        memcpy(src->addr, ip + 12, 4);
        memcpy(dst->addr, ip + 16, 4);
        st_tun_l4(ip + ihl, ihl < avail ? avail - ihl : 0, total - ihl, ip[9],
                  src, dst, payload);
        return true;
    case 6:
        if (avail < ST_IPV6_HEADER ||
            lduw_be_p(ip + 4) + ST_IPV6_HEADER > len) {
            return false;
        }
        src->family = dst->family = ST_AF_INET6;
        memcpy(src->addr, ip + 8, 16);
        memcpy(dst->addr, ip + 24, 16);
        st_tun_l4(ip + ST_IPV6_HEADER, avail - ST_IPV6_HEADER,
                  lduw_be_p(ip + 4), ip[6], src, dst, payload);
        st_endpoint_normalize(src);
        st_endpoint_normalize(dst);
        return true;
    default:
        return false;
    }
}

bool st_engine_tun_packet(const uint8_t *b, size_t avail, uint64_t len,
                          StEngineEndpoint *src, StEngineEndpoint *dst,
                          uint64_t *payload)
{
    static const unsigned pi[] = { 0, ST_TUN_PI };
    unsigned i, t;

    for (i = 0; i < ARRAY_SIZE(pi); i++) {
        if (pi[i] && (avail < ST_TUN_PI ||
                      (lduw_be_p(b + 2) != ST_ETH_P_IP &&
                       lduw_be_p(b + 2) != ST_ETH_P_IPV6))) {
            continue;
        }
        if (avail > pi[i] &&
            st_tun_ip(b + pi[i], avail - pi[i], len - pi[i], src, dst,
                      payload)) {
            return true;
        }
        t = pi[i] + ST_ETH_HEADER;
        if (avail > t && (lduw_be_p(b + t - 2) == ST_ETH_P_IP ||
                          lduw_be_p(b + t - 2) == ST_ETH_P_IPV6) &&
            st_tun_ip(b + t, avail - t, len - t, src, dst, payload)) {
            return true;
        }
    }
    return false;
}

/*
 * A tracked @proc writes @bytes into @obj: if it is a TUN or TAP fd, the
 * tun node, and the socket the packet is addressed to, get its labels.
 */
void st_tun_write(StEngine *e, const StEngineTask *task, unsigned nr,
                  const uint64_t *args, const StEngineObject *obj,
                  StNode *proc, uint64_t bytes, uint64_t now)
{
    uint8_t head[ST_ENGINE_MAX_USER_READ];
    size_t avail = MIN(args[2], sizeof(head));
    StEngineObject from;
    StEngineEndpoint src, dst;
    uint64_t payload;
    StNode *tun;

    if (st_channel_of(obj) != ST_ENGINE_IPC_TUN) {
        return;
    }
    e->tun_in_use = true;
    tun = st_ipc_node(e, ST_ENGINE_IPC_TUN, 0, true, now);
    if (!tun) {
        return;
    }
    tun->info.labels |= proc->info.labels;
    st_flow_record(e, proc, tun, ST_ENGINE_FAMILY_WRITE, nr, 1, bytes,
                   proc->info.labels, now, now);
    if (nr != ST_NR_WRITE || !e->cfg.ops.read_user || !avail ||
        !e->cfg.ops.read_user(e->cfg.opaque, task, args[1], head, avail) ||
        !st_engine_tun_packet(head, avail, args[2], &src, &dst, &payload)) {
        e->counters.drops[ST_ENGINE_DROP_PEER]++;
        return;
    }
    memset(&from, 0, sizeof(from));
    from.kind = ST_ENGINE_KIND_SOCKET;
    from.sock_family = src.family;
    from.local = src;
    st_socket_deliver_one(e, nr, tun, &from, &dst, proc->info.labels,
                          MIN(payload, bytes), now);
}

/*
 * The first bytes of frame @msg of a send (write and sendto: their
 * buffer; writev, sendmsg and sendmmsg: their iovecs) and its length;
 * none (true, *@avail 0) without the op to read them.
 */
static bool st_packet_frame(StEngine *e, const StEngineTask *task,
                            unsigned nr, const uint64_t *args, unsigned msg,
                            uint8_t *head, size_t *avail, uint64_t *total)
{
    const StEngineOps *ops = &e->cfg.ops;

    *avail = 0;
    if (nr == ST_NR_WRITE || nr == ST_NR_SENDTO) {
        if (!ops->read_user) {
            return true;
        }
        *total = args[2];
        *avail = MIN(args[2], ST_ENGINE_MAX_USER_READ);
        return ops->read_user(e->cfg.opaque, task, args[1], head, *avail);
    }
    return !ops->send_head ||
           ops->send_head(e->cfg.opaque, task, nr, args, msg, head,
                          ST_ENGINE_MAX_USER_READ, avail, total);
}

/*
 * A packet socket @sock sends tainted frames: an IPv4 or IPv6 one for
 * the VM (on the loopback interface; to an address of the VM's, which
 * is taken as looped back too) reaches the socket it is addressed to,
 * as a packet written into a TUN does; any other frame stays with the
 * packet channel.  sendmmsg's first %ST_ENGINE_MAX_SEND_PEERS messages
 * are its frames.  A frame whose bytes cannot be read is counted.
 */
void st_packet_send(StEngine *e, const StEngineTask *task, unsigned nr,
                    const uint64_t *args, StNode *sock, uint64_t labels,
                    uint64_t bytes, uint64_t now)
{
    uint8_t head[ST_ENGINE_MAX_USER_READ];
    unsigned msgs = 1, i;
    StEngineObject from;
    StEngineEndpoint src, dst;
    uint64_t payload, total;
    size_t avail;

    switch (nr) {
    case ST_NR_SENDMMSG:
        msgs = MIN(args[2], ST_ENGINE_MAX_SEND_PEERS);
        break;
    case ST_NR_WRITE:
    case ST_NR_SENDTO:
    case ST_NR_WRITEV:
    case ST_NR_SENDMSG:
        break;
    default:
        return;
    }
    for (i = 0; i < msgs; i++) {
        if (!st_packet_frame(e, task, nr, args, i, head, &avail, &total)) {
            e->counters.drops[ST_ENGINE_DROP_PEER]++;
            continue;
        }
        if (!avail ||
            !st_engine_tun_packet(head, avail, total, &src, &dst, &payload) ||
            !st_endpoint_is_local(e, &dst)) {
            continue;           /* not IP, or not for the VM: it left */
        }
        memset(&from, 0, sizeof(from));
        from.kind = ST_ENGINE_KIND_SOCKET;
        from.sock_family = src.family;
        from.local = src;
        st_socket_deliver_one(e, nr, sock, &from, &dst, labels,
                              MIN(payload, bytes), now);
    }
}

/* @sock sends @labels to @dst, not the VM's: maybe through a TUN or TAP. */
void st_tun_route(StEngine *e, unsigned nr, StNode *sock, uint64_t labels,
                  uint64_t bytes, uint64_t now)
{
    StNode *tun;

    if (!e->tun_in_use) {
        return;
    }
    tun = st_ipc_node(e, ST_ENGINE_IPC_TUN, 0, true, now);
    if (tun && tun != sock) {
        tun->info.labels |= labels;
        st_flow_record(e, sock, tun, ST_ENGINE_FAMILY_WRITE, nr, 1, bytes,
                       labels, now, now);
    }
}
