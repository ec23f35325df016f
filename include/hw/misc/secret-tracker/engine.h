/*
 * secret-tracker: tracking engine
 *
 * The engine turns syscall facts (entry, exit, introspected file
 * descriptors) into tracked nodes and aggregated flow edges.  It is pure C
 * with glib and holds no QEMU state, so it can be unit tested alone.
 *
 * Threading: an StEngine is not thread safe.  The caller serializes every
 * call on one engine (the device holds a lock around it).
 *
 * Identity: files, pipes, FIFOs and sockets are nodes keyed by (dev, ino);
 * processes by (tgid, start_time of the group leader), so a reused pid is a
 * different process; exfiltration endpoints by (family, address, port).
 * Nodes exist only once they hold at least one label, and are never freed
 * while the engine lives.  Node and flow ids start at 1 and only grow.
 *
 * Labels: each secret has a label (its glob pattern, or the label given at
 * registration).  A node holds a set of labels; at most
 * %ST_ENGINE_MAX_LABELS distinct labels exist per engine.
 *
 * Pairing: syscall entry and exit are paired per task (tid plus the task's
 * own start time), never per vCPU.  An entry that gets no exit is
 * "unpaired" and resolved conservatively when the engine notices (a second
 * entry of the same task, a new task with the same tid, the death of its
 * process):
 *  - read family: if the fd is still in the engine's fd cache and its node
 *    holds labels, the process is tainted with bytes = 0; otherwise dropped.
 *  - write family: the target, resolved at entry (done only for tracked
 *    processes), is tainted with bytes = 0.
 *  - transfer, mmap: as at exit with bytes = 0, if the fds involved are
 *    still in the fd cache; otherwise dropped.
 *  - execve: taken as successful (a successful execve never returns through
 *    sysret): the process keeps its labels, its comm is updated from the
 *    task seen at the next entry, and its fd cache is dropped.
 *  - clone: nothing; the child is caught at its first appearance.
 *  - open, rename, unlink, fd bookkeeping: nothing (success unknown).
 * Every one of them is counted in &StEngineCounters.unpaired; the dropped
 * ones also in &StEngineCounters.drops (%ST_ENGINE_DROP_UNPAIRED).
 *
 * Flows: one edge per (source, target, family).  Its syscall is the first
 * syscall seen for it (see &StEngineFlowInfo.syscall_nr); the QMP
 * "syscall" field is that syscall's name, the family is reported apart.
 * Rename flows are the exception: every rename is its own self-edge of the
 * file node, carrying the old and new paths.  Transfer flows (sendfile,
 * splice, tee, copy_file_range) go from the in-fd node to the out-fd node
 * and record the calling process on the edge (via_*), since the data never
 * passes through that process's memory.
 *
 * Sockets: data written to a socket goes to its peer, so a socket node has
 * two label sets: what passed through it (labels) and what a reader of it
 * receives (rx_labels).  Character devices (terminals) are sinks: reading
 * one never taints.
 *
 * Children: a child is paired by the tid its parent's clone returned, or,
 * if it shows up first, by its parent being a live tracked process.  In
 * the second case a task counts as a child only if it started after the
 * highest task start time the engine had seen when the parent became
 * tracked; a child forked earlier but never seen before may be taken
 * for a tracked one (over-tainting, never under).
 *
 * Known limits: clone's return value is a pid in the caller's pid
 * namespace, so inside containers children are paired by first appearance
 * only.  Renames and unlinks are matched by path, so they are seen only
 * for tracked files whose path is already known (one path per inode; hard
 * links are not followed).  A unix datagram sent to a named socket
 * without a connected peer is not delivered (counted as
 * %ST_ENGINE_DROP_PEER).  mprotect() adding PROT_WRITE to a shared
 * mapping is not watched.  Pattern matching uses POSIX fnmatch(3).
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_ENGINE_H
#define HW_MISC_SECRET_TRACKER_ENGINE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_ENGINE_MAX_LABELS 64
#define ST_ENGINE_COMM_LEN 16
#define ST_ENGINE_PATH_MAX 4096
#define ST_ENGINE_NR_ARGS 6

/* Address families, with Linux's numeric values. */
#define ST_ENGINE_AF_UNIX 1
#define ST_ENGINE_AF_INET 2
#define ST_ENGINE_AF_INET6 10

