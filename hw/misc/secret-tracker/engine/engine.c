/*
 * secret-tracker engine: life cycle, queries, reboots
 *
 * The engine's tables and their hashing; syscalls come in through
 * engine-entry.c.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "engine-internal.h"

/* Hashing of the table keys */

static guint st_hash_bytes(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static guint st_hash_words2(uint64_t a, uint64_t b)
{
    uint64_t h = a * 0x9e3779b97f4a7c15ull ^ b;

    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return (guint)(h ^ (h >> 32));
}

static guint st_hash_words3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = (a * 0x9e3779b97f4a7c15ull ^ b) * 0xbf58476d1ce4e5b9ull ^ c;

    h ^= h >> 31;
    h *= 0x94d049bb133111ebull;
    return (guint)(h ^ (h >> 32));
}

static guint st_inode_key_hash(gconstpointer k)
{
    const StInodeKey *key = k;

    return st_hash_words2(key->dev, key->ino);
}

static gboolean st_inode_key_equal(gconstpointer a, gconstpointer b)
{
    const StInodeKey *x = a, *y = b;

    return x->dev == y->dev && x->ino == y->ino;
}

static guint st_process_key_hash(gconstpointer k)
{
    const StProcessKey *key = k;

    return st_hash_words2(key->tgid, key->start_time);
}

static gboolean st_process_key_equal(gconstpointer a, gconstpointer b)
{
    const StProcessKey *x = a, *y = b;

    return x->tgid == y->tgid && x->start_time == y->start_time;
}

static guint st_edge_key_hash(gconstpointer k)
{
    const StEdgeKey *key = k;

    return st_hash_words3(key->src, key->dst, key->family);
}

static gboolean st_edge_key_equal(gconstpointer a, gconstpointer b)
{
    const StEdgeKey *x = a, *y = b;

    return x->src == y->src && x->dst == y->dst && x->family == y->family;
}

static guint st_endpoint_hash(gconstpointer k)
{
    return st_hash_bytes(k, sizeof(StEngineEndpoint));
}

static gboolean st_endpoint_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(StEngineEndpoint)) == 0;
}

static guint st_socket_addr_key_hash(gconstpointer k)
{
    return st_hash_bytes(k, sizeof(StSocketAddrKey));
}

static gboolean st_socket_addr_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(StSocketAddrKey)) == 0;
}

/* Life cycle */

StEngine *st_engine_new(const StEngineConfig *config)
{
    StEngine *e = g_new0(StEngine, 1);
    unsigned i;

    g_assert(config && config->ops.resolve_fd);
    e->cfg = *config;
    if (!e->cfg.max_flows) {
        e->cfg.max_flows = ST_ENGINE_DEFAULT_MAX_FLOWS;
    }
    if (!e->cfg.max_nodes) {
        e->cfg.max_nodes = ST_ENGINE_DEFAULT_MAX_NODES;
    }
    if (!e->cfg.max_fd_cache) {
        e->cfg.max_fd_cache = ST_ENGINE_DEFAULT_MAX_FD_CACHE;
    }
    if (!e->cfg.max_pending) {
        e->cfg.max_pending = ST_ENGINE_DEFAULT_MAX_PENDING;
    }
    if (!e->cfg.max_endpoints) {
        e->cfg.max_endpoints = ST_ENGINE_DEFAULT_MAX_ENDPOINTS;
    }
    if (!e->cfg.max_children) {
        e->cfg.max_children = ST_ENGINE_DEFAULT_MAX_CHILDREN;
    }
    if (!e->cfg.max_waiting) {
        e->cfg.max_waiting = ST_ENGINE_DEFAULT_MAX_WAITING;
    }
    if (!e->cfg.max_local_addrs) {
        e->cfg.max_local_addrs = ST_ENGINE_DEFAULT_MAX_LOCAL_ADDRS;
    }
    if (!e->cfg.max_shared) {
        e->cfg.max_shared = ST_ENGINE_DEFAULT_MAX_SHARED;
    }

    e->patterns = g_ptr_array_new_with_free_func(st_pattern_free);
    e->node_ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                        st_node_free);
    e->node_records = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                            NULL, st_node_record_free);
    QTAILQ_INIT(&e->node_order);
    for (i = 0; i < ST_LRU__MAX; i++) {
        QTAILQ_INIT(&e->node_lru[i]);
    }
    e->inodes = g_hash_table_new(st_inode_key_hash, st_inode_key_equal);
    e->processes = g_hash_table_new(st_process_key_hash,
                                    st_process_key_equal);
    e->process_by_tgid = g_hash_table_new(g_direct_hash, g_direct_equal);
    e->endpoints = g_hash_table_new(st_endpoint_hash, st_endpoint_equal);
    e->inet_sockets = g_hash_table_new(st_socket_addr_key_hash,
                                       st_socket_addr_key_equal);
    e->devices = g_hash_table_new(g_int64_hash, g_int64_equal);
    e->paths = g_hash_table_new(g_str_hash, g_str_equal);
    g_queue_init(&e->path_queue);
    e->edges = g_ptr_array_new_with_free_func(st_edge_free);
    e->edge_index = g_hash_table_new(st_edge_key_hash, st_edge_key_equal);

    st_pending_init(e);
    st_fd_cache_init(e);
    st_waiting_init(e);
    st_shared_init(e);

    e->pending_endpoints = g_ptr_array_new_with_free_func(g_free);
    e->expected_children = g_hash_table_new_full(g_direct_hash,
                                                 g_direct_equal, NULL,
                                                 g_free);
    e->local_addrs = g_new0(StLocalAddr, e->cfg.max_local_addrs);
    e->process_generation = 1;  /* no untracked cache slot is valid yet */
    return e;
}

