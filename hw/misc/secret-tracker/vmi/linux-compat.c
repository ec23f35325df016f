/*
 * secret-tracker: i386 (compat) system calls as their x86-64 equivalents
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-compat.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"
#include "linux-decode-internal.h"

/* How the i386 arguments become the x86-64 ones */
typedef enum StCompatArgs {
    ST_COMPAT_NONE,         /* no translation */
    ST_COMPAT_SAME,         /* the same arguments in the same order */
    ST_COMPAT_POS_LO_HI,    /* (fd, p, n, pos_lo, pos_hi[, x]) -> pos */
    ST_COMPAT_MMAP2,        /* the offset is in pages */
    ST_COMPAT_OLD_MMAP,     /* one pointer to six u32 */
    ST_COMPAT_CLONE,        /* tls and child_tid swapped */
    ST_COMPAT_LONG1,        /* the second argument is a signed long */
    ST_COMPAT_SOCKETCALL,   /* (call, pointer to its arguments) */
    ST_COMPAT_IPC,          /* (call, first, second, third, ptr, fifth) */
} StCompatArgs;

typedef struct StCompatEntry {
    uint16_t nr;            /* x86-64 */
    uint8_t how;            /* StCompatArgs */
} StCompatEntry;

#define ST_COMPAT(nr32_, nr_, how_) \
    [ST_NR32_##nr32_] = { .nr = ST_NR_##nr_, .how = ST_COMPAT_##how_ }

static const StCompatEntry st_compat_table[] = {
    ST_COMPAT(EXIT, EXIT, SAME),
    ST_COMPAT(FORK, FORK, SAME),
    ST_COMPAT(READ, READ, SAME),
    ST_COMPAT(WRITE, WRITE, SAME),
    ST_COMPAT(OPEN, OPEN, SAME),
    ST_COMPAT(CLOSE, CLOSE, SAME),
    ST_COMPAT(CREAT, CREAT, SAME),
    ST_COMPAT(UNLINK, UNLINK, SAME),
    ST_COMPAT(EXECVE, EXECVE, SAME),
    ST_COMPAT(RENAME, RENAME, SAME),
    ST_COMPAT(IOCTL, IOCTL, SAME),
    ST_COMPAT(DUP2, DUP2, SAME),
    ST_COMPAT(MMAP, MMAP, OLD_MMAP),
    [ST_NR32_SOCKETCALL] = { .how = ST_COMPAT_SOCKETCALL },
    ST_COMPAT(CLONE, CLONE, CLONE),
    ST_COMPAT(READV, READV, SAME),
    ST_COMPAT(WRITEV, WRITEV, SAME),
    ST_COMPAT(PREAD64, PREAD64, POS_LO_HI),
    ST_COMPAT(PWRITE64, PWRITE64, POS_LO_HI),
    ST_COMPAT(SENDFILE, SENDFILE, SAME),
    ST_COMPAT(VFORK, VFORK, SAME),
    ST_COMPAT(MMAP2, MMAP, MMAP2),
    ST_COMPAT(SENDFILE64, SENDFILE, SAME),
    ST_COMPAT(IO_SUBMIT, IO_SUBMIT, LONG1),
    ST_COMPAT(EXIT_GROUP, EXIT_GROUP, SAME),
    ST_COMPAT(OPENAT, OPENAT, SAME),
    ST_COMPAT(UNLINKAT, UNLINKAT, SAME),
    ST_COMPAT(RENAMEAT, RENAMEAT, SAME),
    ST_COMPAT(SPLICE, SPLICE, SAME),
    ST_COMPAT(TEE, TEE, SAME),
    ST_COMPAT(VMSPLICE, VMSPLICE, SAME),
    ST_COMPAT(DUP3, DUP3, SAME),
    ST_COMPAT(PREADV, PREADV, POS_LO_HI),
    ST_COMPAT(PWRITEV, PWRITEV, POS_LO_HI),
    ST_COMPAT(RECVMMSG, RECVMMSG, SAME),
    ST_COMPAT(SENDMMSG, SENDMMSG, SAME),
    ST_COMPAT(RENAMEAT2, RENAMEAT2, SAME),
    ST_COMPAT(EXECVEAT, EXECVEAT, SAME),
    ST_COMPAT(BIND, BIND, SAME),
    ST_COMPAT(CONNECT, CONNECT, SAME),
    ST_COMPAT(SENDTO, SENDTO, SAME),
    ST_COMPAT(SENDMSG, SENDMSG, SAME),
    ST_COMPAT(RECVFROM, RECVFROM, SAME),
    ST_COMPAT(RECVMSG, RECVMSG, SAME),
    ST_COMPAT(COPY_FILE_RANGE, COPY_FILE_RANGE, SAME),
    ST_COMPAT(PREADV2, PREADV2, POS_LO_HI),
    ST_COMPAT(PWRITEV2, PWRITEV2, POS_LO_HI),
    ST_COMPAT(RECVMMSG_TIME64, RECVMMSG, SAME),
    ST_COMPAT(CLONE3, CLONE3, SAME),
    ST_COMPAT(CLOSE_RANGE, CLOSE_RANGE, SAME),
    ST_COMPAT(OPENAT2, OPENAT2, SAME),
    /* kernel-held data: the rules read scalars only, the same in both */
    ST_COMPAT(PTRACE, PTRACE, SAME),
    [ST_NR32_IPC] = { .how = ST_COMPAT_IPC },
    ST_COMPAT(SETXATTR, SETXATTR, SAME),
    ST_COMPAT(LSETXATTR, LSETXATTR, SAME),
    ST_COMPAT(FSETXATTR, FSETXATTR, SAME),
    ST_COMPAT(GETXATTR, GETXATTR, SAME),
    ST_COMPAT(LGETXATTR, LGETXATTR, SAME),
    ST_COMPAT(FGETXATTR, FGETXATTR, SAME),
    ST_COMPAT(LISTXATTR, LISTXATTR, SAME),
    ST_COMPAT(LLISTXATTR, LLISTXATTR, SAME),
    ST_COMPAT(FLISTXATTR, FLISTXATTR, SAME),
    ST_COMPAT(MQ_UNLINK, MQ_UNLINK, SAME),
    ST_COMPAT(MQ_TIMEDSEND, MQ_TIMEDSEND, SAME),
    ST_COMPAT(MQ_TIMEDRECEIVE, MQ_TIMEDRECEIVE, SAME),
    ST_COMPAT(ADD_KEY, ADD_KEY, SAME),
    ST_COMPAT(REQUEST_KEY, REQUEST_KEY, SAME),
    ST_COMPAT(KEYCTL, KEYCTL, SAME),
    ST_COMPAT(PROCESS_VM_READV, PROCESS_VM_READV, SAME),
    ST_COMPAT(PROCESS_VM_WRITEV, PROCESS_VM_WRITEV, SAME),
    ST_COMPAT(SHMAT, SHMAT, SAME),
    ST_COMPAT(MSGSND, MSGSND, SAME),
    ST_COMPAT(MSGRCV, MSGRCV, SAME),
    ST_COMPAT(MQ_TIMEDSEND_TIME64, MQ_TIMEDSEND, SAME),
    ST_COMPAT(MQ_TIMEDRECEIVE_TIME64, MQ_TIMEDRECEIVE, SAME),
    ST_COMPAT(SETXATTRAT, SETXATTRAT, SAME),
    ST_COMPAT(GETXATTRAT, GETXATTRAT, SAME),
    ST_COMPAT(LISTXATTRAT, LISTXATTRAT, SAME),
};

int st_linux_compat_native_nr(uint32_t nr32)
{
    if (nr32 >= G_N_ELEMENTS(st_compat_table) ||
        st_compat_table[nr32].how == ST_COMPAT_NONE ||
        st_compat_table[nr32].how == ST_COMPAT_SOCKETCALL ||
        st_compat_table[nr32].how == ST_COMPAT_IPC) {
        return -1;
    }
    return st_compat_table[nr32].nr;
}

int st_linux_compat_ipc_nr(uint32_t call)
{
    switch (call & 0xffff) {
    case ST_IPC_MSGSND:
        return ST_NR_MSGSND;
    case ST_IPC_MSGRCV:
        return ST_NR_MSGRCV;
    case ST_IPC_SHMAT:
        return ST_NR_SHMAT;
    default:
        return -1;
    }
}

/*
 * ipc(call, first, second, third, ptr, fifth) as the call it multiplexes:
 * msgsnd(first, ptr, second, third), msgrcv(first, ptr, second, fifth,
 * third), shmat(first, ptr, second).
 */
static bool st_compat_ipc(const uint32_t *a, StLinuxSyscall *out,
                          GError **errp)
{
    int nr = st_linux_compat_ipc_nr(a[0]);

    if (nr < 0) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "ipc call %u has no x86-64 translation", a[0]);
        return false;
    }
    out->nr = nr;
    memset(out->args, 0, sizeof(out->args));
    out->args[0] = a[1];
    out->args[1] = a[4];
    out->args[2] = a[2];
    if (nr == ST_NR_MSGRCV) {
        out->args[3] = (uint64_t)(int64_t)(int32_t)a[5];
        out->args[4] = a[3];
    } else if (nr == ST_NR_MSGSND) {
        out->args[3] = a[3];
    }
    return true;
}

