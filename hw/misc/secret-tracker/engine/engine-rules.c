/*
 * secret-tracker engine: the data rules (read, write, vmsplice, transfer),
 * all decided at entry (mmap: engine-ipc.c)
 *
 * The taint goes where the call would move data as soon as the call is
 * entered: whatever the return (it may never be seen), the labels have
 * moved.  Byte counts follow docs/devel/secret-tracker-engine.rst: writes
 * count what they ask to write; reads and transfers from a regular file
 * count what is left to read (min(count, size - pos), and a read at the
 * end of the file moves nothing); reads from anything else (pipes,
 * sockets, devices) count the call at entry and add the bytes only when
 * the return is reported.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

/* An unknown byte count: bounded by what the file holds. */
#define ST_BYTES_UNKNOWN UINT64_MAX

/* The bytes a read or write call asks to move. */
uint64_t st_request_bytes(StEngine *e, const StEngineTask *task,
                          unsigned nr, const uint64_t *args)
{
    switch (nr) {
    case ST_NR_READ:
    case ST_NR_WRITE:
    case ST_NR_PREAD64:
    case ST_NR_PWRITE64:
    case ST_NR_SENDTO:
    case ST_NR_RECVFROM:
    case ST_NR_MQ_TIMEDSEND:
    case ST_NR_MQ_TIMEDRECEIVE:
        return args[2];
    case ST_NR_COREDUMP:
        return ST_BYTES_UNKNOWN;    /* known only when the dump ends */
    default:                    /* vectored calls */
        if (!e->cfg.ops.iov_bytes) {
            return ST_BYTES_UNKNOWN;
        }
        return e->cfg.ops.iov_bytes(e->cfg.opaque, task, nr, args);
    }
}

/*
 * Is @obj a regular file whose size says what a read can get?  procfs and
 * sysfs files report size 0 whatever they hold: those count like pipes.
 */
static bool st_sized_file(const StEngineObject *obj)
{
    return obj->kind == ST_ENGINE_KIND_FILE && (obj->size || obj->pos);
}

/*
 * What a read of @want bytes of regular file @obj gets: from @pos if
 * @have_pos, else from the file position; 0 at the end of the file.
 */
static uint64_t st_file_bytes(const StEngineObject *obj, uint64_t want,
                              bool have_pos, uint64_t pos)
{
    uint64_t from = have_pos ? pos : obj->pos;
    uint64_t left = obj->size > from ? obj->size - from : 0;

    return MIN(want, left);
}

/* The offset a positioned read gives, if it gives one. */
static bool st_read_offset(unsigned nr, const uint64_t *args, uint64_t *pos)
{
    switch (nr) {
    case ST_NR_PREAD64:
    case ST_NR_PREADV:
        *pos = args[3];
        return true;
    case ST_NR_PREADV2:
        *pos = args[3];
        return (int64_t)args[3] != -1;     /* -1: the file position */
    default:
        return false;
    }
}

/*
 * Labels from @src to @task's process at this entry, with @bytes, or with
 * the bytes the return will give if @bytes_at_return (wanted via @want).
 */
static void st_read_from(StEngine *e, const StEngineTask *task, unsigned nr,
                         StNode *src, uint64_t labels, uint64_t bytes,
                         bool bytes_at_return, StWant *want, uint64_t now)
{
    StNode *proc = st_process_taint(e, task, labels, now);
    StEdge *edge;

    if (!proc) {
        return;
    }
    edge = st_flow_record(e, src, proc, ST_ENGINE_FAMILY_READ, nr, 1, bytes,
                          labels, now, now);
    if (edge && bytes_at_return) {
        want->mask |= nr == ST_NR_RECVMMSG ? ST_WANT_MMSG_BYTES :
                                             ST_WANT_BYTES;
        want->edges[0] = edge->info.id;
    }
}

/*
 * What a read of @obj takes labels from besides its own node: the node
 * of the channel it is an end of (a pty, a TUN or TAP fd, a FUSE file or
 * /dev/fuse, a packet or vsock socket), the process whose memory a
 * /proc/PID file shows.
 */
static StNode *st_other_source(StEngine *e, const StEngineTask *task,
                               int fd, const StEngineObject *obj,
                               uint64_t now)
{
    uint32_t pid;

    if (obj->kind == ST_ENGINE_KIND_CHARDEV || obj->fuse ||
        obj->kind == ST_ENGINE_KIND_SOCKET) {
        return st_channel_source(e, obj, now);
    }
    if (e->n_live_processes && obj->kind == ST_ENGINE_KIND_FILE &&
        !obj->size) {
        pid = st_fd_procfs_pid(e, task, fd);
        return pid ? st_shared_process(e, pid) : NULL;
    }
    return NULL;
}

