/*
 * secret-tracker: tracking engine
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <fnmatch.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "hw/misc/secret-tracker/engine/engine.h"

/* Linux UAPI constants the rules depend on (x86-64 values). */
#define ST_CLONE_THREAD 0x00010000
#define ST_PROT_READ 0x1
#define ST_PROT_WRITE 0x2
#define ST_MAP_TYPE 0x0f
#define ST_MAP_SHARED 0x01
#define ST_MAP_SHARED_VALIDATE 0x03
#define ST_MAP_ANONYMOUS 0x20
#define ST_AT_FDCWD (-100)

/* Syscall numbers the rules need to tell apart within a family. */
#define ST_NR_CLOSE 3
#define ST_NR_DUP2 33
#define ST_NR_SENDFILE 40
#define ST_NR_CONNECT 42
#define ST_NR_BIND 49
#define ST_NR_CLONE 56
#define ST_NR_EXIT 60
#define ST_NR_RENAME 82
#define ST_NR_UNLINK 87
#define ST_NR_OPEN 2
#define ST_NR_TEE 276
#define ST_NR_DUP3 292
#define ST_NR_RECVMMSG 299
#define ST_NR_SENDMMSG 307
#define ST_NR_CLOSE_RANGE 436

#define ST_NONE UINT32_MAX

/* Two- and three-word hash keys (inodes, processes, edges, fd cache). */
typedef struct StKey2 {
    uint64_t a;
    uint64_t b;
} StKey2;

typedef struct StKey3 {
    uint64_t a;
    uint64_t b;
    uint64_t c;
} StKey3;

/* A socket's (local, peer) pair, the key of the loopback peer index. */
typedef struct StEpPair {
    StEngineEndpoint local;
    StEngineEndpoint peer;
} StEpPair;

typedef struct StNode {
    StEngineNodeInfo info;      /* first: what queries see */
    StKey2 key;                 /* (dev, ino) or (tgid, start_time) */
    StEpPair sock_key;          /* sockets: key in sock_index */
    bool sock_indexed;
    char *path;                 /* owned; info.path points here */
    StEngineObject obj;         /* last object seen, for its path handle */
    bool have_handle;
    uint64_t tracked_hwm;       /* processes: start-time high water mark */
} StNode;

typedef struct StEdge {
    StEngineFlowInfo info;
    StKey3 key;                 /* (src, dst, family) */
    char *old_path;
    char *new_path;
} StEdge;

/* A syscall entry waiting for its exit, in a fixed pool. */
typedef struct StPending {
    StEngineTask task;
    unsigned nr;
    StEngineFamily family;
    uint64_t args[ST_ENGINE_NR_ARGS];
    uint64_t ns;
    bool have_target;
    StEngineObject target;
    uint32_t next;              /* bucket chain or free list */
    bool used;
} StPending;

typedef struct StFdEntry {
    StKey3 key;                 /* (tgid, start_time, fd) */
    StEngineObject obj;
    uint32_t next_free;
} StFdEntry;

/* Labels sent to a loopback endpoint whose socket is not known yet. */
typedef struct StPendingEp {
    StEngineEndpoint dst;
    StEngineEndpoint src;
    uint64_t labels;
    uint64_t src_node;
    unsigned nr;
    uint64_t count;
    uint64_t bytes;
    uint64_t first_ns;
    uint64_t last_ns;
} StPendingEp;

/* A child tid returned to a tracked parent, waiting to appear. */
typedef struct StChild {
    uint64_t parent_node;
    unsigned nr;
    uint64_t ns;
} StChild;

/*
 * A process found untracked, valid while proc_gen is unchanged: spares
 * the first-appearance checks (and task details) at its next syscalls.
 */
#define ST_NEG_SLOTS 64

typedef struct StNegEntry {
    uint32_t tgid;
    uint64_t start_time;
    uint64_t gen;
} StNegEntry;

typedef struct StPattern {
    char *glob;
    const char *base;           /* last component, NULL if unknown */
    unsigned label;
} StPattern;

struct StEngine {
    StEngineConfig cfg;
    StEngineCounters counters;

    char *labels[ST_ENGINE_MAX_LABELS];
    unsigned n_labels;
    GPtrArray *patterns;

    GPtrArray *nodes;           /* by id - 1 */
    GHashTable *inodes;
    GHashTable *procs;
    GHashTable *tgids;          /* tgid -> latest process node */
    GHashTable *endpoints;
    GHashTable *sock_index;
    GHashTable *paths;          /* current path -> file node */
    GQueue path_queue;
    unsigned n_sources;         /* inode nodes: reads may need resolving */
    unsigned n_paths;

    GPtrArray *edges;           /* by id - 1 */
    GHashTable *edge_index;

    StPending *pending;
    uint32_t *pending_buckets;
    uint32_t pending_mask;
    uint32_t pending_free;
    unsigned n_pending;

    StFdEntry *fd_pool;
    uint32_t fd_free;
    GHashTable *fd_cache;

    GPtrArray *pending_eps;
    GHashTable *children;       /* tid -> StChild */

    unsigned n_live_procs;      /* tracked processes not dead */
    uint64_t hwm;               /* highest task start time seen */
    uint64_t last_ns;
    uint64_t proc_gen;          /* bumps when process tracking may change */
    StNegEntry neg[ST_NEG_SLOTS];   /* processes recently found untracked */

    char path_buf[ST_ENGINE_PATH_MAX];
    char path_buf2[ST_ENGINE_PATH_MAX];
};

/* Hashing */

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

static guint st_key2_hash(gconstpointer k)
{
    const StKey2 *key = k;
    uint64_t h = key->a * 0x9e3779b97f4a7c15ull ^ key->b;

    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return (guint)(h ^ (h >> 32));
}

static gboolean st_key2_equal(gconstpointer a, gconstpointer b)
{
    const StKey2 *x = a, *y = b;

    return x->a == y->a && x->b == y->b;
}

static guint st_key3_hash(gconstpointer k)
{
    const StKey3 *key = k;
    uint64_t h = (key->a * 0x9e3779b97f4a7c15ull ^ key->b) *
                 0xbf58476d1ce4e5b9ull ^ key->c;

    h ^= h >> 31;
    h *= 0x94d049bb133111ebull;
    return (guint)(h ^ (h >> 32));
}

static gboolean st_key3_equal(gconstpointer a, gconstpointer b)
{
    const StKey3 *x = a, *y = b;

    return x->a == y->a && x->b == y->b && x->c == y->c;
}

static guint st_endpoint_hash(gconstpointer k)
{
    return st_hash_bytes(k, sizeof(StEngineEndpoint));
}

static gboolean st_endpoint_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(StEngineEndpoint)) == 0;
}

static guint st_ep_pair_hash(gconstpointer k)
{
    return st_hash_bytes(k, sizeof(StEpPair));
}

static gboolean st_ep_pair_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(StEpPair)) == 0;
}

/* Endpoints */

static void st_endpoint_normalize(StEngineEndpoint *ep)
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