/*
 * socketcall(call, args): the number of u32 arguments each call reads
 * (net/compat.c), and the x86-64 call of the ones with an engine family.
 */
static const struct {
    uint8_t nargs;
    int16_t nr;             /* -1: no translation */
} st_socketcalls[] = {
    [ST_SOCKETCALL_SOCKET] = { 3, -1 },
    [ST_SOCKETCALL_BIND] = { 3, ST_NR_BIND },
    [ST_SOCKETCALL_CONNECT] = { 3, ST_NR_CONNECT },
    [ST_SOCKETCALL_LISTEN] = { 2, -1 },
    [ST_SOCKETCALL_ACCEPT] = { 3, -1 },
    [ST_SOCKETCALL_GETSOCKNAME] = { 3, -1 },
    [ST_SOCKETCALL_GETPEERNAME] = { 3, -1 },
    [ST_SOCKETCALL_SOCKETPAIR] = { 4, -1 },
    [ST_SOCKETCALL_SEND] = { 4, ST_NR_SENDTO },
    [ST_SOCKETCALL_RECV] = { 4, ST_NR_RECVFROM },
    [ST_SOCKETCALL_SENDTO] = { 6, ST_NR_SENDTO },
    [ST_SOCKETCALL_RECVFROM] = { 6, ST_NR_RECVFROM },
    [ST_SOCKETCALL_SHUTDOWN] = { 2, -1 },
    [ST_SOCKETCALL_SETSOCKOPT] = { 5, -1 },
    [ST_SOCKETCALL_GETSOCKOPT] = { 5, -1 },
    [ST_SOCKETCALL_SENDMSG] = { 3, ST_NR_SENDMSG },
    [ST_SOCKETCALL_RECVMSG] = { 3, ST_NR_RECVMSG },
    [ST_SOCKETCALL_ACCEPT4] = { 4, -1 },
    [ST_SOCKETCALL_RECVMMSG] = { 5, ST_NR_RECVMMSG },
    [ST_SOCKETCALL_SENDMMSG] = { 4, ST_NR_SENDMMSG },
};

