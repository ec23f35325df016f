/*
 * secret-tracker engine: nodes, their eviction, the path index and queue
 *
 * A node is anything that can hold labels: an inode (file, pipe, socket,
 * block device, ...), a process or a remote endpoint.  The table is
 * bounded: secrets (registered nodes) and live tracked processes stay;
 * every other node is evictable, and the least recently used one makes
 * room for a new node, sinks first (endpoints, character devices and dead
 * processes pass no labels on: evicting them loses no taint).  An evicted
 * node that flows name leaves a compact record behind, so that the flows
 * still render.  File nodes are indexed
 * by their current path so that renames and unlinks, seen by path, find
 * them.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "engine-internal.h"

/* Eviction looks this far past nodes that the current event uses. */
#define ST_EVICT_SCAN 32

bool st_kind_is_inode(StEngineKind kind)
{
    return kind != ST_ENGINE_KIND_PROCESS && kind != ST_ENGINE_KIND_ENDPOINT;
}

bool st_kind_has_path(StEngineKind kind)
{
    return st_kind_is_inode(kind) && kind != ST_ENGINE_KIND_PIPE &&
           kind != ST_ENGINE_KIND_SOCKET && kind != ST_ENGINE_KIND_IPC;
}

/* The labels a reader of @n receives. */
uint64_t st_node_read_labels(const StNode *n)
{
    switch (n->info.kind) {
    case ST_ENGINE_KIND_SOCKET:
        return n->info.rx_labels;
    case ST_ENGINE_KIND_CHARDEV:
    case ST_ENGINE_KIND_PROCESS:
    case ST_ENGINE_KIND_ENDPOINT:
        return 0;
    default:
        return n->info.labels;
    }
}

/* Whether a read may find labels at all: tracked inodes or endpoints. */
bool st_have_read_sources(StEngine *e)
{
    return g_hash_table_size(e->inodes) || e->pending_endpoints->len;
}

/* Mark @n used by the current event: most recently used, not evicted. */
void st_node_use(StEngine *e, StNode *n)
{
    n->used_event = e->event;
    if (n->lru_class != ST_LRU_KEPT) {
        QTAILQ_REMOVE(&e->node_lru[n->lru_class], n, lru);
        QTAILQ_INSERT_TAIL(&e->node_lru[n->lru_class], n, lru);
    }
}

StNode *st_node_by_id(StEngine *e, uint64_t id)
{
    StNode *n = g_hash_table_lookup(e->node_ids, &id);

    if (n) {
        st_node_use(e, n);
    }
    return n;
}

static unsigned st_node_lru_class(const StNode *n)
{
    if (n->info.registered) {
        return ST_LRU_KEPT;
    }
    switch (n->info.kind) {
    case ST_ENGINE_KIND_PROCESS:
        return n->info.dead ? ST_LRU_SINKS : ST_LRU_KEPT;
    case ST_ENGINE_KIND_ENDPOINT:
    case ST_ENGINE_KIND_CHARDEV:
        return ST_LRU_SINKS;
    default:
        return ST_LRU_CARRIERS;
    }
}

/*
 * Put @n in the eviction class it now deserves (it was registered, its
 * process died, its kind became known).
 */
void st_node_set_evictable(StEngine *e, StNode *n)
{
    unsigned cls = st_node_lru_class(n);

    if (cls == n->lru_class) {
        return;
    }
    if (n->lru_class != ST_LRU_KEPT) {
        QTAILQ_REMOVE(&e->node_lru[n->lru_class], n, lru);
    }
    n->lru_class = cls;
    if (cls != ST_LRU_KEPT) {
        QTAILQ_INSERT_TAIL(&e->node_lru[cls], n, lru);
    }
}

static void st_node_unqueue_path(StEngine *e, StNode *n)
{
    if (n->info.path_pending) {
        g_queue_unlink(&e->path_queue, &n->path_link);
        n->info.path_pending = false;
    }
}

static void st_remove_if(GHashTable *table, gconstpointer key, StNode *n)
{
    if (g_hash_table_lookup(table, key) == n) {
        g_hash_table_remove(table, key);
    }
}