static bool st_endpoint_equal_raw(const StEngineEndpoint *a,
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

/* Labels */

static int st_label_intern(StEngine *e, const char *name, GError **errp)
{
    unsigned i;

    for (i = 0; i < e->n_labels; i++) {
        if (strcmp(e->labels[i], name) == 0) {
            return i;
        }
    }
    if (e->n_labels >= ST_ENGINE_MAX_LABELS) {
        e->counters.drops[ST_ENGINE_DROP_LABELS]++;
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "secret-tracker: at most %d labels can be registered",
                    ST_ENGINE_MAX_LABELS);
        return -1;
    }
    e->labels[e->n_labels] = g_strdup(name);
    return e->n_labels++;
}

const char *st_engine_label_name(StEngine *e, unsigned index)
{
    return index < e->n_labels ? e->labels[index] : NULL;
}

char *st_engine_labels_to_string(StEngine *e, uint64_t mask)
{
    GString *s = g_string_new("");
    unsigned i;

    for (i = 0; i < e->n_labels; i++) {
        if (mask & (1ull << i)) {
            if (s->len) {
                g_string_append_c(s, ',');
            }
            g_string_append(s, e->labels[i]);
        }
    }
    return g_string_free(s, FALSE);
}

/* Nodes */

static bool st_kind_is_inode(StEngineKind kind)
{
    return kind != ST_ENGINE_KIND_PROCESS && kind != ST_ENGINE_KIND_ENDPOINT;
}

static bool st_kind_has_path(StEngineKind kind)
{
    return st_kind_is_inode(kind) && kind != ST_ENGINE_KIND_PIPE &&
           kind != ST_ENGINE_KIND_SOCKET;
}

/* The labels a reader of @n receives. */
static uint64_t st_node_read_labels(const StNode *n)
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

static StNode *st_node_by_id(StEngine *e, uint64_t id)
{
    if (id == 0 || id > e->nodes->len) {
        return NULL;
    }
    return g_ptr_array_index(e->nodes, id - 1);
}

static StNode *st_node_new(StEngine *e, StEngineKind kind, uint64_t now)
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

static void st_node_unindex_path(StEngine *e, StNode *n)
{
    if (n->path && g_hash_table_lookup(e->paths, n->path) == n) {
        g_hash_table_remove(e->paths, n->path);
        e->n_paths--;
    }
}

/* Give @n the path @path (taken over), indexed if it is a real path. */
static void st_node_take_path(StEngine *e, StNode *n, char *path)
{
    st_node_unindex_path(e, n);
    g_free(n->path);
    n->path = path;
    n->info.path = path;
    if (path && st_kind_has_path(n->info.kind) && !n->info.deleted) {
        if (!g_hash_table_lookup(e->paths, path)) {
            e->n_paths++;
        }
        g_hash_table_replace(e->paths, path, n);
    }
}

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

static void st_node_sock_reindex(StEngine *e, StNode *n,
                                 const StEngineObject *obj)
{
    StEpPair key;

    if (obj->sock_family != ST_AF_INET &&
        obj->sock_family != ST_AF_INET6) {
        return;
    }
    key.local = obj->local;
    key.peer = obj->peer;
    if (n->sock_indexed && memcmp(&key, &n->sock_key, sizeof(key)) == 0) {
        return;
    }
    if (n->sock_indexed &&
        g_hash_table_lookup(e->sock_index, &n->sock_key) == n) {
        g_hash_table_remove(e->sock_index, &n->sock_key);
    }
    n->sock_key = key;
    n->sock_indexed = true;
    n->info.endpoint = obj->local;
    n->info.peer = obj->peer;
    g_hash_table_replace(e->sock_index, &n->sock_key, n);
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
        st_node_sock_reindex(e, n, obj);
    }
}

static StNode *st_inode_lookup(StEngine *e, uint64_t dev, uint64_t ino)
{
    StKey2 key = { .a = dev, .b = ino };

    return g_hash_table_lookup(e->inodes, &key);
}

/*
 * The node of @obj, created (without labels yet) if @create.  A known
 * @path (taken over) spares a path request.
 */
static StNode *st_object_node_path(StEngine *e, const StEngineObject *obj,
                                   bool create, char *path, uint64_t now)
{
    StNode *n = st_inode_lookup(e, obj->dev, obj->ino);

    if (n) {
        st_node_refresh(e, n, obj);
        /*
         * A name it already has stays: opening it through a hard link does
         * not rename it (a rename does, through st_rename_node()).
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
    n->key.a = obj->dev;
    n->key.b = obj->ino;
    g_hash_table_insert(e->inodes, &n->key, n);
    e->n_sources++;
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

static StNode *st_object_node(StEngine *e, const StEngineObject *obj,
                              bool create, uint64_t now)
{
    return st_object_node_path(e, obj, create, NULL, now);
}

static StNode *st_proc_lookup(StEngine *e, uint32_t tgid, uint64_t start)
{
    StKey2 key = { .a = tgid, .b = start };

    return g_hash_table_lookup(e->procs, &key);
}

/* @task with its details, fetched into @tmp if the caller left them out. */
static const StEngineTask *st_task_full(StEngine *e, const StEngineTask *task,
                                        StEngineTask *tmp)
{
    if (task->details || !e->cfg.ops.task_details) {
        return task;
    }
    *tmp = *task;
    if (e->cfg.ops.task_details(e->cfg.opaque, tmp)) {
        tmp->details = true;
    } else {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
    }
    return tmp;
}

static StNode *st_proc_new(StEngine *e, const StEngineTask *task,
                           uint64_t now)
{
    StNode *n = st_node_new(e, ST_ENGINE_KIND_PROCESS, now);
    StEngineTask tmp;

    if (!n) {
        return NULL;
    }
    task = st_task_full(e, task, &tmp);
    n->info.tgid = task->tgid;
    n->info.start_time = task->start_time;
    n->info.ppid = task->ppid;
    memcpy(n->info.comm, task->comm, ST_ENGINE_COMM_LEN);
    n->info.comm[ST_ENGINE_COMM_LEN - 1] = '\0';
    n->key.a = task->tgid;
    n->key.b = task->start_time;
    n->tracked_hwm = e->hwm;
    g_hash_table_insert(e->procs, &n->key, n);
    g_hash_table_replace(e->tgids, GUINT_TO_POINTER(task->tgid), n);
    e->n_live_procs++;
    e->proc_gen++;
    return n;
}

/* Add @labels to @task's process, tracking it if needed. */
static StNode *st_proc_taint(StEngine *e, const StEngineTask *task,
                             uint64_t labels, uint64_t now)
{
    StNode *n = st_proc_lookup(e, task->tgid, task->start_time);

    if (!n) {
        n = st_proc_new(e, task, now);
        if (!n) {
            return NULL;
        }
    }
    n->info.labels |= labels;
    return n;
}

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

/* Flows */

static StEdge *st_edge_new(StEngine *e, const StNode *src, const StNode *dst,
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
    edge->key.a = src->info.id;
    edge->key.b = dst->info.id;
    edge->key.c = family;
    g_ptr_array_add(e->edges, edge);
    return edge;
}

static void st_edge_announce(StEngine *e, StEdge *edge)
{
    if (e->cfg.new_flow) {
        e->cfg.new_flow(e->cfg.new_flow_opaque, &edge->info);
    }
}

/*
 * Record @count calls moving @bytes with @labels from @src to @dst.  The
 * taint itself is the caller's job; a dropped edge loses only the record.
 */
static StEdge *st_flow(StEngine *e, const StNode *src, const StNode *dst,
                       StEngineFamily family, unsigned nr, uint64_t count,
                       uint64_t bytes, uint64_t labels, uint64_t first_ns,
                       uint64_t last_ns)
{
    StKey3 key = { .a = src->info.id, .b = dst->info.id, .c = family };
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
        return edge;
    }
    edge = st_edge_new(e, src, dst, family, nr, last_ns);
    if (!edge) {
        return NULL;
    }
    edge->info.first_ns = first_ns;
    edge->info.count = count;
    edge->info.bytes = bytes;
    edge->info.labels = labels;
    g_hash_table_insert(e->edge_index, &edge->key, edge);
    st_edge_announce(e, edge);
    return edge;
}

/* The fd cache */

static void st_fd_cache_remove_entry(StEngine *e, StFdEntry *ent)
{
    g_hash_table_remove(e->fd_cache, &ent->key);
    ent->next_free = e->fd_free;
    e->fd_free = ent - e->fd_pool;
}

static void st_fd_cache_flush(StEngine *e)
{
    unsigned i;

    e->counters.drops[ST_ENGINE_DROP_FD_CACHE] +=
        g_hash_table_size(e->fd_cache);
    g_hash_table_remove_all(e->fd_cache);
    e->fd_free = ST_NONE;
    for (i = e->cfg.max_fd_cache; i-- > 0;) {
        e->fd_pool[i].next_free = e->fd_free;
        e->fd_free = i;
    }
}

static void st_fd_cache_forget(StEngine *e, uint32_t tgid, uint64_t start,
                               int fd)
{
    StKey3 key = { .a = tgid, .b = start, .c = (uint32_t)fd };
    StFdEntry *ent;

    if (!g_hash_table_size(e->fd_cache)) {
        return;
    }
    ent = g_hash_table_lookup(e->fd_cache, &key);
    if (ent) {
        st_fd_cache_remove_entry(e, ent);
    }
}

/* Forget cached fds of a process in [@first, @last]. */
static void st_fd_cache_forget_range(StEngine *e, uint32_t tgid,
                                     uint64_t start, uint64_t first,
                                     uint64_t last)
{
    GHashTableIter it;
    gpointer value;

    if (!g_hash_table_size(e->fd_cache)) {
        return;
    }
    g_hash_table_iter_init(&it, e->fd_cache);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        StFdEntry *ent = value;

        if (ent->key.a == tgid && ent->key.b == start &&
            ent->key.c >= first && ent->key.c <= last) {
            g_hash_table_iter_remove(&it);
            ent->next_free = e->fd_free;
            e->fd_free = ent - e->fd_pool;
        }
    }
}

