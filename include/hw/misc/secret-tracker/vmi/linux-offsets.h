/*
 * secret-tracker: the Linux kernel objects and members the readers use,
 * named in full: ST_<STRUCT>_<MEMBER>, as DRAKVUF's linux-offsets.h does.
 * A profile (BTF or ISF) gives each member's offset, size and kind.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_OFFSETS_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_OFFSETS_H

/* The structs we read; their sizes bound the members' offsets */
typedef enum StLinuxStruct {
    ST_STRUCT_TASK_STRUCT,
    ST_STRUCT_FILES_STRUCT,
    ST_STRUCT_FDTABLE,
    ST_STRUCT_FILE,
    ST_STRUCT_DENTRY,
    ST_STRUCT_INODE,
    ST_STRUCT_SUPER_BLOCK,
    ST_STRUCT_VFSMOUNT,
    ST_STRUCT_MOUNT,
    ST_STRUCT_SOCKET,
    ST_STRUCT_SOCK,
    ST_STRUCT_SOCK_COMMON,
    ST_STRUCT_UNIX_SOCK,
    ST_STRUCT_UNIX_ADDRESS,
    ST_STRUCT_SOCKADDR_UN,
    ST_STRUCT_PT_REGS,
    ST_STRUCT_PCPU_HOT,
    ST_STRUCT_TSS_STRUCT,
    ST_STRUCT_FS_STRUCT,
    /* syscall decoding: user memory, pt_regs, io_uring (all optional) */
    ST_STRUCT_MM_STRUCT,
    ST_STRUCT_IO_KIOCB,
    ST_STRUCT_IO_RW,
    ST_STRUCT_IO_SR_MSG,
    ST_STRUCT_IO_SPLICE,
    ST_STRUCT_IO_RING_CTX,
    ST_STRUCT_IO_FIXED_FILE,
    ST_STRUCT_COREDUMP_PARAMS,      /* core dumps (optional) */
    ST_STRUCT__COUNT
} StLinuxStruct;

/* Their names in the kernel (linux-profile.c) */
extern const char *const st_linux_struct_names[ST_STRUCT__COUNT];

/*
 * The members we read, each at an offset from the start of its struct.
 * The order is the order profiles are checked in: the first member a
 * profile lacks is the one reported.
 */
