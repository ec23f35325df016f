/*
 * secret-tracker: the ABI facts of abi/ that the decoders rely on,
 * against the host's own kernel headers (linux-libc-dev: the same
 * x86-64 and i386 ABI as the guest's), and the compat table against the
 * syscall numbers of both
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "test-linux-abi.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-compat.h"

#include <asm/unistd_64.h>
#include <asm/processor-flags.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <linux/io_uring.h>
#include <linux/loop.h>
#include <linux/netlink.h>
#include <linux/vm_sockets.h>

#define NR64(name) { #name, __NR_##name }

static const TestAbiNumber nr64[] = {
    NR64(read), NR64(write), NR64(open), NR64(close), NR64(mmap),
    NR64(pread64), NR64(pwrite64), NR64(readv), NR64(writev), NR64(dup2),
    NR64(getpid), NR64(sendfile), NR64(connect), NR64(sendto),
    NR64(recvfrom), NR64(sendmsg), NR64(recvmsg), NR64(bind), NR64(clone),
    NR64(fork), NR64(vfork), NR64(execve), NR64(exit), NR64(rename),
    NR64(unlink), NR64(exit_group), NR64(openat), NR64(unlinkat),
    NR64(renameat), NR64(splice), NR64(tee), NR64(dup3), NR64(preadv),
    NR64(pwritev), NR64(recvmmsg), NR64(sendmmsg), NR64(renameat2),
    NR64(execveat), NR64(copy_file_range), NR64(preadv2), NR64(pwritev2),
    NR64(clone3), NR64(close_range), NR64(openat2), NR64(ioctl),
    NR64(creat), NR64(io_submit), NR64(vmsplice), NR64(ptrace),
    NR64(setxattr), NR64(lsetxattr), NR64(fsetxattr), NR64(getxattr),
    NR64(lgetxattr), NR64(fgetxattr), NR64(listxattr), NR64(llistxattr),
    NR64(flistxattr), NR64(mq_unlink), NR64(mq_timedsend),
    NR64(mq_timedreceive), NR64(add_key), NR64(request_key), NR64(keyctl),
    NR64(process_vm_readv), NR64(process_vm_writev), NR64(shmat),
    NR64(msgsnd), NR64(msgrcv),
    { NULL, 0 }
};

static long lookup(const TestAbiNumber *t, const char *name)
{
    for (; t->name; t++) {
        if (strcmp(t->name, name) == 0) {
            return t->value;
        }
    }
    g_error("no %s in the oracle", name);
}

#define CHECK(ours, theirs) g_assert_cmpint(ours, ==, theirs)
#define CHECK64(ours, name) CHECK(ours, lookup(nr64, name))
#define CHECK32(ours, name) CHECK(ours, lookup(test_abi_nr32, name))

static void test_syscall_numbers(void)
{
    CHECK64(ST_NR_READ, "read");
    CHECK64(ST_NR_WRITE, "write");
    CHECK64(ST_NR_OPEN, "open");
    CHECK64(ST_NR_CLOSE, "close");
    CHECK64(ST_NR_MMAP, "mmap");
    CHECK64(ST_NR_PREAD64, "pread64");
    CHECK64(ST_NR_PWRITE64, "pwrite64");
    CHECK64(ST_NR_READV, "readv");
    CHECK64(ST_NR_WRITEV, "writev");
    CHECK64(ST_NR_DUP2, "dup2");
    CHECK64(ST_NR_GETPID, "getpid");
    CHECK64(ST_NR_SENDFILE, "sendfile");
    CHECK64(ST_NR_CONNECT, "connect");
    CHECK64(ST_NR_SENDTO, "sendto");
    CHECK64(ST_NR_RECVFROM, "recvfrom");
    CHECK64(ST_NR_SENDMSG, "sendmsg");
    CHECK64(ST_NR_RECVMSG, "recvmsg");
    CHECK64(ST_NR_BIND, "bind");
    CHECK64(ST_NR_CLONE, "clone");
    CHECK64(ST_NR_FORK, "fork");
    CHECK64(ST_NR_VFORK, "vfork");
    CHECK64(ST_NR_EXECVE, "execve");
    CHECK64(ST_NR_EXIT, "exit");
    CHECK64(ST_NR_RENAME, "rename");
    CHECK64(ST_NR_UNLINK, "unlink");
    CHECK64(ST_NR_EXIT_GROUP, "exit_group");
    CHECK64(ST_NR_OPENAT, "openat");
    CHECK64(ST_NR_UNLINKAT, "unlinkat");
    CHECK64(ST_NR_RENAMEAT, "renameat");
    CHECK64(ST_NR_SPLICE, "splice");
    CHECK64(ST_NR_TEE, "tee");
    CHECK64(ST_NR_DUP3, "dup3");
    CHECK64(ST_NR_PREADV, "preadv");
    CHECK64(ST_NR_PWRITEV, "pwritev");
    CHECK64(ST_NR_RECVMMSG, "recvmmsg");
    CHECK64(ST_NR_SENDMMSG, "sendmmsg");
    CHECK64(ST_NR_RENAMEAT2, "renameat2");
    CHECK64(ST_NR_EXECVEAT, "execveat");
    CHECK64(ST_NR_COPY_FILE_RANGE, "copy_file_range");
    CHECK64(ST_NR_PREADV2, "preadv2");
    CHECK64(ST_NR_PWRITEV2, "pwritev2");
    CHECK64(ST_NR_CLONE3, "clone3");
    CHECK64(ST_NR_CLOSE_RANGE, "close_range");
    CHECK64(ST_NR_OPENAT2, "openat2");
    CHECK64(ST_NR_IOCTL, "ioctl");
    CHECK64(ST_NR_CREAT, "creat");
    CHECK64(ST_NR_IO_SUBMIT, "io_submit");
    CHECK64(ST_NR_VMSPLICE, "vmsplice");
    CHECK64(ST_NR_MQ_UNLINK, "mq_unlink");
    CHECK64(ST_NR_MQ_TIMEDSEND, "mq_timedsend");
    CHECK64(ST_NR_MQ_TIMEDRECEIVE, "mq_timedreceive");

    CHECK32(ST_NR32_EXIT, "exit");
    CHECK32(ST_NR32_FORK, "fork");
    CHECK32(ST_NR32_READ, "read");
    CHECK32(ST_NR32_WRITE, "write");
    CHECK32(ST_NR32_OPEN, "open");
    CHECK32(ST_NR32_CLOSE, "close");
    CHECK32(ST_NR32_CREAT, "creat");
    CHECK32(ST_NR32_UNLINK, "unlink");
    CHECK32(ST_NR32_EXECVE, "execve");
    CHECK32(ST_NR32_RENAME, "rename");
    CHECK32(ST_NR32_IOCTL, "ioctl");
    CHECK32(ST_NR32_DUP2, "dup2");
    CHECK32(ST_NR32_REBOOT, "reboot");
    CHECK32(ST_NR32_MMAP, "mmap");
    CHECK32(ST_NR32_SOCKETCALL, "socketcall");
    CHECK32(ST_NR32_CLONE, "clone");
    CHECK32(ST_NR32_READV, "readv");
    CHECK32(ST_NR32_WRITEV, "writev");
    CHECK32(ST_NR32_PREAD64, "pread64");
    CHECK32(ST_NR32_PWRITE64, "pwrite64");
    CHECK32(ST_NR32_SENDFILE, "sendfile");
    CHECK32(ST_NR32_VFORK, "vfork");
    CHECK32(ST_NR32_MMAP2, "mmap2");
    CHECK32(ST_NR32_SENDFILE64, "sendfile64");
    CHECK32(ST_NR32_IO_SUBMIT, "io_submit");
    CHECK32(ST_NR32_EXIT_GROUP, "exit_group");
    CHECK32(ST_NR32_OPENAT, "openat");
    CHECK32(ST_NR32_UNLINKAT, "unlinkat");
    CHECK32(ST_NR32_RENAMEAT, "renameat");
    CHECK32(ST_NR32_SPLICE, "splice");
    CHECK32(ST_NR32_TEE, "tee");
    CHECK32(ST_NR32_VMSPLICE, "vmsplice");
    CHECK32(ST_NR32_DUP3, "dup3");
    CHECK32(ST_NR32_PREADV, "preadv");
    CHECK32(ST_NR32_PWRITEV, "pwritev");
    CHECK32(ST_NR32_RECVMMSG, "recvmmsg");
    CHECK32(ST_NR32_SENDMMSG, "sendmmsg");
    CHECK32(ST_NR32_RENAMEAT2, "renameat2");
    CHECK32(ST_NR32_EXECVEAT, "execveat");
    CHECK32(ST_NR32_BIND, "bind");
    CHECK32(ST_NR32_CONNECT, "connect");
    CHECK32(ST_NR32_SENDTO, "sendto");
    CHECK32(ST_NR32_SENDMSG, "sendmsg");
    CHECK32(ST_NR32_RECVFROM, "recvfrom");
    CHECK32(ST_NR32_RECVMSG, "recvmsg");
    CHECK32(ST_NR32_COPY_FILE_RANGE, "copy_file_range");
    CHECK32(ST_NR32_PREADV2, "preadv2");
    CHECK32(ST_NR32_PWRITEV2, "pwritev2");
    CHECK32(ST_NR32_RECVMMSG_TIME64, "recvmmsg_time64");
    CHECK32(ST_NR32_CLONE3, "clone3");
    CHECK32(ST_NR32_CLOSE_RANGE, "close_range");
    CHECK32(ST_NR32_OPENAT2, "openat2");
}

static void test_socketcall_numbers(void)
{
    static const struct {
        long ours;
        const char *name;
    } calls[] = {
        { ST_SOCKETCALL_SOCKET, "SOCKET" }, { ST_SOCKETCALL_BIND, "BIND" },
        { ST_SOCKETCALL_CONNECT, "CONNECT" },
        { ST_SOCKETCALL_LISTEN, "LISTEN" },
        { ST_SOCKETCALL_ACCEPT, "ACCEPT" },
        { ST_SOCKETCALL_GETSOCKNAME, "GETSOCKNAME" },
        { ST_SOCKETCALL_GETPEERNAME, "GETPEERNAME" },
        { ST_SOCKETCALL_SOCKETPAIR, "SOCKETPAIR" },
        { ST_SOCKETCALL_SEND, "SEND" }, { ST_SOCKETCALL_RECV, "RECV" },
        { ST_SOCKETCALL_SENDTO, "SENDTO" },
        { ST_SOCKETCALL_RECVFROM, "RECVFROM" },
        { ST_SOCKETCALL_SHUTDOWN, "SHUTDOWN" },
        { ST_SOCKETCALL_SETSOCKOPT, "SETSOCKOPT" },
        { ST_SOCKETCALL_GETSOCKOPT, "GETSOCKOPT" },
        { ST_SOCKETCALL_SENDMSG, "SENDMSG" },
        { ST_SOCKETCALL_RECVMSG, "RECVMSG" },
        { ST_SOCKETCALL_ACCEPT4, "ACCEPT4" },
        { ST_SOCKETCALL_RECVMMSG, "RECVMMSG" },
        { ST_SOCKETCALL_SENDMMSG, "SENDMMSG" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(calls); i++) {
        CHECK(calls[i].ours, lookup(test_abi_socketcall, calls[i].name));
    }
    /* what a compat return of each becomes (the entry's translation) */
    CHECK(st_linux_compat_socketcall_nr(ST_SOCKETCALL_SEND), ST_NR_SENDTO);
    CHECK(st_linux_compat_socketcall_nr(ST_SOCKETCALL_RECVMSG),
          ST_NR_RECVMSG);
    CHECK(st_linux_compat_socketcall_nr(ST_SOCKETCALL_SENDMMSG),
          ST_NR_SENDMMSG);
    CHECK(st_linux_compat_socketcall_nr(ST_SOCKETCALL_SOCKET), -1);
    CHECK(st_linux_compat_socketcall_nr(0), -1);
    CHECK(st_linux_compat_socketcall_nr(ST_SOCKETCALL_SENDMMSG + 1), -1);
}

