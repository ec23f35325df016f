/*
 * secret-tracker engine: endpoints, local channels and loopback delivery
 *
 * Data written to a socket goes to its peer: a unix socket's peer inode,
 * a loopback inet socket found by its addresses, or a remote endpoint
 * (exfiltration).  Loopback data sent before its receiving socket is known
 * waits as a pending endpoint until a matching socket is read.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "engine-internal.h"

/* Endpoints */

/* IPv4-mapped IPv6 becomes IPv4; unused bytes and unknown families zero. */
void st_endpoint_normalize(StEngineEndpoint *ep)
{
    static const uint8_t v4mapped[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };

    if (ep->family == ST_AF_INET6 &&
        memcmp(ep->addr, v4mapped, sizeof(v4mapped)) == 0) {
        ep->family = ST_AF_INET;
        memmove(ep->addr, ep->addr + 12, 4);
    }
    if (ep->family == ST_AF_INET) {
        memset(ep->addr + 4, 0, sizeof(ep->addr) - 4);
    } else if (ep->family != ST_AF_INET6) {
        memset(ep, 0, sizeof(*ep));
    }
}

static bool st_endpoint_addr_any(const StEngineEndpoint *ep)
{
    static const uint8_t zero[16];

    return memcmp(ep->addr, zero, sizeof(zero)) == 0;
}

static bool st_endpoint_is_local(const StEngineEndpoint *ep)
{
    static const uint8_t loop6[16] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    };

    if (ep->family == ST_AF_INET) {
        return ep->addr[0] == 127 || st_endpoint_addr_any(ep);
    }
    if (ep->family == ST_AF_INET6) {
        return memcmp(ep->addr, loop6, 16) == 0 || st_endpoint_addr_any(ep);
    }
    return false;
}

static bool st_endpoint_same(const StEngineEndpoint *a,
                             const StEngineEndpoint *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

/* @bound may be a wildcard-address socket that receives for @dst. */
static bool st_endpoint_receives(const StEngineEndpoint *bound,
                                 const StEngineEndpoint *dst)
{
    return bound->family == dst->family && bound->port == dst->port &&
           (st_endpoint_addr_any(bound) ||
            memcmp(bound->addr, dst->addr, 16) == 0);
}

static char *st_endpoint_render(const StEngineEndpoint *ep)
{
    const uint8_t *a = ep->addr;

    if (ep->family == ST_AF_INET) {
        return g_strdup_printf("inet:%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3],
                               ep->port);
    }
    if (ep->family == ST_AF_INET6) {
        GString *s = g_string_new("inet6:[");
        int i;

        for (i = 0; i < 16; i += 2) {
            g_string_append_printf(s, "%s%x", i ? ":" : "",
                                   (unsigned)(a[i] << 8 | a[i + 1]));
        }
        g_string_append_printf(s, "]:%u", ep->port);
        return g_string_free(s, FALSE);
    }
    return g_strdup("unknown");
}

/* The node of remote endpoint @ep, created if needed. */
static StNode *st_endpoint_node(StEngine *e, const StEngineEndpoint *ep,
                                uint64_t now)
{
    StNode *n = g_hash_table_lookup(e->endpoints, ep);

    if (n) {
        return n;
    }
    n = st_node_new(e, ST_ENGINE_KIND_ENDPOINT, now);
    if (!n) {
        return NULL;
    }
    n->info.endpoint = *ep;
    n->info.exfiltration = true;
    st_node_take_path(e, n, st_endpoint_render(ep));
    g_hash_table_insert(e->endpoints, &n->info.endpoint, n);
    return n;
}

/* Local channels */

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

static void st_pending_endpoint_add(StEngine *e, const StEngineEndpoint *dst,
                                    const StEngineEndpoint *src,
                                    const StNode *from, unsigned nr,
                                    uint64_t labels, uint64_t count,
                                    uint64_t bytes, uint64_t now)
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
            return;
        }
    }
    if (e->pending_endpoints->len >= e->cfg.max_endpoints) {
        /* A pre-taint (count 0) leaves the drop to the exit: one a send. */
        if (count) {
            e->counters.drops[ST_ENGINE_DROP_ENDPOINTS]++;
        }
        return;
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
    g_ptr_array_add(e->pending_endpoints, pend);
    e->n_read_sources++;
}

/* A known socket that receives what is sent to @dst from @src. */
static StNode *st_socket_peer_lookup(StEngine *e, const StEngineEndpoint *dst,
                                     const StEngineEndpoint *src)
{
    StSocketAddrKey key;
    StNode *n;

    memset(&key, 0, sizeof(key));
    key.local = *dst;
    key.peer = *src;
    n = g_hash_table_lookup(e->inet_sockets, &key);
    if (n) {
        return n;
    }
    /* Unconnected receivers (UDP), bound to the address or to any. */
    memset(&key.peer, 0, sizeof(key.peer));
    n = g_hash_table_lookup(e->inet_sockets, &key);
    if (n) {
        return n;
    }
    memset(key.local.addr, 0, sizeof(key.local.addr));
    return g_hash_table_lookup(e->inet_sockets, &key);
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
    return st_object_node(e, &peer_obj, true, now);
}

