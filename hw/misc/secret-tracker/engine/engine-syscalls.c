/*
 * secret-tracker engine: which syscalls it follows, and their family
 *
 * Data only: the rules consult it; nothing here calls into them.  The
 * numbers are the x86-64 ABI's (abi/syscalls.h).
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/engine/engine.h"

typedef struct StEngineSyscall {
    const char *name;
    StEngineFamily family;
} StEngineSyscall;

#define ST_SYSCALL(nr_, name_, fam_) \
    [nr_] = { .name = name_, .family = ST_ENGINE_FAMILY_ ## fam_ }

static const StEngineSyscall st_engine_syscalls[] = {
    ST_SYSCALL(ST_NR_READ, "read", READ),
    ST_SYSCALL(ST_NR_WRITE, "write", WRITE),
    ST_SYSCALL(ST_NR_OPEN, "open", OPEN),
    ST_SYSCALL(ST_NR_CLOSE, "close", FD),
    ST_SYSCALL(ST_NR_MMAP, "mmap", MMAP),
    ST_SYSCALL(ST_NR_IOCTL, "ioctl", TRANSFER),
    ST_SYSCALL(ST_NR_PREAD64, "pread64", READ),
    ST_SYSCALL(ST_NR_PWRITE64, "pwrite64", WRITE),
    ST_SYSCALL(ST_NR_READV, "readv", READ),
    ST_SYSCALL(ST_NR_WRITEV, "writev", WRITE),
    ST_SYSCALL(ST_NR_DUP2, "dup2", FD),
    ST_SYSCALL(ST_NR_SENDFILE, "sendfile", TRANSFER),
    ST_SYSCALL(ST_NR_CONNECT, "connect", FD),
    ST_SYSCALL(ST_NR_SENDTO, "sendto", WRITE),
    ST_SYSCALL(ST_NR_RECVFROM, "recvfrom", READ),
    ST_SYSCALL(ST_NR_SENDMSG, "sendmsg", WRITE),
    ST_SYSCALL(ST_NR_RECVMSG, "recvmsg", READ),
    ST_SYSCALL(ST_NR_BIND, "bind", FD),
    ST_SYSCALL(ST_NR_CLONE, "clone", CLONE),
    ST_SYSCALL(ST_NR_FORK, "fork", CLONE),
    ST_SYSCALL(ST_NR_VFORK, "vfork", CLONE),
    ST_SYSCALL(ST_NR_EXECVE, "execve", EXECVE),
    ST_SYSCALL(ST_NR_EXIT, "exit", EXIT),
    ST_SYSCALL(ST_NR_RENAME, "rename", RENAME),
    ST_SYSCALL(ST_NR_UNLINK, "unlink", UNLINK),
    ST_SYSCALL(ST_NR_EXIT_GROUP, "exit_group", EXIT),
    ST_SYSCALL(ST_NR_OPENAT, "openat", OPEN),
    ST_SYSCALL(ST_NR_UNLINKAT, "unlinkat", UNLINK),
    ST_SYSCALL(ST_NR_RENAMEAT, "renameat", RENAME),
    ST_SYSCALL(ST_NR_SPLICE, "splice", TRANSFER),
    ST_SYSCALL(ST_NR_TEE, "tee", TRANSFER),
    ST_SYSCALL(ST_NR_VMSPLICE, "vmsplice", WRITE),
    ST_SYSCALL(ST_NR_DUP3, "dup3", FD),
    ST_SYSCALL(ST_NR_PREADV, "preadv", READ),
    ST_SYSCALL(ST_NR_PWRITEV, "pwritev", WRITE),
    ST_SYSCALL(ST_NR_RECVMMSG, "recvmmsg", READ),
    ST_SYSCALL(ST_NR_SENDMMSG, "sendmmsg", WRITE),
    ST_SYSCALL(ST_NR_RENAMEAT2, "renameat2", RENAME),
    ST_SYSCALL(ST_NR_EXECVEAT, "execveat", EXECVE),
    ST_SYSCALL(ST_NR_COPY_FILE_RANGE, "copy_file_range", TRANSFER),
    ST_SYSCALL(ST_NR_PREADV2, "preadv2", READ),
    ST_SYSCALL(ST_NR_PWRITEV2, "pwritev2", WRITE),
    ST_SYSCALL(ST_NR_CLONE3, "clone3", CLONE),
    ST_SYSCALL(ST_NR_CLOSE_RANGE, "close_range", FD),
    ST_SYSCALL(ST_NR_OPENAT2, "openat2", OPEN),
    /* engine-ipc.c */
    ST_SYSCALL(ST_NR_SHMAT, "shmat", SHARE),
    ST_SYSCALL(ST_NR_MSGSND, "msgsnd", SHARE),
    ST_SYSCALL(ST_NR_MSGRCV, "msgrcv", SHARE),
    ST_SYSCALL(ST_NR_PTRACE, "ptrace", SHARE),
    ST_SYSCALL(ST_NR_SETXATTR, "setxattr", SHARE),
    ST_SYSCALL(ST_NR_LSETXATTR, "lsetxattr", SHARE),
    ST_SYSCALL(ST_NR_FSETXATTR, "fsetxattr", SHARE),
    ST_SYSCALL(ST_NR_GETXATTR, "getxattr", SHARE),
    ST_SYSCALL(ST_NR_LGETXATTR, "lgetxattr", SHARE),
    ST_SYSCALL(ST_NR_FGETXATTR, "fgetxattr", SHARE),
    ST_SYSCALL(ST_NR_LISTXATTR, "listxattr", SHARE),
    ST_SYSCALL(ST_NR_LLISTXATTR, "llistxattr", SHARE),
    ST_SYSCALL(ST_NR_FLISTXATTR, "flistxattr", SHARE),
    ST_SYSCALL(ST_NR_MQ_UNLINK, "mq_unlink", UNLINK),
    ST_SYSCALL(ST_NR_MQ_TIMEDSEND, "mq_timedsend", WRITE),
    ST_SYSCALL(ST_NR_MQ_TIMEDRECEIVE, "mq_timedreceive", READ),
    ST_SYSCALL(ST_NR_ADD_KEY, "add_key", SHARE),
    ST_SYSCALL(ST_NR_REQUEST_KEY, "request_key", SHARE),
    ST_SYSCALL(ST_NR_KEYCTL, "keyctl", SHARE),
    ST_SYSCALL(ST_NR_PROCESS_VM_READV, "process_vm_readv", SHARE),
    ST_SYSCALL(ST_NR_PROCESS_VM_WRITEV, "process_vm_writev", SHARE),
    ST_SYSCALL(ST_NR_SETXATTRAT, "setxattrat", SHARE),
    ST_SYSCALL(ST_NR_GETXATTRAT, "getxattrat", SHARE),
    ST_SYSCALL(ST_NR_LISTXATTRAT, "listxattrat", SHARE),
    /* named only: fed by st_engine_coredump(), never as a syscall */
    ST_SYSCALL(ST_NR_COREDUMP, "coredump", NONE),
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
