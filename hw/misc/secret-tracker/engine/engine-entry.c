/*
 * secret-tracker engine: syscall entry and return
 *
 * The front door.  An entry is filtered cheaply (family, ioctl command,
 * tracked process, anything to look for at all), and every taint decision
 * is taken there.  The entry asks for its return only when the return
 * adds something: a byte count, a clone child, a rename; the return then
 * completes what the entry started.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

bool st_engine_syscall_relevant(unsigned nr, const uint64_t *args)
{
    switch (st_engine_syscall_family(nr)) {
    case ST_ENGINE_FAMILY_NONE:
    case ST_ENGINE_FAMILY_OPEN:
        return false;
    default:
        return nr != ST_NR_IOCTL || st_ioctl_followed(args[1]);
    }
}

static void st_entry_clone(StEngine *e, const StEngineTask *task,
                           unsigned nr, const uint64_t *args, StNode *proc,
                           StWant *want)
{
    st_shared_clone_entry(e, task, nr, args);
    if ((!proc || !proc->info.labels) && !st_shared_has_maps(e, task)) {
        return;
    }
    if (nr == ST_NR_CLONE && (args[0] & ST_CLONE_THREAD)) {
        return;                 /* a thread of the same process */
    }
    want->mask |= ST_WANT_CLONE;   /* pair the child by the tid returned */
}

/* The rules of @family at this entry; what they want from the return. */
static void st_entry_rules(StEngine *e, const StEngineTask *task,
                           unsigned nr, StEngineFamily family,
                           const uint64_t *args, StNode *proc, StWant *want,
                           uint64_t now)
{
    switch (family) {
    case ST_ENGINE_FAMILY_READ:
        st_rule_read(e, task, nr, args, want, now);
        break;
    case ST_ENGINE_FAMILY_WRITE:
        if (nr == ST_NR_VMSPLICE) {
            st_rule_vmsplice(e, task, nr, args, proc, want, now);
        } else {
            st_rule_write(e, task, nr, args, proc, want, now);
        }
        break;
    case ST_ENGINE_FAMILY_TRANSFER:
        if (nr == ST_NR_IOCTL) {
            st_rule_ioctl(e, task, nr, args, now);
        } else {
            st_rule_transfer(e, task, nr, args, proc, want, now);
        }
        break;
    case ST_ENGINE_FAMILY_MMAP:
        st_rule_mmap(e, task, nr, args, proc, now);
        break;
    case ST_ENGINE_FAMILY_CLONE:
        st_entry_clone(e, task, nr, args, proc, want);
        break;
    case ST_ENGINE_FAMILY_EXECVE:
        st_rule_execve(e, task, proc);
        st_shared_forget(e, task, true);
        break;
    case ST_ENGINE_FAMILY_EXIT:
        if (nr != ST_NR_EXIT || task->tid == task->tgid) {
            st_process_exit(e, task, now);
            st_shared_forget(e, task, false);
        }
        break;
    case ST_ENGINE_FAMILY_SHARE:
        st_rule_share(e, task, nr, args, proc, want, now);
        break;
    case ST_ENGINE_FAMILY_RENAME:
        st_rule_rename_entry(e, task, nr, args, want);
        break;
    case ST_ENGINE_FAMILY_UNLINK:
        st_rule_unlink_entry(e, task, nr, args, want);
        break;
    case ST_ENGINE_FAMILY_FD:
        st_fd_bookkeeping(e, task, nr, args, want);
        break;
    default:                    /* open: files are labelled at first use */
        break;
    }
}

bool st_engine_syscall_entry(StEngine *e, const StEngineTask *task,
                             unsigned nr, const uint64_t *args,
                             uint64_t now_ns)
{
    StEngineFamily family = st_engine_syscall_family(nr);
    StWant want;
    StNode *proc;
    StPending *p;

    if (family == ST_ENGINE_FAMILY_NONE ||
        (nr == ST_NR_IOCTL && !st_ioctl_followed(args[1]))) {
        return false;
    }
    e->counters.entries++;
    e->event++;
    e->event_nr = nr;
    e->last_ns = now_ns;
    if (task->tid_start_time > e->start_time_high_water) {
        e->start_time_high_water = task->tid_start_time;
    }
    if (task->start_time > e->start_time_high_water) {
        e->start_time_high_water = task->start_time;
    }
    st_waiting_forget(e, task->tid);
    if (e->n_pending) {
        p = st_pending_find(e, task->tid);
        if (p) {
            st_resolve_unpaired(e, p);
        }
    }
    proc = st_task_process(e, task, now_ns);
    /* Shared memory and address spaces: labels cross both ways. */
    proc = st_shared_sync(e, task, proc, now_ns);
    if (task->compat) {
        e->counters.compat_entries++;
        if (proc) {
            e->counters.compat_tracked++;
        }
    }
    if (family == ST_ENGINE_FAMILY_WRITE && nr != ST_NR_VMSPLICE &&
        (!proc || !proc->info.labels)) {
        return false;           /* the hot path: nothing to carry */
    }
    memset(&want, 0, sizeof(want));
    st_entry_rules(e, task, nr, family, args, proc, &want, now_ns);
    /* What this entry taught it crosses too (before the next entry). */
    st_shared_after(e, task, now_ns);
    if (!want.mask) {
        return false;
    }
    st_pending_add(e, task, nr, family, args, &want);
    e->counters.returns_wanted++;
    return true;
}