/* Take @n out of every index, keep a record if flows name it, free it. */
static void st_node_evict(StEngine *e, StNode *n)
{
    uint64_t id = n->info.id;

    if (n->info.kind == ST_ENGINE_KIND_PROCESS) {
        st_remove_if(e->processes, &n->key.process, n);
        st_remove_if(e->process_by_tgid, GUINT_TO_POINTER(n->info.tgid), n);
    } else if (n->info.kind == ST_ENGINE_KIND_ENDPOINT) {
        st_remove_if(e->endpoints, &n->info.endpoint, n);
    } else {
        st_remove_if(e->inodes, &n->key.inode, n);
    }
    if (n->socket_indexed) {
        st_remove_if(e->inet_sockets, &n->socket_key, n);
    }
    if (n->device_indexed) {
        st_remove_if(e->devices, &n->info.rdev, n);
    }
    st_node_unindex_path(e, n);
    st_node_unqueue_path(e, n);
    QTAILQ_REMOVE(&e->node_order, n, order);
    if (n->lru_class != ST_LRU_KEPT) {
        QTAILQ_REMOVE(&e->node_lru[n->lru_class], n, lru);
    }
    g_hash_table_steal(e->node_ids, &id);
    if (n->n_edges) {
        StNodeRecord *rec = g_new(StNodeRecord, 1);

        rec->info = n->info;
        rec->info.evicted = true;
        rec->info.path_pending = false;
        rec->path = n->path;
        rec->info.path = rec->path;
        n->path = NULL;
        g_hash_table_insert(e->node_records, &rec->info.id, rec);
    }
    st_node_free(n);
    e->counters.drops[ST_ENGINE_DROP_NODES_EVICTED]++;
}

/*
 * Make room for one node: the least recently used sink, else carrier, not
 * used by the current event; false if only nodes that stay are left.
 */
static bool st_node_make_room(StEngine *e)
{
    unsigned cls, scanned;
    StNode *n;

    for (cls = ST_LRU_SINKS; cls < ST_LRU__MAX; cls++) {
        scanned = 0;
        QTAILQ_FOREACH(n, &e->node_lru[cls], lru) {
            if (n->used_event != e->event) {
                st_node_evict(e, n);
                return true;
            }
            if (++scanned >= ST_EVICT_SCAN) {
                break;
            }
        }
    }
    return false;
}

StNode *st_node_new(StEngine *e, StEngineKind kind, uint64_t now)
{
    StNode *n;

    if (g_hash_table_size(e->node_ids) >= e->cfg.max_nodes &&
        !st_node_make_room(e)) {
        e->counters.drops[ST_ENGINE_DROP_NODES]++;
        return NULL;
    }
    n = g_new0(StNode, 1);
    n->info.id = ++e->next_node_id;
    n->info.kind = kind;
    n->info.first_seen_ns = now;
    n->path_link.data = n;
    g_hash_table_insert(e->node_ids, &n->info.id, n);
    QTAILQ_INSERT_TAIL(&e->node_order, n, order);
    st_node_use(e, n);
    st_node_set_evictable(e, n);
    return n;
}

void st_node_free(gpointer data)
{
    StNode *n = data;

    g_free(n->path);
    g_free(n);
}

void st_node_record_free(gpointer data)
{
    StNodeRecord *rec = data;

    g_free(rec->path);
    g_free(rec);
}

void st_node_unindex_path(StEngine *e, StNode *n)
{
    if (n->path && g_hash_table_lookup(e->paths, n->path) == n) {
        g_hash_table_remove(e->paths, n->path);
        e->n_indexed_paths--;
    }
}

/* Give @n the path @path (taken over), indexed if it is a real path. */
void st_node_take_path(StEngine *e, StNode *n, char *path)
{
    st_node_unindex_path(e, n);
    g_free(n->path);
    n->path = path;
    n->info.path = path;
    if (path && st_kind_has_path(n->info.kind) && !n->info.deleted) {
        StNode *old = g_hash_table_lookup(e->paths, path);

        if (!old) {
            e->n_indexed_paths++;
        }
        g_hash_table_replace(e->paths, path, n);
    }
}

