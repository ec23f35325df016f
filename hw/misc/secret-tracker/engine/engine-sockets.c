/*
 * secret-tracker engine: endpoints, local channels and loopback delivery
 *
 * Data written to a socket goes to its peer: a unix socket's peer inode,
 * a local inet socket found by its addresses, or a remote endpoint
 * (exfiltration; engine-endpoints.c says which are local).  Local data
 * sent before its receiving socket is known waits as a pending endpoint
 * until a matching socket is read; the oldest is evicted when too many
 * wait.  Labels from another VM wait the same way (engine-remote.c).
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "engine-internal.h"

/* Local channels */

/* @bound may be a wildcard-address socket that receives for @dst. */
bool st_endpoint_receives(const StEngineEndpoint *bound,
                          const StEngineEndpoint *dst)
{
    return bound->family == dst->family && bound->port == dst->port &&
           (st_endpoint_addr_any(bound) ||
            memcmp(bound->addr, dst->addr, 16) == 0);
}

static StPendingEndpoint *st_pending_endpoint_match(StEngine *e,
                                                    const StEngineObject *obj)
{
    unsigned i;

    for (i = 0; i < e->pending_endpoints->len; i++) {
        StPendingEndpoint *pend = g_ptr_array_index(e->pending_endpoints, i);

        /*
         * A socket closed at both ends has lost its local port (Linux
         * zeroes inet_num) while data may still wait to be read; its peer,
         * the sender's own address and port, still names the connection.
         */
        if (obj->local.port == 0 && obj->peer.family && pend->src.port &&
            st_endpoint_same(&obj->peer, &pend->src)) {
            return pend;
        }
        if (!st_endpoint_receives(&obj->local, &pend->dst)) {
            continue;
        }
        if (obj->peer.family == 0 || pend->src.family == 0 ||
            st_endpoint_same(&obj->peer, &pend->src)) {
            return pend;
        }
    }
    return NULL;
}

void st_pending_endpoint_add(StEngine *e, const StEngineEndpoint *dst,
                             const StEngineEndpoint *src, const StNode *from,
                             unsigned nr, uint64_t labels, uint64_t count,
                             uint64_t bytes, bool delivered, uint64_t now)
{
    StPendingEndpoint *pend;
    unsigned i;

    for (i = 0; i < e->pending_endpoints->len; i++) {
        pend = g_ptr_array_index(e->pending_endpoints, i);
        if (st_endpoint_same(&pend->dst, dst) &&
            st_endpoint_same(&pend->src, src) &&
            pend->src_node == from->info.id) {
            pend->labels |= labels;
            pend->count += count;
            pend->bytes += bytes;
            pend->last_ns = now;
            pend->delivered &= delivered;
            return;
        }
    }
    if (e->pending_endpoints->len >= e->cfg.max_endpoints) {
        /*
         * The oldest makes room (the array keeps arrival order); what
         * also went to a known socket is not lost with it.
         */
        pend = g_ptr_array_index(e->pending_endpoints, 0);
        if (!pend->delivered) {
            e->counters.drops[ST_ENGINE_DROP_ENDPOINTS]++;
        }
        g_ptr_array_remove_index(e->pending_endpoints, 0);
    }
    pend = g_new0(StPendingEndpoint, 1);
    pend->dst = *dst;
    pend->src = *src;
    pend->labels = labels;
    pend->src_node = from->info.id;
    pend->nr = nr;
    pend->count = count;
    pend->bytes = bytes;
    pend->first_ns = now;
    pend->last_ns = now;
    pend->delivered = delivered;
    g_ptr_array_add(e->pending_endpoints, pend);
}

/*
 * The socket that receives what is sent from @src to @dst (local): the
 * connection's own, else a reader blocked on the address right now, else
 * a known socket bound there, then the same for sockets bound to any
 * address.  A known unconnected socket may be closed (its process ended,
 * no close call seen): a live one bound as specifically goes first, and
 * *@maybe_closed says the one returned is only known.  Known sockets
 * only when @maybe_closed is NULL.
 */
static StNode *st_socket_receiver(StEngine *e, const StEngineEndpoint *dst,
                                  const StEngineEndpoint *src,
                                  bool *maybe_closed, uint64_t now)
{
    StSocketAddrKey key;
    StNode *n;
    int step;

    if (maybe_closed) {
        *maybe_closed = false;
    }
    memset(&key, 0, sizeof(key));
    key.local = *dst;
    key.peer = *src;
    n = g_hash_table_lookup(e->inet_sockets, &key);
    for (step = 0; !n && step < 2; step++) {
        if (maybe_closed) {
            n = st_waiting_receiver(e, dst, step == 0, now);
            if (n) {
                break;
            }
        }
        /* unconnected receivers (UDP), bound to the address, then to any */
        memset(&key.peer, 0, sizeof(key.peer));
        if (step) {
            memset(key.local.addr, 0, sizeof(key.local.addr));
        }
        n = g_hash_table_lookup(e->inet_sockets, &key);
        if (maybe_closed) {
            *maybe_closed = n != NULL;
        }
    }
    return n;
}

