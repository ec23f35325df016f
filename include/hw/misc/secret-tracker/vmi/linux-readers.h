/*
 * secret-tracker: readers of Linux x86-64 kernel objects in guest memory
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_READERS_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_READERS_H

#include "hw/misc/secret-tracker/vmi/linux-profile.h"

#define ST_LINUX_PID_MAX (4 * 1024 * 1024)   /* PID_MAX_LIMIT on 64-bit */
#define ST_LINUX_COMM_LEN 16
#define ST_LINUX_NAME_MAX 255
#define ST_LINUX_PATH_MAX 4096
#define ST_LINUX_PATH_MAX_STEPS 1024         /* components + mount hops */
#define ST_LINUX_MAX_FDS (1024 * 1024 * 1024) /* above any nr_open */

/* Introspection of one kernel: its address space and its profile */
typedef struct StLinuxKernel {
    const StGuestVm *vm;
    const StLinuxProfile *prof;
} StLinuxKernel;

typedef struct StLinuxTask {
    uint64_t task;          /* task_struct address */
    int32_t pid;
    int32_t tgid;
    int32_t parent_tgid;
    uint64_t start_time;    /* ns since boot */
    uint64_t leader_start_time; /* the thread group leader's */
    uint64_t leader;        /* its task_struct (@task if unknown) */
    char comm[ST_LINUX_COMM_LEN + 1];
    uint64_t mm;
    uint64_t files;
} StLinuxTask;

typedef enum StLinuxFileType {
    ST_LINUX_FT_UNKNOWN,
    ST_LINUX_FT_REGULAR,
    ST_LINUX_FT_DIR,
    ST_LINUX_FT_FIFO,       /* pipes and named FIFOs */
    ST_LINUX_FT_SOCKET,
    ST_LINUX_FT_CHARDEV,
    ST_LINUX_FT_BLOCKDEV,
    ST_LINUX_FT_SYMLINK,
} StLinuxFileType;

typedef struct StLinuxFile {
    uint64_t file;
    uint64_t inode;
    uint64_t dentry;
    uint64_t vfsmount;
    uint64_t private_data;
    uint32_t dev;           /* super_block.s_dev (kernel dev_t) */
    uint64_t ino;
    uint16_t mode;          /* i_mode */
    StLinuxFileType type;
    uint32_t f_flags;
    uint32_t f_mode;
    uint64_t size;
    uint64_t pos;           /* f_pos (0 if the profile lacks it) */
    uint32_t rdev;          /* i_rdev of device nodes (kernel dev_t) */
    bool fuse;              /* a regular file of a FUSE file system */
    bool view;              /* overlayfs: all but f_* are the real file's */
    uint32_t view_dev;      /* a view's own inode, as (s_dev, i_ino) */
    uint64_t view_ino;
} StLinuxFile;

typedef struct StLinuxSocket {
    uint16_t family;        /* ST_AF_* (abi/socket.h) */
    uint8_t local_addr[16]; /* network order; IPv4 uses the first 4 */
    uint8_t peer_addr[16];
    uint16_t local_port;    /* host order */
    uint16_t peer_port;
    char *unix_path;        /* unix: bound path ("@..." if abstract) */
    char *unix_peer_path;   /* unix: the peer's bound path */
    uint32_t unix_peer_dev; /* unix: the peer socket's inode, 0 if none */
    uint64_t unix_peer_ino;
} StLinuxSocket;

typedef struct StLinuxPtRegs {
    uint64_t orig_ax, ax, di, si, dx, r10, r8, r9, ip, sp;
    uint64_t flags;     /* 0 if the profile lacks it */
} StLinuxPtRegs;

const char *st_linux_file_type_name(StLinuxFileType type);

/*
 * @percpu_base is this CPU's kernel per-CPU base: MSR_KERNEL_GS_BASE at
 * the LSTAR entry (before swapgs), at sysretq (after it) and whenever the
 * CPU is in user mode; the GS segment base when it is in kernel mode.
 *
 * current = *(percpu_base + per-CPU offset of current_task)
 */
bool st_linux_current_task(const StLinuxKernel *kernel, uint64_t percpu_base,
                           uint64_t *task, GError **errp);
bool st_linux_read_task(const StLinuxKernel *kernel, uint64_t task,
                        StLinuxTask *out, GError **errp);
/*
 * Has the group leader at @task, of process (@tgid, @start_time), ended:
 * exited (exit_state set) or its task_struct reused?  False with @errp
 * set when that cannot be read (or the profile lacks exit_state).
 */
bool st_linux_task_ended(const StLinuxKernel *kernel, uint64_t task,
                         uint32_t tgid, uint64_t start_time, bool *ended,
                         GError **errp);

/* task->files->fdt->fd[fd]; an fd that is not open is an error */
bool st_linux_fd_file(const StLinuxKernel *kernel, uint64_t task, int64_t fd,
                      uint64_t *file, GError **errp);
