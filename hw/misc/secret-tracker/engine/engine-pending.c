/*
 * secret-tracker engine: entries waiting for their return
 *
 * Every taint decision is taken at entry; an entry is remembered only when
 * its return adds something (a byte count, a clone child, a rename), so
 * untainted I/O never takes a slot.  Entries are paired with returns per
 * task (tid plus the task's own start time), never per vCPU, in a fixed
 * pool chained into buckets by tid.  When the pool is full the oldest
 * entry is evicted.  An entry whose return will not come (a second entry
 * of the task, a new task with its tid, the death of its process,
 * eviction) is resolved as unpaired: what its return would have added is
 * lost, and counted.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "engine-internal.h"

void st_want_clear(StWant *want)
{
    g_free(want->paths[0]);
    g_free(want->paths[1]);
    memset(want, 0, sizeof(*want));
}

void st_pending_init(StEngine *e)
{
    uint32_t buckets = 16;
    unsigned i;

    while (buckets < e->cfg.max_pending * 2 && buckets < (1u << 30)) {
        buckets <<= 1;
    }
    e->pending_mask = buckets - 1;
    e->pending_buckets = g_new(uint32_t, buckets);
    for (i = 0; i < buckets; i++) {
        e->pending_buckets[i] = ST_NO_INDEX;
    }
    e->pending = g_new0(StPending, e->cfg.max_pending);
    QTAILQ_INIT(&e->pending_age);
    QTAILQ_INIT(&e->pending_free);
    for (i = 0; i < e->cfg.max_pending; i++) {
        QTAILQ_INSERT_TAIL(&e->pending_free, &e->pending[i], age);
    }
}

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
    st_want_clear(&p->want);
    p->used = false;
    QTAILQ_REMOVE(&e->pending_age, p, age);
    QTAILQ_INSERT_TAIL(&e->pending_free, p, age);
    __atomic_store_n(&e->n_pending, e->n_pending - 1, __ATOMIC_RELAXED);
}

/* Remember an entry and what its return completes (@want taken over). */
StPending *st_pending_add(StEngine *e, const StEngineTask *task, unsigned nr,
                          StEngineFamily family, const uint64_t *args,
                          StWant *want)
{
    uint32_t *bucket;
    StPending *p;

    if (QTAILQ_EMPTY(&e->pending_free)) {
        e->counters.drops[ST_ENGINE_DROP_PENDING]++;
        st_resolve_unpaired(e, QTAILQ_FIRST(&e->pending_age));
    }
    p = QTAILQ_FIRST(&e->pending_free);
    QTAILQ_REMOVE(&e->pending_free, p, age);
    QTAILQ_INSERT_TAIL(&e->pending_age, p, age);
    p->task = *task;
    p->nr = nr;
    p->family = family;
    memcpy(p->args, args, sizeof(p->args));
    p->want = *want;
    memset(want, 0, sizeof(*want));
    p->used = true;
    bucket = &e->pending_buckets[task->tid & e->pending_mask];
    p->next = *bucket;
    *bucket = p - e->pending;
    __atomic_store_n(&e->n_pending, e->n_pending + 1, __ATOMIC_RELAXED);
    return p;
}

bool st_engine_has_pending(const StEngine *e)
{
    return __atomic_load_n(&e->n_pending, __ATOMIC_RELAXED) != 0;
}

/*
 * An entry whose return will not come.  Its taint was applied at entry;
 * only a byte count stays inexact, or a path change is not applied.
 */
void st_resolve_unpaired(StEngine *e, StPending *p)
{
    e->counters.unpaired++;
    e->counters.unpaired_by_family[p->family]++;
    if (p->want.mask & (ST_WANT_RENAME | ST_WANT_UNLINK |
                        ST_WANT_PATHS_LATE)) {
        e->counters.drops[ST_ENGINE_DROP_UNPAIRED]++;
    }
    st_pending_remove(e, p);
}

/* Forget every entry (a reboot): not counted, the tasks are gone. */
void st_pending_clear(StEngine *e)
{
    StPending *p, *next;

    QTAILQ_FOREACH_SAFE(p, &e->pending_age, age, next) {
        st_pending_remove(e, p);
    }
}
