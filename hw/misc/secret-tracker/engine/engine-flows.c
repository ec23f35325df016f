/*
 * secret-tracker engine: flow edges
 *
 * One edge per (source, target, family) aggregates every call that moved
 * labels that way; a rename edge is the exception (one per rename).
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "engine-internal.h"

StEdge *st_edge_new(StEngine *e, StNode *src, StNode *dst,
                    StEngineFamily family, unsigned nr, uint64_t now)
{
    StEdge *edge;

    if (e->edges->len >= e->cfg.max_flows) {
        e->counters.drops[ST_ENGINE_DROP_FLOWS]++;
        return NULL;
    }
    edge = g_new0(StEdge, 1);
    edge->info.id = e->edges->len + 1;
    edge->info.src = src->info.id;
    edge->info.dst = dst->info.id;
    edge->info.family = family;
    edge->info.syscall_nr = nr;
    edge->info.first_ns = now;
    edge->info.last_ns = now;
    edge->key.src = src->info.id;
    edge->key.dst = dst->info.id;
    edge->key.family = family;
    g_ptr_array_add(e->edges, edge);
    /* Named by a flow: an evicted node leaves a record behind. */
    src->n_edges++;
    dst->n_edges++;
    return edge;
}

void st_edge_announce(StEngine *e, StEdge *edge)
{
    if (e->cfg.new_flow) {
        e->cfg.new_flow(e->cfg.new_flow_opaque, &edge->info);
    }
}

void st_edge_free(gpointer data)
{
    StEdge *edge = data;

    g_free(edge->old_path);
    g_free(edge->new_path);
    g_free(edge);
}

/*
 * Record @count calls moving @bytes with @labels from @src to @dst.  The
 * taint itself is the caller's job; a dropped edge loses only the record.
 */
StEdge *st_flow_record(StEngine *e, StNode *src, StNode *dst,
                       StEngineFamily family, unsigned nr, uint64_t count,
                       uint64_t bytes, uint64_t labels, uint64_t first_ns,
                       uint64_t last_ns)
{
    StEdgeKey key = {
        .src = src->info.id, .dst = dst->info.id, .family = family,
    };
    StEdge *edge = g_hash_table_lookup(e->edge_index, &key);

    if (edge) {
        edge->info.count += count;
        edge->info.bytes += bytes;
        edge->info.labels |= labels;
        if (first_ns < edge->info.first_ns) {
            edge->info.first_ns = first_ns;
        }
        if (last_ns > edge->info.last_ns) {
            edge->info.last_ns = last_ns;
        }
    } else {
        edge = st_edge_new(e, src, dst, family, nr, last_ns);
        if (edge) {
            edge->info.first_ns = first_ns;
            edge->info.count = count;
            edge->info.bytes = bytes;
            edge->info.labels = labels;
            g_hash_table_insert(e->edge_index, &edge->key, edge);
            st_edge_announce(e, edge);
        }
    }
    if (family != ST_ENGINE_FAMILY_READ) {
        /* Labels reached a channel: so did its waiting readers. */
        st_waiting_wake(e, dst, labels, bytes, last_ns);
    }
    return edge;
}

/* The return of a call counted at entry gives its bytes. */
void st_flow_add_bytes(StEngine *e, uint64_t flow_id, uint64_t bytes)
{
    StEdge *edge;

    if (flow_id == 0 || flow_id > e->edges->len) {
        return;
    }
    edge = g_ptr_array_index(e->edges, flow_id - 1);
    edge->info.bytes += bytes;
}

void st_engine_foreach_flow(StEngine *e, uint64_t since_id,
                            StEngineFlowIterFn fn, void *opaque)
{
    uint64_t i;

    /* Ids are dense: flow id N is at index N - 1. */
    for (i = since_id; i < e->edges->len; i++) {
        StEdge *edge = g_ptr_array_index(e->edges, i);

        if (!fn(opaque, &edge->info)) {
            return;
        }
    }
}
