/*
 * secret-tracker: decoders of Linux x86-64 syscall arguments in guest
 * memory: user memory of a task, saved registers, iovecs, socket
 * addresses, msghdr/mmsghdr, AIO iocbs and the ioctls that move file data
 *
 * Everything decoded here is hostile input: a sibling thread may rewrite
 * user memory at any time, so each value is read once and every length
 * and count is bounded as the kernel bounds it.  Where the kernel
 * truncates a register (an int argument in a 64-bit register), so do
 * the decoders: they take the raw register value.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_DECODE_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_DECODE_H

#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-readers.h"

/* User memory (linux-user.c) */

/*
 * The user address space of @task: its mm->pgd, translated through the
 * kernel's tables.  Fails for a task without an mm (a kernel thread).
 * The io_uring and io-wq threads of a process share its mm.
 */
bool st_linux_user_vm(const StLinuxKernel *kernel, uint64_t task,
                      StGuestVm *vm, GError **errp);

/* Is [@va, @va + @len) inside user space (below TASK_SIZE_MAX)? */
bool st_linux_user_range_ok(const StGuestVm *uvm, uint64_t va, uint64_t len);

/* Read user memory; a range outside user space is refused */
bool st_linux_user_read(const StGuestVm *uvm, uint64_t va, void *buf,
                        size_t len, GError **errp);

/*
 * Read a NUL-terminated user string into @buf (@size bytes, including
 * the NUL), a page at a time: the string may end just before an
 * unmapped page.  Fails if it has no NUL in @size - 1 bytes.
 */
bool st_linux_user_string(const StGuestVm *uvm, uint64_t va, char *buf,
                          size_t size, size_t *len, GError **errp);

/* Saved registers (linux-user.c) */

typedef struct StLinuxSyscallRegs {
    uint64_t regs;          /* the pt_regs address they were read at */
    uint64_t orig_ax;       /* the syscall number */
    uint64_t ax, ip, sp, flags;
    uint16_t cs;            /* ST_USER_CS (64-bit) or ST_USER32_CS */
    uint64_t native[6];     /* di, si, dx, r10, r8, r9 */
    uint64_t compat[6];     /* bx, cx, dx, si, di, bp: their low 32 bits */
} StLinuxSyscallRegs;

/*
 * Read the struct pt_regs at @regs (x64_sys_call and ia32_sys_call get
 * its address in RDI) in one bounded read.
 */
bool st_linux_read_syscall_regs(const StLinuxKernel *kernel, uint64_t regs,
                                StLinuxSyscallRegs *out, GError **errp);

/* A compat entry from a 64-bit process has the 64-bit user CS */
static inline bool st_linux_regs_user64(const StLinuxSyscallRegs *r)
{
    return r->cs == ST_USER_CS;
}

static inline bool st_linux_regs_trap_flag(const StLinuxSyscallRegs *r)
{
    return r->flags & ST_X86_EFLAGS_TF;
}

/* Vectors and addresses (linux-syscall-decode.c) */

/*
 * Bytes an iovec array moves at most, as the kernel imports it: more
 * than ST_UIO_MAXIOV entries or a negative length are refused (the call
 * fails), the array stops at the first buffer outside user space, and
 * the total is capped at ST_MAX_RW_COUNT.  @count is the raw register.
 * @compat: struct compat_iovec (8 bytes) instead of struct iovec (16).
 */
bool st_linux_iovec_total(const StGuestVm *uvm, uint64_t ptr, uint64_t count,
                          bool compat, uint64_t *bytes, GError **errp);

/* Buffers st_linux_iovec_head() gathers from at most */
#define ST_LINUX_IOV_HEAD_SEGS 8

/*
 * The first bytes an iovec array carries (a packet's headers), gathered
 * across its first ST_LINUX_IOV_HEAD_SEGS buffers: at most @len into
 * @buf, how many in *@got.  The array is taken as st_linux_iovec_total()
 * takes it; false if it is refused or a buffer cannot be read.
 */
bool st_linux_iovec_head(const StGuestVm *uvm, uint64_t ptr, uint64_t count,
                         bool compat, void *buf, size_t len, size_t *got,
                         GError **errp);

/* A decoded struct sockaddr */
typedef struct StLinuxSockaddr {
    uint16_t family;        /* ST_AF_*; ST_AF_UNSPEC when there is none */
    uint32_t len;           /* bytes the kernel copies (0: no address) */
    bool valid;             /* long enough for its family */
    /* ST_AF_INET, ST_AF_INET6 */
    uint16_t port;          /* host order */
    uint8_t addr[16];       /* network order; IPv4 uses the first 4 */
    uint32_t flowinfo, scope_id;
    bool v4_mapped;         /* ::ffff:a.b.c.d */
    /* ST_AF_UNIX */
    bool unix_abstract;
    uint32_t unix_name_len; /* bytes of sun_path that name the socket */
    uint8_t unix_name[108];
    char unix_path[110];    /* "/path", or "@name" as st_linux_read_socket */
    /* ST_AF_VSOCK */
    uint32_t vsock_cid, vsock_port;
    /* ST_AF_PACKET, ST_AF_XDP */
    int32_t ifindex;
    uint16_t packet_protocol;   /* host order */
    uint32_t xdp_queue_id;
    /* ST_AF_NETLINK */
    uint32_t nl_pid, nl_groups;
} StLinuxSockaddr;