int st_linux_compat_socketcall_nr(uint32_t call)
{
    if (call < ST_SOCKETCALL_SOCKET || call > ST_SOCKETCALL_SENDMMSG) {
        return -1;
    }
    return st_socketcalls[call].nr;
}

static bool st_compat_socketcall(const StGuestVm *uvm, const uint32_t *a,
                                 StLinuxSyscall *out, GError **errp)
{
    uint32_t call = a[0];
    uint8_t buf[6 * 4];
    unsigned i, nargs;

    if (call < ST_SOCKETCALL_SOCKET || call > ST_SOCKETCALL_SENDMMSG) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "socketcall %u does not exist", call);
        return false;
    }
    out->socketcall = call;
    if (st_socketcalls[call].nr < 0) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "socketcall %u has no x86-64 translation", call);
        return false;
    }
    nargs = st_socketcalls[call].nargs;
    if (!uvm) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED,
                    "socketcall needs the caller's user memory");
        return false;
    }
    /* one copy of exactly what the kernel copies */
    if (!st_linux_user_read(uvm, a[1], buf, nargs * 4, errp)) {
        g_prefix_error(errp, "socketcall %u arguments: ", call);
        return false;
    }
    out->nr = st_socketcalls[call].nr;
    /* send and recv are sendto and recvfrom without an address */
    memset(out->args, 0, sizeof(out->args));
    for (i = 0; i < nargs; i++) {
        out->args[i] = st_ld32(buf + 4 * i);
    }
    return true;
}