/* Queue @n for a path, resolved later off the hot path. */
static void st_node_want_path(StEngine *e, StNode *n)
{
    if (n->path || n->info.path_pending || !n->have_handle ||
        !st_kind_has_path(n->info.kind)) {
        return;
    }
    n->info.path_pending = true;
    g_queue_push_tail_link(&e->path_queue, &n->path_link);
    e->counters.path_requests++;
}

bool st_engine_paths_wanted(const StEngine *e)
{
    return e->path_queue.length != 0;
}

bool st_engine_next_path_request(StEngine *e, uint64_t *node_id,
                                 StEngineObject *obj)
{
    GList *link = g_queue_pop_head_link(&e->path_queue);
    StNode *n;

    if (!link) {
        return false;
    }
    n = link->data;
    n->info.path_pending = false;
    *node_id = n->info.id;
    *obj = n->obj;
    return true;
}

bool st_engine_set_path(StEngine *e, uint64_t node_id, const char *path)
{
    StNode *n = g_hash_table_lookup(e->node_ids, &node_id);

    if (!n || !path || !st_kind_is_inode(n->info.kind)) {
        return false;
    }
    st_node_unqueue_path(e, n);
    e->counters.path_resolutions++;
    st_node_take_path(e, n, g_strndup(path, ST_ENGINE_PATH_MAX - 1));
    return true;
}

/*
 * Resolve up to @max queued paths now, on the hook path: a rename or
 * unlink is matched by path, and the resolver's bottom half may lag
 * behind a busy vCPU (a file created, then unlinked at once).  Rare:
 * only when such a call comes while paths are queued.
 */
void st_node_paths_settle(StEngine *e, unsigned max)
{
    StEngineObject obj;
    uint64_t id;

    while (max-- && e->cfg.ops.get_queued_path &&
           st_engine_next_path_request(e, &id, &obj)) {
        e->counters.paths_settled++;
        if (e->cfg.ops.get_queued_path(e->cfg.opaque, &obj, e->path_buf,
                                       sizeof(e->path_buf))) {
            st_engine_set_path(e, id, e->path_buf);
        }
    }
}

/* Keep an inet socket node findable by its current (local, peer). */
static void st_node_socket_reindex(StEngine *e, StNode *n,
                                   const StEngineObject *obj)
{
    StSocketAddrKey key;

    if (obj->sock_family != ST_AF_INET && obj->sock_family != ST_AF_INET6) {
        return;
    }
    key.local = obj->local;
    key.peer = obj->peer;
    if (n->socket_indexed &&
        memcmp(&key, &n->socket_key, sizeof(key)) == 0) {
        return;
    }
    if (n->socket_indexed) {
        st_remove_if(e->inet_sockets, &n->socket_key, n);
    }
    n->socket_key = key;
    n->socket_indexed = true;
    n->info.endpoint = obj->local;
    n->info.peer = obj->peer;
    g_hash_table_replace(e->inet_sockets, &n->socket_key, n);
}

/* Bring a known inode node up to date with a fresh resolution. */
static void st_node_refresh(StEngine *e, StNode *n, const StEngineObject *obj)
{
    if (n->info.kind == ST_ENGINE_KIND_UNKNOWN &&
        obj->kind != ST_ENGINE_KIND_UNKNOWN) {
        n->info.kind = obj->kind;
        st_node_set_evictable(e, n);
        if (n->info.kind == ST_ENGINE_KIND_PIPE ||
            n->info.kind == ST_ENGINE_KIND_SOCKET) {
            st_node_take_path(e, n, g_strdup_printf(
                "%s:[%" PRIu64 "]", st_engine_kind_name(n->info.kind),
                n->info.ino));
        }
    }
    if (obj->rdev) {
        n->info.rdev = obj->rdev;
    }
    if (!n->have_handle && (obj->path_handle[0] || obj->path_handle[1])) {
        n->obj = *obj;
        n->have_handle = true;
        st_node_want_path(e, n);
    }
    if (n->info.kind == ST_ENGINE_KIND_SOCKET) {
        st_node_socket_reindex(e, n, obj);
        if (!n->info.endpoint.family) {
            n->info.endpoint.family = obj->sock_family;
        }
        /* A bound unix socket is known by its address. */
        if (obj->unix_path[0] && (!n->path || strncmp(n->path,
                                  obj->unix_path, sizeof(obj->unix_path)))) {
            st_node_take_path(e, n, g_strndup(obj->unix_path,
                                              sizeof(obj->unix_path) - 1));
        }
    }
}

