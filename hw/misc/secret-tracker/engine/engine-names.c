/*
 * secret-tracker engine: the names of families, node kinds and drop
 * reasons, as the monitor and the log print them
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/engine/engine.h"

const char *st_engine_family_name(StEngineFamily family)
{
    static const char *const names[ST_ENGINE_FAMILY__MAX] = {
        [ST_ENGINE_FAMILY_READ] = "read",
        [ST_ENGINE_FAMILY_WRITE] = "write",
        [ST_ENGINE_FAMILY_TRANSFER] = "transfer",
        [ST_ENGINE_FAMILY_MMAP] = "mmap",
        [ST_ENGINE_FAMILY_CLONE] = "clone",
        [ST_ENGINE_FAMILY_EXECVE] = "execve",
        [ST_ENGINE_FAMILY_EXIT] = "exit",
        [ST_ENGINE_FAMILY_OPEN] = "open",
        [ST_ENGINE_FAMILY_RENAME] = "rename",
        [ST_ENGINE_FAMILY_UNLINK] = "unlink",
        [ST_ENGINE_FAMILY_FD] = "fd",
        [ST_ENGINE_FAMILY_SHARE] = "share",
    };

    if ((unsigned)family >= ST_ENGINE_FAMILY__MAX) {
        return NULL;
    }
    return names[family];
}

const char *st_engine_kind_name(StEngineKind kind)
{
    static const char *const names[ST_ENGINE_KIND__MAX] = {
        [ST_ENGINE_KIND_UNKNOWN] = "unknown",
        [ST_ENGINE_KIND_FILE] = "file",
        [ST_ENGINE_KIND_DIR] = "dir",
        [ST_ENGINE_KIND_PIPE] = "pipe",
        [ST_ENGINE_KIND_FIFO] = "fifo",
        [ST_ENGINE_KIND_SOCKET] = "socket",
        [ST_ENGINE_KIND_CHARDEV] = "chardev",
        [ST_ENGINE_KIND_OTHER] = "other",
        [ST_ENGINE_KIND_PROCESS] = "process",
        [ST_ENGINE_KIND_ENDPOINT] = "endpoint",
        [ST_ENGINE_KIND_BLOCKDEV] = "blockdev",
        [ST_ENGINE_KIND_IPC] = "ipc",
    };

    if ((unsigned)kind >= ST_ENGINE_KIND__MAX) {
        return "unknown";
    }
    return names[kind];
}

const char *st_engine_drop_name(StEngineDrop drop)
{
    static const char *const names[ST_ENGINE_DROP__MAX] = {
        [ST_ENGINE_DROP_FLOWS] = "flows",
        [ST_ENGINE_DROP_NODES] = "nodes",
        [ST_ENGINE_DROP_LABELS] = "labels",
        [ST_ENGINE_DROP_PENDING] = "pending",
        [ST_ENGINE_DROP_ENDPOINTS] = "endpoints",
        [ST_ENGINE_DROP_CHILDREN] = "children",
        [ST_ENGINE_DROP_FD_CACHE] = "fd-cache",
        [ST_ENGINE_DROP_RESOLVE] = "resolve",
        [ST_ENGINE_DROP_UNPAIRED] = "unpaired",
        [ST_ENGINE_DROP_PEER] = "peer",
        [ST_ENGINE_DROP_NODES_EVICTED] = "nodes-evicted",
        [ST_ENGINE_DROP_LOCAL_ADDRS] = "local-addrs",
        [ST_ENGINE_DROP_WAITING] = "waiting-readers",
        [ST_ENGINE_DROP_SHARED] = "shared",
    };

    if ((unsigned)drop >= ST_ENGINE_DROP__MAX) {
        return "unknown";
    }
    return names[drop];
}

const char *st_engine_ipc_name(StEngineIpc type)
{
    static const char *const names[ST_ENGINE_IPC__MAX] = {
        [ST_ENGINE_IPC_SHARED_ANON] = "shared-anon",
        [ST_ENGINE_IPC_SYSV_SHM] = "sysv-shm",
        [ST_ENGINE_IPC_SYSV_MSG] = "sysv-msg",
        [ST_ENGINE_IPC_ADDRESS_SPACE] = "address-space",
        [ST_ENGINE_IPC_XATTR] = "xattr",
        [ST_ENGINE_IPC_KEYS] = "keys",
        [ST_ENGINE_IPC_PTY] = "pty",
        [ST_ENGINE_IPC_TUN] = "tun",
        [ST_ENGINE_IPC_FUSE] = "fuse",
        [ST_ENGINE_IPC_PACKET] = "packet",
        [ST_ENGINE_IPC_VSOCK] = "vsock",
    };

    if ((unsigned)type >= ST_ENGINE_IPC__MAX || !names[type]) {
        return "unknown";
    }
    return names[type];
}