/* The read family, and the read end of vmsplice. */
static void st_read_fd(StEngine *e, const StEngineTask *task, unsigned nr,
                       const uint64_t *args, StWant *want, uint64_t now)
{
    int fd = (int)args[0];
    StEngineObject obj;
    StNode *src;
    uint64_t labels, bytes = 0, pos = 0;
    bool have_pos;

    if (!st_fd_lookup(e, task, fd, &obj, 0, now)) {
        return;
    }
    src = st_source_node(e, &obj, now);
    labels = src ? st_node_read_labels(src) : 0;
    if (!labels) {
        src = st_other_source(e, task, fd, &obj, now);
        labels = src ? src->info.labels : 0;
    }
    if (!labels) {
        if (!st_remote_note_read(e, task, nr, &obj, want, now)) {
            st_waiting_add(e, task, nr, args, &obj);
            st_channel_wait(e, task, nr, args, &obj);
        }
        return;
    }
    if (obj.kind == ST_ENGINE_KIND_FILE && !e->fd_resolved &&
        !st_fd_lookup(e, task, fd, &obj, ST_FD_FRESH, now)) {
        return;
    }
    if (st_sized_file(&obj)) {
        have_pos = st_read_offset(nr, args, &pos);
        bytes = st_file_bytes(&obj, st_request_bytes(e, task, nr, args),
                              have_pos, pos);
        if (!bytes) {
            return;             /* the end of the file: nothing moves */
        }
    }
    st_read_from(e, task, nr, src, labels, bytes, !st_sized_file(&obj), want,
                 now);
}

void st_rule_read(StEngine *e, const StEngineTask *task, unsigned nr,
                  const uint64_t *args, StWant *want, uint64_t now)
{
    if (!st_have_read_sources(e) && !e->patterns->len &&
        !g_hash_table_size(e->devices) && !st_remote_reads_on(e)) {
        return;                 /* nothing a read could pick up */
    }
    st_read_fd(e, task, nr, args, want, now);
}

/*
 * A tracked process @proc writes its labels into what @fd names, at this
 * entry.  An inet socket that is not bound yet gets its address from this
 * very send: resolved again at the return.
 */
void st_taint_target(StEngine *e, const StEngineTask *task, unsigned nr,
                     const uint64_t *args, StNode *proc, int fd,
                     StWant *want, uint64_t now)
{
    uint64_t labels = proc->info.labels;
    uint64_t bytes;
    StEngineObject obj;
    StNode *dst;
    uint32_t pid;

    if (!st_fd_lookup(e, task, fd, &obj, 0, now)) {
        return;
    }
    if (obj.kind == ST_ENGINE_KIND_FILE && !obj.size) {
        pid = st_fd_procfs_pid(e, task, fd);      /* /proc/PID/mem */
        if (pid) {
            st_shared_owe(e, pid, proc, nr, now);
            return;
        }
    }
    dst = st_object_node(e, &obj, true, now);
    if (!dst) {
        return;
    }
    bytes = st_request_bytes(e, task, nr, args);
    if (bytes == ST_BYTES_UNKNOWN) {
        bytes = 0;
    }
    dst->info.labels |= labels;
    st_flow_record(e, proc, dst, ST_ENGINE_FAMILY_WRITE, nr, 1, bytes,
                   labels, now, now);
    if (obj.kind == ST_ENGINE_KIND_CHARDEV) {
        st_pty_write(e, &obj, proc, nr, bytes, now);
        st_tun_write(e, task, nr, args, &obj, proc, bytes, now);
    }
    st_channel_write(e, &obj, proc, nr, bytes, now);
    if (obj.kind != ST_ENGINE_KIND_SOCKET) {
        return;
    }
    st_socket_deliver(e, task, nr, args, dst, &obj, labels, bytes, NULL,
                      now);
    if ((obj.sock_family == ST_AF_INET || obj.sock_family == ST_AF_INET6) &&
        obj.local.port == 0) {
        want->mask |= ST_WANT_REFRESH_FD;
        want->fd = fd;
    }
}

void st_rule_write(StEngine *e, const StEngineTask *task, unsigned nr,
                   const uint64_t *args, StNode *proc, StWant *want,
                   uint64_t now)
{
    if (!proc || !proc->info.labels) {
        return;                 /* the hot path: nothing to carry */
    }
    st_taint_target(e, task, nr, args, proc, (int)args[0], want, now);
}

/*
 * vmsplice(fd, iov, nr_segs, flags): memory into a pipe's write end (a
 * write), or a pipe's read end into memory (a read).  An fd whose mode is
 * unknown is taken as both.
 */