/* @sock (written by a tracked process) passes @labels on to its peer. */
void st_socket_deliver(StEngine *e, const StEngineTask *task,
                       const StPending *p, StNode *sock,
                       const StEngineObject *obj, uint64_t labels,
                       uint64_t bytes, bool ask, uint64_t now)
{
    StEngineEndpoint dst;
    StNode *peer;

    if (obj->sock_family == ST_AF_UNIX) {
        if (!obj->peer_ino) {
            e->counters.drops[ST_ENGINE_DROP_PEER]++;
            return;
        }
        peer = st_unix_peer_node(e, obj, now);
        if (peer) {
            peer->info.labels |= labels;
            peer->info.rx_labels |= labels;
            st_flow_record(e, sock, peer, ST_ENGINE_FAMILY_WRITE, p->nr, 1,
                           bytes, labels, now, now);
        }
        return;
    }
    if (obj->sock_family != ST_AF_INET && obj->sock_family != ST_AF_INET6) {
        return;
    }
    dst = obj->peer;
    if (dst.family == 0) {
        memset(&dst, 0, sizeof(dst));
        if (!ask || !e->cfg.ops.send_peer ||
            !e->cfg.ops.send_peer(e->cfg.opaque, task, p->nr, p->args,
                                  &dst)) {
            e->counters.drops[ST_ENGINE_DROP_PEER]++;
            return;
        }
        st_endpoint_normalize(&dst);
        if (dst.family == 0) {
            e->counters.drops[ST_ENGINE_DROP_PEER]++;
            return;
        }
    }
    if (!st_endpoint_is_local(&dst)) {
        peer = st_endpoint_node(e, &dst, now);
        if (peer) {
            peer->info.labels |= labels;
            st_flow_record(e, sock, peer, ST_ENGINE_FAMILY_WRITE, p->nr, 1,
                           bytes, labels, now, now);
        }
        return;
    }
    peer = st_socket_peer_lookup(e, &dst, &obj->local);
    if (peer && peer != sock) {
        peer->info.labels |= labels;
        peer->info.rx_labels |= labels;
        st_flow_record(e, sock, peer, ST_ENGINE_FAMILY_WRITE, p->nr, 1,
                       bytes, labels, now, now);
        return;
    }
    st_pending_endpoint_add(e, &dst, &obj->local, sock, p->nr, labels, 1,
                            bytes, now);
}

/*
 * A reader can take data out of a pipe or socket before the writer's exit
 * is seen (the write wakes it first), so taint the channel, and a
 * connected socket's local peer, already at the entry.  Edges, counts and
 * bytes still come from a successful exit and merge with these.
 */
void st_channel_pretaint(StEngine *e, const StPending *p,
                         const StEngineObject *obj, uint64_t labels,
                         uint64_t now)
{
    StNode *dst, *peer;

    if (obj->kind != ST_ENGINE_KIND_PIPE && obj->kind != ST_ENGINE_KIND_FIFO &&
        obj->kind != ST_ENGINE_KIND_SOCKET) {
        return;
    }
    dst = st_object_node(e, obj, true, now);
    if (!dst) {
        return;
    }
    dst->info.labels |= labels;
    if (obj->kind != ST_ENGINE_KIND_SOCKET) {
        return;
    }
    if (obj->sock_family == ST_AF_UNIX) {
        if (!obj->peer_ino) {
            return;
        }
        peer = st_unix_peer_node(e, obj, now);
    } else if ((obj->sock_family == ST_AF_INET ||
                obj->sock_family == ST_AF_INET6) &&
               obj->peer.family && st_endpoint_is_local(&obj->peer)) {
        peer = st_socket_peer_lookup(e, &obj->peer, &obj->local);
        if (!peer) {
            st_pending_endpoint_add(e, &obj->peer, &obj->local, dst, p->nr,
                                    labels, 0, 0, now);
            return;
        }
    } else {
        return;
    }
    if (peer && peer != dst) {
        peer->info.labels |= labels;
        peer->info.rx_labels |= labels;
    }
}

/*
 * The node a read of @obj receives from, if any: a known node, or a
 * socket that a remembered tainted loopback send was addressed to.
 */
StNode *st_source_node(StEngine *e, const StEngineObject *obj, uint64_t now)
{
    StNode *n = st_object_node(e, obj, false, now);
    StPendingEndpoint *pend;
    StNode *from;

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
    n->info.labels |= pend->labels;
    n->info.rx_labels |= pend->labels;
    from = st_node_by_id(e, pend->src_node);
    if (from) {
        st_flow_record(e, from, n, ST_ENGINE_FAMILY_WRITE, pend->nr,
                       pend->count, pend->bytes, pend->labels, pend->first_ns,
                       pend->last_ns);
    }
    g_ptr_array_remove_fast(e->pending_endpoints, pend);     /* frees it */
    e->n_read_sources--;
    return n;
}