/* Each i386 syscall and the x86-64 one it must become, by name */
static void test_compat_table(void)
{
    static const struct {
        const char *nr32, *nr64;    /* nr64 NULL: no translation */
    } pairs[] = {
        { "exit", "exit" }, { "fork", "fork" }, { "read", "read" },
        { "write", "write" }, { "open", "open" }, { "close", "close" },
        { "creat", "creat" }, { "unlink", "unlink" },
        { "execve", "execve" }, { "rename", "rename" },
        { "ioctl", "ioctl" }, { "dup2", "dup2" }, { "mmap", "mmap" },
        { "mmap2", "mmap" }, { "clone", "clone" }, { "readv", "readv" },
        { "writev", "writev" }, { "pread64", "pread64" },
        { "pwrite64", "pwrite64" }, { "sendfile", "sendfile" },
        { "sendfile64", "sendfile" }, { "vfork", "vfork" },
        { "io_submit", "io_submit" }, { "exit_group", "exit_group" },
        { "openat", "openat" }, { "unlinkat", "unlinkat" },
        { "renameat", "renameat" }, { "splice", "splice" },
        { "tee", "tee" }, { "vmsplice", "vmsplice" }, { "dup3", "dup3" },
        { "preadv", "preadv" }, { "pwritev", "pwritev" },
        { "recvmmsg", "recvmmsg" }, { "recvmmsg_time64", "recvmmsg" },
        { "sendmmsg", "sendmmsg" }, { "renameat2", "renameat2" },
        { "execveat", "execveat" }, { "bind", "bind" },
        { "connect", "connect" }, { "sendto", "sendto" },
        { "sendmsg", "sendmsg" }, { "recvfrom", "recvfrom" },
        { "recvmsg", "recvmsg" }, { "copy_file_range", "copy_file_range" },
        { "preadv2", "preadv2" }, { "pwritev2", "pwritev2" },
        { "clone3", "clone3" }, { "close_range", "close_range" },
        { "openat2", "openat2" },
        /* kernel-held data */
        { "ptrace", "ptrace" }, { "setxattr", "setxattr" },
        { "lsetxattr", "lsetxattr" }, { "fsetxattr", "fsetxattr" },
        { "getxattr", "getxattr" }, { "lgetxattr", "lgetxattr" },
        { "fgetxattr", "fgetxattr" }, { "listxattr", "listxattr" },
        { "llistxattr", "llistxattr" }, { "flistxattr", "flistxattr" },
        { "mq_unlink", "mq_unlink" }, { "mq_timedsend", "mq_timedsend" },
        { "mq_timedreceive", "mq_timedreceive" },
        { "mq_timedsend_time64", "mq_timedsend" },
        { "mq_timedreceive_time64", "mq_timedreceive" },
        { "add_key", "add_key" }, { "request_key", "request_key" },
        { "keyctl", "keyctl" },
        { "process_vm_readv", "process_vm_readv" },
        { "process_vm_writev", "process_vm_writev" },
        { "shmat", "shmat" }, { "msgsnd", "msgsnd" }, { "msgrcv", "msgrcv" },
        { "ipc", NULL },
        { "socketcall", NULL }, { "getpid", NULL }, { "socket", NULL },
        { "accept4", NULL }, { "io_uring_enter", NULL },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(pairs); i++) {
        long nr32 = lookup(test_abi_nr32, pairs[i].nr32);
        long want = pairs[i].nr64 ? lookup(nr64, pairs[i].nr64) : -1;

        g_test_message("i386 %s (%ld) -> %ld", pairs[i].nr32, nr32, want);
        CHECK(st_linux_compat_native_nr(nr32), want);
    }
    /* from 424 on the numbers are the same (no oracle in the headers) */
    CHECK(st_linux_compat_native_nr(ST_NR_SETXATTRAT), ST_NR_SETXATTRAT);
    CHECK(st_linux_compat_native_nr(ST_NR_GETXATTRAT), ST_NR_GETXATTRAT);
    CHECK(st_linux_compat_native_nr(ST_NR_LISTXATTRAT), ST_NR_LISTXATTRAT);
    /* ipc(2)'s calls (linux/ipc.h), its version in the high 16 bits */
    CHECK(st_linux_compat_ipc_nr(11), ST_NR_MSGSND);
    CHECK(st_linux_compat_ipc_nr(12), ST_NR_MSGRCV);
    CHECK(st_linux_compat_ipc_nr(0x10000 | 12), ST_NR_MSGRCV);
    CHECK(st_linux_compat_ipc_nr(21), ST_NR_SHMAT);
    CHECK(st_linux_compat_ipc_nr(1), -1);       /* semop */
    CHECK(st_linux_compat_native_nr(100000), -1);
    CHECK(st_linux_compat_native_nr(UINT32_MAX), -1);
}