/*
 * Decode a (pointer, length) socket address as sendto, connect and bind
 * take it.  @len_arg is the raw register: the kernel reads an int, and
 * refuses a negative one or one above sizeof(sockaddr_storage) (128).
 * A NULL pointer or a zero length is "no address" (family ST_AF_UNSPEC,
 * len 0).  An address too short for its family decodes with !valid.
 */
bool st_linux_sockaddr_decode(const StGuestVm *uvm, uint64_t ptr,
                              uint64_t len_arg, StLinuxSockaddr *out,
                              GError **errp);

/* One printable line ("inet 10.0.2.2:80", "vsock cid 2 port 5000", ...) */
char *st_linux_sockaddr_describe(const StLinuxSockaddr *sa);

/* What st_linux_msghdr_decode() looks at besides the header itself */
#define ST_LINUX_MSG_NAME   0x1 /* msg_name, an input (the send side) */
#define ST_LINUX_MSG_IOV    0x2 /* the byte total of msg_iov */

typedef struct StLinuxMsghdr {
    uint64_t msg;           /* its user address */
    uint64_t name;          /* user pointers */
    uint64_t iov;
    uint64_t control;
    uint32_t namelen;       /* after the kernel's rules (NULL: 0; <= 128) */
    uint64_t iovlen;
    uint64_t controllen;
    uint32_t flags;
    bool has_dest;          /* ST_LINUX_MSG_NAME and an address given */
    StLinuxSockaddr dest;
    uint64_t bytes;         /* ST_LINUX_MSG_IOV: see st_linux_iovec_total */
} StLinuxMsghdr;

/*
 * Decode the struct user_msghdr (56 bytes) or compat_msghdr (28) at
 * @ptr, for sendmsg and recvmsg (ask ST_LINUX_MSG_NAME only for sends:
 * recvmsg's msg_name is an output).
 */
bool st_linux_msghdr_decode(const StGuestVm *uvm, uint64_t ptr, bool compat,
                            unsigned what, StLinuxMsghdr *out, GError **errp);

/*
 * The struct mmsghdr vector of sendmmsg/recvmmsg: @vlen_arg is the raw
 * register (an unsigned int), capped at ST_UIO_MAXIOV as the kernel
 * caps it, and at @max.  Decodes in order and stops at the first message
 * the kernel would fail on; *n is always the count decoded before it.
 * Returns false (and why) when it stopped early.
 */
bool st_linux_mmsghdr_decode(const StGuestVm *uvm, uint64_t ptr,
                             uint64_t vlen_arg, bool compat, unsigned what,
                             StLinuxMsghdr *out, unsigned max, unsigned *n,
                             GError **errp);

/* AIO and ioctls (linux-decode-aio.c) */

typedef struct StLinuxIocb {
    uint64_t iocb;          /* its user address */
    uint16_t opcode;        /* ST_IOCB_CMD_* */
    int32_t fd;
    uint64_t buf;           /* PREAD/PWRITE: the buffer; *V: the iovecs */
    uint64_t nbytes;        /* PREAD/PWRITE: bytes; *V: iovec count */
    int64_t offset;
    uint64_t bytes;         /* bytes it moves at most (0: none) */
    uint32_t flags;
} StLinuxIocb;

/*
 * io_submit(ctx, nr, iocbpp): the pointer array (8-byte pointers, or
 * 4-byte ones if @compat) and each struct iocb (64 bytes either way;
 * PREADV/PWRITEV iovecs are compat ones if @compat).  @nr_arg is the raw
 * register (a long; a compat_long if @compat), negative is refused; at
 * most @max are decoded.  Stops at the first iocb the kernel would
 * refuse; *n is always the count decoded before it; returns false (and
 * why) when it stopped early.
 */
bool st_linux_aio_decode(const StGuestVm *uvm, uint64_t iocbpp,
                         uint64_t nr_arg, bool compat, StLinuxIocb *out,
                         unsigned max, unsigned *n, GError **errp);

/*
 * Which way data goes: FICLONE and FICLONERANGE share src_fd's extents
 * with the ioctl's fd; FIDEDUPERANGE shares the ioctl's fd's extents
 * with each dest_fd[] where they are already equal; LOOP_SET_FD,
 * LOOP_CHANGE_FD and LOOP_CONFIGURE make src_fd the backing file of the
 * loop device (the ioctl's fd), readable through it.
 */
typedef enum StLinuxIoctlKind {
    ST_LINUX_IOCTL_OTHER,        /* moves no file data we know of */
    ST_LINUX_IOCTL_CLONE,
    ST_LINUX_IOCTL_CLONE_RANGE,
    ST_LINUX_IOCTL_DEDUPE_RANGE,
    ST_LINUX_IOCTL_LOOP,
} StLinuxIoctlKind;

typedef struct StLinuxIoctl {
    uint32_t cmd;
    StLinuxIoctlKind kind;
    int32_t src_fd;         /* -1 for DEDUPE_RANGE (the ioctl's fd) */
    uint64_t src_offset, length, dest_offset;
    uint16_t n_dest;        /* DEDUPE_RANGE */
    int32_t dest_fd[ST_FIDEDUPERANGE_MAX_DEST];
} StLinuxIoctl;

/*
 * ioctl(fd, cmd, arg) for the commands that move file data; any other
 * command is ST_LINUX_IOCTL_OTHER.  The layouts and numbers are the same
 * for compat callers.  A struct the kernel would refuse (unreadable, a
 * dedupe request over a page) fails.
 */
bool st_linux_ioctl_decode(const StGuestVm *uvm, uint64_t cmd_arg,
                           uint64_t arg, StLinuxIoctl *out, GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_DECODE_H */