typedef struct StEngine StEngine;

/**
 * StEngineFamily: syscall families.  Every family but
 * %ST_ENGINE_FAMILY_FD can name a flow edge; FD is the engine's own
 * bookkeeping (close, dup2, dup3, close_range, connect, bind) that keeps
 * its fd cache honest.
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
    ST_ENGINE_FAMILY__MAX,
} StEngineFamily;

/**
 * StEngineKind: what a node (or a resolved fd) is.  %ST_ENGINE_KIND_UNKNOWN
 * is a node registered by (dev, ino) that has not been seen through an fd.
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
    ST_ENGINE_KIND__MAX,
} StEngineKind;

/**
 * StEngineDrop: reasons for which the engine lost information.  Each one
 * is counted in &StEngineCounters.drops.
 * @ST_ENGINE_DROP_FLOWS: a new edge beyond max_flows (taint still applied).
 * @ST_ENGINE_DROP_NODES: a new node beyond max_nodes (taint lost).
 * @ST_ENGINE_DROP_LABELS: more than %ST_ENGINE_MAX_LABELS labels.
 * @ST_ENGINE_DROP_PENDING: no free slot to remember a syscall entry.
 * @ST_ENGINE_DROP_ENDPOINTS: no room to remember a tainted local endpoint.
 * @ST_ENGINE_DROP_CHILDREN: no room to remember a tracked parent's child.
 * @ST_ENGINE_DROP_FD_CACHE: fd cache full and flushed (entries lost).
 * @ST_ENGINE_DROP_RESOLVE: an fd, path or peer that the caller could not
 *     resolve, where the engine needed it.
 * @ST_ENGINE_DROP_UNPAIRED: an unpaired entry that could not be resolved.
 * @ST_ENGINE_DROP_PEER: a send on a local socket whose peer is unknown.
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
 *     a live tracked process, or an execve completed.
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
} StEngineTask;

/**
 * StEngineEndpoint: a socket address.
 * @family: %ST_ENGINE_AF_INET, %ST_ENGINE_AF_INET6, %ST_ENGINE_AF_UNIX, or
 *     0 when unknown / not connected.
 * @port: host byte order.
 * @addr: network byte order; IPv4 in the first 4 bytes.  The engine turns
 *     IPv4-mapped IPv6 addresses into IPv4.
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
} StEngineObject;

/**
 * StEngineOps: introspection callbacks; the engine calls them lazily, on
 * the caller's thread, from inside st_engine_syscall_entry() and
 * st_engine_syscall_exit().  Only @task_details may be called for a
 * write by an untracked process: while a tracked process lives, and only
 * if the caller leaves details out, once per task and per change in the
 * set of tracked processes (a small cache remembers untracked ones).
 * @resolve_fd: describe @fd of @task's process in @out; false if the fd is
 *     not open or cannot be read.  Results are cached per (process, fd)
 *     until close, dup2/dup3 onto it, close_range, connect, bind, execve or
 *     exit.  Mandatory.
 * @get_path: the absolute path of @obj (through its @path_handle) into
 *     @buf of @size bytes, NUL terminated; false on failure.  Called at
 *     open only when glob patterns are registered (and, with @get_name,
 *     only when the file name can match one).  May be NULL (then patterns
 *     never match).
 * @get_name: the last path component of @obj (the dentry's own name),
 *     cheaper than @get_path; lets the engine skip @get_path for files
 *     whose name no pattern matches.  May be NULL.
 * @read_path_arg: the absolute path named by the user pointer @uptr,
 *     relative to @dirfd (-100 for the cwd), into @buf; false on failure.
 *     Called after a successful rename or unlink, only while some tracked
 *     file has a known path.  May be NULL (then renames and unlinks are not
 *     seen).
 * @send_peer: the destination given in the arguments of a sendto, sendmsg
 *     or sendmmsg (@nr, @args) on a socket that has no connected peer;
 *     false if there is none.  Only called for tracked processes.  May be
 *     NULL.
 * @mmsg_bytes: total bytes moved by a successful recvmmsg or sendmmsg that
 *     returned @ret messages.  May be NULL (then those count 0 bytes).
 * @task_details: fill in @task's ppid, parent_start_time and comm (its
 *     ids and start times are set); false on failure.  May be NULL if
 *     every task comes with &StEngineTask.details set.
 */
