/*
 * secret-tracker engine: devices that are channels between processes
 *
 * A pseudo-terminal, a TUN or TAP interface (engine-tun.c) and a FUSE
 * file system each carry what one process writes to another that reads
 * it, through a device the tracker does not look into.  Each kind is one
 * ipc node for the whole VM: a tracked write taints it, and every read
 * takes from it (an over-approximation, never a miss).  A FUSE file
 * system's two ends are its files, which processes read and write, and
 * /dev/fuse, which its daemon reads requests (a write's data) from and
 * writes replies (a read's data) to.  Packet and vsock sockets are such
 * channels too: a frame sent on the loopback interface (from a packet
 * or an XDP socket, one channel), or a vsock stream to CID 1, reaches a
 * reader here, while the send also counts as leaving the VM
 * (engine-endpoints.c).  A reader that blocks on such a
 * channel before it is tainted waits for it like a reader of a pipe.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

static bool st_rdev_is_misc(uint64_t rdev, unsigned minor)
{
    return rdev == ((uint64_t)ST_MISC_MAJOR << ST_KDEV_MINOR_BITS | minor);
}

/* Which device channel @obj is an end of, if any. */
StEngineIpc st_channel_of(const StEngineObject *obj)
{
    if (obj->kind == ST_ENGINE_KIND_FILE) {
        return obj->fuse ? ST_ENGINE_IPC_FUSE : ST_ENGINE_IPC_NONE;
    }
    if (obj->kind == ST_ENGINE_KIND_SOCKET) {
        /* an XDP socket's frames go out on an interface, as packets do */
        return obj->sock_family == ST_AF_PACKET ? ST_ENGINE_IPC_PACKET :
               obj->sock_family == ST_AF_XDP ? ST_ENGINE_IPC_PACKET :
               obj->sock_family == ST_AF_VSOCK ? ST_ENGINE_IPC_VSOCK :
               ST_ENGINE_IPC_NONE;
    }
    if (obj->kind != ST_ENGINE_KIND_CHARDEV) {
        return ST_ENGINE_IPC_NONE;
    }
    if (st_rdev_is_pty(obj->rdev)) {
        return ST_ENGINE_IPC_PTY;
    }
    if (st_rdev_is_misc(obj->rdev, ST_TUN_MINOR)) {
        return ST_ENGINE_IPC_TUN;
    }
    if (st_rdev_is_misc(obj->rdev, ST_FUSE_MINOR)) {
        return ST_ENGINE_IPC_FUSE;
    }
    return ST_ENGINE_IPC_NONE;
}

/* The channel node a read of @obj takes labels from, if it has one. */
StNode *st_channel_source(StEngine *e, const StEngineObject *obj,
                         uint64_t now)
{
    StEngineIpc type = st_channel_of(obj);

    if (type == ST_ENGINE_IPC_NONE) {
        return NULL;
    }
    if (type == ST_ENGINE_IPC_TUN) {
        st_tun_attach(e);
    }
    return st_ipc_node(e, type, 0, false, now);
}

/*
 * A read of @obj that takes no labels: if @obj is an end of a device
 * channel, the reader waits on the channel's node.
 */
void st_channel_wait(StEngine *e, const StEngineTask *task, unsigned nr,
                    const uint64_t *args, const StEngineObject *obj)
{
    StEngineIpc type = st_channel_of(obj);
    StEngineObject chan;

    if (type == ST_ENGINE_IPC_NONE) {
        return;
    }
    memset(&chan, 0, sizeof(chan));
    chan.kind = ST_ENGINE_KIND_IPC;
    chan.dev = ST_IPC_KEY_DEV | type;
    st_waiting_add(e, task, nr, args, &chan);
}

/*
 * A tracked @proc writes @bytes into @obj: an end of a FUSE file system
 * carries them (a pty: st_pty_write(), a TUN: st_tun_write()).
 */
void st_channel_write(StEngine *e, const StEngineObject *obj, StNode *proc,
                      unsigned nr, uint64_t bytes, uint64_t now)
{
    StNode *chan;

    if (st_channel_of(obj) != ST_ENGINE_IPC_FUSE) {
        return;
    }
    chan = st_ipc_node(e, ST_ENGINE_IPC_FUSE, 0, true, now);
    if (chan) {
        chan->info.labels |= proc->info.labels;
        st_flow_record(e, proc, chan, ST_ENGINE_FAMILY_WRITE, nr, 1, bytes,
                       proc->info.labels, now, now);
    }
}

/*
 * Socket @sock (of @obj) sends @labels: if it is a packet or vsock
 * socket, its channel carries them to any reader of one here.
 */
void st_channel_send(StEngine *e, const StEngineObject *obj, StNode *sock,
                     unsigned nr, uint64_t labels, uint64_t bytes,
                     uint64_t now)
{
    StEngineIpc type = st_channel_of(obj);
    StNode *chan;

    if (obj->kind != ST_ENGINE_KIND_SOCKET || type == ST_ENGINE_IPC_NONE) {
        return;
    }
    chan = st_ipc_node(e, type, 0, true, now);
    if (chan) {
        chan->info.labels |= labels;
        st_flow_record(e, sock, chan, ST_ENGINE_FAMILY_WRITE, nr, 1, bytes,
                       labels, now, now);
    }
}
