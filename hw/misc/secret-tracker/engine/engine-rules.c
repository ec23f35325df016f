/*
 * secret-tracker engine: the data rules (read, write, transfer, mmap)
 *
 * Applied at a successful exit, or to an unpaired entry with ask = false:
 * then nothing is resolved anew (the task may be gone), only the fd cache
 * and what the entry already holds are used, and bytes count 0.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

uint64_t st_bytes_moved(StEngine *e, const StPending *p, int64_t ret,
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

bool st_rule_read(StEngine *e, const StPending *p, uint64_t bytes, bool ask,
                  uint64_t now)
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
    proc = st_process_taint(e, &p->task, labels, now);
    if (proc) {
        st_flow_record(e, src, proc, ST_ENGINE_FAMILY_READ, p->nr, 1, bytes,
                       labels, now, now);
    }
    return true;
}

bool st_rule_write(StEngine *e, StPending *p, uint64_t bytes, bool ask,
                   uint64_t now)
{
    StNode *proc = st_process_lookup(e, p->task.tgid, p->task.start_time);
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
    st_flow_record(e, proc, dst, ST_ENGINE_FAMILY_WRITE, p->nr, 1, bytes,
                   labels, now, now);
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

/* A transfer into a pipe or socket: taint it at the entry already. */
void st_transfer_pretaint(StEngine *e, const StPending *p, StNode *proc,
                          uint64_t now)
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
        st_channel_pretaint(e, p, &out, labels, now);
    }
}

bool st_rule_transfer(StEngine *e, const StPending *p, uint64_t bytes,
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
    via = st_process_lookup(e, p->task.tgid, p->task.start_time);
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
        edge = st_flow_record(e, src, dst, ST_ENGINE_FAMILY_TRANSFER, p->nr,
                              1, bytes, labels, now, now);
        if (edge && !edge->info.via_tgid) {
            edge->info.via_tgid = p->task.tgid;
            edge->info.via_start_time = p->task.start_time;
            edge->info.via_node = via ? via->info.id : 0;
        }
    }
    if (from_proc) {
        st_flow_record(e, via, dst, ST_ENGINE_FAMILY_TRANSFER, p->nr, 1,
                       bytes, from_proc, now, now);
    }
    if (out.kind == ST_ENGINE_KIND_SOCKET) {
        st_socket_deliver(e, &p->task, p, dst, &out, labels | from_proc,
                          bytes, ask, now);
    }
    return true;
}

/*
 * A readable mapping of a tainted file taints the process; a writable
 * shared mapping by a tracked process taints the file.
 */
bool st_rule_mmap(StEngine *e, const StPending *p, bool ask, uint64_t now)
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
        proc = st_process_taint(e, &p->task, labels, now);
        if (proc) {
            st_flow_record(e, node, proc, ST_ENGINE_FAMILY_MMAP, p->nr, 1,
                           len, labels, now, now);
        }
    }
    proc = st_process_lookup(e, p->task.tgid, p->task.start_time);
    if (proc && proc->info.labels && (prot & ST_PROT_WRITE) &&
        (type == ST_MAP_SHARED || type == ST_MAP_SHARED_VALIDATE)) {
        labels = proc->info.labels;
        node = st_object_node(e, &obj, true, now);
        if (node) {
            node->info.labels |= labels;
            st_flow_record(e, proc, node, ST_ENGINE_FAMILY_MMAP, p->nr, 1,
                           len, labels, now, now);
        }
    }
    return true;
}