void st_engine_free(StEngine *e)
{
    unsigned i;

    if (!e) {
        return;
    }
    for (i = 0; i < e->n_labels; i++) {
        g_free(e->labels[i]);
    }
    g_ptr_array_free(e->patterns, TRUE);
    g_hash_table_destroy(e->inodes);
    g_hash_table_destroy(e->processes);
    g_hash_table_destroy(e->process_by_tgid);
    g_hash_table_destroy(e->endpoints);
    g_hash_table_destroy(e->inet_sockets);
    g_hash_table_destroy(e->devices);
    g_hash_table_destroy(e->paths);
    g_queue_init(&e->path_queue);    /* its links live in the nodes */
    g_hash_table_destroy(e->edge_index);
    g_ptr_array_free(e->edges, TRUE);
    g_hash_table_destroy(e->node_ids);
    g_hash_table_destroy(e->node_records);
    st_pending_clear(e);
    g_free(e->pending_buckets);
    g_free(e->pending);
    st_fd_cache_destroy(e);
    st_waiting_destroy(e);
    g_ptr_array_free(e->pending_endpoints, TRUE);
    g_hash_table_destroy(e->expected_children);
    g_free(e->local_addrs);
    st_remote_free(e);
    st_shared_destroy(e);
    g_free(e);
}

void st_engine_new_boot(StEngine *e)
{
    e->event++;
    st_nodes_retire_boot(e);
    g_hash_table_remove_all(e->process_by_tgid);
    g_hash_table_remove_all(e->expected_children);
    st_waiting_clear(e);
    st_shared_clear(e);
    g_ptr_array_set_size(e->pending_endpoints, 0);
    st_remote_new_boot(e);
    st_pending_clear(e);
    st_fd_cache_flush(e);
    /* The new boot may number its interfaces differently. */
    e->n_local_addrs = 0;
    e->tun_in_use = false;
    memset(e->untracked, 0, sizeof(e->untracked));
    e->process_generation++;
    e->start_time_high_water = 0;
}

/* Queries */

/* Queries (they do not count as uses of the nodes they find) */

const StEngineNodeInfo *st_engine_node(StEngine *e, uint64_t node_id)
{
    StNode *n = g_hash_table_lookup(e->node_ids, &node_id);
    StNodeRecord *rec;

    if (n) {
        return &n->info;
    }
    rec = g_hash_table_lookup(e->node_records, &node_id);
    return rec ? &rec->info : NULL;
}

const StEngineNodeInfo *st_engine_find_inode(StEngine *e, uint64_t dev,
                                             uint64_t ino)
{
    StInodeKey key = { .dev = dev, .ino = ino };
    StNode *n = g_hash_table_lookup(e->inodes, &key);

    return n ? &n->info : NULL;
}

const StEngineNodeInfo *st_engine_find_process(StEngine *e, uint32_t tgid,
                                               uint64_t start_time)
{
    StProcessKey key = { .tgid = tgid, .start_time = start_time };
    StNode *n = g_hash_table_lookup(e->processes, &key);

    return n ? &n->info : NULL;
}

void st_engine_foreach_node(StEngine *e, StEngineKind kind,
                            StEngineNodeFn fn, void *opaque)
{
    StNode *n;

    QTAILQ_FOREACH(n, &e->node_order, order) {
        if ((kind == ST_ENGINE_KIND__MAX || n->info.kind == kind) &&
            !fn(opaque, &n->info)) {
            return;
        }
    }
}

void st_engine_get_counters(StEngine *e, StEngineCounters *out)
{
    *out = e->counters;
    out->events = out->entries + out->exits;
    out->nodes = g_hash_table_size(e->node_ids);
    out->flows = e->edges->len;
    out->pending_endpoints = e->pending_endpoints->len;
}