/*
 * What @fd of @task's process is.  With @ask false, only the cache is
 * consulted (for unpaired entries, whose task may be gone).
 */
static bool st_fd_lookup(StEngine *e, const StEngineTask *task, int fd,
                         StEngineObject *out, bool ask)
{
    StKey3 key = { .a = task->tgid, .b = task->start_time, .c = (uint32_t)fd };
    StFdEntry *ent;

    if (fd < 0) {
        return false;
    }
    ent = g_hash_table_lookup(e->fd_cache, &key);
    if (ent) {
        e->counters.fd_cache_hits++;
        *out = ent->obj;
        return true;
    }
    if (!ask) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    e->counters.fd_resolutions++;
    if (!e->cfg.ops.resolve_fd(e->cfg.opaque, task, fd, out)) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return false;
    }
    st_endpoint_normalize(&out->local);
    st_endpoint_normalize(&out->peer);
    if (e->fd_free == ST_NONE) {
        st_fd_cache_flush(e);
    }
    ent = &e->fd_pool[e->fd_free];
    e->fd_free = ent->next_free;
    ent->key = key;
    ent->obj = *out;
    g_hash_table_insert(e->fd_cache, &ent->key, ent);
    return true;
}

/* Pending entries: a fixed pool chained into buckets by tid. */

static StPending *st_pending_find(StEngine *e, uint32_t tid)
{
    uint32_t i = e->pending_buckets[tid & e->pending_mask];

    while (i != ST_NONE) {
        if (e->pending[i].task.tid == tid) {
            return &e->pending[i];
        }
        i = e->pending[i].next;
    }
    return NULL;
}

static void st_pending_remove(StEngine *e, StPending *p)
{
    uint32_t idx = p - e->pending;
    uint32_t *link = &e->pending_buckets[p->task.tid & e->pending_mask];

    while (*link != ST_NONE) {
        if (*link == idx) {
            *link = p->next;
            break;
        }
        link = &e->pending[*link].next;
    }
    p->used = false;
    p->next = e->pending_free;
    e->pending_free = idx;
    e->n_pending--;
}

static StPending *st_pending_add(StEngine *e, const StEngineTask *task,
                                 unsigned nr, StEngineFamily family,
                                 const uint64_t *args, uint64_t now)
{
    uint32_t idx = e->pending_free;
    uint32_t *bucket;
    StPending *p;

    if (idx == ST_NONE) {
        e->counters.drops[ST_ENGINE_DROP_PENDING]++;
        return NULL;
    }
    p = &e->pending[idx];
    e->pending_free = p->next;
    p->task = *task;
    p->nr = nr;
    p->family = family;
    memcpy(p->args, args, sizeof(p->args));
    p->ns = now;
    p->have_target = false;
    p->used = true;
    bucket = &e->pending_buckets[task->tid & e->pending_mask];
    p->next = *bucket;
    *bucket = idx;
    e->n_pending++;
    return p;
}

/* Local channels */

static StPendingEp *st_pending_ep_match(StEngine *e,
                                        const StEngineObject *obj)
{
    unsigned i;

    for (i = 0; i < e->pending_eps->len; i++) {
        StPendingEp *pe = g_ptr_array_index(e->pending_eps, i);

        /*
         * A socket closed at both ends has lost its local port (Linux
         * zeroes inet_num) while data may still wait to be read; its peer,
         * the sender's own address and port, still names the connection.
         */
        if (obj->local.port == 0 && obj->peer.family && pe->src.port &&
            st_endpoint_equal_raw(&obj->peer, &pe->src)) {
            return pe;
        }
        if (!st_endpoint_receives(&obj->local, &pe->dst)) {
            continue;
        }
        if (obj->peer.family == 0 || pe->src.family == 0 ||
            st_endpoint_equal_raw(&obj->peer, &pe->src)) {
            return pe;
        }
    }
    return NULL;
}