void st_engine_coredump(StEngine *e, const StEngineTask *task, int fd,
                        uint64_t now_ns)
{
    uint64_t args[ST_ENGINE_NR_ARGS] = { (uint64_t)fd };
    StWant want;
    StNode *proc;

    e->event++;
    e->event_nr = ST_NR_COREDUMP;
    e->last_ns = now_ns;
    proc = st_task_process(e, task, now_ns);
    proc = st_shared_sync(e, task, proc, now_ns);
    if (proc && proc->info.labels) {
        memset(&want, 0, sizeof(want));     /* no return: it is dying */
        st_taint_target(e, task, ST_NR_COREDUMP, args, proc, fd, &want,
                        now_ns);
    }
    /* A core is dumped only on the way to the whole group's exit. */
    st_process_exit(e, task, now_ns);
    st_shared_forget(e, task, false);
}

/* The bytes that return @ret of remembered entry @p moved. */
static uint64_t st_return_bytes(StEngine *e, const StPending *p,
                                const StEngineTask *task, int64_t ret)
{
    if (p->nr != ST_NR_RECVMMSG) {
        return (uint64_t)ret;   /* recvmmsg returns a message count */
    }
    return e->cfg.ops.mmsg_bytes ?
        e->cfg.ops.mmsg_bytes(e->cfg.opaque, task, p->nr, p->args, ret) : 0;
}

/* The return of a remembered entry: complete what the entry started. */
static void st_return_completes(StEngine *e, const StPending *p,
                                const StEngineTask *task, int64_t ret,
                                uint64_t now)
{
    const StWant *want = &p->want;
    StEngineObject obj;
    uint64_t bytes;

    if (ret < 0) {
        return;
    }
    if (want->mask & (ST_WANT_BYTES | ST_WANT_MMSG_BYTES)) {
        bytes = (uint64_t)ret;
        if (want->mask & ST_WANT_MMSG_BYTES) {
            bytes = st_return_bytes(e, p, task, ret);
        }
        st_flow_add_bytes(e, want->edges[0], bytes);
        st_flow_add_bytes(e, want->edges[1], bytes);
    }
    if (want->mask & ST_WANT_DELIVERY) {
        st_socket_delivery_bytes(e, want, (uint64_t)ret);
    }
    if (want->mask & ST_WANT_REMOTE_BYTES) {
        st_remote_read_bytes(e, p, st_return_bytes(e, p, task, ret));
    }
    if (want->mask & ST_WANT_REFRESH_FD) {
        /* Bound now: resolving it again learns and indexes its address. */
        if (st_fd_lookup(e, task, want->fd, &obj, ST_FD_FRESH, now) &&
            obj.kind == ST_ENGINE_KIND_SOCKET) {
            st_object_node(e, &obj, false, now);
        }
    }
    if ((want->mask & ST_WANT_CLONE) && ret > 0) {
        st_rule_clone(e, p, ret, now);
        st_shared_fork(e, p, ret);
    }
    if ((want->mask & ST_WANT_RENAME) && ret == 0) {
        st_rule_rename(e, p, now);
    }
    if ((want->mask & ST_WANT_PATHS_LATE) && ret == 0) {
        st_rule_paths_late(e, p, now);
    }
    if ((want->mask & ST_WANT_UNLINK) && ret == 0) {
        st_rule_unlink(e, p);
    }
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
        st_resolve_unpaired(e, p);
        return;
    }
    e->counters.exits++;
    e->event++;
    e->event_nr = nr;
    e->last_ns = now_ns;
    st_return_completes(e, p, task, ret, now_ns);
    st_pending_remove(e, p);
}
