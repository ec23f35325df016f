/*
 * secret-tracker: tracking engine
 *
 * Turns syscall facts (entry, exit, introspected fds) into tracked nodes
 * and aggregated flow edges.  Plain C with glib, no QEMU state; not thread
 * safe (the caller serializes every call on one engine).  The design is in
 * docs/devel/secret-tracker-engine.rst.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_ENGINE_ENGINE_H
#define HW_MISC_SECRET_TRACKER_ENGINE_ENGINE_H

#include "hw/misc/secret-tracker/engine/records.h"

typedef struct StEngine StEngine;

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
 * st_engine_register_pattern: make files whose path matches a shell glob
 * secret, when an fd naming them is first used (read, written, mapped,
 * transferred: whatever way it was opened, and fds opened before the
 * pattern was registered included).
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
 * st_engine_pattern_found: a file @pattern names was found at @path (in
 * the guest's dentry cache, say): label the inode (@dev, @ino) with the
 * pattern's label now, before any fd names it.  It keeps @path as its
 * name unless it has one.
 * @e: the engine.
 * @pattern: a pattern registered with st_engine_register_pattern().
 * @dev: device.
 * @ino: inode number.
 * @path: the file's absolute path; it must match @pattern.
 * @errp: set when @pattern is not registered, @path does not match it,
 *     or nodes run out.
 *
 * Returns: the node id, or 0 on error.
 */
uint64_t st_engine_pattern_found(StEngine *e, const char *pattern,
                                 uint64_t dev, uint64_t ino, const char *path,
                                 GError **errp);

/**
 * st_engine_pattern_glob: the glob of the @index-th registered pattern,
 * or NULL past the last.
 * @e: the engine.
 * @index: 0 first.
 */
const char *st_engine_pattern_glob(StEngine *e, unsigned index);

/**
 * st_engine_syscall_relevant: whether syscall @nr with @args can matter to
 * an engine at all.
 * @nr: the x86-64 syscall number.
 * @args: the six arguments.
 *
 * False for syscalls of no family, for the open family (files are
 * labelled at first use) and for ioctl commands the engine does not
 * follow.  Needs no engine and no lock: the caller may call it before it
 * reads anything from the guest, and skip the syscall when it is false.
 */
bool st_engine_syscall_relevant(unsigned nr, const uint64_t *args);

/**
 * st_engine_syscall_entry: a task entered a syscall.
 * @e: the engine.
 * @task: the task.
 * @nr: the x86-64 syscall number (the caller translates compat entries,
 *     io_uring operations and AIO iocbs to it).
 * @args: the six arguments (RDI, RSI, RDX, R10, R8, R9), translated the
 *     same way.
 * @now_ns: guest time.
 *
 * Every taint decision is taken here.  Cheap for syscalls of no family
 * and for writes of untracked processes: no callback, no allocation.
 *
 * Returns: true when the engine wants this task's return reported through
 * st_engine_syscall_exit(): to make a byte count exact (a read of a
 * tainted pipe or socket), to pair a tracked parent's clone child, to
 * apply a rename or unlink of a tracked path, to learn a bound address.
 * A return that never comes loses only that exactness; it is resolved as
 * unpaired when noticed (the task's next entry, a new task with its tid,
 * its process's death, or eviction when the pool is full) and counted.
 * Untainted I/O never asks for its return.
 */
bool st_engine_syscall_entry(StEngine *e, const StEngineTask *task,
                             unsigned nr, const uint64_t *args,
                             uint64_t now_ns);

/**
 * st_engine_syscall_exit: a task returned from a syscall.
 * @e: the engine.
 * @task: the task.
 * @nr: the syscall number (pt_regs orig_ax, translated as at entry).
 * @ret: the return value (RAX), negative errno on failure.
 * @now_ns: guest time.
 *
 * Returns that the engine did not ask for are ignored (cheaply).
 */
void st_engine_syscall_exit(StEngine *e, const StEngineTask *task,
                            unsigned nr, int64_t ret, uint64_t now_ns);

/**
 * st_engine_coredump: the kernel is dumping @task's core into @fd.
 * @e: the engine.
 * @task: the task whose process dumps core.
 * @fd: the core file, or the pipe to a |helper core_pattern, as ops
 *     resolve_fd finds it for @task.
 * @now_ns: guest time.
 *
 * A tainted process's memory is taken to reach the file: a write flow
 * named "coredump" (ST_NR_COREDUMP) of unknown size.  Either way the
 * process is about to exit, as if by exit_group().
 */
void st_engine_coredump(StEngine *e, const StEngineTask *task, int fd,
                        uint64_t now_ns);

/* A live tracked process, as st_engine_live_processes() lists it */
typedef struct StEngineLiveProcess {
    uint32_t tgid;
    uint64_t start_time;
    uint64_t leader_id;         /* StEngineTask.leader_id */
} StEngineLiveProcess;

/**
 * st_engine_live_processes: the next live tracked processes to check.
 * @e: the engine.
 * @cursor: where the last call stopped (start at 0); updated.
 * @out: up to @max processes whose leader is known, after @cursor.
 *
 * A process killed by a signal makes no exit call: the caller checks the
 * listed leaders in guest memory, a few each time round, and reports the
 * ones gone with st_engine_process_ended().
 *
 * Returns: how many were filled in; 0 at the end of the list (@cursor is
 * then back at the start).
 */
unsigned st_engine_live_processes(StEngine *e, uint64_t *cursor,
                                  StEngineLiveProcess *out, unsigned max);

/**
 * st_engine_process_ended: process (@tgid, @start_time) is gone, with no
 * exit call seen (killed by a signal): the same as its exit_group().
 */
