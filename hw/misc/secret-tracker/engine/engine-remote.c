/*
 * secret-tracker engine: labels that arrive from another VM's tracker
 *
 * Data can come from another VM whose tracker saw it leave with labels:
 * st_engine_remote_labels() taints the receiving socket (or waits for it
 * as a pending endpoint, as loopback data does), and reaches back to
 * processes that read that socket before the labels arrived.
 *
 * Those reads are remembered at their entry, when the read's source gave
 * no labels: a bounded memory, one entry per (connection, process),
 * oldest evicted first and counted.  A remembered read stands in for the
 * reader's waiting entry (engine-waiting.c): the labels reach it through
 * this memory, with the read's own count, bytes and times.  Its bytes
 * come with the return, which a remembered read asks for.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "engine-internal.h"

/* A read of a remote socket that gave its reader no labels. */
typedef struct StRemoteRead {
    StSocketAddrKey addrs;      /* first: with tgid and start, the key */
    uint64_t tgid;
    uint64_t start_time;
    StEngineTask task;
    StEngineObject obj;
    unsigned nr;
    uint64_t count;
    uint64_t bytes;
    uint64_t first_ns;
    uint64_t last_ns;
    GList *age;                 /* link in StRemote.oldest_first */
} StRemoteRead;

struct StRemote {
    unsigned max;
    GHashTable *reads;          /* StRemoteRead (its key part) -> itself */
    GQueue oldest_first;
    StEngineRemoteCounters counters;
};

#define ST_REMOTE_KEY_SIZE offsetof(StRemoteRead, task)

static guint st_remote_read_hash(gconstpointer k)
{
    const uint8_t *p = k;
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < ST_REMOTE_KEY_SIZE; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static gboolean st_remote_read_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, ST_REMOTE_KEY_SIZE) == 0;
}

static StRemote *st_remote(StEngine *e)
{
    if (!e->remote) {
        e->remote = g_new0(StRemote, 1);
        e->remote->reads = g_hash_table_new_full(st_remote_read_hash,
                                                 st_remote_read_equal,
                                                 NULL, g_free);
        g_queue_init(&e->remote->oldest_first);
    }
    return e->remote;
}

static void st_remote_forget(StRemote *r, StRemoteRead *rd)
{
    g_queue_delete_link(&r->oldest_first, rd->age);
    g_hash_table_remove(r->reads, rd);      /* frees it */
}

static void st_remote_forget_all(StRemote *r)
{
    g_queue_clear(&r->oldest_first);
    g_hash_table_remove_all(r->reads);
}

void st_engine_set_remote_reads(StEngine *e, unsigned max)
{
    StRemote *r = st_remote(e);

    r->max = max;
    while (g_hash_table_size(r->reads) > max) {
        st_remote_forget(r, g_queue_peek_head(&r->oldest_first));
        r->counters.reads_evicted++;
    }
}

bool st_remote_reads_on(StEngine *e)
{
    return e->remote && e->remote->max;
}

void st_remote_new_boot(StEngine *e)
{
    if (e->remote) {
        st_remote_forget_all(e->remote);
    }
}

void st_remote_free(StEngine *e)
{
    if (e->remote) {
        st_remote_forget_all(e->remote);
        g_hash_table_destroy(e->remote->reads);
        g_free(e->remote);
        e->remote = NULL;
    }
}

static bool st_endpoint_is_inet(const StEngineEndpoint *ep)
{
    return ep->family == ST_AF_INET || ep->family == ST_AF_INET6;
}

static void st_remote_key(StRemoteRead *key, const StEngineEndpoint *local,
                          const StEngineEndpoint *peer, uint64_t tgid,
                          uint64_t start_time)
{
    memset(key, 0, ST_REMOTE_KEY_SIZE);
    key->addrs.local = *local;
    key->addrs.peer = *peer;
    key->tgid = tgid;
    key->start_time = start_time;
}

/*
 * The entry of a read of @obj found no labels: remember it if the peer is
 * remote, and ask for its return (@want) to count its bytes.  Returns
 * whether it is remembered.
 */
