/*
 * secret-tracker: the host's i386 syscall and socketcall numbers, for
 * test-linux-abi.c (in a file of their own: the i386 and x86-64 headers
 * define the same names)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "test-linux-abi.h"

#include <asm/unistd_32.h>
#include <linux/net.h>

#define NR32(name) { #name, __NR_##name }

const TestAbiNumber test_abi_nr32[] = {
    NR32(exit), NR32(fork), NR32(read), NR32(write), NR32(open),
    NR32(close), NR32(creat), NR32(unlink), NR32(execve), NR32(rename),
    NR32(ioctl), NR32(dup2), NR32(reboot), NR32(mmap), NR32(socketcall),
    NR32(clone),
    NR32(readv), NR32(writev), NR32(pread64), NR32(pwrite64),
    NR32(sendfile), NR32(vfork), NR32(mmap2), NR32(sendfile64),
    NR32(io_submit), NR32(exit_group), NR32(openat), NR32(unlinkat),
    NR32(renameat), NR32(splice), NR32(tee), NR32(vmsplice), NR32(dup3),
    NR32(preadv), NR32(pwritev), NR32(recvmmsg), NR32(sendmmsg),
    NR32(renameat2), NR32(execveat), NR32(bind), NR32(connect),
    NR32(sendto), NR32(sendmsg), NR32(recvfrom), NR32(recvmsg),
    NR32(copy_file_range), NR32(preadv2), NR32(pwritev2),
    NR32(recvmmsg_time64), NR32(clone3), NR32(close_range), NR32(openat2),
    NR32(ptrace), NR32(ipc), NR32(setxattr), NR32(lsetxattr),
    NR32(fsetxattr), NR32(getxattr), NR32(lgetxattr), NR32(fgetxattr),
    NR32(listxattr), NR32(llistxattr), NR32(flistxattr), NR32(mq_unlink),
    NR32(mq_timedsend), NR32(mq_timedreceive), NR32(add_key),
    NR32(request_key), NR32(keyctl), NR32(process_vm_readv),
    NR32(process_vm_writev), NR32(shmat), NR32(msgsnd), NR32(msgrcv),
    NR32(mq_timedsend_time64), NR32(mq_timedreceive_time64),
    /* no translation: these stay untranslated */
    NR32(getpid), NR32(socket), NR32(accept4), NR32(io_uring_enter),
    { NULL, 0 }
};

#define SOCKETCALL(name) { #name, SYS_##name }

const TestAbiNumber test_abi_socketcall[] = {
    SOCKETCALL(SOCKET), SOCKETCALL(BIND), SOCKETCALL(CONNECT),
    SOCKETCALL(LISTEN), SOCKETCALL(ACCEPT), SOCKETCALL(GETSOCKNAME),
    SOCKETCALL(GETPEERNAME), SOCKETCALL(SOCKETPAIR), SOCKETCALL(SEND),
    SOCKETCALL(RECV), SOCKETCALL(SENDTO), SOCKETCALL(RECVFROM),
    SOCKETCALL(SHUTDOWN), SOCKETCALL(SETSOCKOPT), SOCKETCALL(GETSOCKOPT),
    SOCKETCALL(SENDMSG), SOCKETCALL(RECVMSG), SOCKETCALL(ACCEPT4),
    SOCKETCALL(RECVMMSG), SOCKETCALL(SENDMMSG),
    { NULL, 0 }
};
