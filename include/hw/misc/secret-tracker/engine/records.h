/*
 * secret-tracker: the tracking engine's public records
 *
 * What the caller hands the engine (tasks, fd objects, callbacks, limits)
 * and what queries hand back (nodes, flows, counters).
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_ENGINE_RECORDS_H
#define HW_MISC_SECRET_TRACKER_ENGINE_RECORDS_H

#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/abi/uapi.h"

/* Distinct labels per engine: a node's label set is a 64-bit mask. */
#define ST_ENGINE_MAX_LABELS 64
#define ST_ENGINE_COMM_LEN 16
#define ST_ENGINE_PATH_MAX 4096
/* sun_path (108 bytes) plus a NUL, or "@" and an abstract name */
#define ST_ENGINE_UNIX_PATH_MAX 110
#define ST_ENGINE_NR_ARGS 6
/* Other names of a file tried at its first use (&StEngineOps.get_alias) */
#define ST_ENGINE_ALIASES_MAX 8
/* Destinations of one send taken from &StEngineOps.send_peer. */
#define ST_ENGINE_MAX_SEND_PEERS 16
/* fds of one ioctl taken from &StEngineOps.ioctl_fds. */
#define ST_ENGINE_MAX_IOCTL_FDS 16
/* Bytes of user memory one &StEngineOps.read_user call reads at most. */
#define ST_ENGINE_MAX_USER_READ 64
/* Shared objects one process is known to map. */
#define ST_ENGINE_MAX_SHARE_REFS 32

/**
 * StEngineIpc: what an %ST_ENGINE_KIND_IPC node is (its &StEngineNodeInfo.dev
 * holds the type, .ino the kernel's id for it).
 * @ST_ENGINE_IPC_SHARED_ANON: a MAP_SHARED|MAP_ANONYMOUS mapping (id: the
 *     engine's own count).
 * @ST_ENGINE_IPC_SYSV_SHM: a SysV shared memory segment (id: shmid).
 * @ST_ENGINE_IPC_SYSV_MSG: a SysV message queue (id: msqid).
 * @ST_ENGINE_IPC_ADDRESS_SPACE: an address space used by more than one
 *     process (vfork, clone with CLONE_VM; id: the mm_struct's identity).
 * @ST_ENGINE_IPC_XATTR: extended attributes, all files' (id 0).
 * @ST_ENGINE_IPC_KEYS: the kernel's key store (id 0).
 * @ST_ENGINE_IPC_PTY: pseudo-terminals, master and slave sides (id 0).
 * @ST_ENGINE_IPC_TUN: TUN and TAP interfaces: the packets their fds
 *     write into the VM's network stack and read from it (id 0).
 * @ST_ENGINE_IPC_FUSE: FUSE file systems: what processes write to their
 *     files and their daemons read from /dev/fuse, and back (id 0).
 * @ST_ENGINE_IPC_PACKET: packet sockets: what one sends, another here may
 *     read (a frame on the loopback interface; id 0).
 * @ST_ENGINE_IPC_VSOCK: vsock sockets: what one sends, another here may
 *     read (the loopback transport, CID 1; id 0).
 */
typedef enum StEngineIpc {
    ST_ENGINE_IPC_NONE,
    ST_ENGINE_IPC_SHARED_ANON,
    ST_ENGINE_IPC_SYSV_SHM,
    ST_ENGINE_IPC_SYSV_MSG,
    ST_ENGINE_IPC_ADDRESS_SPACE,
    ST_ENGINE_IPC_XATTR,
    ST_ENGINE_IPC_KEYS,
    ST_ENGINE_IPC_PTY,
    ST_ENGINE_IPC_TUN,
    ST_ENGINE_IPC_FUSE,
    ST_ENGINE_IPC_PACKET,
    ST_ENGINE_IPC_VSOCK,
    ST_ENGINE_IPC__MAX,
} StEngineIpc;