typedef enum StLinuxOffset {
    ST_TASK_STRUCT_PID,
    ST_TASK_STRUCT_TGID,
    ST_TASK_STRUCT_REAL_PARENT,
    ST_TASK_STRUCT_MM,
    ST_TASK_STRUCT_START_TIME,
    ST_TASK_STRUCT_COMM,
    ST_TASK_STRUCT_FS,
    ST_TASK_STRUCT_FILES,
    ST_FILES_STRUCT_FDT,
    ST_FDTABLE_MAX_FDS,
    ST_FDTABLE_FD,
    ST_FILE_F_PATH_MNT,
    ST_FILE_F_PATH_DENTRY,
    ST_FILE_F_INODE,
    ST_FILE_F_FLAGS,
    ST_FILE_F_MODE,
    ST_FILE_PRIVATE_DATA,
    ST_DENTRY_D_PARENT,
    ST_DENTRY_D_NAME_LEN,
    ST_DENTRY_D_NAME_NAME,
    ST_DENTRY_D_INODE,
    ST_DENTRY_D_INAME,
    ST_INODE_I_MODE,
    ST_INODE_I_SB,
    ST_INODE_I_INO,
    ST_INODE_I_SIZE,
    ST_SUPER_BLOCK_S_DEV,
    ST_SUPER_BLOCK_S_ID,
    ST_VFSMOUNT_MNT_ROOT,
    ST_MOUNT_MNT_PARENT,
    ST_MOUNT_MNT_MOUNTPOINT,
    ST_MOUNT_MNT,
    ST_SOCKET_SK,
    ST_SOCKET_FILE,
    ST_SOCKET_TYPE,
    ST_SOCK_SK_COMMON,
    ST_SOCK_COMMON_SKC_DADDR,
    ST_SOCK_COMMON_SKC_RCV_SADDR,
    ST_SOCK_COMMON_SKC_DPORT,
    ST_SOCK_COMMON_SKC_NUM,
    ST_SOCK_COMMON_SKC_FAMILY,
    ST_SOCK_COMMON_SKC_V6_DADDR,
    ST_SOCK_COMMON_SKC_V6_RCV_SADDR,
    ST_UNIX_SOCK_SK,
    ST_UNIX_SOCK_ADDR,
    ST_UNIX_SOCK_PEER,
    ST_UNIX_ADDRESS_LEN,
    ST_UNIX_ADDRESS_NAME,
    ST_SOCKADDR_UN_SUN_PATH,
    ST_PT_REGS_ORIG_AX,
    ST_PT_REGS_AX,
    ST_PT_REGS_DI,
    ST_PT_REGS_SI,
    ST_PT_REGS_DX,
    ST_PT_REGS_R10,
    ST_PT_REGS_R8,
    ST_PT_REGS_R9,
    ST_PT_REGS_IP,
    ST_PT_REGS_SP,
    ST_PCPU_HOT_CURRENT_TASK,
    ST_PCPU_HOT_TOP_OF_STACK,
    ST_TSS_STRUCT_X86_TSS_SP1,
    ST_TASK_STRUCT_GROUP_LEADER,
    ST_FS_STRUCT_PWD_MNT,
    ST_FS_STRUCT_PWD_DENTRY,
    ST_SOCK_SK_SOCKET,
    ST_FILE_F_POS,
    ST_INODE_I_RDEV,
    /* syscall decoding: user memory, pt_regs, io_uring (all optional) */
    ST_MM_STRUCT_PGD,
    ST_PT_REGS_BX,
    ST_PT_REGS_CX,
    ST_PT_REGS_BP,
    ST_PT_REGS_CS,
    ST_PT_REGS_FLAGS,
    ST_IO_KIOCB_FILE,
    ST_IO_KIOCB_CMD,
    ST_IO_KIOCB_OPCODE,
    ST_IO_KIOCB_FLAGS,
    ST_IO_KIOCB_CQE_FD,
    ST_IO_KIOCB_CTX,
    ST_IO_KIOCB_TASK,
    ST_IO_RW_ADDR,
    ST_IO_RW_LEN,
    ST_IO_SR_MSG_BUF,
    ST_IO_SR_MSG_LEN,
    ST_IO_SR_MSG_MSG_FLAGS,
    ST_IO_SR_MSG_ADDR,
    ST_IO_SR_MSG_ADDR_LEN,
    ST_IO_SPLICE_LEN,
    ST_IO_SPLICE_SPLICE_FD_IN,
    ST_IO_SPLICE_FLAGS,
    ST_IO_RING_CTX_COMPAT,
    ST_IO_RING_CTX_FILE_TABLE_FILES,
    ST_IO_RING_CTX_NR_USER_FILES,
    ST_IO_FIXED_FILE_FILE_PTR,
    ST_COREDUMP_PARAMS_FILE,
    ST_TASK_STRUCT_EXIT_STATE,
    ST_INODE_I_DENTRY_FIRST,
    ST_DENTRY_D_ALIAS_NEXT,
    ST_SUPER_BLOCK_S_MOUNTS,
    ST_MOUNT_MNT_SB_NEXT,
    ST_FS_STRUCT_ROOT_MNT,
    ST_DENTRY_D_SUBDIRS,
    ST_DENTRY_D_CHILD,
    ST_MOUNT_MNT_MOUNTS,
    ST_MOUNT_MNT_CHILD,
    ST_OFFSET__COUNT
} StLinuxOffset;

/*
 * Which struct member each offset is: one row per enum entry above,
 * X(ST_ suffix, struct (ST_STRUCT_ suffix), dotted member path from the
 * struct, optional).  A path may list alternatives, "a|b.c": the names
 * the member has had across kernel versions, newest last; a profile uses
 * the first one its kernel has.  An optional member may be absent from a
 * profile; then only the features that need it (ST_LINUX_FEATURE_MEMBERS
 * below) are disabled.  A missing member that is not optional is an
 * error naming it.  linux-profile.c builds st_linux_offset_specs[] from
 * the rows and does not compile when a row is missing, doubled or names
 * no entry.
 *
 * Seen on Debian's kernels (5.10 to 7.2): dentry.d_iname became the union
 * d_shortname (its bytes: d_shortname.string) in 7.x.
 */
