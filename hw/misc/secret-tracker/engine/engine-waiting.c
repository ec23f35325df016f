/*
 * secret-tracker engine: readers waiting on an untainted channel
 *
 * Taint is decided at entry, but a read of a pipe, FIFO or socket may be
 * entered long before a tracked writer fills the channel: the reader
 * blocks, and the bytes it gets were written after its entry.  Such a
 * reader is remembered (one per task, in a fixed pool) until its next
 * followed call; when a channel it waits on gains labels, it is tainted
 * then.  A reader that returned and makes no followed call before the
 * channel is tainted is tainted too: an over-approximation, never a miss.
 * When the pool is full the oldest reader is forgotten, and counted.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "engine-internal.h"

void st_waiting_init(StEngine *e)
{
    unsigned i;

    e->waiters = g_new0(StWaiter, e->cfg.max_waiting);
    e->waiting = g_hash_table_new(g_direct_hash, g_direct_equal);
    QTAILQ_INIT(&e->waiting_age);
    QTAILQ_INIT(&e->waiting_free);
    for (i = 0; i < e->cfg.max_waiting; i++) {
        QTAILQ_INSERT_TAIL(&e->waiting_free, &e->waiters[i], link);
    }
}

void st_waiting_destroy(StEngine *e)
{
    g_hash_table_destroy(e->waiting);
    g_free(e->waiters);
}

static void st_waiter_release(StEngine *e, StWaiter *w)
{
    g_hash_table_remove(e->waiting, GUINT_TO_POINTER(w->task.tid));
    QTAILQ_REMOVE(&e->waiting_age, w, link);
    QTAILQ_INSERT_TAIL(&e->waiting_free, w, link);
}

void st_waiting_clear(StEngine *e)
{
    StWaiter *w, *next;

    QTAILQ_FOREACH_SAFE(w, &e->waiting_age, link, next) {
        st_waiter_release(e, w);
    }
}

/* What a reader can block on: pipes, sockets, message queues. */
static bool st_kind_is_channel(StEngineKind kind)
{
    return kind == ST_ENGINE_KIND_PIPE || kind == ST_ENGINE_KIND_FIFO ||
           kind == ST_ENGINE_KIND_SOCKET || kind == ST_ENGINE_KIND_IPC;
}

void st_waiting_add(StEngine *e, const StEngineTask *task, unsigned nr,
                    const uint64_t *args, const StEngineObject *obj)
{
    StWaiter *w;

    /* A POSIX message queue is a file: its receive says it is one. */
    if (!st_kind_is_channel(obj->kind) && nr != ST_NR_MQ_TIMEDRECEIVE) {
        return;
    }
    w = g_hash_table_lookup(e->waiting, GUINT_TO_POINTER(task->tid));
    if (w) {
        QTAILQ_REMOVE(&e->waiting_age, w, link);
    } else {
        w = QTAILQ_FIRST(&e->waiting_free);
        if (w) {
            QTAILQ_REMOVE(&e->waiting_free, w, link);
        } else {
            w = QTAILQ_FIRST(&e->waiting_age);
            g_hash_table_remove(e->waiting, GUINT_TO_POINTER(w->task.tid));
            QTAILQ_REMOVE(&e->waiting_age, w, link);
            e->counters.drops[ST_ENGINE_DROP_WAITING]++;
        }
        g_hash_table_insert(e->waiting, GUINT_TO_POINTER(task->tid), w);
    }
    w->task = *task;
    w->nr = nr;
    w->count = nr == ST_NR_READ || nr == ST_NR_RECVFROM ? args[2] : UINT64_MAX;
    w->chan.dev = obj->dev;
    w->chan.ino = obj->ino;
    w->sock_family = obj->kind == ST_ENGINE_KIND_SOCKET ? obj->sock_family
                                                        : 0;
    w->local = obj->local;
    QTAILQ_INSERT_TAIL(&e->waiting_age, w, link);
}

/*
 * The socket of a reader waiting on one that receives what is sent to
 * @dst (an inet socket bound to that address, or unless @exact to any,
 * on its port): its node, made now, so that the send can reach it.  NULL
 * if none.
 */
StNode *st_waiting_receiver(StEngine *e, const StEngineEndpoint *dst,
                            bool exact, uint64_t now)
{
    StEngineObject obj;
    StWaiter *w;

    if (!g_hash_table_size(e->waiting) ||
        (dst->family != ST_AF_INET && dst->family != ST_AF_INET6)) {
        return NULL;
    }
    QTAILQ_FOREACH(w, &e->waiting_age, link) {
        if (w->sock_family != dst->family ||
            !st_endpoint_receives(&w->local, dst) ||
            (exact && st_endpoint_addr_any(&w->local))) {
            continue;
        }
        memset(&obj, 0, sizeof(obj));
        obj.kind = ST_ENGINE_KIND_SOCKET;
        obj.dev = w->chan.dev;
        obj.ino = w->chan.ino;
        obj.sock_family = w->sock_family;
        obj.local = w->local;
        return st_object_node(e, &obj, true, now);
    }
    return NULL;
}

void st_waiting_forget(StEngine *e, uint32_t tid)
{
    StWaiter *w;

    if (!g_hash_table_size(e->waiting)) {
        return;
    }
    w = g_hash_table_lookup(e->waiting, GUINT_TO_POINTER(tid));
    if (w) {
        st_waiter_release(e, w);
    }
}

/*
 * @chan gained @labels with @bytes: its waiting readers get them now, as
 * many bytes as the write gave and they asked for (the return that would
 * count them was not asked for at their entry).
 */
void st_waiting_wake(StEngine *e, StNode *chan, uint64_t labels,
                     uint64_t bytes, uint64_t now)
{
    StWaiter *w, *next;
    StNode *proc;

    if (!g_hash_table_size(e->waiting) || !labels ||
        (!st_kind_is_channel(chan->info.kind) &&
         chan->info.kind != ST_ENGINE_KIND_FILE)) {
        return;
    }
    QTAILQ_FOREACH_SAFE(w, &e->waiting_age, link, next) {
        if (w->chan.dev != chan->key.inode.dev ||
            w->chan.ino != chan->key.inode.ino) {
            continue;
        }
        proc = st_process_taint(e, &w->task, labels, now);
        if (proc) {
            st_flow_record(e, chan, proc, ST_ENGINE_FAMILY_READ, w->nr, 1,
                           MIN(bytes, w->count), labels, now, now);
        }
        st_waiter_release(e, w);
    }
}