void st_rule_vmsplice(StEngine *e, const StEngineTask *task, unsigned nr,
                      const uint64_t *args, StNode *proc, StWant *want,
                      uint64_t now)
{
    bool writer = proc && proc->info.labels;
    StEngineObject obj;
    uint32_t mode;

    if (!writer && !st_have_read_sources(e) && !e->patterns->len) {
        return;
    }
    if (!st_fd_lookup(e, task, (int)args[0], &obj, 0, now)) {
        return;
    }
    mode = obj.mode & (ST_FMODE_READ | ST_FMODE_WRITE);
    if (writer && (mode & ST_FMODE_WRITE || !mode)) {
        st_taint_target(e, task, nr, args, proc, (int)args[0], want, now);
    }
    if (mode & ST_FMODE_READ || !mode) {
        st_read_fd(e, task, nr, args, want, now);
    }
}

/* The in and out fds of a transfer, its count and its in-offset pointer. */
static void st_transfer_args(unsigned nr, const uint64_t *args, int *in_fd,
                             int *out_fd, uint64_t *count, uint64_t *off_in)
{
    switch (nr) {
    case ST_NR_SENDFILE:        /* (out, in, *offset, count) */
        *out_fd = (int)args[0];
        *in_fd = (int)args[1];
        *off_in = args[2];
        *count = args[3];
        break;
    case ST_NR_TEE:             /* (in, out, len, flags) */
        *in_fd = (int)args[0];
        *out_fd = (int)args[1];
        *off_in = 0;
        *count = args[2];
        break;
    default:                    /* splice, copy_file_range */
        *in_fd = (int)args[0];
        *off_in = args[1];
        *out_fd = (int)args[2];
        *count = args[4];
        break;
    }
}

/*
 * sendfile, splice, tee, copy_file_range: from the in-fd's node to the
 * out-fd's, past the calling process's memory.  A tracked process decides
 * what it moves, as with a write: what it holds and the source lacks
 * reaches the target from the process.
 */
void st_rule_transfer(StEngine *e, const StEngineTask *task, unsigned nr,
                      const uint64_t *args, StNode *proc, StWant *want,
                      uint64_t now)
{
    int in_fd, out_fd;
    uint64_t count, off_in, labels, from_proc, bytes = 0;
    StEngineObject in, out;
    StNode *src, *dst;
    StEdge *edge;
    bool sized;

    if ((!proc || !proc->info.labels) && !st_have_read_sources(e) &&
        !e->patterns->len && !g_hash_table_size(e->devices)) {
        return;
    }
    st_transfer_args(nr, args, &in_fd, &out_fd, &count, &off_in);
    if (!st_fd_lookup(e, task, in_fd, &in, 0, now)) {
        return;
    }
    src = st_source_node(e, &in, now);
    labels = src ? st_node_read_labels(src) : 0;
    from_proc = proc ? proc->info.labels & ~labels : 0;
    if (!labels && !from_proc) {
        return;
    }
    if (in.kind == ST_ENGINE_KIND_FILE && !e->fd_resolved &&
        !st_fd_lookup(e, task, in_fd, &in, ST_FD_FRESH, now)) {
        return;
    }
    sized = st_sized_file(&in);
    if (sized) {
        /* With an offset pointer the position is not known: from 0. */
        bytes = st_file_bytes(&in, count, off_in != 0, 0);
        if (!bytes) {
            return;
        }
    }
    if (!st_fd_lookup(e, task, out_fd, &out, 0, now)) {
        return;
    }
    dst = st_object_node(e, &out, true, now);
    if (!dst) {
        return;
    }
    dst->info.labels |= labels | from_proc;
    if (labels) {
        edge = st_flow_record(e, src, dst, ST_ENGINE_FAMILY_TRANSFER, nr, 1,
                              bytes, labels, now, now);
        if (edge && !edge->info.via_tgid) {
            edge->info.via_tgid = task->tgid;
            edge->info.via_start_time = task->start_time;
            edge->info.via_node = proc ? proc->info.id : 0;
        }
        if (edge && !sized) {
            want->edges[0] = edge->info.id;
        }
    }
    if (from_proc) {
        edge = st_flow_record(e, proc, dst, ST_ENGINE_FAMILY_TRANSFER, nr, 1,
                              bytes, from_proc, now, now);
        if (edge && !sized) {
            want->edges[1] = edge->info.id;
        }
    }
    if (!sized && (want->edges[0] || want->edges[1])) {
        want->mask |= ST_WANT_BYTES;
    }
    if (out.kind == ST_ENGINE_KIND_SOCKET) {
        /* Unsized: the return gives the bytes of the delivery too. */
        st_socket_deliver(e, task, nr, args, dst, &out, labels | from_proc,
                          bytes, sized ? NULL : want, now);
    }
}