/**
 * StEngineFamily: syscall families.  Every family but
 * %ST_ENGINE_FAMILY_FD and %ST_ENGINE_FAMILY_OPEN can name a flow edge; FD
 * is the engine's own bookkeeping (close, dup2, dup3, close_range,
 * connect, bind) that keeps its fd cache honest; OPEN needs nothing (files
 * are labelled when an fd is first used).  vmsplice is a WRITE or a READ
 * by the pipe end it is given; ioctl is a TRANSFER for the commands that
 * move file data (see st_engine_syscall_relevant()).  SHARE is memory or
 * kernel objects shared between processes (SysV shared memory and
 * message queues, extended attributes, keys, other processes' memory:
 * engine-shared.c).
 */
typedef enum StEngineFamily {
    ST_ENGINE_FAMILY_NONE,
    ST_ENGINE_FAMILY_READ,
    ST_ENGINE_FAMILY_WRITE,
    ST_ENGINE_FAMILY_TRANSFER,
    ST_ENGINE_FAMILY_MMAP,
    ST_ENGINE_FAMILY_CLONE,
    ST_ENGINE_FAMILY_EXECVE,
    ST_ENGINE_FAMILY_EXIT,
    ST_ENGINE_FAMILY_OPEN,
    ST_ENGINE_FAMILY_RENAME,
    ST_ENGINE_FAMILY_UNLINK,
    ST_ENGINE_FAMILY_FD,
    ST_ENGINE_FAMILY_SHARE,
    ST_ENGINE_FAMILY__MAX,
} StEngineFamily;

/**
 * StEngineKind: what a node (or a resolved fd) is.  %ST_ENGINE_KIND_UNKNOWN
 * is a node registered by (dev, ino) that has not been seen through an fd.
 * %ST_ENGINE_KIND_BLOCKDEV is a block device node (S_IFBLK); a caller that
 * reports block devices as %ST_ENGINE_KIND_OTHER with their rdev set gets
 * the same treatment.  %ST_ENGINE_KIND_IPC is a kernel object that
 * processes share without a file the engine resolves (&StEngineIpc).
 */
typedef enum StEngineKind {
    ST_ENGINE_KIND_UNKNOWN,
    ST_ENGINE_KIND_FILE,
    ST_ENGINE_KIND_DIR,
    ST_ENGINE_KIND_PIPE,
    ST_ENGINE_KIND_FIFO,
    ST_ENGINE_KIND_SOCKET,
    ST_ENGINE_KIND_CHARDEV,
    ST_ENGINE_KIND_OTHER,
    ST_ENGINE_KIND_PROCESS,
    ST_ENGINE_KIND_ENDPOINT,
    ST_ENGINE_KIND_BLOCKDEV,
    ST_ENGINE_KIND_IPC,
    ST_ENGINE_KIND__MAX,
} StEngineKind;

/**
 * StEngineDrop: reasons for which the engine lost information.  Each one
 * is counted in &StEngineCounters.drops.  Every table but the flows is
 * bounded by evicting its least recently used entry; each eviction is
 * counted under its table's reason.
 * @ST_ENGINE_DROP_FLOWS: a new edge beyond max_flows (taint still applied).
 * @ST_ENGINE_DROP_NODES: a new node that could not be made because the
 *     node table holds only secrets and live tracked processes, which are
 *     never evicted (taint lost).
 * @ST_ENGINE_DROP_LABELS: more than %ST_ENGINE_MAX_LABELS labels.
 * @ST_ENGINE_DROP_PENDING: an entry waiting for its return evicted to make
 *     room (its byte count stays inexact, a rename is not applied).
 * @ST_ENGINE_DROP_ENDPOINTS: a tainted local endpoint waiting for its
 *     receiving socket evicted (that receiver will not be tainted).
 * @ST_ENGINE_DROP_CHILDREN: a tracked parent's child waiting to appear
 *     evicted (it can still be paired by its parent at first appearance).
 * @ST_ENGINE_DROP_FD_CACHE: a cached fd evicted (resolved again if used).
 * @ST_ENGINE_DROP_RESOLVE: an fd, path or peer that the caller could not
 *     resolve, where the engine needed it; or more fds in an ioctl than
 *     %ST_ENGINE_MAX_IOCTL_FDS.
 * @ST_ENGINE_DROP_UNPAIRED: an entry whose return never came, and whose
 *     return carried more than a byte count (a rename or unlink).
 * @ST_ENGINE_DROP_PEER: a send whose destination is unknown (a local
 *     socket without a known peer), or beyond %ST_ENGINE_MAX_SEND_PEERS.
 * @ST_ENGINE_DROP_NODES_EVICTED: a node evicted to make room (the least
 *     recently used file, pipe, socket, endpoint or dead process): its
 *     labels are forgotten; a compact record stays while flows name it.
 * @ST_ENGINE_DROP_LOCAL_ADDRS: a local address of the VM evicted.
 * @ST_ENGINE_DROP_WAITING: a reader waiting on an untainted channel
 *     evicted (it is no longer tainted if a tracked writer fills it).
 * @ST_ENGINE_DROP_SHARED: a process's shared mapping, labels written into
 *     it, or a shared address space forgotten (beyond max_shared, or more
 *     than %ST_ENGINE_MAX_SHARE_REFS mappings in one process).
 */
