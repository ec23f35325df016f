/*
 * secret-tracker engine: life cycle, syscall entry and exit, queries
 *
 * The front door: an entry is filtered cheaply (family, tracked process,
 * anything to look for at all), remembered until its exit if a rule may
 * need it, and the exit applies the family's rule.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
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

static guint st_fd_key_hash(gconstpointer k)
{
    const StFdKey *key = k;

    return st_hash_words3(key->tgid, key->start_time, key->fd);
}

static gboolean st_fd_key_equal(gconstpointer a, gconstpointer b)
{
    const StFdKey *x = a, *y = b;

    return x->tgid == y->tgid && x->start_time == y->start_time &&
           x->fd == y->fd;
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
    uint32_t buckets = 16;
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

    e->patterns = g_ptr_array_new_with_free_func(st_pattern_free);
    e->nodes = g_ptr_array_new_with_free_func(st_node_free);
    e->inodes = g_hash_table_new(st_inode_key_hash, st_inode_key_equal);
    e->processes = g_hash_table_new(st_process_key_hash,
                                    st_process_key_equal);
    e->process_by_tgid = g_hash_table_new(g_direct_hash, g_direct_equal);
    e->endpoints = g_hash_table_new(st_endpoint_hash, st_endpoint_equal);
    e->inet_sockets = g_hash_table_new(st_socket_addr_key_hash,
                                       st_socket_addr_key_equal);
    e->paths = g_hash_table_new(g_str_hash, g_str_equal);
    g_queue_init(&e->path_queue);
    e->edges = g_ptr_array_new_with_free_func(st_edge_free);
    e->edge_index = g_hash_table_new(st_edge_key_hash, st_edge_key_equal);

    while (buckets < e->cfg.max_pending * 2 && buckets < (1u << 30)) {
        buckets <<= 1;
    }
    e->pending_mask = buckets - 1;
    e->pending_buckets = g_new(uint32_t, buckets);
    for (i = 0; i < buckets; i++) {
        e->pending_buckets[i] = ST_NO_INDEX;
    }
    e->pending = g_new0(StPending, e->cfg.max_pending);
    e->pending_free = ST_NO_INDEX;
    for (i = e->cfg.max_pending; i-- > 0;) {
        e->pending[i].next = e->pending_free;
        e->pending_free = i;
    }

    e->fd_pool = g_new0(StFdEntry, e->cfg.max_fd_cache);
    e->fd_cache = g_hash_table_new(st_fd_key_hash, st_fd_key_equal);
    st_fd_cache_flush(e);

    e->pending_endpoints = g_ptr_array_new_with_free_func(g_free);
    e->expected_children = g_hash_table_new_full(g_direct_hash,
                                                 g_direct_equal, NULL,
                                                 g_free);
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
    g_hash_table_destroy(e->paths);
    g_queue_clear(&e->path_queue);
    g_hash_table_destroy(e->edge_index);
    g_ptr_array_free(e->edges, TRUE);
    g_ptr_array_free(e->nodes, TRUE);
    g_free(e->pending_buckets);
    g_free(e->pending);
    g_hash_table_destroy(e->fd_cache);
    g_free(e->fd_pool);
    g_ptr_array_free(e->pending_endpoints, TRUE);
    g_hash_table_destroy(e->expected_children);
    g_free(e);
}

/* Linux's anonymous devices (tmpfs, pipefs, sockfs, ...): major 0. */
static bool st_dev_is_anonymous(uint64_t dev)
{
    return (dev >> ST_KDEV_MINOR_BITS) == 0;
}

void st_engine_new_boot(StEngine *e)
{
    uint64_t fd_drops;
    guint i;

    for (i = 0; i < e->nodes->len; i++) {
        StNode *n = g_ptr_array_index(e->nodes, i);

        if (n->info.kind == ST_ENGINE_KIND_PROCESS) {
            if (g_hash_table_lookup(e->processes, &n->key.process) == n) {
                g_hash_table_remove(e->processes, &n->key.process);
            }
            if (!n->info.dead) {
                n->info.dead = true;
                e->n_live_processes--;
            }
            continue;
        }
        if (n->info.kind == ST_ENGINE_KIND_ENDPOINT ||
            !st_dev_is_anonymous(n->info.dev) ||
            g_hash_table_lookup(e->inodes, &n->key.inode) != n) {
            continue;
        }
        /* Its inode number may be handed out again: retire the node. */
        g_hash_table_remove(e->inodes, &n->key.inode);
        st_node_unindex_path(e, n);
        if (n->socket_indexed &&
            g_hash_table_lookup(e->inet_sockets, &n->socket_key) == n) {
            g_hash_table_remove(e->inet_sockets, &n->socket_key);
        }
        n->socket_indexed = false;
        n->info.path_pending = false;
        n->info.deleted = true;
    }
    g_hash_table_remove_all(e->process_by_tgid);
    g_hash_table_remove_all(e->expected_children);
    g_ptr_array_set_size(e->pending_endpoints, 0);
    e->n_read_sources = g_hash_table_size(e->inodes);
    for (i = 0; i < e->cfg.max_pending && e->n_pending; i++) {
        if (e->pending[i].used) {
            st_pending_remove(e, &e->pending[i]);
        }
    }
    /* Not lost information: the old boot's fds are gone with it. */
    fd_drops = e->counters.drops[ST_ENGINE_DROP_FD_CACHE];
    st_fd_cache_flush(e);
    e->counters.drops[ST_ENGINE_DROP_FD_CACHE] = fd_drops;
    memset(e->untracked, 0, sizeof(e->untracked));
    e->process_generation++;
    e->start_time_high_water = 0;
}

/* Syscall entry and exit */

