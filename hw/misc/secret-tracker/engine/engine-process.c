/*
 * secret-tracker engine: processes
 *
 * A process is keyed by (tgid, start time of its group leader), so a
 * reused pid is another process.  A tracked parent's child is found by the
 * tid its clone returned, or at its first appearance by its parent.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

StNode *st_process_lookup(StEngine *e, uint32_t tgid, uint64_t start_time)
{
    StProcessKey key = { .tgid = tgid, .start_time = start_time };
    StNode *n = g_hash_table_lookup(e->processes, &key);

    if (n) {
        st_node_use(e, n);
    }
    return n;
}

/* @task with its details, fetched into @tmp if the caller left them out. */
static const StEngineTask *st_task_with_details(StEngine *e,
                                                const StEngineTask *task,
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

static StNode *st_process_new(StEngine *e, const StEngineTask *task,
                              uint64_t now)
{
    StNode *n = st_node_new(e, ST_ENGINE_KIND_PROCESS, now);
    StEngineTask tmp;

    if (!n) {
        return NULL;
    }
    task = st_task_with_details(e, task, &tmp);
    n->info.tgid = task->tgid;
    n->info.start_time = task->start_time;
    n->info.ppid = task->ppid;
    memcpy(n->info.comm, task->comm, ST_ENGINE_COMM_LEN);
    n->info.comm[ST_ENGINE_COMM_LEN - 1] = '\0';
    n->key.process.tgid = task->tgid;
    n->key.process.start_time = task->start_time;
    n->mm_id = task->mm_id;
    n->leader_id = task->leader_id;
    n->tracked_since = e->start_time_high_water;
    g_hash_table_insert(e->processes, &n->key.process, n);
    g_hash_table_replace(e->process_by_tgid, GUINT_TO_POINTER(task->tgid), n);
    e->n_live_processes++;
    e->process_generation++;
    return n;
}

/* Add @labels to @task's process, tracking it if needed. */
StNode *st_process_taint(StEngine *e, const StEngineTask *task,
                         uint64_t labels, uint64_t now)
{
    StNode *n = st_process_lookup(e, task->tgid, task->start_time);

    if (!n) {
        n = st_process_new(e, task, now);
        if (!n) {
            return NULL;
        }
    }
    n->info.labels |= labels;
    return n;
}

static StNode *st_child_tracked(StEngine *e, StNode *parent,
                                const StEngineTask *task, unsigned nr,
                                uint64_t fork_ns, uint64_t now)
{
    StNode *child = st_process_new(e, task, now);

    if (!child) {
        return NULL;
    }
    child->info.labels = parent->info.labels;
    st_flow_record(e, parent, child, ST_ENGINE_FAMILY_CLONE, nr, 1, 0,
                   parent->info.labels, fork_ns, fork_ns);
    return child;
}

/* The oldest expected child makes room (a bounded scan: max_children). */
static void st_expected_child_evict(StEngine *e)
{
    GHashTableIter it;
    gpointer key, value, oldest = NULL;
    uint64_t seq = UINT64_MAX;

    g_hash_table_iter_init(&it, e->expected_children);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        StExpectedChild *c = value;

        if (c->seq < seq) {
            seq = c->seq;
            oldest = key;
        }
    }
    g_hash_table_remove(e->expected_children, oldest);
    e->counters.drops[ST_ENGINE_DROP_CHILDREN]++;
}

/* A tracked parent's clone returned @ret: expect that child. */
void st_rule_clone(StEngine *e, const StPending *p, int64_t ret, uint64_t now)
{
    StNode *parent, *seen;
    StExpectedChild *child;
    uint32_t tid = (uint32_t)ret;

    if (p->nr == ST_NR_CLONE && (p->args[0] & ST_CLONE_THREAD)) {
        return;                 /* a thread of the same process */
    }
    parent = st_process_lookup(e, p->task.tgid, p->task.start_time);
    if (!parent || !parent->info.labels) {
        return;
    }
    seen = g_hash_table_lookup(e->process_by_tgid, GUINT_TO_POINTER(tid));
    if (seen && !seen->info.dead && seen->info.ppid == parent->info.tgid &&
        seen->info.start_time > parent->tracked_since) {
        return;                 /* the child already showed up */
    }
    if (g_hash_table_size(e->expected_children) >= e->cfg.max_children &&
        !g_hash_table_contains(e->expected_children, GUINT_TO_POINTER(tid))) {
        st_expected_child_evict(e);
    }
    child = g_new0(StExpectedChild, 1);
    child->parent_node = parent->info.id;
    child->nr = p->nr;
    child->clone_ns = now;
    child->seq = ++e->child_seq;
    g_hash_table_replace(e->expected_children, GUINT_TO_POINTER(tid), child);
    e->process_generation++;
}

/*
 * @task enters execve.  Whether it succeeds is not waited for: its fds
 * are forgotten either way (the cache only costs a new resolution) and a
 * tracked process takes its comm again at its next entry.  It keeps its
 * labels: the new image may hold what the old one left in the
 * environment or the inherited fds.
 */
void st_rule_execve(StEngine *e, const StEngineTask *task, StNode *proc)
{
    st_fd_cache_forget_table(e, task);
    if (proc) {
        proc->comm_stale = true;
    }
}