bool st_remote_note_read(StEngine *e, const StEngineTask *task, unsigned nr,
                         const StEngineObject *obj, StWant *want,
                         uint64_t now)
{
    StRemote *r = e->remote;
    StRemoteRead key, *rd;

    if (!r || !r->max || obj->kind != ST_ENGINE_KIND_SOCKET ||
        !st_endpoint_is_inet(&obj->local) ||
        !st_endpoint_is_inet(&obj->peer) ||
        st_endpoint_is_local(e, &obj->peer)) {
        return false;
    }
    st_remote_key(&key, &obj->local, &obj->peer, task->tgid,
                  task->start_time);
    want->mask |= ST_WANT_REMOTE_BYTES;
    want->remote = key.addrs;
    rd = g_hash_table_lookup(r->reads, &key);
    if (rd) {
        rd->count++;
        rd->last_ns = now;
        g_queue_unlink(&r->oldest_first, rd->age);
        g_queue_push_tail_link(&r->oldest_first, rd->age);
        return true;
    }
    if (g_hash_table_size(r->reads) >= r->max) {
        st_remote_forget(r, g_queue_peek_head(&r->oldest_first));
        r->counters.reads_evicted++;
    }
    rd = g_new0(StRemoteRead, 1);
    memcpy(rd, &key, ST_REMOTE_KEY_SIZE);
    rd->task = *task;
    /* The task may be gone when labels come: take its details now. */
    if (!rd->task.details && e->cfg.ops.task_details &&
        !e->cfg.ops.task_details(e->cfg.opaque, &rd->task)) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
    }
    rd->task.details = true;
    rd->obj = *obj;
    rd->nr = nr;
    rd->count = 1;
    rd->first_ns = now;
    rd->last_ns = now;
    g_queue_push_tail(&r->oldest_first, rd);
    rd->age = g_queue_peek_tail_link(&r->oldest_first);
    g_hash_table_add(r->reads, rd);
    r->counters.reads_remembered++;
    return true;
}

/*
 * The socket node of (@local, @peer), also under its closed key: a socket
 * closed at both ends has lost its local port (Linux zeroes inet_num; see
 * st_pending_endpoint_match()), and its peer alone names it.
 */
static StNode *st_remote_socket(StEngine *e, const StEngineEndpoint *local,
                                const StEngineEndpoint *peer)
{
    StSocketAddrKey key;
    StNode *sock;

    memset(&key, 0, sizeof(key));
    key.local = *local;
    key.peer = *peer;
    sock = g_hash_table_lookup(e->inet_sockets, &key);
    if (!sock) {
        key.local.port = 0;     /* closed at both ends */
        sock = g_hash_table_lookup(e->inet_sockets, &key);
    }
    return sock;
}

/*
 * The return of a remembered read gives @bytes: to the remembered read
 * if it is still held, else to the flow that its labels made meanwhile.
 */
void st_remote_read_bytes(StEngine *e, const StPending *p, uint64_t bytes)
{
    const StSocketAddrKey *addrs = &p->want.remote;
    StRemoteRead key, *rd;
    StNode *sock, *proc;
    StEdgeKey ek;
    StEdge *edge;

    if (!e->remote) {
        return;
    }
    st_remote_key(&key, &addrs->local, &addrs->peer, p->task.tgid,
                  p->task.start_time);
    rd = g_hash_table_lookup(e->remote->reads, &key);
    if (rd) {
        rd->bytes += bytes;
        return;
    }
    sock = st_remote_socket(e, &addrs->local, &addrs->peer);
    proc = st_process_lookup(e, p->task.tgid, p->task.start_time);
    if (!sock || !proc) {
        return;                 /* evicted, or never tainted */
    }
    ek.src = sock->info.id;
    ek.dst = proc->info.id;
    ek.family = ST_ENGINE_FAMILY_READ;
    edge = g_hash_table_lookup(e->edge_index, &ek);
    if (edge) {
        edge->info.bytes += bytes;
    }
}