static void st_pending_ep_add(StEngine *e, const StEngineEndpoint *dst,
                              const StEngineEndpoint *src, const StNode *from,
                              unsigned nr, uint64_t labels, uint64_t count,
                              uint64_t bytes, uint64_t now)
{
    StPendingEp *pe;
    unsigned i;

    for (i = 0; i < e->pending_eps->len; i++) {
        pe = g_ptr_array_index(e->pending_eps, i);
        if (st_endpoint_equal_raw(&pe->dst, dst) &&
            st_endpoint_equal_raw(&pe->src, src) &&
            pe->src_node == from->info.id) {
            pe->labels |= labels;
            pe->count += count;
            pe->bytes += bytes;
            pe->last_ns = now;
            return;
        }
    }
    if (e->pending_eps->len >= e->cfg.max_endpoints) {
        /* A pre-taint (count 0) leaves the drop to the exit: one a send. */
        if (count) {
            e->counters.drops[ST_ENGINE_DROP_ENDPOINTS]++;
        }
        return;
    }
    pe = g_new0(StPendingEp, 1);
    pe->dst = *dst;
    pe->src = *src;
    pe->labels = labels;
    pe->src_node = from->info.id;
    pe->nr = nr;
    pe->count = count;
    pe->bytes = bytes;
    pe->first_ns = now;
    pe->last_ns = now;
    g_ptr_array_add(e->pending_eps, pe);
    e->n_sources++;
}

/* A known socket that receives what is sent to @dst from @src. */
static StNode *st_sock_peer_lookup(StEngine *e, const StEngineEndpoint *dst,
                                   const StEngineEndpoint *src)
{
    StEpPair key;
    StNode *n;

    memset(&key, 0, sizeof(key));
    key.local = *dst;
    key.peer = *src;
    n = g_hash_table_lookup(e->sock_index, &key);
    if (n) {
        return n;
    }
    /* Unconnected receivers (UDP), bound to the address or to any. */
    memset(&key.peer, 0, sizeof(key.peer));
    n = g_hash_table_lookup(e->sock_index, &key);
    if (n) {
        return n;
    }
    memset(key.local.addr, 0, sizeof(key.local.addr));
    return g_hash_table_lookup(e->sock_index, &key);
}

/* @sock (written by a tracked process) passes @labels on to its peer. */
static void st_socket_deliver(StEngine *e, const StEngineTask *task,
                              const StPending *p, StNode *sock,
                              const StEngineObject *obj, uint64_t labels,
                              uint64_t bytes, bool ask, uint64_t now)
{
    StEngineEndpoint dst;
    StNode *peer;

    if (obj->sock_family == ST_AF_UNIX) {
        StEngineObject peer_obj;

        if (!obj->peer_ino) {
            e->counters.drops[ST_ENGINE_DROP_PEER]++;
            return;
        }
        memset(&peer_obj, 0, sizeof(peer_obj));
        peer_obj.kind = ST_ENGINE_KIND_SOCKET;
        peer_obj.sock_family = ST_AF_UNIX;
        peer_obj.dev = obj->peer_dev ? obj->peer_dev : obj->dev;
        peer_obj.ino = obj->peer_ino;
        peer = st_object_node(e, &peer_obj, true, now);
        if (peer) {
            peer->info.labels |= labels;
            peer->info.rx_labels |= labels;
            st_flow(e, sock, peer, ST_ENGINE_FAMILY_WRITE, p->nr, 1, bytes,
                    labels, now, now);
        }
        return;
    }
    if (obj->sock_family != ST_AF_INET &&
        obj->sock_family != ST_AF_INET6) {
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
            st_flow(e, sock, peer, ST_ENGINE_FAMILY_WRITE, p->nr, 1, bytes,
                    labels, now, now);
        }
        return;
    }
    peer = st_sock_peer_lookup(e, &dst, &obj->local);
    if (peer && peer != sock) {
        peer->info.labels |= labels;
        peer->info.rx_labels |= labels;
        st_flow(e, sock, peer, ST_ENGINE_FAMILY_WRITE, p->nr, 1, bytes,
                labels, now, now);
        return;
    }
    st_pending_ep_add(e, &dst, &obj->local, sock, p->nr, labels, 1, bytes,
                      now);
}

/*
 * A reader can take data out of a pipe or socket before the writer's exit
 * is seen (the write wakes it first), so taint the channel, and a
 * connected socket's local peer, already at the entry.  Edges, counts and
 * bytes still come from a successful exit and merge with these.
 */
