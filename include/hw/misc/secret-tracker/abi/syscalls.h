/*
 * secret-tracker: Linux x86-64 system call numbers (the "common" and "64"
 * entries of the kernel's syscall table).  The only place they are written.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_ABI_SYSCALLS_H
#define HW_MISC_SECRET_TRACKER_ABI_SYSCALLS_H

#define ST_NR_READ              0
#define ST_NR_WRITE             1
#define ST_NR_OPEN              2
#define ST_NR_CLOSE             3
#define ST_NR_MMAP              9
#define ST_NR_IOCTL             16
#define ST_NR_PREAD64           17
#define ST_NR_PWRITE64          18
#define ST_NR_READV             19
#define ST_NR_WRITEV            20
#define ST_NR_DUP2              33
#define ST_NR_GETPID            39
#define ST_NR_SENDFILE          40
#define ST_NR_CONNECT           42
#define ST_NR_SENDTO            44
#define ST_NR_RECVFROM          45
#define ST_NR_SENDMSG           46
#define ST_NR_RECVMSG           47
#define ST_NR_BIND              49
#define ST_NR_CLONE             56
#define ST_NR_FORK              57
#define ST_NR_VFORK             58
#define ST_NR_EXECVE            59
#define ST_NR_EXIT              60
#define ST_NR_RENAME            82
#define ST_NR_UNLINK            87
#define ST_NR_REBOOT            169
#define ST_NR_EXIT_GROUP        231
#define ST_NR_OPENAT            257
#define ST_NR_UNLINKAT          263
#define ST_NR_RENAMEAT          264
#define ST_NR_SPLICE            275
#define ST_NR_TEE               276
#define ST_NR_VMSPLICE          278
#define ST_NR_DUP3              292
#define ST_NR_PREADV            295
#define ST_NR_PWRITEV           296
#define ST_NR_RECVMMSG          299
#define ST_NR_SENDMMSG          307
#define ST_NR_RENAMEAT2         316
#define ST_NR_EXECVEAT          322
#define ST_NR_COPY_FILE_RANGE   326
#define ST_NR_PREADV2           327
#define ST_NR_PWRITEV2          328
#define ST_NR_CLONE3            435
#define ST_NR_CLOSE_RANGE       436
#define ST_NR_OPENAT2           437

/* x32 system calls set this bit in the number (RAX / orig_ax). */
#define ST_NR_X32_BIT           0x40000000ULL

#endif /* HW_MISC_SECRET_TRACKER_ABI_SYSCALLS_H */