/* cprm->file: what the core dump at @cprm is written into */
bool st_linux_coredump_file(const StLinuxKernel *kernel, uint64_t cprm,
                            uint64_t *file, GError **errp);
bool st_linux_read_file(const StLinuxKernel *kernel, uint64_t file,
                        StLinuxFile *out, GError **errp);

/* Absolute path of dentry in a mount, crossing mount points; g_free() */
char *st_linux_path(const StLinuxKernel *kernel, uint64_t dentry,
                    uint64_t vfsmount, GError **errp);
/*
 * The mount, among @vfsmount and those it is mounted on, that mounts the
 * root of @vfsmount's filesystem: through it a file has the name it has
 * in its filesystem, not a bind mount's.  If none does (a namespace that
 * sees only a bind mount), another mount of that root, in any namespace,
 * when the profile has the filesystem's list of mounts.  0 (and @errp)
 * if there is none.
 */
uint64_t st_linux_fs_mount(const StLinuxKernel *kernel, uint64_t vfsmount,
                           GError **errp);
/*
 * The dentries that name @dentry's inode (its hard links the guest has
 * cached, @dentry too), at most @max into @out; how many, or -1.
 */
int st_linux_dentry_aliases(const StLinuxKernel *kernel, uint64_t dentry,
                            uint64_t *out, unsigned max, GError **errp);
char *st_linux_file_path(const StLinuxKernel *kernel, uint64_t file,
                         GError **errp);
/* The inode of an open file, as (s_dev, i_ino) */
bool st_linux_file_inode(const StLinuxKernel *kernel, uint64_t file,
                         uint64_t *dev, uint64_t *ino, GError **errp);
/*
 * The inode a dentry names now, as (s_dev, i_ino): a saved dentry pointer
 * may have been freed and reused since, so check before trusting it.
 */
bool st_linux_dentry_inode(const StLinuxKernel *kernel, uint64_t dentry,
                           uint64_t *dev, uint64_t *ino, GError **errp);
/* A dentry's own name (its last path component), NUL terminated */
bool st_linux_dentry_last_name(const StLinuxKernel *kernel, uint64_t dentry,
                               char *buf, size_t size, GError **errp);
/* The task's current directory (task->fs->pwd); g_free() */
char *st_linux_cwd(const StLinuxKernel *kernel, uint64_t task, GError **errp);

/* Bounds of one dentry cache lookup (guest lists can be long or circular) */
#define ST_LINUX_DCACHE_MAX_VISITS (1 << 16)    /* dentries and mounts */
#define ST_LINUX_DCACHE_MAX_FOUND 1024
#define ST_LINUX_DCACHE_MAX_CHILDREN (1 << 15)  /* of one directory */
#define ST_LINUX_DCACHE_MAX_MOUNTS 4096         /* on one mount */
#define ST_LINUX_DCACHE_MAX_STACK 16            /* mounts on one place */
#define ST_LINUX_DCACHE_MAX_DEPTH 64            /* pattern components */

typedef struct StLinuxDcacheStats {
    unsigned visited;
    unsigned found;
    bool truncated;             /* a bound stopped part of the lookup */
} StLinuxDcacheStats;

/* A regular file found: its path in the initial namespace, its inode */
typedef void (*StLinuxDcacheFn)(void *opaque, const char *path, uint64_t dev,
                                uint64_t ino);

/*
 * Call @fn for each cached regular file whose absolute path, in the
 * mount namespace of @task, matches @glob (fnmatch() with FNM_PATHNAME,
 * component by component), crossing mounts.  Files the cache does not
 * hold are not found.  False on a profile without the members, or when
 * guest memory cannot be read (@fn may have been called before).
 */
bool st_linux_dcache_find(const StLinuxKernel *kernel, uint64_t task,
                          const char *glob, StLinuxDcacheFn fn, void *opaque,
                          StLinuxDcacheStats *stats, GError **errp);

bool st_linux_read_socket(const StLinuxKernel *kernel, uint64_t file,
                          StLinuxSocket *out, GError **errp);
void st_linux_socket_clear(StLinuxSocket *sock);

/* Where the syscall's saved user registers are: the kernel stack's top */
bool st_linux_pt_regs_addr(const StLinuxKernel *kernel, uint64_t percpu_base,
                           uint64_t *regs, GError **errp);
/* The syscall's saved user registers, at the top of the kernel stack */
bool st_linux_read_pt_regs(const StLinuxKernel *kernel, uint64_t percpu_base,
                           StLinuxPtRegs *out, GError **errp);
/* The same, from a pt_regs at @regs (the dispatchers' first argument) */
bool st_linux_read_pt_regs_at(const StLinuxKernel *kernel, uint64_t regs,
                              StLinuxPtRegs *out, GError **errp);

/*
 * Does the profile fit the running kernel?  The current task resolves,
 * its comm is printable, pid/tgid are in range, and task -> files ->
 * fdtable -> fd[] is consistent.
 */
bool st_linux_validate(const StLinuxKernel *kernel, uint64_t percpu_base,
                       StLinuxTask *task, GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_READERS_H */