/* i386 old_mmap: struct mmap_arg_struct { addr, len, prot, flags, fd, off } */
static bool st_compat_old_mmap(const StGuestVm *uvm, uint32_t ptr,
                               StLinuxSyscall *out, GError **errp)
{
    uint8_t buf[ST_MMAP_ARG_STRUCT_SIZE];
    unsigned i;

    if (!uvm) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED,
                    "old mmap needs the caller's user memory");
        return false;
    }
    if (!st_linux_user_read(uvm, ptr, buf, sizeof(buf), errp)) {
        g_prefix_error(errp, "old mmap arguments: ");
        return false;
    }
    for (i = 0; i < 6; i++) {
        out->args[i] = st_ld32(buf + 4 * i);
    }
    if (out->args[5] & ((1ULL << ST_MMAP2_PAGE_SHIFT) - 1)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "old mmap offset 0x%" PRIx64 " is not page aligned",
                    out->args[5]);
        return false;
    }
    return true;
}

bool st_linux_compat_syscall(const StGuestVm *uvm, uint32_t nr32,
                             const uint64_t regs[6], StLinuxSyscall *out,
                             GError **errp)
{
    uint32_t a[6];
    unsigned i;
    uint8_t how = nr32 < G_N_ELEMENTS(st_compat_table) ?
                  st_compat_table[nr32].how : ST_COMPAT_NONE;

    memset(out, 0, sizeof(*out));
    out->nr32 = nr32;
    out->compat = true;
    for (i = 0; i < 6; i++) {
        a[i] = regs[i];     /* the kernel takes the low 32 bits */
        out->args[i] = a[i];
    }
    if (how != ST_COMPAT_NONE) {
        out->nr = st_compat_table[nr32].nr;
    }
    switch (how) {
    case ST_COMPAT_SAME:
        return true;
    case ST_COMPAT_POS_LO_HI:
        /* x86-64 pread64 takes pos, preadv* pos and an ignored pos_h */
        out->args[3] = (uint64_t)a[4] << 32 | a[3];
        out->args[4] = 0;
        return true;
    case ST_COMPAT_MMAP2:
        out->args[5] = (uint64_t)a[5] << ST_MMAP2_PAGE_SHIFT;
        return true;
    case ST_COMPAT_OLD_MMAP:
        return st_compat_old_mmap(uvm, a[0], out, errp);
    case ST_COMPAT_CLONE:
        /* i386: flags, newsp, parent_tid, tls, child_tid */
        out->args[3] = a[4];
        out->args[4] = a[3];
        return true;
    case ST_COMPAT_LONG1:
        out->args[1] = (uint64_t)(int64_t)(int32_t)a[1];
        return true;
    case ST_COMPAT_SOCKETCALL:
        return st_compat_socketcall(uvm, a, out, errp);
    case ST_COMPAT_IPC:
        return st_compat_ipc(a, out, errp);
    default:
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "i386 syscall %u has no x86-64 translation", nr32);
        return false;
    }
}