static void st_pretaint(StEngine *e, const StPending *p,
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
        StEngineObject peer_obj;

        if (!obj->peer_ino) {
            return;
        }
        memset(&peer_obj, 0, sizeof(peer_obj));
        peer_obj.kind = ST_ENGINE_KIND_SOCKET;
        peer_obj.sock_family = ST_AF_UNIX;
        peer_obj.dev = obj->peer_dev ? obj->peer_dev : obj->dev;
        peer_obj.ino = obj->peer_ino;
        peer = st_object_node(e, &peer_obj, true, now);
    } else if ((obj->sock_family == ST_AF_INET ||
                obj->sock_family == ST_AF_INET6) &&
               obj->peer.family && st_endpoint_is_local(&obj->peer)) {
        peer = st_sock_peer_lookup(e, &obj->peer, &obj->local);
        if (!peer) {
            st_pending_ep_add(e, &obj->peer, &obj->local, dst, p->nr, labels,
                              0, 0, now);
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
static StNode *st_source_node(StEngine *e, const StEngineObject *obj,
                              uint64_t now)
{
    StNode *n = st_object_node(e, obj, false, now);
    StPendingEp *pe;
    StNode *from;

    if (n || obj->kind != ST_ENGINE_KIND_SOCKET || !e->pending_eps->len) {
        return n;
    }
    pe = st_pending_ep_match(e, obj);
    if (!pe) {
        return NULL;
    }
    n = st_object_node(e, obj, true, now);
    if (!n) {
        return NULL;
    }
    n->info.labels |= pe->labels;
    n->info.rx_labels |= pe->labels;
    from = st_node_by_id(e, pe->src_node);
    if (from) {
        st_flow(e, from, n, ST_ENGINE_FAMILY_WRITE, pe->nr, pe->count,
                pe->bytes, pe->labels, pe->first_ns, pe->last_ns);
    }
    g_ptr_array_remove_fast(e->pending_eps, pe);     /* frees it */
    e->n_sources--;
    return n;
}

/* Rules, applied at exit (or to an unpaired entry, with ask = false). */

static uint64_t st_bytes(StEngine *e, const StPending *p, int64_t ret,
                         bool ask)
{
    if (p->nr == ST_NR_RECVMMSG || p->nr == ST_NR_SENDMMSG) {
        if (!ask || !e->cfg.ops.mmsg_bytes) {
            return 0;
        }
        return e->cfg.ops.mmsg_bytes(e->cfg.opaque, &p->task, p->nr, p->args,
                                     ret);
    }
    return ret > 0 ? (uint64_t)ret : 0;
}

static bool st_rule_read(StEngine *e, const StPending *p, uint64_t bytes,
                         bool ask, uint64_t now)
{
    StEngineObject obj;
    StNode *src, *proc;
    uint64_t labels;

    if (!st_fd_lookup(e, &p->task, (int)p->args[0], &obj, ask)) {
        return false;
    }
    src = st_source_node(e, &obj, now);
    labels = src ? st_node_read_labels(src) : 0;
    if (!labels) {
        return true;
    }
    proc = st_proc_taint(e, &p->task, labels, now);
    if (proc) {
        st_flow(e, src, proc, ST_ENGINE_FAMILY_READ, p->nr, 1, bytes, labels,
                now, now);
    }
    return true;
}

static bool st_rule_write(StEngine *e, StPending *p, uint64_t bytes, bool ask,
                          uint64_t now)
{
    StNode *proc = st_proc_lookup(e, p->task.tgid, p->task.start_time);
    StEngineObject *obj = &p->target;
    uint64_t labels;
    StNode *dst;

    if (!proc || !proc->info.labels) {
        return true;
    }
    if (!p->have_target) {
        if (!st_fd_lookup(e, &p->task, (int)p->args[0], obj, ask)) {
            return false;
        }
        p->have_target = true;
    } else if (ask && obj->kind == ST_ENGINE_KIND_SOCKET &&
               obj->sock_family != ST_AF_UNIX && obj->local.port == 0) {
        /* The send may have bound the socket: look again. */
        st_fd_cache_forget(e, p->task.tgid, p->task.start_time,
                           (int)p->args[0]);
        if (!st_fd_lookup(e, &p->task, (int)p->args[0], obj, true)) {
            return false;
        }
    }
    labels = proc->info.labels;
    dst = st_object_node(e, obj, true, now);
    if (!dst) {
        return true;
    }
    dst->info.labels |= labels;
    st_flow(e, proc, dst, ST_ENGINE_FAMILY_WRITE, p->nr, 1, bytes, labels,
            now, now);
    if (obj->kind == ST_ENGINE_KIND_SOCKET) {
        st_socket_deliver(e, &p->task, p, dst, obj, labels, bytes, ask, now);
    }
    return true;
}

static void st_transfer_fds(const StPending *p, int *in_fd, int *out_fd)
{
    switch (p->nr) {
    case ST_NR_SENDFILE:
        *out_fd = (int)p->args[0];
        *in_fd = (int)p->args[1];
        break;
    case ST_NR_TEE:
        *in_fd = (int)p->args[0];
        *out_fd = (int)p->args[1];
        break;
    default:                    /* splice, copy_file_range */
        *in_fd = (int)p->args[0];
        *out_fd = (int)p->args[2];
        break;
    }
}

/* A transfer into a pipe or socket: taint it at the entry (st_pretaint). */
static void st_transfer_pretaint(StEngine *e, const StPending *p,
                                 StNode *proc, uint64_t now)
{
    int in_fd, out_fd;
    StEngineObject in, out;
    StNode *src;
    uint64_t labels;

    st_transfer_fds(p, &in_fd, &out_fd);
    if (!st_fd_lookup(e, &p->task, in_fd, &in, true)) {
        return;
    }
    src = st_object_node(e, &in, false, now);
    labels = (src ? st_node_read_labels(src) : 0) |
             (proc ? proc->info.labels : 0);
    if (labels && st_fd_lookup(e, &p->task, out_fd, &out, true)) {
        st_pretaint(e, p, &out, labels, now);
    }
}

static bool st_rule_transfer(StEngine *e, const StPending *p, uint64_t bytes,
                             bool ask, uint64_t now)
{
    int in_fd, out_fd;
    StEngineObject in, out;
    StNode *src, *dst, *via;
    uint64_t labels, from_proc;
    StEdge *edge;

    st_transfer_fds(p, &in_fd, &out_fd);
    if (!st_fd_lookup(e, &p->task, in_fd, &in, ask)) {
        return false;
    }
    src = st_source_node(e, &in, now);
    labels = src ? st_node_read_labels(src) : 0;
    /*
     * A tracked process decides what it moves, as with a write: what it
     * holds and the source lacks reaches the target from the process.
     */
    via = st_proc_lookup(e, p->task.tgid, p->task.start_time);
    from_proc = via ? via->info.labels & ~labels : 0;
    if (!labels && !from_proc) {
        return true;
    }
    if (!st_fd_lookup(e, &p->task, out_fd, &out, ask)) {
        return false;
    }
    dst = st_object_node(e, &out, true, now);
    if (!dst) {
        return true;
    }
    dst->info.labels |= labels | from_proc;
    if (labels) {
        edge = st_flow(e, src, dst, ST_ENGINE_FAMILY_TRANSFER, p->nr, 1,
                       bytes, labels, now, now);
        if (edge && !edge->info.via_tgid) {
            edge->info.via_tgid = p->task.tgid;
            edge->info.via_start_time = p->task.start_time;
            edge->info.via_node = via ? via->info.id : 0;
        }
    }
    if (from_proc) {
        st_flow(e, via, dst, ST_ENGINE_FAMILY_TRANSFER, p->nr, 1, bytes,
                from_proc, now, now);
    }
    if (out.kind == ST_ENGINE_KIND_SOCKET) {
        st_socket_deliver(e, &p->task, p, dst, &out, labels | from_proc,
                          bytes, ask, now);
    }
    return true;
}

static bool st_rule_mmap(StEngine *e, const StPending *p, bool ask,
                         uint64_t now)
{
    uint64_t len = ask ? p->args[1] : 0;
    uint64_t prot = p->args[2];
    uint64_t type = p->args[3] & ST_MAP_TYPE;
    StEngineObject obj;
    StNode *node, *proc;
    uint64_t labels;

    if (!st_fd_lookup(e, &p->task, (int)p->args[4], &obj, ask)) {
        return false;
    }
    node = st_object_node(e, &obj, false, now);
    labels = node ? st_node_read_labels(node) : 0;
    if ((prot & ST_PROT_READ) && labels) {
        proc = st_proc_taint(e, &p->task, labels, now);
        if (proc) {
            st_flow(e, node, proc, ST_ENGINE_FAMILY_MMAP, p->nr, 1, len,
                    labels, now, now);
        }
    }
    proc = st_proc_lookup(e, p->task.tgid, p->task.start_time);
    if (proc && proc->info.labels && (prot & ST_PROT_WRITE) &&
        (type == ST_MAP_SHARED || type == ST_MAP_SHARED_VALIDATE)) {
        labels = proc->info.labels;
        node = st_object_node(e, &obj, true, now);
        if (node) {
            node->info.labels |= labels;
            st_flow(e, proc, node, ST_ENGINE_FAMILY_MMAP, p->nr, 1, len,
                    labels, now, now);
        }
    }
    return true;
}

static StNode *st_child_tracked(StEngine *e, StNode *parent,
                                const StEngineTask *task, unsigned nr,
                                uint64_t fork_ns, uint64_t now)
{
    StNode *child = st_proc_new(e, task, now);

    if (!child) {
        return NULL;
    }
    child->info.labels = parent->info.labels;
    st_flow(e, parent, child, ST_ENGINE_FAMILY_CLONE, nr, 1, 0,
            parent->info.labels, fork_ns, fork_ns);
    return child;
}

static void st_rule_clone(StEngine *e, const StPending *p, int64_t ret,
                          uint64_t now)
{
    StNode *parent, *seen;
    StChild *child;
    uint32_t tid = (uint32_t)ret;

    if (p->nr == ST_NR_CLONE && (p->args[0] & ST_CLONE_THREAD)) {
        return;                 /* a thread of the same process */
    }
    parent = st_proc_lookup(e, p->task.tgid, p->task.start_time);
    if (!parent || !parent->info.labels) {
        return;
    }
    seen = g_hash_table_lookup(e->tgids, GUINT_TO_POINTER(tid));
    if (seen && !seen->info.dead && seen->info.ppid == parent->info.tgid &&
        seen->info.start_time > parent->tracked_hwm) {
        return;                 /* the child already showed up */
    }
    if (g_hash_table_size(e->children) >= e->cfg.max_children) {
        e->counters.drops[ST_ENGINE_DROP_CHILDREN]++;
        return;
    }
    child = g_new0(StChild, 1);
    child->parent_node = parent->info.id;
    child->nr = p->nr;
    child->ns = now;
    g_hash_table_replace(e->children, GUINT_TO_POINTER(tid), child);
    e->proc_gen++;
}

/* execve succeeded: @task is the task as seen after it. */
static void st_rule_execve(StEngine *e, const StEngineTask *task)
{
    StNode *proc = st_proc_lookup(e, task->tgid, task->start_time);
    StEngineTask tmp;

    st_fd_cache_forget_range(e, task->tgid, task->start_time, 0, UINT64_MAX);
    if (proc) {
        task = st_task_full(e, task, &tmp);
        memcpy(proc->info.comm, task->comm, ST_ENGINE_COMM_LEN);
        proc->info.comm[ST_ENGINE_COMM_LEN - 1] = '\0';
    }
}

/*
 * Can a pattern match @obj, judging by its file name alone?  A file name
 * is cheap; a full path is a walk up the guest's dentries.
 */
static bool st_open_may_match(StEngine *e, const StEngineObject *obj)
{
    unsigned i;

    if (!e->cfg.ops.get_name ||
        !e->cfg.ops.get_name(e->cfg.opaque, obj, e->path_buf,
                             sizeof(e->path_buf))) {
        return true;
    }
    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    for (i = 0; i < e->patterns->len; i++) {
        StPattern *pat = g_ptr_array_index(e->patterns, i);

        if (!pat->base || fnmatch(pat->base, e->path_buf, FNM_PATHNAME) == 0) {
            return true;
        }
    }
    return false;
}

static void st_rule_open(StEngine *e, const StPending *p, int64_t ret,
                         uint64_t now)
{
    StEngineObject obj;
    uint64_t mask = 0;
    StNode *n;
    unsigned i;

    st_fd_cache_forget(e, p->task.tgid, p->task.start_time, (int)ret);
    if (!st_fd_lookup(e, &p->task, (int)ret, &obj, true)) {
        return;
    }
    if (!st_kind_has_path(obj.kind) || !e->cfg.ops.get_path ||
        !st_open_may_match(e, &obj)) {
        return;
    }
    if (!e->cfg.ops.get_path(e->cfg.opaque, &obj, e->path_buf,
                             sizeof(e->path_buf))) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return;
    }
    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    for (i = 0; i < e->patterns->len; i++) {
        StPattern *pat = g_ptr_array_index(e->patterns, i);

        if (fnmatch(pat->glob, e->path_buf, FNM_PATHNAME) == 0) {
            mask |= 1ull << pat->label;
        }
    }
    n = st_object_node_path(e, &obj, mask != 0, g_strdup(e->path_buf), now);
    if (n && mask) {
        n->info.labels |= mask;
        n->info.registered = true;
    }
}

static void st_rename_node(StEngine *e, StNode *n, char *new_path,
                           const StPending *p, uint64_t now)
{
    StEdge *edge = st_edge_new(e, n, n, ST_ENGINE_FAMILY_RENAME, p->nr, now);

    if (edge) {
        edge->info.count = 1;
        edge->info.labels = n->info.labels;
        edge->old_path = g_strdup(n->path);
        edge->new_path = g_strdup(new_path);
        edge->info.old_path = edge->old_path;
        edge->info.new_path = edge->new_path;
        st_edge_announce(e, edge);
    }
    st_node_take_path(e, n, new_path);
}

static void st_rule_rename(StEngine *e, const StPending *p, uint64_t now)
{
    int old_dfd = ST_AT_FDCWD, new_dfd = ST_AT_FDCWD;
    uint64_t old_ptr, new_ptr;
    const char *old = e->path_buf, *new = e->path_buf2;
    StNode *n, *victim;
    size_t old_len;
    GPtrArray *moved;
    unsigned i;

    if (!e->cfg.ops.read_path_arg) {
        return;
    }
    if (p->nr == ST_NR_RENAME) {
        old_ptr = p->args[0];
        new_ptr = p->args[1];
    } else {
        old_dfd = (int)p->args[0];
        old_ptr = p->args[1];
        new_dfd = (int)p->args[2];
        new_ptr = p->args[3];
    }
    if (!e->cfg.ops.read_path_arg(e->cfg.opaque, &p->task, old_dfd, old_ptr,
                                  e->path_buf, sizeof(e->path_buf)) ||
        !e->cfg.ops.read_path_arg(e->cfg.opaque, &p->task, new_dfd, new_ptr,
                                  e->path_buf2, sizeof(e->path_buf2))) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return;
    }
    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    e->path_buf2[sizeof(e->path_buf2) - 1] = '\0';

    /* A tracked file that the rename replaced is gone. */
    victim = g_hash_table_lookup(e->paths, new);
    n = g_hash_table_lookup(e->paths, old);
    if (victim && victim != n) {
        st_node_unindex_path(e, victim);
        victim->info.deleted = true;
    }
    if (n) {
        st_rename_node(e, n, g_strdup(new), p, now);
        return;
    }
    /* A directory: move the tracked files below it. */
    old_len = strlen(old);
    moved = g_ptr_array_new();
    for (i = 0; i < e->nodes->len; i++) {
        n = g_ptr_array_index(e->nodes, i);
        if (n->path && !n->info.deleted && st_kind_has_path(n->info.kind) &&
            strncmp(n->path, old, old_len) == 0 && n->path[old_len] == '/') {
            g_ptr_array_add(moved, n);
        }
    }
    for (i = 0; i < moved->len; i++) {
        n = g_ptr_array_index(moved, i);
        st_rename_node(e, n, g_strconcat(new, n->path + old_len, NULL), p,
                       now);
    }
    g_ptr_array_free(moved, TRUE);
}

