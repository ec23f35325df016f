/*
 * secret-tracker engine: the ioctls that move file data, and tainted
 * block devices
 *
 * Only six commands are followed; every other ioctl is ignored before
 * anything is read.  FICLONE, FICLONERANGE and FIDEDUPERANGE share extents
 * between two files inside the kernel: a transfer from file to file (a
 * dedupe only shares blocks whose contents are already equal, so it
 * over-taints, conservatively).  LOOP_SET_FD, LOOP_CHANGE_FD and
 * LOOP_CONFIGURE put a file behind a loop block device: the device (by its
 * rdev) gets the file's labels, a read of any device node naming it is
 * tainted, and every file of a filesystem on it (s_dev equal to that
 * rdev) is labelled when first used.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

bool st_ioctl_followed(uint64_t cmd)
{
    switch ((uint32_t)cmd) {    /* the kernel takes an unsigned int */
    case ST_FICLONE:
    case ST_FICLONERANGE:
    case ST_FIDEDUPERANGE:
    case ST_LOOP_SET_FD:
    case ST_LOOP_CHANGE_FD:
    case ST_LOOP_CONFIGURE:
    case ST_TUNSETIFF:
        return true;
    default:
        return false;
    }
}

static bool st_is_block_device(const StEngineObject *obj)
{
    return obj->rdev && (obj->kind == ST_ENGINE_KIND_BLOCKDEV ||
                         obj->kind == ST_ENGINE_KIND_OTHER);
}

/* The tainted block device that device node @obj names, if any. */
StNode *st_device_source(StEngine *e, const StEngineObject *obj)
{
    StNode *n;

    if (!st_is_block_device(obj)) {
        return NULL;
    }
    n = g_hash_table_lookup(e->devices, &obj->rdev);
    if (n) {
        st_node_use(e, n);
    }
    return n;
}

/* The labels @fd of @task can be read for, with its node and object. */
static uint64_t st_ioctl_source(StEngine *e, const StEngineTask *task,
                                int fd, StNode **src, StEngineObject *obj,
                                uint64_t now)
{
    if (!st_fd_lookup(e, task, fd, obj, ST_FD_FRESH, now)) {
        return 0;
    }
    *src = st_source_node(e, obj, now);
    return *src ? st_node_read_labels(*src) : 0;
}

/* A reflink or dedupe: @src_fd's extents shared into @dst_fd. */
static void st_ioctl_copy(StEngine *e, const StEngineTask *task, unsigned nr,
                          int src_fd, int dst_fd, uint64_t now)
{
    StEngineObject in, out;
    StNode *src, *dst;
    uint64_t labels = st_ioctl_source(e, task, src_fd, &src, &in, now);
    StEdge *edge;

    if (!labels || !st_fd_lookup(e, task, dst_fd, &out, 0, now)) {
        return;
    }
    dst = st_object_node(e, &out, true, now);
    if (!dst) {
        return;
    }
    dst->info.labels |= labels;
    edge = st_flow_record(e, src, dst, ST_ENGINE_FAMILY_TRANSFER, nr, 1,
                          in.size, labels, now, now);
    if (edge && !edge->info.via_tgid) {
        StNode *via = st_process_lookup(e, task->tgid, task->start_time);

        edge->info.via_tgid = task->tgid;
        edge->info.via_start_time = task->start_time;
        edge->info.via_node = via ? via->info.id : 0;
    }
}

/* @backing_fd goes behind loop device @loop_fd. */
static void st_ioctl_loop(StEngine *e, const StEngineTask *task, unsigned nr,
                          int loop_fd, int backing_fd, uint64_t now)
{
    StEngineObject file, loop;
    StNode *src, *dev;
    uint64_t labels = st_ioctl_source(e, task, backing_fd, &src, &file, now);

    if (!labels || !st_fd_lookup(e, task, loop_fd, &loop, 0, now)) {
        return;
    }
    if (!loop.rdev) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return;
    }
    dev = st_object_node(e, &loop, true, now);
    if (!dev) {
        return;
    }
    dev->info.labels |= labels;
    dev->info.rdev = loop.rdev;
    st_flow_record(e, src, dev, ST_ENGINE_FAMILY_TRANSFER, nr, 1, file.size,
                   labels, now, now);
    if (!dev->device_indexed) {
        g_hash_table_replace(e->devices, &dev->info.rdev, dev);
        dev->device_indexed = true;
    }
    e->label_generation++;      /* its files: labelled at first use */
}

/* The fds inside ioctl @cmd's structure at @arg; how many were read. */
static unsigned st_ioctl_struct_fds(StEngine *e, const StEngineTask *task,
                                    uint32_t cmd, uint64_t arg, int *fds)
{
    unsigned n = 0;

    if (!e->cfg.ops.ioctl_fds) {
        return 0;
    }
    if (!e->cfg.ops.ioctl_fds(e->cfg.opaque, task, cmd, arg, fds,
                              ST_ENGINE_MAX_IOCTL_FDS, &n)) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return 0;
    }
    if (n > ST_ENGINE_MAX_IOCTL_FDS) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE] +=
            n - ST_ENGINE_MAX_IOCTL_FDS;
        n = ST_ENGINE_MAX_IOCTL_FDS;
    }
    return n;
}

/* ioctl(fd, cmd, arg), for a command st_ioctl_followed() accepts. */
void st_rule_ioctl(StEngine *e, const StEngineTask *task, unsigned nr,
                   const uint64_t *args, uint64_t now)
{
    int fd = (int)args[0];
    uint32_t cmd = (uint32_t)args[1];
    int fds[ST_ENGINE_MAX_IOCTL_FDS];
    unsigned n, i;

    if (cmd == ST_TUNSETIFF) {
        st_tun_attach(e);
        return;
    }
    if (!st_have_read_sources(e) && !e->patterns->len &&
        !g_hash_table_size(e->devices)) {
        return;                 /* no labels anywhere to move */
    }
    switch (cmd) {
    case ST_FICLONE:
        st_ioctl_copy(e, task, nr, (int)args[2], fd, now);
        break;
    case ST_FICLONERANGE:
        if (st_ioctl_struct_fds(e, task, cmd, args[2], fds)) {
            st_ioctl_copy(e, task, nr, fds[0], fd, now);
        }
        break;
    case ST_FIDEDUPERANGE:
        n = st_ioctl_struct_fds(e, task, cmd, args[2], fds);
        for (i = 0; i < n; i++) {
            st_ioctl_copy(e, task, nr, fd, fds[i], now);
        }
        break;
    case ST_LOOP_SET_FD:
    case ST_LOOP_CHANGE_FD:
        st_ioctl_loop(e, task, nr, fd, (int)args[2], now);
        break;
    case ST_LOOP_CONFIGURE:
        if (st_ioctl_struct_fds(e, task, cmd, args[2], fds)) {
            st_ioctl_loop(e, task, nr, fd, fds[0], now);
        }
        break;
    default:
        break;
    }
}
