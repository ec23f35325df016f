/*
 * secret-tracker engine: memory and kernel objects that processes share
 *
 * What moves through shared memory moves with no system call, so the
 * engine keeps, per process, the shared objects it maps (MAP_SHARED file
 * and anonymous mappings, SysV segments; inherited by fork) and the
 * address spaces that vfork and CLONE_VM share; at each entry of such a
 * process, labels cross between the process and its objects both ways.
 * A process cannot hand on what it holds without a system call, so
 * crossing at its entries is enough.  The same table holds labels that
 * another process wrote into a process's memory (process_vm_writev,
 * ptrace, /proc/PID/mem), given to it at its next entry.
 *
 * Kernel-held data: SysV message queues, extended attributes and keys
 * are nodes written by a tracked process's call and read by any
 * process's call.  Over-approximations, documented in
 * docs/devel/secret-tracker-engine.rst: every extended attribute is one
 * node, every key is one node, every pty (master or slave) is one node.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

StNode *st_ipc_node(StEngine *e, StEngineIpc type, uint64_t id, bool create,
                    uint64_t now)
{
    StNode *n = st_inode_lookup(e, ST_IPC_KEY_DEV | type, id);

    if (n || !create) {
        return n;
    }
    n = st_node_new(e, ST_ENGINE_KIND_IPC, now);
    if (!n) {
        return NULL;
    }
    n->info.dev = type;
    n->info.ino = id;
    n->key.inode.dev = ST_IPC_KEY_DEV | type;
    n->key.inode.ino = id;
    g_hash_table_insert(e->inodes, &n->key.inode, n);
    st_node_take_path(e, n, g_strdup_printf("%s:[%" PRIu64 "]",
                                            st_engine_ipc_name(type), id));
    return n;
}

void st_shared_init(StEngine *e)
{
    e->shares = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                      g_free);
    e->mm_watch = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                        g_free);
}

void st_shared_destroy(StEngine *e)
{
    g_hash_table_destroy(e->shares);
    g_hash_table_destroy(e->mm_watch);
}

void st_shared_clear(StEngine *e)
{
    g_hash_table_remove_all(e->shares);
    g_hash_table_remove_all(e->mm_watch);
}

/* Make room in @table (of StShareList or StMmWatch): the oldest goes. */
static void st_shared_make_room(StEngine *e, GHashTable *table)
{
    GHashTableIter it;
    gpointer key, value, oldest = NULL;
    uint64_t seq = UINT64_MAX;

    if (g_hash_table_size(table) < e->cfg.max_shared) {
        return;
    }
    g_hash_table_iter_init(&it, table);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        /* Both records start with their age. */
        uint64_t age = *(uint64_t *)value;

        if (age < seq) {
            seq = age;
            oldest = key;
        }
    }
    g_hash_table_remove(table, oldest);
    e->counters.drops[ST_ENGINE_DROP_SHARED]++;
}

/* @tgid's list, made if @create (start time 0: the next one seen). */
static StShareList *st_share_list(StEngine *e, uint32_t tgid,
                                  uint64_t start_time, bool create)
{
    StShareList *l = g_hash_table_lookup(e->shares, GUINT_TO_POINTER(tgid));

    if (l && start_time && l->start_time && l->start_time != start_time) {
        /* An earlier process with this pid: its mappings are gone. */
        g_hash_table_remove(e->shares, GUINT_TO_POINTER(tgid));
        l = NULL;
    }
    if (l || !create) {
        return l;
    }
    st_shared_make_room(e, e->shares);
    l = g_new0(StShareList, 1);
    l->seq = ++e->share_seq;
    l->tgid = tgid;
    l->start_time = start_time;
    g_hash_table_insert(e->shares, GUINT_TO_POINTER(tgid), l);
    return l;
}

/* @task's process maps shared object @n (writable: it can store in it). */
void st_shared_map(StEngine *e, const StEngineTask *task, StNode *n,
                   bool writable, unsigned nr)
{
    StShareList *l = st_share_list(e, task->tgid, task->start_time, true);
    unsigned i;

    for (i = 0; i < l->n_refs; i++) {
        if (l->refs[i].node == n->info.id) {
            l->refs[i].writable |= writable;
            return;
        }
    }
    if (l->n_refs == ST_ENGINE_MAX_SHARE_REFS) {
        e->counters.drops[ST_ENGINE_DROP_SHARED]++;
        return;
    }
    l->refs[l->n_refs].node = n->info.id;
    l->refs[l->n_refs].nr = nr;
    l->refs[l->n_refs].writable = writable;
    l->n_refs++;
}