static void st_rule_unlink(StEngine *e, const StPending *p)
{
    int dfd = ST_AT_FDCWD;
    uint64_t ptr = p->args[0];
    StNode *n;

    if (!e->cfg.ops.read_path_arg) {
        return;
    }
    if (p->nr != ST_NR_UNLINK) {
        dfd = (int)p->args[0];
        ptr = p->args[1];
    }
    if (!e->cfg.ops.read_path_arg(e->cfg.opaque, &p->task, dfd, ptr,
                                  e->path_buf, sizeof(e->path_buf))) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return;
    }
    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    n = g_hash_table_lookup(e->paths, e->path_buf);
    if (n) {
        st_node_unindex_path(e, n);
        n->info.deleted = true;
    }
}

/*
 * An entry whose exit will not come.  @now_task is the task making the
 * current call if it is the same tid (else NULL).
 */
static void st_resolve_unpaired(StEngine *e, StPending *p,
                                const StEngineTask *now_task, uint64_t now)
{
    bool done = true;

    e->counters.unpaired++;
    e->counters.unpaired_by_family[p->family]++;
    switch (p->family) {
    case ST_ENGINE_FAMILY_READ:
        done = st_rule_read(e, p, 0, false, now);
        break;
    case ST_ENGINE_FAMILY_WRITE:
        done = p->have_target && st_rule_write(e, p, 0, false, now);
        break;
    case ST_ENGINE_FAMILY_TRANSFER:
        done = st_rule_transfer(e, p, 0, false, now);
        break;
    case ST_ENGINE_FAMILY_MMAP:
        done = st_rule_mmap(e, p, false, now);
        break;
    case ST_ENGINE_FAMILY_EXECVE:
        if (now_task && now_task->tid_start_time == p->task.tid_start_time) {
            st_rule_execve(e, now_task);
        }
        break;
    default:
        break;
    }
    if (!done) {
        e->counters.drops[ST_ENGINE_DROP_UNPAIRED]++;
    }
    st_pending_remove(e, p);
}