typedef enum StEngineDrop {
    ST_ENGINE_DROP_FLOWS,
    ST_ENGINE_DROP_NODES,
    ST_ENGINE_DROP_LABELS,
    ST_ENGINE_DROP_PENDING,
    ST_ENGINE_DROP_ENDPOINTS,
    ST_ENGINE_DROP_CHILDREN,
    ST_ENGINE_DROP_FD_CACHE,
    ST_ENGINE_DROP_RESOLVE,
    ST_ENGINE_DROP_UNPAIRED,
    ST_ENGINE_DROP_PEER,
    ST_ENGINE_DROP_NODES_EVICTED,
    ST_ENGINE_DROP_LOCAL_ADDRS,
    ST_ENGINE_DROP_WAITING,
    ST_ENGINE_DROP_SHARED,
    ST_ENGINE_DROP__MAX,
} StEngineDrop;

/**
 * StEngineTask: the task issuing a syscall, as the caller introspected it.
 * @tid: the task's pid (thread id).
 * @tid_start_time: the task's own start time; pairs entry and exit.
 * @tgid: the thread group id (process id).
 * @start_time: the group leader's start time; with @tgid, the process key.
 * @ppid: the real parent's tgid.
 * @parent_start_time: the real parent's group leader start time, or 0 if
 *     unknown (then the live process with tgid @ppid is taken).
 * @comm: the task's comm, NUL terminated (may be empty).
 * @details: true if @ppid, @parent_start_time and @comm are filled in.  If
 *     false, the engine asks &StEngineOps.task_details for them, only when
 *     it needs them: a process becomes tracked, a task may be the child of
 *     a live tracked process, or a tracked process entered execve.
 * @files_id: identity of the task's fd table (the kernel's files_struct
 *     address): tasks that share it share their fds (threads, and
 *     CLONE_FILES siblings).  0 when unknown: fds are then keyed by
 *     process, (@tgid, @start_time).
 * @mm_id: identity of the task's address space (the mm_struct address), 0
 *     when unknown.  Kept on the process node (for shared memory later).
 * @compat: the call came through a 32-bit entry (int 0x80, sysenter, the
 *     compat syscall instruction) and the caller translated its number and
 *     arguments to x86-64.  Counted in &StEngineCounters.compat_entries.
 * @leader_id: the group leader's task_struct address, 0 when unknown.
 *     Kept on the process node, so that the caller can check later that
 *     the process still lives (st_engine_live_processes()).
 *
 * All start times use one clock (the guest kernel's task start_time).
 */
typedef struct StEngineTask {
    uint32_t tid;
    uint64_t tid_start_time;
    uint32_t tgid;
    uint64_t start_time;
    uint32_t ppid;
    uint64_t parent_start_time;
    char comm[ST_ENGINE_COMM_LEN];
    bool details;
    uint64_t files_id;
    uint64_t mm_id;
    bool compat;
    uint64_t leader_id;
} StEngineTask;