/* A tracked process's first entry since execve: its comm, perhaps new. */
static void st_process_refresh_comm(StEngine *e, StNode *proc,
                                    const StEngineTask *task)
{
    StEngineTask tmp;

    proc->comm_stale = false;
    task = st_task_with_details(e, task, &tmp);
    if (task->details) {
        memcpy(proc->info.comm, task->comm, ST_ENGINE_COMM_LEN);
        proc->info.comm[ST_ENGINE_COMM_LEN - 1] = '\0';
    }
}

/* A parent's child showing up: is it a tracked child? */
static StNode *st_first_appearance(StEngine *e, const StEngineTask *task,
                                   uint64_t now)
{
    StEngineTask tmp;
    StNode *parent;

    if (g_hash_table_size(e->expected_children)) {
        StExpectedChild *c = g_hash_table_lookup(e->expected_children,
                                                 GUINT_TO_POINTER(task->tid));

        if (c) {
            StExpectedChild child = *c;

            g_hash_table_remove(e->expected_children,
                                GUINT_TO_POINTER(task->tid));
            parent = st_node_by_id(e, child.parent_node);
            if (parent && task->tid == task->tgid &&
                parent->info.tgid != task->tgid) {
                return st_child_tracked(e, parent, task, child.nr,
                                        child.clone_ns, now);
            }
        }
    }
    if (!e->n_live_processes) {
        return NULL;            /* no tracked parent: spare the details */
    }
    task = st_task_with_details(e, task, &tmp);
    if (task->parent_start_time) {
        parent = st_process_lookup(e, task->ppid, task->parent_start_time);
    } else {
        parent = g_hash_table_lookup(e->process_by_tgid,
                                     GUINT_TO_POINTER(task->ppid));
    }
    /* Started after the parent became tracked: forked by it since. */
    if (parent && parent->info.labels && !parent->info.dead &&
        task->start_time > parent->tracked_since) {
        return st_child_tracked(e, parent, task, ST_NR_CLONE, now, now);
    }
    return NULL;
}

/* The tracked process of @task, or NULL; pairs a child that shows up. */
StNode *st_task_process(StEngine *e, const StEngineTask *task, uint64_t now)
{
    StUntrackedEntry *untracked =
        &e->untracked[task->tgid % ST_UNTRACKED_SLOTS];
    StNode *n;

    if (untracked->tgid == task->tgid &&
        untracked->start_time == task->start_time &&
        untracked->generation == e->process_generation) {
        return NULL;
    }
    n = st_process_lookup(e, task->tgid, task->start_time);
    if (n) {
        if (task->leader_id) {
            n->leader_id = task->leader_id;
        }
        if (n->comm_stale) {
            st_process_refresh_comm(e, n, task);
        }
        if (!n->mm_id) {
            n->mm_id = task->mm_id;
        }
        if (g_hash_table_size(e->expected_children)) {
            /* A thread created by clone3 is no child process. */
            g_hash_table_remove(e->expected_children,
                                GUINT_TO_POINTER(task->tid));
        }
        return n;
    }
    n = st_first_appearance(e, task, now);
    if (!n) {
        untracked->tgid = task->tgid;
        untracked->start_time = task->start_time;
        untracked->generation = e->process_generation;
    }
    return n;
}

unsigned st_engine_live_processes(StEngine *e, uint64_t *cursor,
                                  StEngineLiveProcess *out, unsigned max)
{
    unsigned n = 0;
    StNode *node;

    QTAILQ_FOREACH(node, &e->node_order, order) {
        if (n == max) {
            break;
        }
        if (node->info.id <= *cursor ||
            node->info.kind != ST_ENGINE_KIND_PROCESS || node->info.dead ||
            !node->leader_id) {
            continue;
        }
        out[n].tgid = node->info.tgid;
        out[n].start_time = node->info.start_time;
        out[n].leader_id = node->leader_id;
        *cursor = node->info.id;
        n++;
    }
    if (!n) {
        *cursor = 0;            /* round again next time */
    }
    return n;
}

void st_engine_process_ended(StEngine *e, uint32_t tgid,
                             uint64_t start_time, uint64_t now_ns)
{
    StEngineTask task = { .tid = tgid, .tgid = tgid,
                          .start_time = start_time };

    if (!st_process_lookup(e, tgid, start_time)) {
        return;
    }
    e->counters.processes_ended++;
    st_process_exit(e, &task, now_ns);
    st_shared_forget(e, &task, false);
}

/* exit_group, or exit of the group leader: @task's process ends. */
void st_process_exit(StEngine *e, const StEngineTask *task, uint64_t now)
{
    StPending *p, *next;
    StNode *proc;

    /* Other threads' entries die with the process. */
    QTAILQ_FOREACH_SAFE(p, &e->pending_age, age, next) {
        if (p->task.tgid == task->tgid &&
            p->task.start_time == task->start_time) {
            st_resolve_unpaired(e, p);
        }
    }
    st_fd_cache_forget_table(e, task);
    proc = st_process_lookup(e, task->tgid, task->start_time);
    if (proc && !proc->info.dead) {
        proc->info.dead = true;
        e->n_live_processes--;
        st_node_set_evictable(e, proc);
    }
    e->process_generation++;
}