/* Process identity and first appearance */

/* A parent's child showing up: is it a tracked child? */
static StNode *st_first_appearance(StEngine *e, const StEngineTask *task,
                                   uint64_t now)
{
    StEngineTask tmp;
    StNode *parent;

    if (g_hash_table_size(e->children)) {
        StChild *c = g_hash_table_lookup(e->children,
                                         GUINT_TO_POINTER(task->tid));

        if (c) {
            StChild child = *c;

            g_hash_table_remove(e->children, GUINT_TO_POINTER(task->tid));
            parent = st_node_by_id(e, child.parent_node);
            if (parent && task->tid == task->tgid &&
                parent->info.tgid != task->tgid) {
                return st_child_tracked(e, parent, task, child.nr, child.ns,
                                        now);
            }
        }
    }
    if (!e->n_live_procs) {
        return NULL;            /* no tracked parent: spare the details */
    }
    task = st_task_full(e, task, &tmp);
    if (task->parent_start_time) {
        parent = st_proc_lookup(e, task->ppid, task->parent_start_time);
    } else {
        parent = g_hash_table_lookup(e->tgids, GUINT_TO_POINTER(task->ppid));
    }
    /* Started after the parent became tracked: forked by it since. */
    if (parent && parent->info.labels && !parent->info.dead &&
        task->start_time > parent->tracked_hwm) {
        return st_child_tracked(e, parent, task, ST_NR_CLONE, now, now);
    }
    return NULL;
}

static StNode *st_task_process(StEngine *e, const StEngineTask *task,
                               uint64_t now)
{
    StNegEntry *neg = &e->neg[task->tgid % ST_NEG_SLOTS];
    StNode *n;

    if (neg->tgid == task->tgid && neg->start_time == task->start_time &&
        neg->gen == e->proc_gen) {
        return NULL;
    }
    n = st_proc_lookup(e, task->tgid, task->start_time);
    if (n) {
        if (g_hash_table_size(e->children)) {
            /* A thread created by clone3 is no child process. */
            g_hash_table_remove(e->children, GUINT_TO_POINTER(task->tid));
        }
        return n;
    }
    n = st_first_appearance(e, task, now);
    if (!n) {
        neg->tgid = task->tgid;
        neg->start_time = task->start_time;
        neg->gen = e->proc_gen;
    }
    return n;
}

static void st_process_exit(StEngine *e, const StEngineTask *task,
                            StNode *proc, uint64_t now)
{
    unsigned i;

    /* Other threads' entries die with the process (before its fds). */
    for (i = 0; i < e->cfg.max_pending && e->n_pending; i++) {
        StPending *p = &e->pending[i];

        if (p->used && p->task.tgid == task->tgid &&
            p->task.start_time == task->start_time) {
            st_resolve_unpaired(e, p, NULL, now);
        }
    }
    st_fd_cache_forget_range(e, task->tgid, task->start_time, 0, UINT64_MAX);
    proc = st_proc_lookup(e, task->tgid, task->start_time);
    if (proc && !proc->info.dead) {
        proc->info.dead = true;
        e->n_live_procs--;
    }
    e->proc_gen++;
}

static void st_fd_bookkeeping(StEngine *e, const StEngineTask *task,
                              unsigned nr, const uint64_t *args)
{
    if (!g_hash_table_size(e->fd_cache)) {
        return;
    }
    switch (nr) {
    case ST_NR_DUP2:
    case ST_NR_DUP3:
        st_fd_cache_forget(e, task->tgid, task->start_time, (int)args[1]);
        break;
    case ST_NR_CLOSE_RANGE:
        st_fd_cache_forget_range(e, task->tgid, task->start_time,
                                 (uint32_t)args[0], (uint32_t)args[1]);
        break;
    default:                    /* close, connect, bind */
        st_fd_cache_forget(e, task->tgid, task->start_time, (int)args[0]);
        break;
    }
}

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
    if (task->tid_start_time > e->hwm) {
        e->hwm = task->tid_start_time;
    }
    if (task->start_time > e->hwm) {
        e->hwm = task->start_time;
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
            st_pretaint(e, p, &p->target, proc->info.labels, now_ns);
        }
        return;
    case ST_ENGINE_FAMILY_READ:
    case ST_ENGINE_FAMILY_TRANSFER:
        if (!e->n_sources) {
            return;
        }
        break;
    case ST_ENGINE_FAMILY_MMAP:
        if ((args[3] & ST_MAP_ANONYMOUS) || (int)args[4] < 0 ||
            (!proc && !e->n_sources)) {
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
        if (!e->n_paths) {
            return;
        }
        break;
    case ST_ENGINE_FAMILY_EXIT:
        if (nr != ST_NR_EXIT || task->tid == task->tgid) {
            st_process_exit(e, task, proc, now_ns);
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

/* Linux's anonymous devices (tmpfs, pipefs, sockfs, ...): major 0. */
static bool st_dev_is_anonymous(uint64_t dev)
{
    return (dev >> 20) == 0;
}

void st_engine_new_boot(StEngine *e)
{
    uint64_t fd_drops;
    guint i;

    for (i = 0; i < e->nodes->len; i++) {
        StNode *n = g_ptr_array_index(e->nodes, i);

        if (n->info.kind == ST_ENGINE_KIND_PROCESS) {
            if (g_hash_table_lookup(e->procs, &n->key) == n) {
                g_hash_table_remove(e->procs, &n->key);
            }
            if (!n->info.dead) {
                n->info.dead = true;
                e->n_live_procs--;
            }
            continue;
        }
        if (n->info.kind == ST_ENGINE_KIND_ENDPOINT ||
            !st_dev_is_anonymous(n->info.dev) ||
            g_hash_table_lookup(e->inodes, &n->key) != n) {
            continue;
        }
        /* Its inode number may be handed out again: retire the node. */
        g_hash_table_remove(e->inodes, &n->key);
        st_node_unindex_path(e, n);
        if (n->sock_indexed &&
            g_hash_table_lookup(e->sock_index, &n->sock_key) == n) {
            g_hash_table_remove(e->sock_index, &n->sock_key);
        }
        n->sock_indexed = false;
        n->info.path_pending = false;
        n->info.deleted = true;
    }
    g_hash_table_remove_all(e->tgids);
    g_hash_table_remove_all(e->children);
    g_ptr_array_set_size(e->pending_eps, 0);
    e->n_sources = g_hash_table_size(e->inodes);
    for (i = 0; i < e->cfg.max_pending && e->n_pending; i++) {
        if (e->pending[i].used) {
            st_pending_remove(e, &e->pending[i]);
        }
    }
    /* Not lost information: the old boot's fds are gone with it. */
    fd_drops = e->counters.drops[ST_ENGINE_DROP_FD_CACHE];
    st_fd_cache_flush(e);
    e->counters.drops[ST_ENGINE_DROP_FD_CACHE] = fd_drops;
    memset(e->neg, 0, sizeof(e->neg));
    e->proc_gen++;
    e->hwm = 0;
}

bool st_engine_has_pending(const StEngine *e)
{
    return __atomic_load_n(&e->n_pending, __ATOMIC_RELAXED) != 0;
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
                st_rule_read(e, p, st_bytes(e, p, ret, true), true, now_ns);
            }
            break;
        case ST_ENGINE_FAMILY_WRITE:
            if (ret > 0) {
                st_rule_write(e, p, st_bytes(e, p, ret, true), true, now_ns);
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

/* Registration */

/* Reject globs that fnmatch() would silently treat as literals. */
static bool st_pattern_check(const char *pattern, GError **errp)
{
    size_t i, len = strlen(pattern);

    if (len == 0 || len >= ST_ENGINE_PATH_MAX) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "secret-tracker: pattern must be 1 to %d characters",
                    ST_ENGINE_PATH_MAX - 1);
        return false;
    }
    if (pattern[0] != '/') {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "secret-tracker: pattern '%s' must be an absolute path "
                    "(start with '/')", pattern);
        return false;
    }
    for (i = 0; i < len; i++) {
        if (pattern[i] == '\\') {
            if (++i == len) {
                g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "secret-tracker: pattern '%s' ends in a lone "
                            "backslash", pattern);
                return false;
            }
        } else if (pattern[i] == '[') {
            size_t j = i + 1;

            if (j < len && (pattern[j] == '!' || pattern[j] == '^')) {
                j++;
            }
            if (j < len && pattern[j] == ']') {
                j++;            /* a leading ']' is a member */
            }
            while (j < len && pattern[j] != ']' && pattern[j] != '/') {
                j++;
            }
            if (j >= len || pattern[j] != ']') {
                g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "secret-tracker: pattern '%s' has an unclosed "
                            "'[' at offset %zu", pattern, i);
                return false;
            }
            i = j;
        }
    }
    return true;
}