/**
 * StEngineEndpoint: a socket address.
 * @family: %ST_AF_INET, %ST_AF_INET6, %ST_AF_VSOCK, %ST_AF_PACKET,
 *     %ST_AF_XDP, or 0 when unknown / not connected.
 * @port: host byte order (inet, inet6).
 * @addr: inet, inet6: network byte order, IPv4 in the first 4 bytes (the
 *     engine turns IPv4-mapped IPv6 addresses into IPv4).  vsock, packet
 *     and XDP (families that always leave the VM): the first 8 bytes are
 *     two big-endian 32-bit words, only rendered: CID and port (vsock),
 *     ifindex and protocol (packet), ifindex and queue id (XDP).
 */
typedef struct StEngineEndpoint {
    uint16_t family;
    uint16_t port;
    uint8_t addr[16];
} StEngineEndpoint;

/**
 * StEngineObject: what an fd refers to, filled by the caller.
 * @kind: file, dir, pipe, FIFO, socket, chardev or other.
 * @dev: the inode's device (super_block s_dev).
 * @ino: the inode number.
 * @flags: the file's f_flags.
 * @path_handle: opaque caller data that lets it find the path later (for
 *     example the dentry and vfsmount addresses).  The engine only stores
 *     and returns it.
 * @sock_family: for sockets, the address family.
 * @local: for inet sockets, the local endpoint.
 * @peer: for inet sockets, the connected peer (family 0 if none).
 * @peer_dev: for unix sockets, the peer socket's inode device (0: same
 *     as @dev).
 * @peer_ino: for unix sockets, the peer socket's inode number, 0 if unknown.
 * @file_id: identity of the open file (the struct file address), 0 if
 *     unknown; &StEngineOps.fd_still checks a cached fd against it.
 * @view_dev: with @view_ino, the inode the open file itself shows when
 *     @dev and @ino are another's (an overlayfs file stands for its
 *     layer's file); 0 otherwise.  Only &StEngineOps.fd_still and
 *     &StEngineOps.get_alias use them.
 * @view_ino: see @view_dev.
 * @size: the inode's size (i_size) when resolved.
 * @pos: the file position (f_pos) when resolved.
 * @mode: the open file's mode bits (f_mode): %ST_FMODE_READ,
 *     %ST_FMODE_WRITE; 0 if unknown.
 * @rdev: device nodes: the device they name (i_rdev), in the encoding of
 *     @dev (the kernel's dev_t); 0 otherwise.
 * @fuse: a regular file of a FUSE file system (its daemon serves its
 *     reads and writes through /dev/fuse).
 * @unix_path: unix sockets: the address the socket is bound to ("/path",
 *     or "@name" when abstract), "" if none.
 * @unix_peer_path: unix sockets: its peer's bound address, "" if none.
 *
 * @size and @pos make the byte count of a read of a regular file exact at
 * entry; the engine asks for them afresh (not from its cache) when it
 * needs them.
 */
typedef struct StEngineObject {
    StEngineKind kind;
    uint64_t dev;
    uint64_t ino;
    uint32_t flags;
    uint64_t path_handle[2];
    uint16_t sock_family;
    StEngineEndpoint local;
    StEngineEndpoint peer;
    uint64_t peer_dev;
    uint64_t peer_ino;
    uint64_t file_id;
    uint64_t view_dev;
    uint64_t view_ino;
    uint64_t size;
    uint64_t pos;
    uint32_t mode;
    uint64_t rdev;
    bool fuse;
    char unix_path[ST_ENGINE_UNIX_PATH_MAX];
    char unix_peer_path[ST_ENGINE_UNIX_PATH_MAX];
} StEngineObject;