void st_engine_process_ended(StEngine *e, uint32_t tgid,
                             uint64_t start_time, uint64_t now_ns);

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
 * st_engine_add_local_address: an address the VM owns (its interfaces'
 * addresses): data sent to it stays in the VM.
 * @e: the engine.
 * @addr: an inet or inet6 address; the port is ignored.
 *
 * The engine also learns every non-wildcard local address of the sockets
 * it resolves, and the address of every bind.  Loopback addresses are
 * always local.  At most max_local_addrs are kept (least recently used
 * evicted).
 */
void st_engine_add_local_address(StEngine *e, const StEngineEndpoint *addr);

/**
 * st_engine_has_pending: whether any syscall entry waits for its exit.
 * @e: the engine.
 *
 * Safe to call without the caller's lock (a racy but harmless read), so a
 * syscall exit can be skipped before any guest memory is read.
 */
bool st_engine_has_pending(const StEngine *e);

/**
 * st_engine_paths_wanted: whether any node waits for its path.
 * @e: the engine.
 *
 * Returns: true if st_engine_next_path_request() has something to give.
 */
bool st_engine_paths_wanted(const StEngine *e);

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
 * Returns: the node or NULL.  For a node evicted from the tables while
 * flows still name it, a compact record with &StEngineNodeInfo.evicted set
 * (valid until st_engine_free()); a live node's record stays valid until
 * the node is evicted (never, for secrets and live tracked processes) or
 * st_engine_free().
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
 * st_engine_foreach_node: iterate tracked nodes of one kind, in id order
 * (records of evicted nodes are not tracked nodes and are left out).
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
 * StEngineRemoteCounters: labels received from other VMs' trackers.
 * @labels: calls to st_engine_remote_labels() that succeeded.
 * @reads_remembered: reads of remote sockets by processes that got no
 *     labels from them, remembered for a later st_engine_remote_labels().
 * @reads_evicted: remembered reads forgotten, oldest first, to make room.
 * @reads_tainted: remembered reads whose process got labels afterwards.
 * @remembered: remembered reads held now.
 */
typedef struct StEngineRemoteCounters {
    uint64_t labels;
    uint64_t reads_remembered;
    uint64_t reads_evicted;
    uint64_t reads_tainted;
    uint64_t remembered;
} StEngineRemoteCounters;

/**
 * st_engine_set_remote_reads: remember up to @max recent reads of remote
 * inet sockets (peer outside the VM) that gave the reader no labels at
 * their entry, so that labels arriving later through
 * st_engine_remote_labels() still reach the reader.  0 (the default)
 * turns this off and forgets what is held.  While on, every read is
 * examined, even when the VM holds no secret, and a remembered read asks
 * for its return (its byte count).
 * @e: the engine.
 * @max: how many (socket pair, process) reads to keep.
 */
void st_engine_set_remote_reads(StEngine *e, unsigned max);

/**
 * st_engine_remote_labels: another VM's tracker saw data with @labels
 * sent from @peer (its address) to @local (an address of this VM).  The
 * socket of this VM with these addresses is tainted for its readers: now
 * if it is known (a reader waiting on it gets the labels), else at the
 * entry of its first read.  A process that read from it before (see
 * st_engine_set_remote_reads()) gets the labels now.  The data comes from
 * the endpoint node of @peer, in a flow of family %ST_ENGINE_FAMILY_WRITE
 * whose source is that endpoint.
 * @e: the engine.
 * @local: the receiving address (inet or inet6, with a port).
 * @peer: the sending address (inet or inet6, with a port).
 * @labels: label names, NULL terminated, at least one.
 * @errp: set on bad addresses, when labels run out, or when no room is
 *     left to wait for the socket (then nothing changed).
 *
 * Returns: the number of remembered reads tainted now, or -1 on error.
 */
int st_engine_remote_labels(StEngine *e, const StEngineEndpoint *local,
                            const StEngineEndpoint *peer,
                            const char *const *labels, GError **errp);

/**
 * st_engine_get_remote_counters: copy the remote-label counters.
 */
void st_engine_get_remote_counters(StEngine *e, StEngineRemoteCounters *out);

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
 * st_engine_tun_packet: the addresses of a packet written to a TUN or TAP
 * fd, whose flags are not known: an IP packet with or without its 4-byte
 * tun_pi, or an Ethernet frame (TAP), with or without.
 * @b: its first @avail bytes.
 * @avail: how many were read.
 * @len: the length of the write.
 * @src: its source address and port (port 0 but for TCP and UDP).
 * @dst: its destination.
 * @payload: the bytes its receiver gets: what follows the UDP or TCP
 *     header (the IP header for another protocol).
 *
 * Returns: false if @b is no IPv4 or IPv6 packet that fits in @len.
 */
bool st_engine_tun_packet(const uint8_t *b, size_t avail, uint64_t len,
                          StEngineEndpoint *src, StEngineEndpoint *dst,
                          uint64_t *payload);

/**
 * st_engine_ipc_name: ``shared-anon``, ``sysv-shm``, ``sysv-msg``,
 * ``address-space``, ``xattr``, ``keys``, ``pty``, ``tun``, ``fuse``;
 * ``unknown`` otherwise.
 * @type: the &StEngineIpc of an %ST_ENGINE_KIND_IPC node (its dev).
 */
const char *st_engine_ipc_name(StEngineIpc type);

/**
 * st_engine_kind_name: ``file``, ``dir``, ``pipe``, ``fifo``, ``socket``,
 * ``chardev``, ``other``, ``process``, ``endpoint``, ``blockdev``,
 * ``unknown``.
 */
const char *st_engine_kind_name(StEngineKind kind);

/**
 * st_engine_drop_name: a short name for drop reason @drop.
 */
const char *st_engine_drop_name(StEngineDrop drop);

#endif /* HW_MISC_SECRET_TRACKER_ENGINE_ENGINE_H */
