/*
 * secret-tracker engine: endpoints, and which of them are the VM's own
 *
 * An inet destination is local when it is a loopback or wildcard address,
 * or an address the VM owns: one the engine saw as a socket's local
 * address (a bind, a connected socket) or was told about.  Data sent to a
 * local destination stays in the VM (engine-sockets.c delivers it); any
 * other destination, and every vsock, packet or XDP destination whatever
 * its address, is an endpoint node: an exfiltration once tainted data is
 * sent to it.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "engine-internal.h"

/* Families whose every destination is outside the VM. */
bool st_family_leaves_vm(uint16_t family)
{
    return family == ST_AF_VSOCK || family == ST_AF_PACKET ||
           family == ST_AF_XDP;
}

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
    } else if (st_family_leaves_vm(ep->family)) {
        ep->port = 0;
        memset(ep->addr + 8, 0, sizeof(ep->addr) - 8);
    } else if (ep->family != ST_AF_INET6) {
        memset(ep, 0, sizeof(*ep));
    }
}

bool st_endpoint_addr_any(const StEngineEndpoint *ep)
{
    static const uint8_t zero[16];

    return memcmp(ep->addr, zero, sizeof(zero)) == 0;
}

bool st_endpoint_same(const StEngineEndpoint *a, const StEngineEndpoint *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

static bool st_endpoint_is_loopback(const StEngineEndpoint *ep)
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

static StLocalAddr *st_local_addr_find(StEngine *e, const StEngineEndpoint *ep)
{
    unsigned i;

    for (i = 0; i < e->n_local_addrs; i++) {
        StLocalAddr *la = &e->local_addrs[i];

        if (la->addr.family == ep->family &&
            memcmp(la->addr.addr, ep->addr, sizeof(ep->addr)) == 0) {
            return la;
        }
    }
    return NULL;
}

/* Is @ep (normalized) in the VM: loopback, wildcard or an own address? */
bool st_endpoint_is_local(StEngine *e, const StEngineEndpoint *ep)
{
    StLocalAddr *la;

    if (st_endpoint_is_loopback(ep)) {
        return true;
    }
    if (ep->family != ST_AF_INET && ep->family != ST_AF_INET6) {
        return false;
    }
    la = st_local_addr_find(e, ep);
    if (la) {
        la->last_used = e->event;
        return true;
    }
    return false;
}

/* @ep is a local address of a socket of the VM: remember the address. */
void st_local_addr_learn(StEngine *e, const StEngineEndpoint *ep)
{
    StLocalAddr *la;
    unsigned i;

    if ((ep->family != ST_AF_INET && ep->family != ST_AF_INET6) ||
        st_endpoint_is_loopback(ep)) {
        return;
    }
    la = st_local_addr_find(e, ep);
    if (!la) {
        if (e->n_local_addrs < e->cfg.max_local_addrs) {
            la = &e->local_addrs[e->n_local_addrs++];
        } else {
            la = &e->local_addrs[0];
            for (i = 1; i < e->n_local_addrs; i++) {
                if (e->local_addrs[i].last_used < la->last_used) {
                    la = &e->local_addrs[i];
                }
            }
            e->counters.drops[ST_ENGINE_DROP_LOCAL_ADDRS]++;
        }
        memset(&la->addr, 0, sizeof(la->addr));
        la->addr.family = ep->family;
        memcpy(la->addr.addr, ep->addr, sizeof(ep->addr));
    }
    la->last_used = e->event;
}

void st_engine_add_local_address(StEngine *e, const StEngineEndpoint *addr)
{
    StEngineEndpoint ep = *addr;

    e->event++;
    st_endpoint_normalize(&ep);
    st_local_addr_learn(e, &ep);
}

static uint32_t st_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static char *st_endpoint_render(const StEngineEndpoint *ep)
{
    const uint8_t *a = ep->addr;

    if (st_family_leaves_vm(ep->family) && st_endpoint_addr_any(ep)) {
        return g_strdup_printf("%s:unknown",
                               ep->family == ST_AF_VSOCK ? "vsock" :
                               ep->family == ST_AF_PACKET ? "packet" : "xdp");
    }
    switch (ep->family) {
    case ST_AF_INET:
        return g_strdup_printf("inet:%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3],
                               ep->port);
    case ST_AF_INET6: {
        GString *s = g_string_new("inet6:[");
        int i;

        for (i = 0; i < 16; i += 2) {
            g_string_append_printf(s, "%s%x", i ? ":" : "",
                                   (unsigned)(a[i] << 8 | a[i + 1]));
        }
        g_string_append_printf(s, "]:%u", ep->port);
        return g_string_free(s, FALSE);
    }
    case ST_AF_VSOCK:
        return g_strdup_printf("vsock:%u:%u", st_be32(a), st_be32(a + 4));
    case ST_AF_PACKET:
        return g_strdup_printf("packet:if%u:0x%04x", st_be32(a),
                               st_be32(a + 4));
    case ST_AF_XDP:
        return g_strdup_printf("xdp:if%u:q%u", st_be32(a), st_be32(a + 4));
    default:
        return g_strdup("unknown");
    }
}

/* The node of remote endpoint @ep (normalized), created if needed. */
StNode *st_endpoint_node(StEngine *e, const StEngineEndpoint *ep,
                         uint64_t now)
{
    StNode *n = g_hash_table_lookup(e->endpoints, ep);

    if (n) {
        st_node_use(e, n);
        return n;
    }
    n = st_node_new(e, ST_ENGINE_KIND_ENDPOINT, now);
    if (!n) {
        return NULL;
    }
    n->info.endpoint = *ep;
    st_node_take_path(e, n, st_endpoint_render(ep));
    g_hash_table_insert(e->endpoints, &n->info.endpoint, n);
    return n;
}
