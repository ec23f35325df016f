/*
 * secret-tracker: Linux x86-64 user-API constants the tracking rules and
 * readers depend on (flags of open, mmap and clone, file types, the
 * current-directory fd, the ioctl commands the engine follows).  Facts of
 * the ABI, not of any kernel build.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_ABI_UAPI_H
#define HW_MISC_SECRET_TRACKER_ABI_UAPI_H

/* dirfd meaning "the current directory" in *at() calls */
#define ST_AT_FDCWD             (-100)

/* clone() flags */
#define ST_CLONE_VM             0x00000100
#define ST_CLONE_FS             0x00000200
#define ST_CLONE_FILES          0x00000400
#define ST_CLONE_SIGHAND        0x00000800
#define ST_CLONE_VFORK          0x00004000
#define ST_CLONE_THREAD         0x00010000
#define ST_CLONE_SYSVSEM        0x00040000
#define ST_CLONE_SETTLS         0x00080000
#define ST_CLONE_PARENT_SETTID  0x00100000
#define ST_CLONE_CHILD_CLEARTID 0x00200000

/* mmap() protections and flags */
#define ST_PROT_NONE            0x0
#define ST_PROT_READ            0x1
#define ST_PROT_WRITE           0x2
#define ST_PROT_EXEC            0x4
#define ST_MAP_TYPE             0x0f
#define ST_MAP_SHARED           0x01
#define ST_MAP_PRIVATE          0x02
#define ST_MAP_SHARED_VALIDATE  0x03
#define ST_MAP_ANONYMOUS        0x20

/* shmat() flag: a read-only attachment */
#define ST_SHM_RDONLY           010000

/*
 * ptrace() requests that read the tracee (its memory, registers, signal
 * information) or write it.
 */
#define ST_PTRACE_PEEKTEXT      1
#define ST_PTRACE_PEEKDATA      2
#define ST_PTRACE_PEEKUSR       3
#define ST_PTRACE_POKETEXT      4
#define ST_PTRACE_POKEDATA      5
#define ST_PTRACE_POKEUSR       6
#define ST_PTRACE_GETREGS       12
#define ST_PTRACE_SETREGS       13
#define ST_PTRACE_GETFPREGS     14
#define ST_PTRACE_SETFPREGS     15
#define ST_PTRACE_GETSIGINFO    0x4202
#define ST_PTRACE_SETSIGINFO    0x4203
#define ST_PTRACE_GETREGSET     0x4204
#define ST_PTRACE_SETREGSET     0x4205
#define ST_PTRACE_PEEKSIGINFO   0x4209

/* keyctl() commands that store a payload, or hand one back */
#define ST_KEYCTL_UPDATE        2
#define ST_KEYCTL_DESCRIBE      6
#define ST_KEYCTL_READ          11
#define ST_KEYCTL_INSTANTIATE   12
#define ST_KEYCTL_GET_SECURITY  17
#define ST_KEYCTL_INSTANTIATE_IOV 20

/*
 * Character devices by major number (Documentation/admin-guide/
 * devices.txt): the pty master multiplexer /dev/ptmx is (5, 2), Unix98
 * pty slaves are majors 136-143, BSD pty masters 2 and slaves 3.
 */
#define ST_PTMX_MAJOR           5
#define ST_PTMX_MINOR           2
#define ST_PTS_MAJOR_FIRST      136
#define ST_PTS_MAJOR_LAST       143
#define ST_BSD_PTY_MASTER_MAJOR 2
#define ST_BSD_PTY_SLAVE_MAJOR  3
/* /dev/net/tun, misc (10, 200): TUN and TAP interfaces */
#define ST_MISC_MAJOR           10
#define ST_TUN_MINOR            200
/* /dev/fuse, misc (10, 229): a FUSE daemon's end of its file systems */
#define ST_FUSE_MINOR           229
/* ioctl TUNSETIFF, _IOW('T', 202, int): makes an fd a TUN or TAP queue */
#define ST_TUNSETIFF            0x400454cau
/* IP protocols and Ethernet types a TUN or TAP packet is read with */
#define ST_IPPROTO_TCP          6
#define ST_IPPROTO_UDP          17
#define ST_ETH_P_IP             0x0800
#define ST_ETH_P_IPV6           0x86dd

/* i_mode file types */
#define ST_S_IFMT               0170000
#define ST_S_IFSOCK             0140000
#define ST_S_IFLNK              0120000
#define ST_S_IFREG              0100000
#define ST_S_IFBLK              0060000
#define ST_S_IFDIR              0040000
#define ST_S_IFCHR              0020000
#define ST_S_IFIFO              0010000

/* struct file f_mode bits (FMODE_READ, FMODE_WRITE) */
#define ST_FMODE_READ           0x1
#define ST_FMODE_WRITE          0x2

/*
 * ioctl commands that move file data, as x86-64 _IOC encodings
 * (direction << 30 | size << 16 | type << 8 | number).  The kernel takes
 * the command as a 32-bit unsigned int.
 * FICLONE: _IOW(0x94, 9, int): ioctl(dest_fd, FICLONE, src_fd).
 * FICLONERANGE: _IOW(0x94, 13, struct file_clone_range), 32 bytes; the
 *     struct starts with the source fd (s64): ioctl(dest_fd, ..., &range).
 * FIDEDUPERANGE: _IOWR(0x94, 54, struct file_dedupe_range), 24 bytes plus
 *     dest_count 32-byte records, each starting with a destination fd
 *     (s64): ioctl(src_fd, ..., &range).
 * LOOP_SET_FD, LOOP_CHANGE_FD: ioctl(loop_fd, ..., backing_fd).
 * LOOP_CONFIGURE: ioctl(loop_fd, ..., &struct loop_config), whose first
 *     member is the backing fd (u32).
 */