/**
 * StEngineOps: introspection callbacks; the engine calls them lazily, on
 * the caller's thread, from inside st_engine_syscall_entry() and
 * st_engine_syscall_exit().  Only @task_details may be called for a
 * write by an untracked process: while a tracked process lives, and only
 * if the caller leaves details out, once per task and per change in the
 * set of tracked processes (a small cache remembers untracked ones).
 * Every op that reads user memory is called at entry, before the kernel
 * reads it (except @mmsg_bytes, at the return).
 * @resolve_fd: describe @fd of @task in @out; false if the fd is not open
 *     or cannot be read.  Results are cached per (@task's files_id, or
 *     process, and fd) until close, dup2/dup3 onto it, close_range,
 *     connect, bind, execve or exit, or until @fd_still says otherwise;
 *     the least recently used entry is evicted when the cache is full.
 *     Mandatory.
 * @fd_still: does @fd of @task still name @cached (the same open file,
 *     &StEngineObject.file_id, on the same inode: a freed struct file and
 *     fd table are reused at the same addresses, so the address alone is
 *     not enough)?  Asked before a cached resolution with a nonzero
 *     file_id is used; false makes the engine resolve @fd again.  Must be
 *     cheaper than @resolve_fd.  May be NULL (the cache is trusted).
 * @get_path: the absolute path of @obj (through its @path_handle) into
 *     @buf of @size bytes, NUL terminated; false on failure.  Called when
 *     an fd is first used (resolved, or used again after a new pattern)
 *     while glob patterns are registered, and, with @get_name, only when
 *     the file name can match one.  May be NULL (then patterns never
 *     match).
 * @get_queued_path: like @get_path, for an object whose path the engine
 *     queued earlier (st_engine_next_path_request()): false also if its
 *     @path_handle no longer names its inode.  Called at the entry of a
 *     rename or unlink while paths are queued, for at most 32 of them,
 *     so that the call sees files named since the resolver last ran.
 *     May be NULL (then the queue waits for the resolver).
 * @get_name: the last path component of @obj (the dentry's own name),
 *     cheaper than @get_path; lets the engine skip @get_path for files
 *     whose name no pattern matches.  May be NULL.
 * @get_alias: another absolute path of @obj's file, the @index-th (from
 *     0, until false): its name in the mount of its filesystem's root
 *     where @get_path gives a bind mount's or another namespace's view,
 *     then the names of its other hard links.  Asked at the same first
 *     use, when @get_path's path matched no pattern, at most
 *     %ST_ENGINE_ALIASES_MAX times.  May be NULL.
 * @read_path_arg: the absolute path named by the user pointer @uptr,
 *     relative to @dirfd (%ST_AT_FDCWD for the cwd), into @buf; false on
 *     failure.  Called at the entry of a rename or unlink, only while some
 *     tracked file has a known path (or a queued one).  May be NULL (then
 *     renames and unlinks are not seen).
 * @send_peer: the destinations named in the arguments of a sendto,
 *     sendmsg or sendmmsg (@nr, @args): one per message (sendto and
 *     sendmsg: one; sendmmsg: one per mmsghdr, in order), family 0 for a
 *     message that names none.  Fills at most @max of them into @out and
 *     returns how many the call names (possibly more than @max; the
 *     engine counts the rest in %ST_ENGINE_DROP_PEER), 0 if none.  Only
 *     called for tracked processes sending on inet, inet6, vsock, packet
 *     or XDP sockets.  May be NULL (then only connected peers are known).
 * @iov_bytes: the bytes a vectored call asks to move: the sum of the
 *     iov_len of readv, writev, preadv(2), pwritev(2) and vmsplice (iov at
 *     args[1], args[2] entries), of recvmsg and sendmsg (the msghdr's iov)
 *     and of every message of recvmmsg and sendmmsg; 0 if unknown.  Called
 *     at entry, for flows only.  May be NULL (then vectored writes count 0
 *     bytes and vectored reads of regular files count up to the end of
 *     the file).
 * @mmsg_bytes: total bytes moved by a successful recvmmsg that returned
 *     @ret messages (the msg_len fields).  Called at the return of a
 *     tainted recvmmsg.  May be NULL (then it counts 0 bytes).
 * @ioctl_fds: the fds named inside the user structure @arg of ioctl @cmd:
 *     %ST_FICLONERANGE: the source fd; %ST_FIDEDUPERANGE: each destination
 *     fd, in order; %ST_LOOP_CONFIGURE: the backing fd.  Fills at most @max
 *     into @fds and sets @n to how many the structure names; false if it
 *     cannot be read.  May be NULL (then those three are not followed).
 * @read_user: @len bytes (at most %ST_ENGINE_MAX_USER_READ) of @task's
 *     memory at the user pointer @uptr into @buf, at the entry of a call
 *     of @task; false if they cannot be read.  Called for the first bytes
 *     of a packet a tracked process writes into a TUN or TAP fd.  May be
 *     NULL (then such a packet taints the tun node only).
 * @send_head: the first bytes of message @msg of a writev, sendmsg or
 *     sendmmsg (@nr, @args; @msg is 0 but for sendmmsg), gathered across
 *     its iovecs: at most @len (%ST_ENGINE_MAX_USER_READ) into @buf, how
 *     many in *@got, and the message's length in *@total; false if they
 *     cannot be read.  Called at entry for the frames a tracked process
 *     sends on a packet socket.  May be NULL (then only the frames of
 *     write and sendto reach the socket they are addressed to).
 * @task_details: fill in @task's ppid, parent_start_time and comm (its
 *     ids and start times are set); false on failure.  May be NULL if
 *     every task comes with &StEngineTask.details set.
 */
