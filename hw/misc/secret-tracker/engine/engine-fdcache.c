/*
 * secret-tracker engine: the fd cache
 *
 * Resolving an fd means reading guest memory, so what an fd refers to is
 * cached, per fd table: the task's files_id when known (threads and
 * CLONE_FILES siblings share it, so a close by one is seen by all), else
 * its process.  An entry lives until something may change it: close,
 * dup2/dup3 onto it, close_range, connect, bind, execve or exit; before
 * use, ops.fd_still (if any) checks that the fd still names the same open
 * file.  The pool is bounded; the least recently used entry makes room
 * (counted).  Each table's entries are chained so that execve, exit and
 * close_range forget them without a walk of the whole cache.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "engine-internal.h"

static guint st_fd_space_hash(gconstpointer k)
{
    const StFdSpaceKey *key = k;
    uint64_t h = key->owner * 0x9e3779b97f4a7c15ull ^ key->space;

    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return (guint)(h ^ (h >> 32));
}

static gboolean st_fd_space_equal(gconstpointer a, gconstpointer b)
{
    const StFdSpaceKey *x = a, *y = b;

    return x->owner == y->owner && x->space == y->space;
}

static guint st_fd_key_hash(gconstpointer k)
{
    const StFdKey *key = k;

    return st_fd_space_hash(&key->table) ^ (guint)(key->fd * 0x9e3779b1u);
}

static gboolean st_fd_key_equal(gconstpointer a, gconstpointer b)
{
    const StFdKey *x = a, *y = b;

    return x->fd == y->fd && st_fd_space_equal(&x->table, &y->table);
}

static StFdSpaceKey st_fd_space(const StEngineTask *task)
{
    StFdSpaceKey key;

    if (task->files_id) {
        key.owner = task->files_id;
        key.space = ST_FD_SPACE_FILES;
    } else {
        key.owner = task->tgid;
        key.space = task->start_time;
    }
    return key;
}

void st_fd_cache_init(StEngine *e)
{
    unsigned i;

    e->fd_pool = g_new0(StFdEntry, e->cfg.max_fd_cache);
    e->fd_cache = g_hash_table_new(st_fd_key_hash, st_fd_key_equal);
    e->fd_tables = g_hash_table_new_full(st_fd_space_hash, st_fd_space_equal,
                                         NULL, g_free);
    QTAILQ_INIT(&e->fd_lru);
    QTAILQ_INIT(&e->fd_free);
    for (i = 0; i < e->cfg.max_fd_cache; i++) {
        QTAILQ_INSERT_TAIL(&e->fd_free, &e->fd_pool[i], lru);
    }
}

void st_fd_cache_destroy(StEngine *e)
{
    g_hash_table_destroy(e->fd_cache);
    g_hash_table_destroy(e->fd_tables);
    g_free(e->fd_pool);
}

static void st_fd_entry_remove(StEngine *e, StFdEntry *ent)
{
    StFdTable *table = ent->table;

    g_hash_table_remove(e->fd_cache, &ent->key);
    QTAILQ_REMOVE(&table->entries, ent, in_table);
    if (QTAILQ_EMPTY(&table->entries)) {
        g_hash_table_remove(e->fd_tables, &table->key);  /* frees it */
    }
    QTAILQ_REMOVE(&e->fd_lru, ent, lru);
    QTAILQ_INSERT_TAIL(&e->fd_free, ent, lru);
}

/* Forget everything (a reboot): not counted, the fds are gone. */
void st_fd_cache_flush(StEngine *e)
{
    StFdEntry *ent, *next;

    QTAILQ_FOREACH_SAFE(ent, &e->fd_lru, lru, next) {
        st_fd_entry_remove(e, ent);
    }
}

void st_fd_cache_forget(StEngine *e, const StEngineTask *task, int fd)
{
    StFdKey key = { .table = st_fd_space(task), .fd = (uint32_t)fd };
    StFdEntry *ent;

    if (!g_hash_table_size(e->fd_cache)) {
        return;
    }
    ent = g_hash_table_lookup(e->fd_cache, &key);
    if (ent) {
        st_fd_entry_remove(e, ent);
    }
}

/* Forget the cached fds of @task's table in [@first, @last]. */
void st_fd_cache_forget_range(StEngine *e, const StEngineTask *task,
                              uint64_t first, uint64_t last)
{
    StFdSpaceKey key = st_fd_space(task);
    StFdTable *table;
    StFdEntry *ent, *next;

    if (!g_hash_table_size(e->fd_cache)) {
        return;
    }
    table = g_hash_table_lookup(e->fd_tables, &key);
    if (!table) {
        return;
    }
    QTAILQ_FOREACH_SAFE(ent, &table->entries, in_table, next) {
        /* The table goes with its last entry, after which @next is NULL. */
        if (ent->key.fd >= first && ent->key.fd <= last) {
            st_fd_entry_remove(e, ent);
        }
    }
}

void st_fd_cache_forget_table(StEngine *e, const StEngineTask *task)
{
    st_fd_cache_forget_range(e, task, 0, UINT64_MAX);
}