/* Labels cross from @src to @dst (a process or a shared object). */
static uint64_t st_share_cross(StEngine *e, StNode *src, StNode *dst,
                               unsigned nr, uint64_t now)
{
    uint64_t labels = src->info.labels & ~dst->info.labels;

    if (labels) {
        dst->info.labels |= labels;
        st_flow_record(e, src, dst, ST_ENGINE_FAMILY_SHARE, nr, 1, 0, labels,
                       now, now);
    }
    return labels;
}

/* Labels from shared object @n into @task's process (made if needed). */
static StNode *st_share_pull(StEngine *e, const StEngineTask *task,
                             StNode *proc, StNode *n, unsigned nr,
                             uint64_t now)
{
    uint64_t labels = n->info.labels & ~(proc ? proc->info.labels : 0);

    if (!labels) {
        return proc;
    }
    proc = st_process_taint(e, task, 0, now);
    if (proc) {
        st_share_cross(e, n, proc, nr, now);
    }
    return proc;
}

static StNode *st_share_list_sync(StEngine *e, const StEngineTask *task,
                                  StShareList *l, StNode *proc, uint64_t now)
{
    StNode *n;
    unsigned i = 0;

    if (l->owed) {
        n = st_node_by_id(e, l->owed_from);
        proc = st_process_taint(e, task, n ? 0 : l->owed, now);
        if (proc && n) {
            st_share_cross(e, n, proc, l->owed_nr, now);
        }
        if (proc) {
            l->owed = 0;
        }
    }
    while (i < l->n_refs) {
        n = st_node_by_id(e, l->refs[i].node);
        if (!n) {
            /* Evicted: its labels are forgotten anyway. */
            l->refs[i] = l->refs[--l->n_refs];
            continue;
        }
        proc = st_share_pull(e, task, proc, n, l->refs[i].nr, now);
        if (proc && l->refs[i].writable) {
            st_share_cross(e, proc, n, l->refs[i].nr, now);
        }
        i++;
    }
    return proc;
}

static StNode *st_mm_sync(StEngine *e, const StEngineTask *task,
                          StMmWatch *w, StNode *proc, uint64_t now)
{
    StNode *n;

    if (w->tgid != task->tgid || w->start_time != task->start_time) {
        w->shared = true;
    }
    if (!w->shared) {
        return proc;
    }
    n = w->node ? st_node_by_id(e, w->node) : NULL;
    if (n) {
        proc = st_share_pull(e, task, proc, n, w->nr, now);
    }
    if (!proc || !proc->info.labels ||
        (n && !(proc->info.labels & ~n->info.labels))) {
        return proc;
    }
    if (!n) {
        n = st_ipc_node(e, ST_ENGINE_IPC_ADDRESS_SPACE, w->mm_id, true, now);
        if (!n) {
            return proc;
        }
        w->node = n->info.id;
    }
    st_share_cross(e, proc, n, w->nr, now);
    return proc;
}

StNode *st_shared_sync(StEngine *e, const StEngineTask *task, StNode *proc,
                       uint64_t now)
{
    StShareList *l;
    StMmWatch *w;

    if (g_hash_table_size(e->shares)) {
        l = st_share_list(e, task->tgid, task->start_time, false);
        if (l) {
            l->start_time = task->start_time;
            proc = st_share_list_sync(e, task, l, proc, now);
        }
        /* Labels owed to a thread by its own id. */
        if (task->tid != task->tgid) {
            l = g_hash_table_lookup(e->shares, GUINT_TO_POINTER(task->tid));
            if (l && !l->start_time && l->owed) {
                proc = st_share_list_sync(e, task, l, proc, now);
            }
        }
    }
    if (task->mm_id && g_hash_table_size(e->mm_watch)) {
        w = g_hash_table_lookup(e->mm_watch, &task->mm_id);
        if (w) {
            proc = st_mm_sync(e, task, w, proc, now);
        }
    }
    return proc;
}

/* The end of an entry of @task: what its rules changed crosses too. */
void st_shared_after(StEngine *e, const StEngineTask *task, uint64_t now)
{
    if (g_hash_table_size(e->shares) || g_hash_table_size(e->mm_watch)) {
        st_shared_sync(e, task, st_task_process(e, task, now), now);
    }
}