typedef struct StEngineOps {
    bool (*resolve_fd)(void *opaque, const StEngineTask *task, int fd,
                       StEngineObject *out);
    bool (*get_path)(void *opaque, const StEngineObject *obj,
                     char *buf, size_t size);
    bool (*get_queued_path)(void *opaque, const StEngineObject *obj,
                            char *buf, size_t size);
    bool (*get_name)(void *opaque, const StEngineObject *obj,
                     char *buf, size_t size);
    bool (*get_alias)(void *opaque, const StEngineObject *obj,
                      unsigned index, char *buf, size_t size);
    bool (*read_path_arg)(void *opaque, const StEngineTask *task, int dirfd,
                          uint64_t uptr, char *buf, size_t size);
    unsigned (*send_peer)(void *opaque, const StEngineTask *task,
                          unsigned nr, const uint64_t *args,
                          StEngineEndpoint *out, unsigned max);
    uint64_t (*mmsg_bytes)(void *opaque, const StEngineTask *task,
                           unsigned nr, const uint64_t *args, int64_t ret);
    bool (*task_details)(void *opaque, StEngineTask *task);
    bool (*fd_still)(void *opaque, const StEngineTask *task, int fd,
                     const StEngineObject *cached);
    uint64_t (*iov_bytes)(void *opaque, const StEngineTask *task,
                          unsigned nr, const uint64_t *args);
    bool (*ioctl_fds)(void *opaque, const StEngineTask *task, unsigned cmd,
                      uint64_t arg, int *fds, unsigned max, unsigned *n);
    bool (*read_user)(void *opaque, const StEngineTask *task, uint64_t uptr,
                      void *buf, size_t len);
    bool (*send_head)(void *opaque, const StEngineTask *task, unsigned nr,
                      const uint64_t *args, unsigned msg, void *buf,
                      size_t len, size_t *got, uint64_t *total);
} StEngineOps;