static StFdEntry *st_fd_entry_new(StEngine *e, const StFdKey *key,
                                  const StEngineObject *obj)
{
    StFdEntry *ent = QTAILQ_FIRST(&e->fd_free);
    StFdTable *table;

    if (!ent) {
        st_fd_entry_remove(e, QTAILQ_FIRST(&e->fd_lru));
        e->counters.drops[ST_ENGINE_DROP_FD_CACHE]++;
        ent = QTAILQ_FIRST(&e->fd_free);
    }
    QTAILQ_REMOVE(&e->fd_free, ent, lru);
    table = g_hash_table_lookup(e->fd_tables, &key->table);
    if (!table) {
        table = g_new0(StFdTable, 1);
        table->key = key->table;
        QTAILQ_INIT(&table->entries);
        g_hash_table_insert(e->fd_tables, &table->key, table);
    }
    ent->key = *key;
    ent->obj = *obj;
    ent->label_generation = 0;
    ent->procfs_pid = -1;
    ent->table = table;
    QTAILQ_INSERT_TAIL(&table->entries, ent, in_table);
    QTAILQ_INSERT_TAIL(&e->fd_lru, ent, lru);
    g_hash_table_insert(e->fd_cache, &ent->key, ent);
    return ent;
}

static bool st_fd_resolve(StEngine *e, const StEngineTask *task, int fd,
                          StEngineObject *out)
{
    memset(out, 0, sizeof(*out));
    e->counters.fd_resolutions++;
    if (!e->cfg.ops.resolve_fd(e->cfg.opaque, task, fd, out)) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return false;
    }
    st_endpoint_normalize(&out->local);
    st_endpoint_normalize(&out->peer);
    if (out->kind == ST_ENGINE_KIND_SOCKET) {
        st_local_addr_learn(e, &out->local);
    }
    return true;
}

/*
 * What @fd of @task is, from the cache if it still holds, else resolved.
 * %ST_FD_FRESH resolves again (for a current size and position).  Every
 * resolution, and every use after a new pattern or device taint, gives
 * the object its first-use check (engine-fs.c).
 */
bool st_fd_lookup(StEngine *e, const StEngineTask *task, int fd,
                  StEngineObject *out, unsigned flags, uint64_t now)
{
    StFdKey key = { .table = st_fd_space(task), .fd = (uint32_t)fd };
    StFdEntry *ent;

    if (fd < 0) {
        return false;
    }
    ent = g_hash_table_lookup(e->fd_cache, &key);
    if (ent && !(flags & ST_FD_FRESH) && e->cfg.ops.fd_still &&
        ent->obj.file_id &&
        !e->cfg.ops.fd_still(e->cfg.opaque, task, fd, &ent->obj)) {
        st_fd_entry_remove(e, ent);
        ent = NULL;
    }
    e->fd_resolved = !ent || (flags & ST_FD_FRESH);
    if (!e->fd_resolved) {
        e->counters.fd_cache_hits++;
        QTAILQ_REMOVE(&e->fd_lru, ent, lru);
        QTAILQ_INSERT_TAIL(&e->fd_lru, ent, lru);
    } else {
        if (!st_fd_resolve(e, task, fd, out)) {
            if (ent) {
                st_fd_entry_remove(e, ent);
            }
            return false;
        }
        if (ent) {
            ent->obj = *out;
            ent->procfs_pid = -1;
            QTAILQ_REMOVE(&e->fd_lru, ent, lru);
            QTAILQ_INSERT_TAIL(&e->fd_lru, ent, lru);
        } else {
            ent = st_fd_entry_new(e, &key, out);
        }
    }
    if (ent->label_generation != e->label_generation + 1) {
        /* Generations are stored plus one: 0 is "never checked". */
        ent->label_generation = e->label_generation + 1;
        st_first_use(e, &ent->obj, now);
    }
    *out = ent->obj;
    return true;
}

/*
 * The process whose memory @fd (looked up just before) shows, if it is
 * /proc/PID/mem, environ or cmdline; 0 if not.  Asked once per fd.
 */
uint32_t st_fd_procfs_pid(StEngine *e, const StEngineTask *task, int fd)
{
    StFdKey key = { .table = st_fd_space(task), .fd = (uint32_t)fd };
    StFdEntry *ent = fd < 0 ? NULL : g_hash_table_lookup(e->fd_cache, &key);
    uint32_t pid = 0;

    if (!ent) {
        return 0;
    }
    if (ent->procfs_pid < 0) {
        ent->procfs_pid = st_procfs_pid(e, &ent->obj, &pid) ? pid : 0;
    }
    return ent->procfs_pid;
}

/* The fd family: calls that change what an fd number names. */
void st_fd_bookkeeping(StEngine *e, const StEngineTask *task, unsigned nr,
                       const uint64_t *args, StWant *want)
{
    switch (nr) {
    case ST_NR_DUP2:
    case ST_NR_DUP3:
        st_fd_cache_forget(e, task, (int)args[1]);
        break;
    case ST_NR_CLOSE_RANGE:
        st_fd_cache_forget_range(e, task, (uint32_t)args[0],
                                 (uint32_t)args[1]);
        break;
    case ST_NR_BIND:
        st_fd_cache_forget(e, task, (int)args[0]);
        /* Learn the address it binds: data sent there stays in the VM. */
        want->mask |= ST_WANT_REFRESH_FD;
        want->fd = (int)args[0];
        break;
    default:                    /* close, connect */
        st_fd_cache_forget(e, task, (int)args[0]);
        break;
    }
}