static void test_uapi(void)
{
    CHECK(ST_UIO_MAXIOV, UIO_MAXIOV);
    CHECK(ST_X86_EFLAGS_TF, X86_EFLAGS_TF);
    CHECK(ST_IOVEC_SIZE, sizeof(struct iovec));
    CHECK(ST_MSGHDR_SIZE, sizeof(struct msghdr));
    CHECK(ST_MMSGHDR_SIZE, sizeof(struct mmsghdr));
    CHECK(ST_IOCB_SIZE, sizeof(struct iocb));
    CHECK(ST_IOCB_CMD_PREAD, IOCB_CMD_PREAD);
    CHECK(ST_IOCB_CMD_PWRITE, IOCB_CMD_PWRITE);
    CHECK(ST_IOCB_CMD_FSYNC, IOCB_CMD_FSYNC);
    CHECK(ST_IOCB_CMD_FDSYNC, IOCB_CMD_FDSYNC);
    CHECK(ST_IOCB_CMD_POLL, IOCB_CMD_POLL);
    CHECK(ST_IOCB_CMD_NOOP, IOCB_CMD_NOOP);
    CHECK(ST_IOCB_CMD_PREADV, IOCB_CMD_PREADV);
    CHECK(ST_IOCB_CMD_PWRITEV, IOCB_CMD_PWRITEV);

    CHECK(ST_FICLONE, FICLONE);
    CHECK(ST_FICLONERANGE, FICLONERANGE);
    CHECK(ST_FIDEDUPERANGE, FIDEDUPERANGE);
    CHECK(ST_LOOP_SET_FD, LOOP_SET_FD);
    CHECK(ST_LOOP_CHANGE_FD, LOOP_CHANGE_FD);
    CHECK(ST_LOOP_CONFIGURE, LOOP_CONFIGURE);
    CHECK(ST_FILE_CLONE_RANGE_SIZE, sizeof(struct file_clone_range));
    CHECK(ST_FILE_DEDUPE_RANGE_SIZE, sizeof(struct file_dedupe_range));
    CHECK(ST_FILE_DEDUPE_RANGE_INFO_SIZE,
          sizeof(struct file_dedupe_range_info));
    CHECK(ST_LOOP_CONFIG_FD_OFFSET, offsetof(struct loop_config, fd));

    CHECK(ST_IORING_OP_NOP, IORING_OP_NOP);
    CHECK(ST_IORING_OP_READV, IORING_OP_READV);
    CHECK(ST_IORING_OP_WRITEV, IORING_OP_WRITEV);
    CHECK(ST_IORING_OP_FSYNC, IORING_OP_FSYNC);
    CHECK(ST_IORING_OP_READ_FIXED, IORING_OP_READ_FIXED);
    CHECK(ST_IORING_OP_WRITE_FIXED, IORING_OP_WRITE_FIXED);
    CHECK(ST_IORING_OP_SENDMSG, IORING_OP_SENDMSG);
    CHECK(ST_IORING_OP_RECVMSG, IORING_OP_RECVMSG);
    CHECK(ST_IORING_OP_OPENAT, IORING_OP_OPENAT);
    CHECK(ST_IORING_OP_CLOSE, IORING_OP_CLOSE);
    CHECK(ST_IORING_OP_READ, IORING_OP_READ);
    CHECK(ST_IORING_OP_WRITE, IORING_OP_WRITE);
    CHECK(ST_IORING_OP_SEND, IORING_OP_SEND);
    CHECK(ST_IORING_OP_RECV, IORING_OP_RECV);
    CHECK(ST_IORING_OP_OPENAT2, IORING_OP_OPENAT2);
    CHECK(ST_IORING_OP_SPLICE, IORING_OP_SPLICE);
    CHECK(ST_IORING_OP_TEE, IORING_OP_TEE);
    CHECK(ST_IORING_OP_MSG_RING, IORING_OP_MSG_RING);
    CHECK(ST_IORING_OP_URING_CMD, IORING_OP_URING_CMD);
    CHECK(ST_IORING_OP_SEND_ZC, IORING_OP_SEND_ZC);
    CHECK(ST_IORING_OP_SENDMSG_ZC, IORING_OP_SENDMSG_ZC);
    /* later opcodes: test-linux-btf checks them against 6.12's BTF */
    CHECK(ST_IOSQE_FIXED_FILE_BIT, IOSQE_FIXED_FILE_BIT);
    CHECK(ST_SPLICE_F_FD_IN_FIXED, SPLICE_F_FD_IN_FIXED);

    CHECK(ST_AF_UNIX, AF_UNIX);
    CHECK(ST_AF_INET, AF_INET);
    CHECK(ST_AF_INET6, AF_INET6);
    CHECK(ST_AF_NETLINK, AF_NETLINK);
    CHECK(ST_AF_PACKET, AF_PACKET);
    CHECK(ST_AF_VSOCK, AF_VSOCK);
    CHECK(ST_AF_XDP, AF_XDP);
    CHECK(ST_SOCKADDR_STORAGE_LEN, sizeof(struct sockaddr_storage));
    CHECK(ST_SOCKADDR_IN_LEN, sizeof(struct sockaddr_in));
    CHECK(ST_SOCKADDR_IN6_LEN, sizeof(struct sockaddr_in6));
    CHECK(ST_SIN6_LEN_RFC2133, offsetof(struct sockaddr_in6, sin6_scope_id));
    CHECK(ST_SOCKADDR_UN_LEN, sizeof(struct sockaddr_un));
    CHECK(ST_SOCKADDR_VM_LEN, sizeof(struct sockaddr_vm));
    CHECK(ST_SOCKADDR_LL_LEN, sizeof(struct sockaddr_ll));
    CHECK(ST_SOCKADDR_XDP_LEN, sizeof(struct sockaddr_xdp));
    CHECK(ST_SOCKADDR_NL_LEN, sizeof(struct sockaddr_nl));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/abi/syscall-numbers", test_syscall_numbers);
    g_test_add_func("/abi/socketcall-numbers", test_socketcall_numbers);
    g_test_add_func("/abi/compat-table", test_compat_table);
    g_test_add_func("/abi/uapi", test_uapi);
    return g_test_run();
}
