/*
 * secret-tracker engine: syscall entries waiting for their exit
 *
 * Entries are paired with exits per task (tid plus the task's own start
 * time), never per vCPU.  They live in a fixed pool chained into buckets
 * by tid.  An entry whose exit will not come (a second entry of the task,
 * a new task with its tid, the death of its process) is resolved
 * conservatively; see docs/devel/secret-tracker-engine.rst.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "engine-internal.h"

StPending *st_pending_find(StEngine *e, uint32_t tid)
{
    uint32_t i = e->pending_buckets[tid & e->pending_mask];

    while (i != ST_NO_INDEX) {
        if (e->pending[i].task.tid == tid) {
            return &e->pending[i];
        }
        i = e->pending[i].next;
    }
    return NULL;
}

void st_pending_remove(StEngine *e, StPending *p)
{
    uint32_t idx = p - e->pending;
    uint32_t *link = &e->pending_buckets[p->task.tid & e->pending_mask];

    while (*link != ST_NO_INDEX) {
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

StPending *st_pending_add(StEngine *e, const StEngineTask *task, unsigned nr,
                          StEngineFamily family, const uint64_t *args,
                          uint64_t now)
{
    uint32_t idx = e->pending_free;
    uint32_t *bucket;
    StPending *p;

    if (idx == ST_NO_INDEX) {
        e->counters.drops[ST_ENGINE_DROP_PENDING]++;
        return NULL;
    }
    p = &e->pending[idx];
    e->pending_free = p->next;
    p->task = *task;
    p->nr = nr;
    p->family = family;
    memcpy(p->args, args, sizeof(p->args));
    p->have_target = false;
    p->used = true;
    bucket = &e->pending_buckets[task->tid & e->pending_mask];
    p->next = *bucket;
    *bucket = idx;
    e->n_pending++;
    return p;
}

bool st_engine_has_pending(const StEngine *e)
{
    return __atomic_load_n(&e->n_pending, __ATOMIC_RELAXED) != 0;
}

/*
 * An entry whose exit will not come.  @now_task is the task making the
 * current call if it is the same tid (else NULL).
 */
void st_resolve_unpaired(StEngine *e, StPending *p,
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