/* The peer socket node of unix socket @obj, created if needed. */
static StNode *st_unix_peer_node(StEngine *e, const StEngineObject *obj,
                                 uint64_t now)
{
    StEngineObject peer_obj;

    memset(&peer_obj, 0, sizeof(peer_obj));
    peer_obj.kind = ST_ENGINE_KIND_SOCKET;
    peer_obj.sock_family = ST_AF_UNIX;
    peer_obj.dev = obj->peer_dev ? obj->peer_dev : obj->dev;
    peer_obj.ino = obj->peer_ino;
    memcpy(peer_obj.unix_path, obj->unix_peer_path,
           sizeof(peer_obj.unix_path));
    return st_object_node(e, &peer_obj, true, now);
}

/* @sock passes @labels to destination @dst (normalized). */
StEdge *st_socket_deliver_one(StEngine *e, unsigned nr, StNode *sock,
                              const StEngineObject *obj,
                              const StEngineEndpoint *dst, uint64_t labels,
                              uint64_t bytes, uint64_t now)
{
    bool maybe_closed;
    StNode *peer;

    if (!st_endpoint_is_local(e, dst)) {
        StEdge *edge = NULL;

        peer = st_endpoint_node(e, dst, now);
        if (peer) {
            peer->info.exfiltration = true;
            peer->info.labels |= labels;
            edge = st_flow_record(e, sock, peer, ST_ENGINE_FAMILY_WRITE, nr,
                                  1, bytes, labels, now, now);
        }
        st_tun_route(e, nr, sock, labels, bytes, now);
        /*
         * An address of the VM's that no socket showed (one on an
         * interface, reached by a receiver bound to any address) looks
         * remote: a socket here bound to any address on that port may
         * receive it too, and is tainted as well (over, never under).
         */
        peer = st_socket_receiver(e, dst, &obj->local, &maybe_closed, now);
        if (peer && peer != sock && st_endpoint_addr_any(&peer->obj.local)) {
            st_node_use(e, peer);
            peer->info.labels |= labels;
            peer->info.rx_labels |= labels;
            st_flow_record(e, sock, peer, ST_ENGINE_FAMILY_WRITE, nr, 1,
                           bytes, labels, now, now);
        }
        return edge;
    }
    peer = st_socket_receiver(e, dst, &obj->local, &maybe_closed, now);
    if (peer && peer != sock) {
        st_node_use(e, peer);
        peer->info.labels |= labels;
        peer->info.rx_labels |= labels;
        if (maybe_closed) {
            /* another socket bound there since reads it too (over) */
            st_pending_endpoint_add(e, dst, &obj->local, sock, nr, labels,
                                    1, bytes, true, now);
        }
        return st_flow_record(e, sock, peer, ST_ENGINE_FAMILY_WRITE, nr, 1,
                              bytes, labels, now, now);
    }
    st_pending_endpoint_add(e, dst, &obj->local, sock, nr, labels, 1, bytes,
                            false, now);
    return NULL;
}

/*
 * Where a send on @obj goes: the destinations its arguments name (one per
 * message; a message that names none goes to the connected peer), else
 * the connected peer.  Returns how many distinct ones are in @dsts.
 */
static unsigned st_send_destinations(StEngine *e, const StEngineTask *task,
                                     unsigned nr, const uint64_t *args,
                                     const StEngineObject *obj,
                                     StEngineEndpoint *dsts)
{
    StEngineEndpoint named[ST_ENGINE_MAX_SEND_PEERS];
    unsigned n = 0, count = 0, i, j;

    if (e->cfg.ops.send_peer && (nr == ST_NR_SENDTO || nr == ST_NR_SENDMSG ||
                                 nr == ST_NR_SENDMMSG)) {
        memset(named, 0, sizeof(named));
        count = e->cfg.ops.send_peer(e->cfg.opaque, task, nr, args, named,
                                     ST_ENGINE_MAX_SEND_PEERS);
        if (count > ST_ENGINE_MAX_SEND_PEERS) {
            e->counters.drops[ST_ENGINE_DROP_PEER] +=
                count - ST_ENGINE_MAX_SEND_PEERS;
            count = ST_ENGINE_MAX_SEND_PEERS;
        }
    }
    for (i = 0; i < count; i++) {
        StEngineEndpoint dst = named[i];

        st_endpoint_normalize(&dst);
        if (dst.family == 0) {
            dst = obj->peer;
        }
        if (dst.family == 0) {
            e->counters.drops[ST_ENGINE_DROP_PEER]++;
            continue;
        }
        for (j = 0; j < n && !st_endpoint_same(&dsts[j], &dst); j++) {
            /* a destination already listed */
        }
        if (j == n) {
            dsts[n++] = dst;
        }
    }
    if (!count && obj->peer.family) {
        dsts[n++] = obj->peer;
    }
    return n;
}

/*
 * @sock (written by a tracked process, this entry) passes @labels on to
 * where the data goes.  A send to several destinations (sendmmsg) counts
 * the call's bytes for each.
 */