/**
 * StEngineNodeInfo: a tracked node, as queries see it.
 * @id: stable id, from 1.
 * @kind: the node's kind.
 * @dev: inode nodes: device.
 * @ino: inode nodes: inode number.
 * @rdev: block device nodes: the device they name.
 * @tgid: process nodes: tgid.
 * @start_time: process nodes: group leader start time.
 * @ppid: process nodes: parent tgid when first seen.
 * @comm: process nodes: comm (updated at execve).
 * @endpoint: endpoint nodes: the remote address; socket nodes: local.
 * @peer: socket nodes: the peer endpoint when known.
 * @path: the current path or rendering (``pipe:[ino]``, ``socket:[ino]``,
 *     ``inet:a.b.c.d:port``), NULL while unknown.  Valid until the next
 *     call into the engine.
 * @path_pending: a path request for this node is queued.
 * @labels: the labels the node holds (bit i = label i).
 * @rx_labels: sockets: the labels a reader of this socket receives.
 * @first_seen_ns: guest time at which the node became tracked.
 * @dead: process nodes: the process exited (exit_group, exit of the
 *     thread group leader, a core dump, or found gone with no exit call:
 *     st_engine_process_ended()).  A dead node keeps its labels and edges.
 * @deleted: file nodes: the file was unlinked (or replaced by a rename).
 * @exfiltration: endpoint nodes (a peer outside the VM: an inet address
 *     the VM does not own, or any vsock, packet or XDP destination): true
 *     once tainted data was sent to it; false for a peer only known to
 *     have sent data, through st_engine_remote_labels().
 * @registered: a secret in its own right: registered by (dev, ino), or
 *     matched by a pattern when first used (not just reached by a flow).
 * @evicted: a compact record of a node evicted from the tables (its taint
 *     forgotten), kept while flows name it; only st_engine_node() returns
 *     such records, never the iterators or the find functions.
 */
typedef struct StEngineNodeInfo {
    uint64_t id;
    StEngineKind kind;
    uint64_t dev;
    uint64_t ino;
    uint64_t rdev;
    uint32_t tgid;
    uint64_t start_time;
    uint32_t ppid;
    char comm[ST_ENGINE_COMM_LEN];
    StEngineEndpoint endpoint;
    StEngineEndpoint peer;
    const char *path;
    bool path_pending;
    uint64_t labels;
    uint64_t rx_labels;
    uint64_t first_seen_ns;
    bool dead;
    bool deleted;
    bool exfiltration;
    bool registered;
    bool evicted;
} StEngineNodeInfo;

/**
 * StEngineFlowInfo: an aggregated flow edge.
 * @id: stable id, from 1, in creation order.
 * @src: source node id.
 * @dst: target node id (equal to @src for rename edges).
 * @family: the edge's family.
 * @syscall_nr: the x86-64 number of the first syscall that made the edge.
 *     A clone edge found by the child's first appearance (the parent's
 *     exit not seen yet) reports %ST_NR_CLONE.
 * @count: successful calls aggregated into the edge.
 * @bytes: bytes those calls transferred.
 * @first_ns: guest time of the first call.
 * @last_ns: guest time of the last call.
 * @labels: the labels carried.
 * @via_tgid: transfer edges: the first calling process's tgid (else 0).
 * @via_start_time: transfer edges: its start time.
 * @via_node: transfer edges: its node id if it is tracked (else 0).
 * @old_path: rename edges: the path before.
 * @new_path: rename edges: the path after.
 */
typedef struct StEngineFlowInfo {
    uint64_t id;
    uint64_t src;
    uint64_t dst;
    StEngineFamily family;
    unsigned syscall_nr;
    uint64_t count;
    uint64_t bytes;
    uint64_t first_ns;
    uint64_t last_ns;
    uint64_t labels;
    uint32_t via_tgid;
    uint64_t via_start_time;
    uint64_t via_node;
    const char *old_path;
    const char *new_path;
} StEngineFlowInfo;

/**
 * StEngineCounters: engine statistics.
 * @entries: syscall entries of a known family.
 * @exits: syscall exits that matched a remembered entry.
 * @events: @entries plus @exits.
 * @returns_wanted: entries for which st_engine_syscall_entry() asked for
 *     the return.
 * @compat_entries: entries that came through a 32-bit entry point.
 * @compat_tracked: the same, by tracked processes.
 * @first_use_labels: inodes labelled when an fd naming them was first
 *     used (a pattern, or a file on a tainted block device).
 * @registration_labels: inodes labelled when a pattern was found to name
 *     them before their use (st_engine_pattern_found()).
 * @nodes: tracked nodes (not counting records of evicted ones).
 * @flows: flow edges.
 * @drops: lost information, per &StEngineDrop reason.
 * @unpaired: entries resolved without their exit.
 * @unpaired_by_family: the same, per family.
 * @fd_resolutions: calls to &StEngineOps.resolve_fd.
 * @fd_cache_hits: fd lookups served by the cache.
 * @path_requests: nodes queued for a path.
 * @path_resolutions: paths received through st_engine_set_path().
 * @paths_settled: of the queued paths, those the engine resolved itself,
 *     at a rename or unlink, before the resolver came to them.
 * @pending_endpoints: tainted local endpoints waiting for their peer.
 * @processes_ended: tracked processes found gone with no exit call
 *     (st_engine_process_ended()).
 */