#define ST_LINUX_OFFSET_SPECS(X) \
    X(TASK_STRUCT_PID,              TASK_STRUCT,  "pid",              false)  \
    X(TASK_STRUCT_TGID,             TASK_STRUCT,  "tgid",             false)  \
    X(TASK_STRUCT_REAL_PARENT,      TASK_STRUCT,  "real_parent",      false)  \
    X(TASK_STRUCT_MM,               TASK_STRUCT,  "mm",               false)  \
    X(TASK_STRUCT_START_TIME,       TASK_STRUCT,  "start_time",       false)  \
    X(TASK_STRUCT_COMM,             TASK_STRUCT,  "comm",             false)  \
    X(TASK_STRUCT_FS,               TASK_STRUCT,  "fs",               false)  \
    X(TASK_STRUCT_FILES,            TASK_STRUCT,  "files",            false)  \
    X(FILES_STRUCT_FDT,             FILES_STRUCT, "fdt",              false)  \
    X(FDTABLE_MAX_FDS,              FDTABLE,      "max_fds",          false)  \
    X(FDTABLE_FD,                   FDTABLE,      "fd",               false)  \
    X(FILE_F_PATH_MNT,              FILE,         "f_path.mnt",       false)  \
    X(FILE_F_PATH_DENTRY,           FILE,         "f_path.dentry",    false)  \
    X(FILE_F_INODE,                 FILE,         "f_inode",          false)  \
    X(FILE_F_FLAGS,                 FILE,         "f_flags",          false)  \
    X(FILE_F_MODE,                  FILE,         "f_mode",           false)  \
    X(FILE_PRIVATE_DATA,            FILE,         "private_data",     false)  \
    X(DENTRY_D_PARENT,              DENTRY,       "d_parent",         false)  \
    X(DENTRY_D_NAME_LEN,            DENTRY,       "d_name.len",       false)  \
    X(DENTRY_D_NAME_NAME,           DENTRY,       "d_name.name",      false)  \
    X(DENTRY_D_INODE,               DENTRY,       "d_inode",          false)  \
    X(DENTRY_D_INAME,               DENTRY,                                   \
      "d_iname|d_shortname.string",                                 false)  \
    X(INODE_I_MODE,                 INODE,        "i_mode",           false)  \
    X(INODE_I_SB,                   INODE,        "i_sb",             false)  \
    X(INODE_I_INO,                  INODE,        "i_ino",            false)  \
    X(INODE_I_SIZE,                 INODE,        "i_size",           false)  \
    X(SUPER_BLOCK_S_DEV,            SUPER_BLOCK,  "s_dev",            false)  \
    X(SUPER_BLOCK_S_ID,             SUPER_BLOCK,  "s_id",             false)  \
    X(VFSMOUNT_MNT_ROOT,            VFSMOUNT,     "mnt_root",         false)  \
    X(MOUNT_MNT_PARENT,             MOUNT,        "mnt_parent",       false)  \
    X(MOUNT_MNT_MOUNTPOINT,         MOUNT,        "mnt_mountpoint",   false)  \
    X(MOUNT_MNT,                    MOUNT,        "mnt",              false)  \
    X(SOCKET_SK,                    SOCKET,       "sk",               false)  \
    X(SOCKET_FILE,                  SOCKET,       "file",             true)   \
    X(SOCKET_TYPE,                  SOCKET,       "type",             true)   \
    X(SOCK_SK_COMMON,               SOCK,         "__sk_common",      false)  \
    X(SOCK_COMMON_SKC_DADDR,        SOCK_COMMON,  "skc_daddr",        false)  \
    X(SOCK_COMMON_SKC_RCV_SADDR,    SOCK_COMMON,  "skc_rcv_saddr",    false)  \
    X(SOCK_COMMON_SKC_DPORT,        SOCK_COMMON,  "skc_dport",        false)  \
    X(SOCK_COMMON_SKC_NUM,          SOCK_COMMON,  "skc_num",          false)  \
    X(SOCK_COMMON_SKC_FAMILY,       SOCK_COMMON,  "skc_family",       false)  \
    X(SOCK_COMMON_SKC_V6_DADDR,     SOCK_COMMON,  "skc_v6_daddr",     true)   \
    X(SOCK_COMMON_SKC_V6_RCV_SADDR, SOCK_COMMON,  "skc_v6_rcv_saddr", true)   \
    X(UNIX_SOCK_SK,                 UNIX_SOCK,    "sk",               true)   \
    X(UNIX_SOCK_ADDR,               UNIX_SOCK,    "addr",             true)   \
    X(UNIX_SOCK_PEER,               UNIX_SOCK,    "peer",             true)   \
    X(UNIX_ADDRESS_LEN,             UNIX_ADDRESS, "len",              true)   \
    X(UNIX_ADDRESS_NAME,            UNIX_ADDRESS, "name",             true)   \
    X(SOCKADDR_UN_SUN_PATH,         SOCKADDR_UN,  "sun_path",         true)   \
    X(PT_REGS_ORIG_AX,              PT_REGS,      "orig_ax",          false)  \
    X(PT_REGS_AX,                   PT_REGS,      "ax",               false)  \
    X(PT_REGS_DI,                   PT_REGS,      "di",               false)  \
    X(PT_REGS_SI,                   PT_REGS,      "si",               false)  \
    X(PT_REGS_DX,                   PT_REGS,      "dx",               false)  \
    X(PT_REGS_R10,                  PT_REGS,      "r10",              false)  \
    X(PT_REGS_R8,                   PT_REGS,      "r8",               false)  \
    X(PT_REGS_R9,                   PT_REGS,      "r9",               false)  \
    X(PT_REGS_IP,                   PT_REGS,      "ip",               false)  \
    X(PT_REGS_SP,                   PT_REGS,      "sp",               false)  \
    X(PCPU_HOT_CURRENT_TASK,        PCPU_HOT,     "current_task",     true)   \
    X(PCPU_HOT_TOP_OF_STACK,        PCPU_HOT,     "top_of_stack",     true)   \
    X(TSS_STRUCT_X86_TSS_SP1,       TSS_STRUCT,   "x86_tss.sp1",      true)   \
    /* optional: older profiles without them still load */                    \
    X(TASK_STRUCT_GROUP_LEADER,     TASK_STRUCT,  "group_leader",     true)   \
    X(FS_STRUCT_PWD_MNT,            FS_STRUCT,    "pwd.mnt",          true)   \
    X(FS_STRUCT_PWD_DENTRY,         FS_STRUCT,    "pwd.dentry",       true)   \
    X(SOCK_SK_SOCKET,               SOCK,         "sk_socket",        true)   \
    X(FILE_F_POS,                   FILE,         "f_pos",            true)   \
    X(INODE_I_RDEV,                 INODE,        "i_rdev",           true)   \
    /* syscall decoding (linux-user.c, linux-io-uring.c): optional */         \
    X(MM_STRUCT_PGD,                MM_STRUCT,    "pgd",              true)   \
    X(PT_REGS_BX,                   PT_REGS,      "bx",               true)   \
    X(PT_REGS_CX,                   PT_REGS,      "cx",               true)   \
    X(PT_REGS_BP,                   PT_REGS,      "bp",               true)   \
    X(PT_REGS_CS,                   PT_REGS,      "cs",               true)   \
    X(PT_REGS_FLAGS,                PT_REGS,      "flags",            true)   \
    X(IO_KIOCB_FILE,                IO_KIOCB,     "file",             true)   \
    X(IO_KIOCB_CMD,                 IO_KIOCB,     "cmd",              true)   \
    X(IO_KIOCB_OPCODE,              IO_KIOCB,     "opcode",           true)   \
    X(IO_KIOCB_FLAGS,               IO_KIOCB,     "flags",            true)   \
    X(IO_KIOCB_CQE_FD,              IO_KIOCB,     "cqe.fd",           true)   \
    X(IO_KIOCB_CTX,                 IO_KIOCB,     "ctx",              true)   \
    X(IO_KIOCB_TASK,                IO_KIOCB,     "task",             true)   \
    X(IO_RW_ADDR,                   IO_RW,        "addr",             true)   \
    X(IO_RW_LEN,                    IO_RW,        "len",              true)   \
    X(IO_SR_MSG_BUF,                IO_SR_MSG,    "buf",              true)   \
    X(IO_SR_MSG_LEN,                IO_SR_MSG,    "len",              true)   \
    X(IO_SR_MSG_MSG_FLAGS,          IO_SR_MSG,    "msg_flags",        true)   \
    X(IO_SR_MSG_ADDR,               IO_SR_MSG,    "addr",             true)   \
    X(IO_SR_MSG_ADDR_LEN,           IO_SR_MSG,    "addr_len",         true)   \
    X(IO_SPLICE_LEN,                IO_SPLICE,    "len",              true)   \
    X(IO_SPLICE_SPLICE_FD_IN,       IO_SPLICE,    "splice_fd_in",     true)   \
    X(IO_SPLICE_FLAGS,              IO_SPLICE,    "flags",            true)   \
    X(IO_RING_CTX_COMPAT,           IO_RING_CTX,  "compat",           true)   \
    X(IO_RING_CTX_FILE_TABLE_FILES, IO_RING_CTX,  "file_table.files", true)   \
    X(IO_RING_CTX_NR_USER_FILES,    IO_RING_CTX,  "nr_user_files",    true)   \
    X(IO_FIXED_FILE_FILE_PTR,       IO_FIXED_FILE, "file_ptr",        true)   \
    /* core dumps (probe-events.c): optional */                               \
    X(COREDUMP_PARAMS_FILE,         COREDUMP_PARAMS, "file",          true)   \
    /* liveness of processes killed by a signal (probe.c): optional */        \
    X(TASK_STRUCT_EXIT_STATE,       TASK_STRUCT,  "exit_state",       true)   \
    /* a file's other names, its hard links (probe-engine-ops.c): optional */ \
    X(INODE_I_DENTRY_FIRST,         INODE,        "i_dentry.first",   true)   \
    X(DENTRY_D_ALIAS_NEXT,          DENTRY,                                   \
      "d_u.d_alias.next|d_alias.next",                              true)   \
    /* a filesystem's mounts (linux-readers-file.c): optional */              \
    X(SUPER_BLOCK_S_MOUNTS,         SUPER_BLOCK,                              \
      "s_mounts.next|s_mounts",                                     true)   \
    X(MOUNT_MNT_SB_NEXT,            MOUNT,                                    \
      "mnt_instance.next|mnt_next_for_sb",                          true)   \
    /* looking names up in the dentry cache (linux-dcache.c): optional */     \
    X(FS_STRUCT_ROOT_MNT,           FS_STRUCT,    "root.mnt",         true)   \
    X(DENTRY_D_SUBDIRS,             DENTRY,                                   \
      "d_subdirs.next|d_children.first",                            true)   \
    X(DENTRY_D_CHILD,               DENTRY,                                   \
      "d_child.next|d_sib.next",                                    true)   \
    X(MOUNT_MNT_MOUNTS,             MOUNT,        "mnt_mounts.next",  true)   \
    X(MOUNT_MNT_CHILD,              MOUNT,        "mnt_child.next",   true)

