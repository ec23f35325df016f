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

/* Shared memory, other processes' memory and kernel-held data */
#define ST_NR_SHMAT             30
#define ST_NR_MSGSND            69
#define ST_NR_MSGRCV            70
#define ST_NR_PTRACE            101
#define ST_NR_SETXATTR          188
#define ST_NR_LSETXATTR         189
#define ST_NR_FSETXATTR         190
#define ST_NR_GETXATTR          191
#define ST_NR_LGETXATTR         192
#define ST_NR_FGETXATTR         193
#define ST_NR_LISTXATTR         194
#define ST_NR_LLISTXATTR        195
#define ST_NR_FLISTXATTR        196
#define ST_NR_MQ_UNLINK         241
#define ST_NR_MQ_TIMEDSEND      242
#define ST_NR_MQ_TIMEDRECEIVE   243
#define ST_NR_ADD_KEY           248
#define ST_NR_REQUEST_KEY       249
#define ST_NR_KEYCTL            250
#define ST_NR_PROCESS_VM_READV  310
#define ST_NR_PROCESS_VM_WRITEV 311
#define ST_NR_SETXATTRAT        463
#define ST_NR_GETXATTRAT        464
#define ST_NR_LISTXATTRAT       465

/*
 * Not a system call: the kernel dumping a task's core, as the engine
 * records it (flows name it "coredump").  No x86-64 call has this number
 * (x32's start at 512), and the engine follows no call by it.
 */
#define ST_NR_COREDUMP          511

/* x32 system calls set this bit in the number (RAX / orig_ax). */
#define ST_NR_X32_BIT           0x40000000ULL

/*
 * More x86-64 numbers: what the compat table and the decoders translate
 * to (the engine may have no family for them yet).
 */
#define ST_NR_IOCTL             16
#define ST_NR_CREAT             85
#define ST_NR_IO_SUBMIT         209
#define ST_NR_VMSPLICE          278

/*
 * i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl): what
 * int 0x80, sysenter and the compat syscall entry take in EAX, from a
 * 32-bit or a 64-bit process alike.
 */
#define ST_NR32_EXIT            1
#define ST_NR32_FORK            2
#define ST_NR32_READ            3
#define ST_NR32_WRITE           4
#define ST_NR32_OPEN            5
#define ST_NR32_CLOSE           6
#define ST_NR32_CREAT           8
#define ST_NR32_UNLINK          10
#define ST_NR32_EXECVE          11
#define ST_NR32_PTRACE          26
#define ST_NR32_RENAME          38
#define ST_NR32_IOCTL           54
#define ST_NR32_DUP2            63
#define ST_NR32_REBOOT          88
#define ST_NR32_MMAP            90      /* old_mmap: one pointer argument */
#define ST_NR32_SOCKETCALL      102
#define ST_NR32_IPC             117     /* call, first, second, third, ptr */
#define ST_NR32_CLONE           120
#define ST_NR32_READV           145
#define ST_NR32_WRITEV          146
#define ST_NR32_PREAD64         180
#define ST_NR32_PWRITE64        181
#define ST_NR32_SENDFILE        187
#define ST_NR32_SETXATTR        226
#define ST_NR32_LSETXATTR       227
#define ST_NR32_FSETXATTR       228
#define ST_NR32_GETXATTR        229
#define ST_NR32_LGETXATTR       230
#define ST_NR32_FGETXATTR       231
#define ST_NR32_LISTXATTR       232
#define ST_NR32_LLISTXATTR      233
#define ST_NR32_FLISTXATTR      234
#define ST_NR32_VFORK           190
#define ST_NR32_MMAP2           192
#define ST_NR32_SENDFILE64      239
#define ST_NR32_IO_SUBMIT       248
#define ST_NR32_EXIT_GROUP      252
#define ST_NR32_MQ_UNLINK       278
#define ST_NR32_MQ_TIMEDSEND    279
#define ST_NR32_MQ_TIMEDRECEIVE 280
#define ST_NR32_ADD_KEY         286
#define ST_NR32_REQUEST_KEY     287
#define ST_NR32_KEYCTL          288
#define ST_NR32_OPENAT          295
#define ST_NR32_UNLINKAT        301
#define ST_NR32_RENAMEAT        302
#define ST_NR32_SPLICE          313
#define ST_NR32_TEE             315
#define ST_NR32_VMSPLICE        316
#define ST_NR32_DUP3            330
#define ST_NR32_PREADV          333
#define ST_NR32_PWRITEV         334
#define ST_NR32_RECVMMSG        337
#define ST_NR32_SENDMMSG        345
#define ST_NR32_PROCESS_VM_READV  347
#define ST_NR32_PROCESS_VM_WRITEV 348
#define ST_NR32_RENAMEAT2       353
#define ST_NR32_EXECVEAT        358
#define ST_NR32_BIND            361
#define ST_NR32_CONNECT         362
#define ST_NR32_SENDTO          369
#define ST_NR32_SENDMSG         370
#define ST_NR32_RECVFROM        371
#define ST_NR32_RECVMSG         372
#define ST_NR32_COPY_FILE_RANGE 377
#define ST_NR32_PREADV2         378
#define ST_NR32_PWRITEV2        379
#define ST_NR32_SHMAT           397
#define ST_NR32_MSGSND          400
#define ST_NR32_MSGRCV          401
#define ST_NR32_MQ_TIMEDSEND_TIME64    418
#define ST_NR32_MQ_TIMEDRECEIVE_TIME64 419
#define ST_NR32_RECVMMSG_TIME64 417
#define ST_NR32_CLONE3          435
#define ST_NR32_CLOSE_RANGE     436
#define ST_NR32_OPENAT2         437
/* from 424 on, every architecture has the same numbers */
#define ST_NR32_SETXATTRAT      ST_NR_SETXATTRAT
#define ST_NR32_GETXATTRAT      ST_NR_GETXATTRAT
#define ST_NR32_LISTXATTRAT     ST_NR_LISTXATTRAT

/* The i386 ipc(2) multiplexer's calls (linux/ipc.h), in its low 16 bits */
#define ST_IPC_MSGSND               11
#define ST_IPC_MSGRCV               12
#define ST_IPC_SHMAT                21

/* The i386 socketcall(2) multiplexer's call numbers (linux/net.h SYS_*) */
#define ST_SOCKETCALL_SOCKET        1
#define ST_SOCKETCALL_BIND          2
#define ST_SOCKETCALL_CONNECT       3
#define ST_SOCKETCALL_LISTEN        4
#define ST_SOCKETCALL_ACCEPT        5
#define ST_SOCKETCALL_GETSOCKNAME   6
#define ST_SOCKETCALL_GETPEERNAME   7
#define ST_SOCKETCALL_SOCKETPAIR    8
#define ST_SOCKETCALL_SEND          9
#define ST_SOCKETCALL_RECV          10
#define ST_SOCKETCALL_SENDTO        11
#define ST_SOCKETCALL_RECVFROM      12
#define ST_SOCKETCALL_SHUTDOWN      13
#define ST_SOCKETCALL_SETSOCKOPT    14
#define ST_SOCKETCALL_GETSOCKOPT    15
#define ST_SOCKETCALL_SENDMSG       16
#define ST_SOCKETCALL_RECVMSG       17
#define ST_SOCKETCALL_ACCEPT4       18
#define ST_SOCKETCALL_RECVMMSG      19
#define ST_SOCKETCALL_SENDMMSG      20

#endif /* HW_MISC_SECRET_TRACKER_ABI_SYSCALLS_H */