typedef struct StEngineCounters {
    uint64_t entries;
    uint64_t exits;
    uint64_t events;
    uint64_t returns_wanted;
    uint64_t compat_entries;
    uint64_t compat_tracked;
    uint64_t first_use_labels;
    uint64_t registration_labels;
    uint64_t nodes;
    uint64_t flows;
    uint64_t drops[ST_ENGINE_DROP__MAX];
    uint64_t unpaired;
    uint64_t unpaired_by_family[ST_ENGINE_FAMILY__MAX];
    uint64_t fd_resolutions;
    uint64_t fd_cache_hits;
    uint64_t path_requests;
    uint64_t path_resolutions;
    uint64_t paths_settled;
    uint64_t pending_endpoints;
    uint64_t processes_ended;
} StEngineCounters;

/**
 * StEngineFlowFn: called once for every new flow edge, from inside the
 * engine call that created it.  It must not call back into the engine.
 */
typedef void (*StEngineFlowFn)(void *opaque, const StEngineFlowInfo *flow);

/**
 * StEngineConfig: engine construction parameters.  A zero limit takes its
 * default.  Flows are kept up to @max_flows, then new edges are dropped.
 * Every other table evicts its least recently used entry when full,
 * except that secrets (registered nodes) and live tracked processes are
 * never evicted; see docs/devel/secret-tracker-engine.rst.
 * @ops: introspection callbacks (copied).
 * @opaque: passed to every @ops callback.
 * @new_flow: optional; called for every new edge.
 * @new_flow_opaque: passed to @new_flow.
 * @max_flows: edges kept (default 65536).
 * @max_nodes: tracked nodes of all kinds (default 16384).
 * @max_fd_cache: cached fd resolutions (default 4096).
 * @max_pending: syscall entries waiting for their return (default 1024).
 * @max_endpoints: tainted local endpoints waiting for a peer (default 256).
 * @max_waiting: readers of untainted pipes and sockets remembered until
 *     their next call, so that a tracked writer filling the channel
 *     taints a reader that entered its read first (default 1024).
 * @max_children: children of tracked parents waiting to appear (default
 *     256).
 * @max_local_addrs: addresses known to be the VM's own (default 64).
 * @max_shared: processes with known shared mappings or labels written
 *     into their memory, and address spaces shared by processes (each;
 *     default 4096).
 */
typedef struct StEngineConfig {
    StEngineOps ops;
    void *opaque;
    StEngineFlowFn new_flow;
    void *new_flow_opaque;
    unsigned max_flows;
    unsigned max_nodes;
    unsigned max_fd_cache;
    unsigned max_pending;
    unsigned max_endpoints;
    unsigned max_children;
    unsigned max_waiting;
    unsigned max_local_addrs;
    unsigned max_shared;
} StEngineConfig;

#define ST_ENGINE_DEFAULT_MAX_FLOWS 65536
#define ST_ENGINE_DEFAULT_MAX_NODES 16384
#define ST_ENGINE_DEFAULT_MAX_FD_CACHE 4096
#define ST_ENGINE_DEFAULT_MAX_PENDING 1024
#define ST_ENGINE_DEFAULT_MAX_ENDPOINTS 256
#define ST_ENGINE_DEFAULT_MAX_CHILDREN 256
#define ST_ENGINE_DEFAULT_MAX_WAITING 1024
#define ST_ENGINE_DEFAULT_MAX_LOCAL_ADDRS 64
#define ST_ENGINE_DEFAULT_MAX_SHARED 4096

#endif /* HW_MISC_SECRET_TRACKER_ENGINE_RECORDS_H */