/* Which struct member an offset is: a dotted path from the struct */
typedef struct StLinuxOffsetSpec {
    StLinuxStruct in;
    const char *path;   /* e.g. "f_path.mnt", "d_name.len" */
    bool optional;
} StLinuxOffsetSpec;

extern const StLinuxOffsetSpec st_linux_offset_specs[ST_OFFSET__COUNT];

/* What kind of value a member holds */
typedef enum StLinuxFieldKind {
    ST_FIELD_KIND_INT,      /* integer, enum or bitfield */
    ST_FIELD_KIND_PTR,
    ST_FIELD_KIND_ARRAY,
    ST_FIELD_KIND_STRUCT,   /* an embedded struct or union */
} StLinuxFieldKind;

/* Per-CPU variables whose offset we need */
typedef enum StLinuxPercpu {
    ST_PERCPU_CURRENT_TASK,
    ST_PERCPU_TOP_OF_STACK,
    ST_PERCPU__COUNT
} StLinuxPercpu;

/*
 * Where a per-CPU value is, across versions, tried in order: a per-CPU
 * variable of its own, or a member of a per-CPU variable.  Seen on
 * Debian's kernels: current_task is a variable up to 6.1 and again in
 * 7.x, pcpu_hot.current_task from 6.2 to 6.12; the top of the task's
 * kernel stack is cpu_current_top_of_stack in 6.1 and 7.x,
 * pcpu_hot.top_of_stack from 6.2 to 6.12, and in 5.10 the TSS's sp1
 * (cpu_tss_rw.x86_tss.sp1).
 */