StNode *st_inode_lookup(StEngine *e, uint64_t dev, uint64_t ino)
{
    StInodeKey key = { .dev = dev, .ino = ino };
    StNode *n = g_hash_table_lookup(e->inodes, &key);

    if (n) {
        st_node_use(e, n);
    }
    return n;
}

/*
 * The node of @obj, created (without labels yet) if @create.  A known
 * @path (taken over) spares a path request.
 */
StNode *st_object_node_with_path(StEngine *e, const StEngineObject *obj,
                                 bool create, char *path, uint64_t now)
{
    StNode *n = st_inode_lookup(e, obj->dev, obj->ino);

    if (n) {
        st_node_refresh(e, n, obj);
        /*
         * A name it already has stays: opening it through a hard link does
         * not rename it (a rename does, see engine-fs.c).
         */
        if (path && (!n->info.path || n->info.deleted)) {
            st_node_unqueue_path(e, n);
            st_node_take_path(e, n, path);
        } else {
            g_free(path);
        }
        return n;
    }
    if (!create) {
        g_free(path);
        return NULL;
    }
    n = st_node_new(e, obj->kind, now);
    if (!n) {
        g_free(path);
        return NULL;
    }
    n->info.dev = obj->dev;
    n->info.ino = obj->ino;
    n->key.inode.dev = obj->dev;
    n->key.inode.ino = obj->ino;
    g_hash_table_insert(e->inodes, &n->key.inode, n);
    if (path) {
        st_node_take_path(e, n, path);
    }
    if (obj->kind == ST_ENGINE_KIND_UNKNOWN) {
        return n;
    }
    /* Set kind through refresh so that renderings and handles follow. */
    n->info.kind = ST_ENGINE_KIND_UNKNOWN;
    st_node_refresh(e, n, obj);
    return n;
}

StNode *st_object_node(StEngine *e, const StEngineObject *obj, bool create,
                       uint64_t now)
{
    return st_object_node_with_path(e, obj, create, NULL, now);
}

/* Linux's anonymous devices (tmpfs, pipefs, sockfs, ...): major 0. */
static bool st_dev_is_anonymous(uint64_t dev)
{
    return (dev >> ST_KDEV_MINOR_BITS) == 0;
}

/*
 * A reboot: processes end; inode nodes on anonymous devices are retired,
 * since their inode numbers start over.
 */
void st_nodes_retire_boot(StEngine *e)
{
    StNode *n;

    QTAILQ_FOREACH(n, &e->node_order, order) {
        if (n->info.kind == ST_ENGINE_KIND_PROCESS) {
            st_remove_if(e->processes, &n->key.process, n);
            if (!n->info.dead) {
                n->info.dead = true;
                e->n_live_processes--;
                st_node_set_evictable(e, n);
            }
            continue;
        }
        /* SysV ids and the engine's own ids start over too. */
        if (n->info.kind == ST_ENGINE_KIND_ENDPOINT ||
            (!st_dev_is_anonymous(n->info.dev) &&
             n->info.kind != ST_ENGINE_KIND_IPC) ||
            g_hash_table_lookup(e->inodes, &n->key.inode) != n) {
            continue;
        }
        /* Its inode number may be handed out again: retire the node. */
        g_hash_table_remove(e->inodes, &n->key.inode);
        st_node_unindex_path(e, n);
        st_node_unqueue_path(e, n);
        if (n->socket_indexed) {
            st_remove_if(e->inet_sockets, &n->socket_key, n);
        }
        n->socket_indexed = false;
        if (n->device_indexed) {
            st_remove_if(e->devices, &n->info.rdev, n);
        }
        n->device_indexed = false;
        n->info.deleted = true;
    }
}