void st_engine_syscall_entry(StEngine *e, const StEngineTask *task,
                             unsigned nr, const uint64_t *args,
                             uint64_t now_ns)
{
    StEngineFamily family = st_engine_syscall_family(nr);
    StNode *proc;
    StPending *p;

    if (family == ST_ENGINE_FAMILY_NONE) {
        return;
    }
    e->counters.entries++;
    e->last_ns = now_ns;
    if (task->tid_start_time > e->start_time_high_water) {
        e->start_time_high_water = task->tid_start_time;
    }
    if (task->start_time > e->start_time_high_water) {
        e->start_time_high_water = task->start_time;
    }
    if (e->n_pending) {
        p = st_pending_find(e, task->tid);
        if (p) {
            st_resolve_unpaired(e, p, task, now_ns);
        }
    }
    proc = st_task_process(e, task, now_ns);

    switch (family) {
    case ST_ENGINE_FAMILY_WRITE:
        if (!proc || !proc->info.labels) {
            return;             /* the hot path: nothing to carry */
        }
        p = st_pending_add(e, task, nr, family, args, now_ns);
        if (p && st_fd_lookup(e, task, (int)args[0], &p->target, true)) {
            p->have_target = true;
            st_channel_pretaint(e, p, &p->target, proc->info.labels, now_ns);
        }
        return;
    case ST_ENGINE_FAMILY_READ:
    case ST_ENGINE_FAMILY_TRANSFER:
        if (!e->n_read_sources) {
            return;
        }
        break;
    case ST_ENGINE_FAMILY_MMAP:
        if ((args[3] & ST_MAP_ANONYMOUS) || (int)args[4] < 0 ||
            (!proc && !e->n_read_sources)) {
            return;
        }
        break;
    case ST_ENGINE_FAMILY_CLONE:
        if (!proc) {
            return;
        }
        break;
    case ST_ENGINE_FAMILY_OPEN:
        if (!e->patterns->len) {
            return;
        }
        break;
    case ST_ENGINE_FAMILY_RENAME:
    case ST_ENGINE_FAMILY_UNLINK:
        if (!e->n_indexed_paths) {
            return;
        }
        break;
    case ST_ENGINE_FAMILY_EXIT:
        if (nr != ST_NR_EXIT || task->tid == task->tgid) {
            st_process_exit(e, task, now_ns);
        }
        return;
    case ST_ENGINE_FAMILY_FD:
        st_fd_bookkeeping(e, task, nr, args);
        return;
    default:
        break;
    }
    p = st_pending_add(e, task, nr, family, args, now_ns);
    if (p && family == ST_ENGINE_FAMILY_TRANSFER) {
        st_transfer_pretaint(e, p, proc, now_ns);
    }
}

void st_engine_syscall_exit(StEngine *e, const StEngineTask *task,
                            unsigned nr, int64_t ret, uint64_t now_ns)
{
    StPending *p;

    if (!e->n_pending) {
        return;
    }
    p = st_pending_find(e, task->tid);
    if (!p) {
        return;
    }
    if (p->task.tid_start_time != task->tid_start_time || p->nr != nr) {
        st_resolve_unpaired(e, p, NULL, now_ns);
        return;
    }
    e->counters.exits++;
    e->last_ns = now_ns;
    if (ret >= 0) {
        switch (p->family) {
        case ST_ENGINE_FAMILY_READ:
            if (ret > 0) {
                st_rule_read(e, p, st_bytes_moved(e, p, ret, true), true,
                             now_ns);
            }
            break;
        case ST_ENGINE_FAMILY_WRITE:
            if (ret > 0) {
                st_rule_write(e, p, st_bytes_moved(e, p, ret, true), true,
                              now_ns);
            }
            break;
        case ST_ENGINE_FAMILY_TRANSFER:
            if (ret > 0) {
                st_rule_transfer(e, p, (uint64_t)ret, true, now_ns);
            }
            break;
        case ST_ENGINE_FAMILY_MMAP:
            st_rule_mmap(e, p, true, now_ns);
            break;
        case ST_ENGINE_FAMILY_CLONE:
            if (ret > 0) {
                st_rule_clone(e, p, ret, now_ns);
            }
            break;
        case ST_ENGINE_FAMILY_EXECVE:
            st_rule_execve(e, task);
            break;
        case ST_ENGINE_FAMILY_OPEN:
            st_rule_open(e, p, ret, now_ns);
            break;
        case ST_ENGINE_FAMILY_RENAME:
            st_rule_rename(e, p, now_ns);
            break;
        case ST_ENGINE_FAMILY_UNLINK:
            st_rule_unlink(e, p);
            break;
        default:
            break;
        }
    }
    st_pending_remove(e, p);
}

/* Queries */

const StEngineNodeInfo *st_engine_node(StEngine *e, uint64_t node_id)
{
    StNode *n = st_node_by_id(e, node_id);

    return n ? &n->info : NULL;
}

const StEngineNodeInfo *st_engine_find_inode(StEngine *e, uint64_t dev,
                                             uint64_t ino)
{
    StNode *n = st_inode_lookup(e, dev, ino);

    return n ? &n->info : NULL;
}

const StEngineNodeInfo *st_engine_find_process(StEngine *e, uint32_t tgid,
                                               uint64_t start_time)
{
    StNode *n = st_process_lookup(e, tgid, start_time);

    return n ? &n->info : NULL;
}

void st_engine_foreach_node(StEngine *e, StEngineKind kind,
                            StEngineNodeFn fn, void *opaque)
{
    unsigned i;

    for (i = 0; i < e->nodes->len; i++) {
        StNode *n = g_ptr_array_index(e->nodes, i);

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
    out->nodes = e->nodes->len;
    out->flows = e->edges->len;
    out->pending_endpoints = e->pending_endpoints->len;
}