#define ST_LINUX_PERCPU_ALTS 3

typedef struct StLinuxPercpuAlt {
    const char *var;            /* the per-CPU variable */
    int member;                 /* StLinuxOffset inside it, or -1 */
} StLinuxPercpuAlt;

typedef struct StLinuxPercpuSpec {
    const char *name;           /* for messages */
    StLinuxPercpuAlt alt[ST_LINUX_PERCPU_ALTS];    /* up to a NULL var */
} StLinuxPercpuSpec;

extern const StLinuxPercpuSpec st_linux_percpu_specs[ST_PERCPU__COUNT];

/*
 * What the tracker does with optional members.  A profile without one of
 * them disables only the features listed with it here; the rest of the
 * tracker works.  Members found in no row below disable nothing that is
 * reported.
 */
typedef enum StLinuxFeature {
    ST_FEATURE_THREAD_GROUPS,       /* a thread counts as its process */
    ST_FEATURE_RELATIVE_PATHS,      /* names relative to the cwd */
    ST_FEATURE_IPV6_ADDRESSES,      /* IPv6 socket endpoints */
    ST_FEATURE_UNIX_SOCKETS,        /* unix socket paths and peers */
    ST_FEATURE_UNIX_PEER_INODES,    /* a unix peer's inode, not just path */
    ST_FEATURE_CORE_DUMPS,          /* the file a core is dumped into */
    ST_FEATURE_SIGNAL_DEATHS,       /* a process killed by a signal ends */
    ST_FEATURE_HARD_LINKS,          /* a file's other cached names */
    ST_FEATURE_OTHER_MOUNTS,        /* its filesystem's root elsewhere */
    ST_FEATURE_DCACHE_LOOKUP,       /* secrets' names found at registration */
    ST_FEATURE__COUNT
} StLinuxFeature;