#define ST_FICLONE              0x40049409u
#define ST_FICLONERANGE         0x4020940du
#define ST_FIDEDUPERANGE        0xc0189436u
#define ST_LOOP_SET_FD          0x4c00u
#define ST_LOOP_CHANGE_FD       0x4c06u
#define ST_LOOP_CONFIGURE       0x4c0au

/*
 * The kernel's own dev_t (super_block s_dev, as the engine keys inodes):
 * the major number sits above 20 minor bits.  Anonymous filesystems
 * (tmpfs, pipefs, sockfs, ...) have major 0.
 */
#define ST_KDEV_MINOR_BITS      20

/*
 * Syscall-argument decoding (vmi/linux-syscall-decode.c and friends).
 */

/* Most iovecs per call (readv, msghdr, ...); mmsghdr vectors too */
#define ST_UIO_MAXIOV           1024
/* Most bytes one read or write moves (INT_MAX rounded down to a page) */
#define ST_MAX_RW_COUNT         0x7ffff000ULL

/* Saved user code segments in pt_regs, and the trap flag in RFLAGS */
#define ST_USER32_CS            0x23
#define ST_USER_CS              0x33
#define ST_X86_EFLAGS_TF        0x100

/* mmap2() takes its offset in 4 KiB units on i386 */
#define ST_MMAP2_PAGE_SHIFT     12

/* Sizes of the user structs the decoders read (x86-64 and i386) */
#define ST_IOVEC_SIZE           16
#define ST_COMPAT_IOVEC_SIZE    8
#define ST_MSGHDR_SIZE          56
#define ST_COMPAT_MSGHDR_SIZE   28
#define ST_MMSGHDR_SIZE         64
#define ST_COMPAT_MMSGHDR_SIZE  32
#define ST_IOCB_SIZE            64
#define ST_MMAP_ARG_STRUCT_SIZE 24  /* i386 old_mmap: six u32 */

/* AIO (linux/aio_abi.h): struct iocb's aio_lio_opcode */
#define ST_IOCB_CMD_PREAD       0
#define ST_IOCB_CMD_PWRITE      1
#define ST_IOCB_CMD_FSYNC       2
#define ST_IOCB_CMD_FDSYNC      3
#define ST_IOCB_CMD_POLL        5
#define ST_IOCB_CMD_NOOP        6
#define ST_IOCB_CMD_PREADV      7
#define ST_IOCB_CMD_PWRITEV     8

/*
 * The structures of the ioctls that move file data (their commands are
 * above; the same numbers and struct layouts on i386).
 */
#define ST_FILE_CLONE_RANGE_SIZE        32  /* struct file_clone_range */
#define ST_FILE_DEDUPE_RANGE_SIZE       24  /* header, then info[] */
#define ST_FILE_DEDUPE_RANGE_INFO_SIZE  32
#define ST_LOOP_CONFIG_FD_OFFSET        0   /* struct loop_config.fd */
/* The kernel copies a dedupe request of at most one page */
#define ST_FIDEDUPERANGE_MAX_DEST \
    ((4096 - ST_FILE_DEDUPE_RANGE_SIZE) / ST_FILE_DEDUPE_RANGE_INFO_SIZE)

/* io_uring (linux/io_uring.h): submission opcodes */
#define ST_IORING_OP_NOP            0
#define ST_IORING_OP_READV          1
#define ST_IORING_OP_WRITEV         2
#define ST_IORING_OP_FSYNC          3
#define ST_IORING_OP_READ_FIXED     4
#define ST_IORING_OP_WRITE_FIXED    5
#define ST_IORING_OP_SENDMSG        9
#define ST_IORING_OP_RECVMSG        10
#define ST_IORING_OP_OPENAT         18
#define ST_IORING_OP_CLOSE          19
#define ST_IORING_OP_READ           22
#define ST_IORING_OP_WRITE          23
#define ST_IORING_OP_SEND           26
#define ST_IORING_OP_RECV           27
#define ST_IORING_OP_OPENAT2        28
#define ST_IORING_OP_SPLICE         30
#define ST_IORING_OP_TEE            33
#define ST_IORING_OP_MSG_RING       40
#define ST_IORING_OP_URING_CMD      46
#define ST_IORING_OP_SEND_ZC        47
#define ST_IORING_OP_SENDMSG_ZC     48
#define ST_IORING_OP_READ_MULTISHOT 49
#define ST_IORING_OP_FIXED_FD_INSTALL 54
/* sqe flags: the fd is an index in the ring's registered files */
#define ST_IOSQE_FIXED_FILE_BIT     0
/* splice_flags: the input fd is a registered-file index too */
#define ST_SPLICE_F_FD_IN_FIXED     (1U << 31)

#endif /* HW_MISC_SECRET_TRACKER_ABI_UAPI_H */