bool st_engine_register_pattern(StEngine *e, const char *pattern,
                                const char *label, GError **errp)
{
    StPattern *pat;
    const char *base;
    int idx;

    if (!st_pattern_check(pattern, errp)) {
        return false;
    }
    idx = st_label_intern(e, label ? label : pattern, errp);
    if (idx < 0) {
        return false;
    }
    pat = g_new0(StPattern, 1);
    pat->glob = g_strdup(pattern);
    pat->label = idx;
    /* The name filter only knows unescaped separators. */
    base = strrchr(pat->glob, '/');
    if (base == pat->glob || base[-1] != '\\') {
        pat->base = base + 1;
    }
    g_ptr_array_add(e->patterns, pat);
    return true;
}

uint64_t st_engine_register_inode(StEngine *e, uint64_t dev, uint64_t ino,
                                  const char *label, GError **errp)
{
    g_autofree char *def = NULL;
    StEngineObject obj;
    StNode *n;
    int idx;

    if (!label) {
        def = g_strdup_printf("inode:%" PRIu64 ":%" PRIu64, dev, ino);
        label = def;
    }
    idx = st_label_intern(e, label, errp);
    if (idx < 0) {
        return 0;
    }
    memset(&obj, 0, sizeof(obj));
    obj.dev = dev;
    obj.ino = ino;
    n = st_object_node(e, &obj, true, e->last_ns);
    if (!n) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "secret-tracker: node table full (%u nodes)",
                    e->cfg.max_nodes);
        return 0;
    }
    n->info.labels |= 1ull << idx;
    n->info.rx_labels |= 1ull << idx;
    n->info.registered = true;
    return n->info.id;
}

/* Paths */

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
    StNode *n = st_proc_lookup(e, tgid, start_time);

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

void st_engine_get_counters(StEngine *e, StEngineCounters *out)
{
    *out = e->counters;
    out->events = out->entries + out->exits;
    out->nodes = e->nodes->len;
    out->flows = e->edges->len;
    out->pending_endpoints = e->pending_eps->len;
}

/* Life cycle */

static void st_node_free(gpointer data)
{
    StNode *n = data;

    g_free(n->path);
    g_free(n);
}

static void st_edge_free(gpointer data)
{
    StEdge *edge = data;

    g_free(edge->old_path);
    g_free(edge->new_path);
    g_free(edge);
}

static void st_pattern_free(gpointer data)
{
    StPattern *pat = data;

    g_free(pat->glob);
    g_free(pat);
}

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
    e->inodes = g_hash_table_new(st_key2_hash, st_key2_equal);
    e->procs = g_hash_table_new(st_key2_hash, st_key2_equal);
    e->tgids = g_hash_table_new(g_direct_hash, g_direct_equal);
    e->endpoints = g_hash_table_new(st_endpoint_hash, st_endpoint_equal);
    e->sock_index = g_hash_table_new(st_ep_pair_hash, st_ep_pair_equal);
    e->paths = g_hash_table_new(g_str_hash, g_str_equal);
    g_queue_init(&e->path_queue);
    e->edges = g_ptr_array_new_with_free_func(st_edge_free);
    e->edge_index = g_hash_table_new(st_key3_hash, st_key3_equal);

    while (buckets < e->cfg.max_pending * 2 && buckets < (1u << 30)) {
        buckets <<= 1;
    }
    e->pending_mask = buckets - 1;
    e->pending_buckets = g_new(uint32_t, buckets);
    for (i = 0; i < buckets; i++) {
        e->pending_buckets[i] = ST_NONE;
    }
    e->pending = g_new0(StPending, e->cfg.max_pending);
    e->pending_free = ST_NONE;
    for (i = e->cfg.max_pending; i-- > 0;) {
        e->pending[i].next = e->pending_free;
        e->pending_free = i;
    }

    e->fd_pool = g_new0(StFdEntry, e->cfg.max_fd_cache);
    e->fd_cache = g_hash_table_new(st_key3_hash, st_key3_equal);
    st_fd_cache_flush(e);

    e->pending_eps = g_ptr_array_new_with_free_func(g_free);
    e->children = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                        g_free);
    e->proc_gen = 1;            /* no negative cache slot is valid yet */
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
    g_hash_table_destroy(e->procs);
    g_hash_table_destroy(e->tgids);
    g_hash_table_destroy(e->endpoints);
    g_hash_table_destroy(e->sock_index);
    g_hash_table_destroy(e->paths);
    g_queue_clear(&e->path_queue);
    g_hash_table_destroy(e->edge_index);
    g_ptr_array_free(e->edges, TRUE);
    g_ptr_array_free(e->nodes, TRUE);
    g_free(e->pending_buckets);
    g_free(e->pending);
    g_hash_table_destroy(e->fd_cache);
    g_free(e->fd_pool);
    g_ptr_array_free(e->pending_eps, TRUE);
    g_hash_table_destroy(e->children);
    g_free(e);
}
