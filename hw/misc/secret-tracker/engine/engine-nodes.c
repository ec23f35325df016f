/*
 * secret-tracker engine: nodes, the path index and the path queue
 *
 * A node is anything that can hold labels: an inode (file, pipe, socket,
 * ...), a process or a remote endpoint.  File nodes are indexed by their
 * current path so that renames and unlinks, seen by path, find them.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "engine-internal.h"

bool st_kind_is_inode(StEngineKind kind)
{
    return kind != ST_ENGINE_KIND_PROCESS && kind != ST_ENGINE_KIND_ENDPOINT;
}

bool st_kind_has_path(StEngineKind kind)
{
    return st_kind_is_inode(kind) && kind != ST_ENGINE_KIND_PIPE &&
           kind != ST_ENGINE_KIND_SOCKET;
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

StNode *st_node_by_id(StEngine *e, uint64_t id)
{
    if (id == 0 || id > e->nodes->len) {
        return NULL;
    }
    return g_ptr_array_index(e->nodes, id - 1);
}

StNode *st_node_new(StEngine *e, StEngineKind kind, uint64_t now)
{
    StNode *n;

    if (e->nodes->len >= e->cfg.max_nodes) {
        e->counters.drops[ST_ENGINE_DROP_NODES]++;
        return NULL;
    }
    n = g_new0(StNode, 1);
    n->info.id = e->nodes->len + 1;
    n->info.kind = kind;
    n->info.first_seen_ns = now;
    g_ptr_array_add(e->nodes, n);
    return n;
}

void st_node_free(gpointer data)
{
    StNode *n = data;

    g_free(n->path);
    g_free(n);
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
        if (!g_hash_table_lookup(e->paths, path)) {
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
    g_queue_push_tail(&e->path_queue, GUINT_TO_POINTER(n->info.id));
    e->counters.path_requests++;
}

bool st_engine_next_path_request(StEngine *e, uint64_t *node_id,
                                 StEngineObject *obj)
{
    while (!g_queue_is_empty(&e->path_queue)) {
        uint64_t id = GPOINTER_TO_UINT(g_queue_pop_head(&e->path_queue));
        StNode *n = st_node_by_id(e, id);

        if (!n || !n->info.path_pending) {
            continue;
        }
        n->info.path_pending = false;
        *node_id = id;
        *obj = n->obj;
        return true;
    }
    return false;
}

bool st_engine_set_path(StEngine *e, uint64_t node_id, const char *path)
{
    StNode *n = st_node_by_id(e, node_id);

    if (!n || !path || !st_kind_is_inode(n->info.kind)) {
        return false;
    }
    n->info.path_pending = false;
    e->counters.path_resolutions++;
    st_node_take_path(e, n, g_strndup(path, ST_ENGINE_PATH_MAX - 1));
    return true;
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
    if (n->socket_indexed &&
        g_hash_table_lookup(e->inet_sockets, &n->socket_key) == n) {
        g_hash_table_remove(e->inet_sockets, &n->socket_key);
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
        if (n->info.kind == ST_ENGINE_KIND_PIPE ||
            n->info.kind == ST_ENGINE_KIND_SOCKET) {
            st_node_take_path(e, n, g_strdup_printf(
                "%s:[%" PRIu64 "]", st_engine_kind_name(n->info.kind),
                n->info.ino));
        }
    }
    if (!n->have_handle && (obj->path_handle[0] || obj->path_handle[1])) {
        n->obj = *obj;
        n->have_handle = true;
        st_node_want_path(e, n);
    }
    if (n->info.kind == ST_ENGINE_KIND_SOCKET) {
        st_node_socket_reindex(e, n, obj);
    }
}

StNode *st_inode_lookup(StEngine *e, uint64_t dev, uint64_t ino)
{
    StInodeKey key = { .dev = dev, .ino = ino };

    return g_hash_table_lookup(e->inodes, &key);
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
            n->info.path_pending = false;
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
    e->n_read_sources++;
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