/*
 * Whether a remembered read was of the connection (@local, @peer).  A
 * read of a socket closed at both ends has local port 0: then the peer
 * alone names it.
 */
static bool st_remote_read_matches(const StRemoteRead *rd,
                                   const StEngineEndpoint *local,
                                   const StEngineEndpoint *peer)
{
    if (!st_endpoint_same(&rd->addrs.peer, peer)) {
        return false;
    }
    return rd->addrs.local.port == 0 ||
           st_endpoint_same(&rd->addrs.local, local);
}

/* The remembered reads of the connection (@local, @peer) get labels. */
static int st_remote_taint_reads(StEngine *e, const StEngineEndpoint *local,
                                 const StEngineEndpoint *peer, uint64_t now)
{
    StRemote *r = e->remote;
    GList *l, *next;
    int tainted = 0;

    if (!r) {
        return 0;
    }
    for (l = r->oldest_first.head; l; l = next) {
        StRemoteRead *rd = l->data;
        StNode *sock, *proc;
        uint64_t labels;

        next = l->next;
        if (!st_remote_read_matches(rd, local, peer)) {
            continue;
        }
        sock = st_source_node(e, &rd->obj, now);
        labels = sock ? st_node_read_labels(sock) : 0;
        if (labels) {
            proc = st_process_taint(e, &rd->task, labels, now);
            if (proc) {
                st_flow_record(e, sock, proc, ST_ENGINE_FAMILY_READ, rd->nr,
                               rd->count, rd->bytes, labels, rd->first_ns,
                               rd->last_ns);
                tainted++;
                r->counters.reads_tainted++;
            }
        }
        st_remote_forget(r, rd);
    }
    return tainted;
}

int st_engine_remote_labels(StEngine *e, const StEngineEndpoint *local,
                            const StEngineEndpoint *peer,
                            const char *const *labels, GError **errp)
{
    StEngineEndpoint dst = *local, src = *peer;
    uint64_t mask = 0, now = e->last_ns;
    StNode *from, *sock;
    int i, idx;

    st_endpoint_normalize(&dst);
    st_endpoint_normalize(&src);
    if (!st_endpoint_is_inet(&dst) || !st_endpoint_is_inet(&src) ||
        !dst.port || !src.port) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "the local and peer endpoints must be inet or inet6 "
                    "addresses with a port");
        return -1;
    }
    if (!labels || !labels[0]) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "at least one label is needed");
        return -1;
    }
    sock = st_remote_socket(e, &dst, &src);
    if (!sock && e->pending_endpoints->len >= e->cfg.max_endpoints) {
        e->counters.drops[ST_ENGINE_DROP_ENDPOINTS]++;
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "too many endpoints wait for their socket (%u)",
                    e->cfg.max_endpoints);
        return -1;
    }
    for (i = 0; labels[i]; i++) {
        idx = st_label_intern(e, labels[i], errp);
        if (idx < 0) {
            return -1;
        }
        mask |= 1ull << idx;
    }
    e->event++;
    from = st_endpoint_node(e, &src, now);
    if (!from) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "no room for the peer's node");
        return -1;
    }
    from->info.labels |= mask;
    st_remote(e)->counters.labels++;
    if (sock) {
        st_node_use(e, sock);
        sock->info.labels |= mask;
        sock->info.rx_labels |= mask;
        /* Its waiting readers get the labels too (engine-flows.c). */
        st_flow_record(e, from, sock, ST_ENGINE_FAMILY_WRITE, 0, 0, 0, mask,
                       now, now);
    } else {
        st_pending_endpoint_add(e, &dst, &src, from, 0, mask, 0, 0, false,
                                now);
    }
    return st_remote_taint_reads(e, &dst, &src, now);
}

void st_engine_get_remote_counters(StEngine *e, StEngineRemoteCounters *out)
{
    memset(out, 0, sizeof(*out));
    if (e->remote) {
        *out = e->remote->counters;
        out->remembered = g_hash_table_size(e->remote->reads);
    }
}
