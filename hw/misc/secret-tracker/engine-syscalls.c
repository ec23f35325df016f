/*
 * secret-tracker: x86-64 syscall numbers and the engine's families
 *
 * The numbers are Linux's x86-64 ABI (the "common" and "64" entries of
 * its syscall table).
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/misc/secret-tracker/engine/engine.h"

typedef struct StEngineSyscall {
    const char *name;
    StEngineFamily family;
} StEngineSyscall;

#define ST_SYSCALL(nr_, name_, fam_) \
    [nr_] = { .name = name_, .family = ST_ENGINE_FAMILY_ ## fam_ }

static const StEngineSyscall st_engine_syscalls[] = {
    ST_SYSCALL(0, "read", READ),
    ST_SYSCALL(1, "write", WRITE),
    ST_SYSCALL(2, "open", OPEN),
    ST_SYSCALL(3, "close", FD),
    ST_SYSCALL(9, "mmap", MMAP),
    ST_SYSCALL(17, "pread64", READ),
    ST_SYSCALL(18, "pwrite64", WRITE),
    ST_SYSCALL(19, "readv", READ),
    ST_SYSCALL(20, "writev", WRITE),
    ST_SYSCALL(33, "dup2", FD),
    ST_SYSCALL(40, "sendfile", TRANSFER),
    ST_SYSCALL(42, "connect", FD),
    ST_SYSCALL(44, "sendto", WRITE),
    ST_SYSCALL(45, "recvfrom", READ),
    ST_SYSCALL(46, "sendmsg", WRITE),
    ST_SYSCALL(47, "recvmsg", READ),
    ST_SYSCALL(49, "bind", FD),
    ST_SYSCALL(56, "clone", CLONE),
    ST_SYSCALL(57, "fork", CLONE),
    ST_SYSCALL(58, "vfork", CLONE),
    ST_SYSCALL(59, "execve", EXECVE),
    ST_SYSCALL(60, "exit", EXIT),
    ST_SYSCALL(82, "rename", RENAME),
    ST_SYSCALL(87, "unlink", UNLINK),
    ST_SYSCALL(231, "exit_group", EXIT),
    ST_SYSCALL(257, "openat", OPEN),
    ST_SYSCALL(263, "unlinkat", UNLINK),
    ST_SYSCALL(264, "renameat", RENAME),
    ST_SYSCALL(275, "splice", TRANSFER),
    ST_SYSCALL(276, "tee", TRANSFER),
    ST_SYSCALL(292, "dup3", FD),
    ST_SYSCALL(295, "preadv", READ),
    ST_SYSCALL(296, "pwritev", WRITE),
    ST_SYSCALL(299, "recvmmsg", READ),
    ST_SYSCALL(307, "sendmmsg", WRITE),
    ST_SYSCALL(316, "renameat2", RENAME),
    ST_SYSCALL(322, "execveat", EXECVE),
    ST_SYSCALL(326, "copy_file_range", TRANSFER),
    ST_SYSCALL(327, "preadv2", READ),
    ST_SYSCALL(328, "pwritev2", WRITE),
    ST_SYSCALL(435, "clone3", CLONE),
    ST_SYSCALL(436, "close_range", FD),
    ST_SYSCALL(437, "openat2", OPEN),
};

StEngineFamily st_engine_syscall_family(unsigned nr)
{
    if (nr >= G_N_ELEMENTS(st_engine_syscalls)) {
        return ST_ENGINE_FAMILY_NONE;
    }
    return st_engine_syscalls[nr].family;
}

const char *st_engine_syscall_name(unsigned nr)
{
    if (nr >= G_N_ELEMENTS(st_engine_syscalls)) {
        return NULL;
    }
    return st_engine_syscalls[nr].name;
}

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
    };

    if ((unsigned)drop >= ST_ENGINE_DROP__MAX) {
        return "unknown";
    }
    return names[drop];
}