typedef struct StEngineOps {
    bool (*resolve_fd)(void *opaque, const StEngineTask *task, int fd,
                       StEngineObject *out);
    bool (*get_path)(void *opaque, const StEngineObject *obj,
                     char *buf, size_t size);
    bool (*get_name)(void *opaque, const StEngineObject *obj,
                     char *buf, size_t size);
    bool (*read_path_arg)(void *opaque, const StEngineTask *task, int dirfd,
                          uint64_t uptr, char *buf, size_t size);
    bool (*send_peer)(void *opaque, const StEngineTask *task, unsigned nr,
                      const uint64_t *args, StEngineEndpoint *out);
    uint64_t (*mmsg_bytes)(void *opaque, const StEngineTask *task,
                           unsigned nr, const uint64_t *args, int64_t ret);
    bool (*task_details)(void *opaque, StEngineTask *task);
} StEngineOps;

/**
 * StEngineNodeInfo: a tracked node, as queries see it.
 * @id: stable id, from 1.
 * @kind: the node's kind.
 * @dev: inode nodes: device.
 * @ino: inode nodes: inode number.
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
 * @dead: process nodes: the process exited (exit_group, or exit of the
 *     thread group leader).  A dead node keeps its labels and edges.
 * @deleted: file nodes: the file was unlinked (or replaced by a rename).
 * @exfiltration: endpoint nodes: always true (a non-local peer).
 * @registered: a secret in its own right: registered by (dev, ino), or
 *     matched by a pattern when opened (not just reached by a flow).
 */
typedef struct StEngineNodeInfo {
    uint64_t id;
    StEngineKind kind;
    uint64_t dev;
    uint64_t ino;
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
} StEngineNodeInfo;

/**
 * StEngineFlowInfo: an aggregated flow edge.
 * @id: stable id, from 1, in creation order.
 * @src: source node id.
 * @dst: target node id (equal to @src for rename edges).
 * @family: the edge's family.
 * @syscall_nr: the x86-64 number of the first syscall that made the edge.
 *     A clone edge found by the child's first appearance (the parent's
 *     exit not seen yet) reports clone (56).
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
 * @nodes: tracked nodes.
 * @flows: flow edges.
 * @drops: lost information, per &StEngineDrop reason.
 * @unpaired: entries resolved without their exit.
 * @unpaired_by_family: the same, per family.
 * @fd_resolutions: calls to &StEngineOps.resolve_fd.
 * @fd_cache_hits: fd lookups served by the cache.
 * @path_requests: nodes queued for a path.
 * @path_resolutions: paths received through st_engine_set_path().
 * @pending_endpoints: tainted local endpoints waiting for their peer.
 */
typedef struct StEngineCounters {
    uint64_t entries;
    uint64_t exits;
    uint64_t events;
    uint64_t nodes;
    uint64_t flows;
    uint64_t drops[ST_ENGINE_DROP__MAX];
    uint64_t unpaired;
    uint64_t unpaired_by_family[ST_ENGINE_FAMILY__MAX];
    uint64_t fd_resolutions;
    uint64_t fd_cache_hits;
    uint64_t path_requests;
    uint64_t path_resolutions;
    uint64_t pending_endpoints;
} StEngineCounters;

/**
 * StEngineFlowFn: called once for every new flow edge, from inside the
 * engine call that created it.  It must not call back into the engine.
 */
typedef void (*StEngineFlowFn)(void *opaque, const StEngineFlowInfo *flow);

