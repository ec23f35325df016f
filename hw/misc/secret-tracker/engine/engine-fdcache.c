/*
 * secret-tracker engine: the fd cache
 *
 * Resolving an fd means reading guest memory, so what an fd of a process
 * refers to is cached (a fixed pool) until something may change it: close,
 * dup2/dup3 onto it, close_range, connect, bind, execve or exit.  When the
 * pool is full it is flushed whole, and the loss counted.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "engine-internal.h"

static void st_fd_cache_remove_entry(StEngine *e, StFdEntry *ent)
{
    g_hash_table_remove(e->fd_cache, &ent->key);
    ent->next_free = e->fd_free;
    e->fd_free = ent - e->fd_pool;
}

void st_fd_cache_flush(StEngine *e)
{
    unsigned i;

    e->counters.drops[ST_ENGINE_DROP_FD_CACHE] +=
        g_hash_table_size(e->fd_cache);
    g_hash_table_remove_all(e->fd_cache);
    e->fd_free = ST_NO_INDEX;
    for (i = e->cfg.max_fd_cache; i-- > 0;) {
        e->fd_pool[i].next_free = e->fd_free;
        e->fd_free = i;
    }
}

void st_fd_cache_forget(StEngine *e, uint32_t tgid, uint64_t start, int fd)
{
    StFdKey key = { .tgid = tgid, .start_time = start, .fd = (uint32_t)fd };
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
void st_fd_cache_forget_range(StEngine *e, uint32_t tgid, uint64_t start,
                              uint64_t first, uint64_t last)
{
    GHashTableIter it;
    gpointer value;

    if (!g_hash_table_size(e->fd_cache)) {
        return;
    }
    g_hash_table_iter_init(&it, e->fd_cache);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        StFdEntry *ent = value;

        if (ent->key.tgid == tgid && ent->key.start_time == start &&
            ent->key.fd >= first && ent->key.fd <= last) {
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
bool st_fd_lookup(StEngine *e, const StEngineTask *task, int fd,
                  StEngineObject *out, bool ask)
{
    StFdKey key = {
        .tgid = task->tgid, .start_time = task->start_time,
        .fd = (uint32_t)fd,
    };
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
    if (e->fd_free == ST_NO_INDEX) {
        st_fd_cache_flush(e);
    }
    ent = &e->fd_pool[e->fd_free];
    e->fd_free = ent->next_free;
    ent->key = key;
    ent->obj = *out;
    g_hash_table_insert(e->fd_cache, &ent->key, ent);
    return true;
}

/* The fd family: calls that change what an fd number names. */
void st_fd_bookkeeping(StEngine *e, const StEngineTask *task, unsigned nr,
                       const uint64_t *args)
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