/* X(feature (ST_FEATURE_ suffix), member it needs (ST_ suffix)) */
#define ST_LINUX_FEATURE_MEMBERS(X) \
    X(THREAD_GROUPS,     TASK_STRUCT_GROUP_LEADER)                            \
    X(RELATIVE_PATHS,    FS_STRUCT_PWD_MNT)                                   \
    X(RELATIVE_PATHS,    FS_STRUCT_PWD_DENTRY)                                \
    X(IPV6_ADDRESSES,    SOCK_COMMON_SKC_V6_DADDR)                            \
    X(IPV6_ADDRESSES,    SOCK_COMMON_SKC_V6_RCV_SADDR)                        \
    X(UNIX_SOCKETS,      UNIX_SOCK_ADDR)                                      \
    X(UNIX_SOCKETS,      UNIX_SOCK_PEER)                                      \
    X(UNIX_SOCKETS,      UNIX_ADDRESS_LEN)                                    \
    X(UNIX_SOCKETS,      UNIX_ADDRESS_NAME)                                   \
    X(UNIX_SOCKETS,      SOCKADDR_UN_SUN_PATH)                                \
    X(UNIX_PEER_INODES,  SOCK_SK_SOCKET)                                      \
    X(UNIX_PEER_INODES,  SOCKET_FILE)                                         \
    X(CORE_DUMPS,        COREDUMP_PARAMS_FILE)                                \
    X(SIGNAL_DEATHS,     TASK_STRUCT_EXIT_STATE)                              \
    X(HARD_LINKS,        INODE_I_DENTRY_FIRST)                                \
    X(HARD_LINKS,        DENTRY_D_ALIAS_NEXT)                                 \
    X(OTHER_MOUNTS,      SUPER_BLOCK_S_MOUNTS)                                \
    X(OTHER_MOUNTS,      MOUNT_MNT_SB_NEXT)                                   \
    X(DCACHE_LOOKUP,     FS_STRUCT_ROOT_MNT)                                  \
    X(DCACHE_LOOKUP,     DENTRY_D_SUBDIRS)                                    \
    X(DCACHE_LOOKUP,     DENTRY_D_CHILD)                                      \
    X(DCACHE_LOOKUP,     MOUNT_MNT_MOUNTS)                                    \
    X(DCACHE_LOOKUP,     MOUNT_MNT_CHILD)

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_OFFSETS_H */