void st_socket_deliver(StEngine *e, const StEngineTask *task, unsigned nr,
                       const uint64_t *args, StNode *sock,
                       const StEngineObject *obj, uint64_t labels,
                       uint64_t bytes, StWant *want, uint64_t now)
{
    StEngineEndpoint dsts[ST_ENGINE_MAX_SEND_PEERS];
    StNode *peer;
    StEdge *edge = NULL;
    unsigned n, i;

    if (obj->sock_family == ST_AF_UNIX) {
        if (!obj->peer_ino) {
            e->counters.drops[ST_ENGINE_DROP_PEER]++;
            return;
        }
        peer = st_unix_peer_node(e, obj, now);
        if (peer) {
            peer->info.labels |= labels;
            peer->info.rx_labels |= labels;
            edge = st_flow_record(e, sock, peer, ST_ENGINE_FAMILY_WRITE, nr,
                                  1, bytes, labels, now, now);
        }
        if (want && edge) {
            want->mask |= ST_WANT_DELIVERY;
            want->deliver_sock = sock->info.id;
            want->deliver_peer = peer->info.id;
        }
        return;
    }
    if (obj->sock_family != ST_AF_INET && obj->sock_family != ST_AF_INET6 &&
        !st_family_leaves_vm(obj->sock_family)) {
        return;
    }
    n = st_send_destinations(e, task, nr, args, obj, dsts);
    if (!n && st_family_leaves_vm(obj->sock_family)) {
        /* Leaving whatever the address: an endpoint of unknown address. */
        memset(&dsts[0], 0, sizeof(dsts[0]));
        dsts[0].family = obj->sock_family;
        n = 1;
    }
    if (!n) {
        e->counters.drops[ST_ENGINE_DROP_PEER]++;
        return;
    }
    for (i = 0; i < n; i++) {
        st_socket_deliver_one(e, nr, sock, obj, &dsts[i], labels, bytes,
                              now);
    }
    st_channel_send(e, obj, sock, nr, labels, bytes, now);
    if (obj->sock_family == ST_AF_PACKET) {
        st_packet_send(e, task, nr, args, sock, labels, bytes, now);
    }
    if (want && n == 1) {
        /* Its bytes come with the return, to an edge or a pending send. */
        want->mask |= ST_WANT_DELIVERY;
        want->deliver_sock = sock->info.id;
        want->deliver_dst = dsts[0];
        want->deliver_src = obj->local;
    }
}

/* The return of a send counted at entry: its bytes to its delivery. */
void st_socket_delivery_bytes(StEngine *e, const StWant *want,
                              uint64_t bytes)
{
    StPendingEndpoint *pend;
    StEdgeKey key;
    StEdge *edge;
    StNode *peer;
    unsigned i;

    key.src = want->deliver_sock;
    key.family = ST_ENGINE_FAMILY_WRITE;
    for (i = 0; !want->deliver_peer && i < e->pending_endpoints->len; i++) {
        pend = g_ptr_array_index(e->pending_endpoints, i);
        if (pend->src_node == want->deliver_sock &&
            st_endpoint_same(&pend->dst, &want->deliver_dst) &&
            st_endpoint_same(&pend->src, &want->deliver_src)) {
            pend->bytes += bytes;
            break;      /* a known socket may have been sent it too */
        }
    }
    if (want->deliver_peer) {
        key.dst = want->deliver_peer;
    } else {
        peer = st_endpoint_is_local(e, &want->deliver_dst) ?
            st_socket_receiver(e, &want->deliver_dst, &want->deliver_src,
                               NULL, 0) :
            g_hash_table_lookup(e->endpoints, &want->deliver_dst);
        if (!peer) {
            return;
        }
        key.dst = peer->info.id;
    }
    edge = g_hash_table_lookup(e->edge_index, &key);
    if (edge) {
        edge->info.bytes += bytes;
    }
}

/*
 * The node a read of @obj receives from, if any: a known node, a tainted
 * block device that @obj names (engine-ioctl.c), or a socket that a
 * remembered tainted local send was addressed to.
 */
StNode *st_source_node(StEngine *e, const StEngineObject *obj, uint64_t now)
{
    StNode *n = st_object_node(e, obj, false, now);
    StPendingEndpoint *pend;
    StNode *from;

    if (!n && obj->rdev && g_hash_table_size(e->devices)) {
        return st_device_source(e, obj);
    }
    if (n || obj->kind != ST_ENGINE_KIND_SOCKET ||
        !e->pending_endpoints->len) {
        return n;
    }
    pend = st_pending_endpoint_match(e, obj);
    if (!pend) {
        return NULL;
    }
    n = st_object_node(e, obj, true, now);
    if (!n) {
        return NULL;
    }
    st_node_use(e, n);
    n->info.labels |= pend->labels;
    n->info.rx_labels |= pend->labels;
    from = st_node_by_id(e, pend->src_node);
    if (from) {
        st_flow_record(e, from, n, ST_ENGINE_FAMILY_WRITE, pend->nr,
                       pend->count, pend->bytes, pend->labels, pend->first_ns,
                       pend->last_ns);
    }
    g_ptr_array_remove(e->pending_endpoints, pend);     /* frees it */
    return n;
}