/**
 * StEngineConfig: engine construction parameters.  A zero limit takes its
 * default.
 * @ops: introspection callbacks (copied).
 * @opaque: passed to every @ops callback.
 * @new_flow: optional; called for every new edge.
 * @new_flow_opaque: passed to @new_flow.
 * @max_flows: edges kept (default 65536).
 * @max_nodes: tracked nodes of all kinds (default 16384).
 * @max_fd_cache: cached fd resolutions (default 4096).
 * @max_pending: syscall entries waiting for their exit (default 1024).
 * @max_endpoints: tainted local endpoints waiting for a peer (default 256).
 * @max_children: children of tracked parents waiting to appear (default
 *     256).
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
} StEngineConfig;

#define ST_ENGINE_DEFAULT_MAX_FLOWS 65536
#define ST_ENGINE_DEFAULT_MAX_NODES 16384
#define ST_ENGINE_DEFAULT_MAX_FD_CACHE 4096
#define ST_ENGINE_DEFAULT_MAX_PENDING 1024
#define ST_ENGINE_DEFAULT_MAX_ENDPOINTS 256
#define ST_ENGINE_DEFAULT_MAX_CHILDREN 256

/**
 * st_engine_new: create an engine.
 * @config: parameters; @config->ops.resolve_fd must be set.
 *
 * Returns: the engine; free it with st_engine_free().
 */
StEngine *st_engine_new(const StEngineConfig *config);

/**
 * st_engine_free: free an engine and everything it holds.
 * @e: the engine, or NULL.
 */
void st_engine_free(StEngine *e);

/**
 * st_engine_register_pattern: make files whose resolved path matches a
 * shell glob secret when they are opened.
 * @e: the engine.
 * @pattern: an absolute glob (``*``, ``?``, ``[...]``, backslash escapes;
 *     ``*`` and ``?`` do not match ``/``, and do match a leading dot),
 *     matched with fnmatch(3) against the opened file's absolute path.
 * @label: the label, or NULL to use @pattern.
 * @errp: set on a malformed pattern (empty, not absolute, an unclosed
 *     ``[``, a trailing backslash) or when labels run out.
 *
 * Returns: true on success.
 */
bool st_engine_register_pattern(StEngine *e, const char *pattern,
                                const char *label, GError **errp);

/**
 * st_engine_register_inode: make the inode (@dev, @ino) secret now.  If it
 * is already tracked, it gains the label.
 * @e: the engine.
 * @dev: device.
 * @ino: inode number.
 * @label: the label, or NULL for ``inode:DEV:INO``.
 * @errp: set when labels or nodes run out.
 *
 * Returns: the node id, or 0 on error.
 */
uint64_t st_engine_register_inode(StEngine *e, uint64_t dev, uint64_t ino,
                                  const char *label, GError **errp);

/**
 * st_engine_syscall_entry: a task entered a syscall.
 * @e: the engine.
 * @task: the task.
 * @nr: the x86-64 syscall number (RAX).
 * @args: the six arguments (RDI, RSI, RDX, R10, R8, R9).
 * @now_ns: guest time.
 *
 * Cheap for syscalls of no family and for writes of untracked processes:
 * no callback, no allocation.
 */
void st_engine_syscall_entry(StEngine *e, const StEngineTask *task,
                             unsigned nr, const uint64_t *args,
                             uint64_t now_ns);

/**
 * st_engine_syscall_exit: a task returned from a syscall.
 * @e: the engine.
 * @task: the task.
 * @nr: the syscall number (pt_regs orig_ax).
 * @ret: the return value (RAX), negative errno on failure.
 * @now_ns: guest time.
 */
void st_engine_syscall_exit(StEngine *e, const StEngineTask *task,
                            unsigned nr, int64_t ret, uint64_t now_ns);

/**
 * st_engine_new_boot: the guest rebooted (or kexec'ed into a new kernel).
 * @e: the engine.
 *
 * Processes, pending entries, cached fds and tainted loopback endpoints
 * end with the old boot.  File, pipe and socket nodes on anonymous devices
 * (major 0: tmpfs, ramfs, pipefs, sockfs, the initramfs) are retired
 * (shown deleted), since their inode numbers start over; files on block
 * devices keep their taint, as they survive the reboot.  Flows, retired
 * nodes, labels and patterns stay, for the record.
 */
void st_engine_new_boot(StEngine *e);

/**
 * st_engine_has_pending: whether any syscall entry waits for its exit.
 * @e: the engine.
 *
 * Safe to call without the caller's lock (a racy but harmless read), so a
 * syscall exit can be skipped before any guest memory is read.
 */
bool st_engine_has_pending(const StEngine *e);

/**
 * st_engine_next_path_request: take the next node whose path is wanted.
 * @e: the engine.
 * @node_id: set to the node id.
 * @obj: set to the node's object (with its path handle).
 *
 * Call it off the hot path, resolve the path, then st_engine_set_path().
 *
 * Returns: false when the queue is empty.
 */