/* @from (a tracked process) wrote into the memory of process @pid. */
void st_shared_owe(StEngine *e, uint32_t pid, StNode *from, unsigned nr,
                   uint64_t now)
{
    StNode *target = g_hash_table_lookup(e->process_by_tgid,
                                         GUINT_TO_POINTER(pid));
    StShareList *l;

    if (!from->info.labels) {
        return;
    }
    if (target && !target->info.dead && target != from) {
        st_node_use(e, target);
        st_share_cross(e, from, target, nr, now);
        return;
    }
    l = st_share_list(e, pid, 0, true);
    l->owed |= from->info.labels;
    l->owed_from = from->info.id;
    l->owed_nr = nr;
}

/* The tracked process @pid, if it is one (its memory read by another). */
StNode *st_shared_process(StEngine *e, uint32_t pid)
{
    StNode *n = g_hash_table_lookup(e->process_by_tgid,
                                    GUINT_TO_POINTER(pid));

    if (n) {
        st_node_use(e, n);
    }
    return n;
}

/*
 * @task clones, perhaps sharing its address space with the new process
 * (vfork, clone with CLONE_VM; clone3's flags are in user memory, so any
 * clone3): watch its mm.  A new process whose mm is this one shares it.
 */
void st_shared_clone_entry(StEngine *e, const StEngineTask *task,
                           unsigned nr, const uint64_t *args)
{
    StMmWatch *w;

    if (!task->mm_id || nr == ST_NR_FORK ||
        (nr == ST_NR_CLONE && ((args[0] & ST_CLONE_THREAD) ||
                               !(args[0] & ST_CLONE_VM)))) {
        return;
    }
    w = g_hash_table_lookup(e->mm_watch, &task->mm_id);
    if (w) {
        w->seq = ++e->share_seq;
        return;
    }
    st_shared_make_room(e, e->mm_watch);
    w = g_new0(StMmWatch, 1);
    w->seq = ++e->share_seq;
    w->mm_id = task->mm_id;
    w->tgid = task->tgid;
    w->start_time = task->start_time;
    w->nr = nr;
    g_hash_table_insert(e->mm_watch, &w->mm_id, w);
}

/* Does @task's process map shared objects that a child inherits? */
bool st_shared_has_maps(StEngine *e, const StEngineTask *task)
{
    StShareList *l;

    if (!g_hash_table_size(e->shares)) {
        return false;
    }
    l = st_share_list(e, task->tgid, task->start_time, false);
    return l && l->n_refs;
}

/* A clone of a process with shared mappings returned child @tid. */
void st_shared_fork(StEngine *e, const StPending *p, uint32_t tid)
{
    StShareList *parent, *child;

    if (p->nr == ST_NR_CLONE && (p->args[0] & ST_CLONE_THREAD)) {
        return;
    }
    parent = st_share_list(e, p->task.tgid, p->task.start_time, false);
    if (!parent || !parent->n_refs || tid == p->task.tgid) {
        return;
    }
    g_hash_table_remove(e->shares, GUINT_TO_POINTER(tid));
    child = st_share_list(e, tid, 0, true);
    memcpy(child->refs, parent->refs, sizeof(parent->refs));
    child->n_refs = parent->n_refs;
}

/*
 * @task's process execs (@exec) or exits: its mappings end, and an
 * address space it cloned is no longer watched (its pointer may be
 * reused).  Labels owed to it stay until its next entry.
 */
void st_shared_forget(StEngine *e, const StEngineTask *task, bool exec)
{
    StShareList *l;
    StMmWatch *w;

    if (g_hash_table_size(e->shares)) {
        l = st_share_list(e, task->tgid, task->start_time, false);
        if (l && (!exec || !l->owed)) {
            g_hash_table_remove(e->shares, GUINT_TO_POINTER(task->tgid));
        } else if (l) {
            l->n_refs = 0;
        }
    }
    if (task->mm_id && g_hash_table_size(e->mm_watch)) {
        w = g_hash_table_lookup(e->mm_watch, &task->mm_id);
        if (w && w->tgid == task->tgid && w->start_time == task->start_time) {
            g_hash_table_remove(e->mm_watch, &task->mm_id);
        }
    }
}