bool st_engine_next_path_request(StEngine *e, uint64_t *node_id,
                                 StEngineObject *obj);

/**
 * st_engine_set_path: give a node its current absolute path.
 * @e: the engine.
 * @node_id: the node.
 * @path: the path.
 *
 * Returns: false if there is no such node.
 */
bool st_engine_set_path(StEngine *e, uint64_t node_id, const char *path);

/**
 * st_engine_node: look a node up.
 * @e: the engine.
 * @node_id: the id.
 *
 * Returns: the node, valid until st_engine_free(), or NULL.
 */
const StEngineNodeInfo *st_engine_node(StEngine *e, uint64_t node_id);

/**
 * st_engine_find_inode: the node of (@dev, @ino), or NULL.
 */
const StEngineNodeInfo *st_engine_find_inode(StEngine *e, uint64_t dev,
                                             uint64_t ino);

/**
 * st_engine_find_process: the node of process (@tgid, @start_time), or
 * NULL.
 */
const StEngineNodeInfo *st_engine_find_process(StEngine *e, uint32_t tgid,
                                               uint64_t start_time);

/**
 * StEngineNodeFn: node iteration callback; return false to stop.
 */
typedef bool (*StEngineNodeFn)(void *opaque, const StEngineNodeInfo *node);

/**
 * st_engine_foreach_node: iterate tracked nodes of one kind, in id order.
 * @e: the engine.
 * @kind: the kind; %ST_ENGINE_KIND__MAX for all kinds.  Use
 *     %ST_ENGINE_KIND_ENDPOINT for exfiltration endpoints.
 * @fn: callback.
 * @opaque: passed to @fn.
 */
void st_engine_foreach_node(StEngine *e, StEngineKind kind,
                            StEngineNodeFn fn, void *opaque);

/**
 * StEngineFlowIterFn: flow iteration callback; return false to stop.
 */
typedef bool (*StEngineFlowIterFn)(void *opaque,
                                   const StEngineFlowInfo *flow);

/**
 * st_engine_foreach_flow: iterate flows with id > @since_id, in id order.
 * @e: the engine.
 * @since_id: 0 for all flows.
 * @fn: callback.
 * @opaque: passed to @fn.
 */
void st_engine_foreach_flow(StEngine *e, uint64_t since_id,
                            StEngineFlowIterFn fn, void *opaque);

/**
 * st_engine_get_counters: copy the engine's counters into @out.
 */
void st_engine_get_counters(StEngine *e, StEngineCounters *out);

/**
 * st_engine_label_name: the name of label @index, or NULL.
 */
const char *st_engine_label_name(StEngine *e, unsigned index);

/**
 * st_engine_labels_to_string: label names of @mask joined by ``,``.
 *
 * Returns: a new string; g_free() it.
 */
char *st_engine_labels_to_string(StEngine *e, uint64_t mask);

/**
 * st_engine_syscall_family: the family of x86-64 syscall @nr.
 *
 * Returns: %ST_ENGINE_FAMILY_NONE for syscalls the engine ignores; the
 * caller may skip calling the engine for those.
 */
StEngineFamily st_engine_syscall_family(unsigned nr);

/**
 * st_engine_syscall_name: the name of x86-64 syscall @nr, or NULL if its
 * family is %ST_ENGINE_FAMILY_NONE.
 */
const char *st_engine_syscall_name(unsigned nr);

/**
 * st_engine_family_name: ``read``, ``write``, ``transfer``, ``mmap``,
 * ``clone``, ``execve``, ``exit``, ``open``, ``rename``, ``unlink``,
 * ``fd``; NULL for none.
 */
const char *st_engine_family_name(StEngineFamily family);

/**
 * st_engine_kind_name: ``file``, ``dir``, ``pipe``, ``fifo``, ``socket``,
 * ``chardev``, ``other``, ``process``, ``endpoint``, ``unknown``.
 */
const char *st_engine_kind_name(StEngineKind kind);

/**
 * st_engine_drop_name: a short name for drop reason @drop.
 */
const char *st_engine_drop_name(StEngineDrop drop);

#endif /* HW_MISC_SECRET_TRACKER_ENGINE_H */
