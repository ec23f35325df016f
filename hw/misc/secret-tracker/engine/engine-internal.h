/*
 * secret-tracker: the tracking engine's internals, shared by its files
 *
 * Not a public header: only hw/misc/secret-tracker/engine/ includes it.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_ENGINE_INTERNAL_H
#define HW_MISC_SECRET_TRACKER_ENGINE_INTERNAL_H

#include "qemu/queue.h"
#include "hw/misc/secret-tracker/engine/engine.h"

/* End of a chain in the pending pool's buckets. */
#define ST_NO_INDEX UINT32_MAX

/* Hash keys.  Fields are 64-bit so that the keys hash as plain words. */

/* An inode node: (dev, ino). */
typedef struct StInodeKey {
    uint64_t dev;
    uint64_t ino;
} StInodeKey;

/* A process node: (tgid, group leader start time). */
typedef struct StProcessKey {
    uint64_t tgid;
    uint64_t start_time;
} StProcessKey;

/* A flow edge: (source node id, target node id, family). */
typedef struct StEdgeKey {
    uint64_t src;
    uint64_t dst;
    uint64_t family;
} StEdgeKey;

/*
 * Whose fd table an fd belongs to: (files_id, ST_FD_SPACE_FILES) when the
 * task's files_id is known, else (tgid, process start time).
 */
#define ST_FD_SPACE_FILES UINT64_MAX

typedef struct StFdSpaceKey {
    uint64_t owner;
    uint64_t space;
} StFdSpaceKey;

/* A cached fd: its table and its number. */
typedef struct StFdKey {
    StFdSpaceKey table;
    uint64_t fd;
} StFdKey;

/* An inet socket's (local, peer) addresses, the key of inet_sockets. */
typedef struct StSocketAddrKey {
    StEngineEndpoint local;
    StEngineEndpoint peer;
} StSocketAddrKey;

typedef struct StNode StNode;
typedef struct StRemote StRemote;

struct StNode {
    StEngineNodeInfo info;      /* first: what queries see */
    union {
        StInodeKey inode;       /* inode nodes: key in StEngine.inodes */
        StProcessKey process;   /* process nodes: key in .processes */
    } key;
    StSocketAddrKey socket_key; /* inet sockets: key in .inet_sockets */
    bool socket_indexed;
    bool device_indexed;        /* block devices: in .devices by rdev */
    char *path;                 /* owned; info.path points here */
    StEngineObject obj;         /* last object seen, for its path handle */
    bool have_handle;
    /*
     * Processes: the engine's start_time_high_water when this process
     * became tracked; a task that started later may be its child.
     */
    uint64_t tracked_since;
    uint64_t mm_id;             /* processes: address space */
    uint64_t leader_id;         /* processes: leader task, 0: unknown */
    bool comm_stale;            /* processes: entered execve since */
    /* Tables */
    QTAILQ_ENTRY(StNode) order; /* StEngine.node_order, by id */
    QTAILQ_ENTRY(StNode) lru;   /* in StEngine.node_lru[lru_class] */
    unsigned lru_class;         /* ST_LRU_*: kept, or which list */
    uint64_t used_event;        /* last event that used it: kept during it */
    uint64_t n_edges;           /* edges naming it: a record once evicted */
    GList path_link;            /* in StEngine.path_queue if path_pending */
};

typedef struct StEdge {
    StEngineFlowInfo info;
    StEdgeKey key;
    char *old_path;
    char *new_path;
} StEdge;

/* What the return of a remembered entry completes (a mask). */
enum {
    ST_WANT_BYTES = 1,          /* add the bytes returned to want_edges */
    ST_WANT_MMSG_BYTES = 2,     /* the same, counted by ops.mmsg_bytes */
    ST_WANT_REFRESH_FD = 4,     /* resolve want_fd again (bind, autobind) */
    ST_WANT_CLONE = 8,          /* pair the child whose tid is returned */
    ST_WANT_RENAME = 16,        /* apply the rename of want_paths */
    ST_WANT_UNLINK = 32,        /* apply the unlink of want_paths[0] */
    /*
     * The path arguments were unreadable at entry (a page not faulted in
     * yet): read them at the return, when the kernel has copied them.
     */
    ST_WANT_PATHS_LATE = 128,
    ST_WANT_DELIVERY = 64,      /* the bytes to the socket's delivery */
    ST_WANT_REMOTE_BYTES = 256, /* the bytes to a remembered remote read */
};

/* What an entry's rules want from its return. */
typedef struct StWant {
    unsigned mask;
    uint64_t edges[2];          /* flow ids whose bytes the return gives */
    /* ST_WANT_DELIVERY: a socket's one delivery, to a peer or pending */
    uint64_t deliver_sock;      /* node id of the sending socket */
    uint64_t deliver_peer;      /* node id of its peer, if known */
    StEngineEndpoint deliver_dst;
    StEngineEndpoint deliver_src;
    int fd;
    char *paths[2];             /* owned */
    StSocketAddrKey remote;     /* ST_WANT_REMOTE_BYTES: the connection */
} StWant;

/* A syscall entry waiting for its return, in a fixed pool. */
typedef struct StPending {
    StEngineTask task;
    unsigned nr;
    StEngineFamily family;
    uint64_t args[ST_ENGINE_NR_ARGS];
    StWant want;
    uint32_t next;              /* bucket chain */
    bool used;
    QTAILQ_ENTRY(StPending) age;    /* StEngine.pending_age or free */
} StPending;

typedef struct StFdTable StFdTable;

typedef struct StFdEntry {
    StFdKey key;
    StEngineObject obj;
    uint64_t label_generation;  /* first-use check done at this one */
    int64_t procfs_pid;         /* st_fd_procfs_pid(); -1: not asked yet */
    StFdTable *table;
    QTAILQ_ENTRY(StFdEntry) lru;        /* StEngine.fd_lru or fd_free */
    QTAILQ_ENTRY(StFdEntry) in_table;   /* StFdTable.entries */
} StFdEntry;

/* The cached fds of one fd table. */
struct StFdTable {
    StFdSpaceKey key;
    QTAILQ_HEAD(, StFdEntry) entries;
};

/* Labels sent to a loopback endpoint whose socket is not known yet. */
typedef struct StPendingEndpoint {
    StEngineEndpoint dst;
    StEngineEndpoint src;
    uint64_t labels;
    uint64_t src_node;
    unsigned nr;
    uint64_t count;
    uint64_t bytes;
    uint64_t first_ns;
    uint64_t last_ns;
    bool delivered;     /* each send also went to a known socket */
} StPendingEndpoint;

/* A child tid returned to a tracked parent, waiting to appear. */
typedef struct StExpectedChild {
    uint64_t parent_node;
    unsigned nr;
    uint64_t clone_ns;
    uint64_t seq;               /* order of arrival: the oldest is evicted */
} StExpectedChild;

/* A reader that entered a read of an untainted channel. */
typedef struct StWaiter {
    StEngineTask task;
    StInodeKey chan;
    uint16_t sock_family;       /* an inet socket's: its local address */
    StEngineEndpoint local;
    unsigned nr;
    uint64_t count;             /* bytes asked for, UINT64_MAX if unknown */
    QTAILQ_ENTRY(StWaiter) link;    /* StEngine.waiting_age or free */
} StWaiter;

/*
 * A shared object that a process maps, in StShareList.refs: its node, the
 * call that mapped it, and whether the process can store into it.
 */
typedef struct StShareRef {
    uint64_t node;
    unsigned nr;
    bool writable;
} StShareRef;

/* A process's shared mappings, and labels written into its memory. */
typedef struct StShareList {
    uint64_t seq;               /* first: age, for eviction */
    uint32_t tgid;
    uint64_t start_time;        /* 0: not seen yet (a child, a target) */
    StShareRef refs[ST_ENGINE_MAX_SHARE_REFS];
    unsigned n_refs;
    uint64_t owed;              /* labels another process wrote in */
    uint64_t owed_from;         /* the node id of the last such writer */
    unsigned owed_nr;
} StShareList;

/* An address space that a clone may have shared with a new process. */
typedef struct StMmWatch {
    uint64_t seq;               /* first: age, for eviction */
    uint64_t mm_id;
    uint32_t tgid;              /* the process that cloned */
    uint64_t start_time;
    unsigned nr;
    bool shared;                /* another process was seen using it */
    uint64_t node;              /* its node, once labels crossed it */
} StMmWatch;

/* An address of the VM's own (port 0), with its last use. */
typedef struct StLocalAddr {
    StEngineEndpoint addr;
    uint64_t last_used;
} StLocalAddr;

/*
 * A process found untracked, valid while process_generation is unchanged:
 * spares the first-appearance checks (and task details) at its next
 * syscalls.
 */
#define ST_UNTRACKED_SLOTS 64

typedef struct StUntrackedEntry {
    uint32_t tgid;
    uint64_t start_time;
    uint64_t generation;
} StUntrackedEntry;

typedef struct StPattern {
    char *glob;
    const char *base;           /* last component, NULL if unknown */
    unsigned label;
} StPattern;

/*
 * Node eviction classes.  Sinks (endpoints, character devices, dead
 * processes) pass no labels on, so evicting one loses only its record:
 * they go first.  Secrets and live tracked processes are never evicted.
 */
enum {
    ST_LRU_KEPT,
    ST_LRU_SINKS,
    ST_LRU_CARRIERS,
    ST_LRU__MAX,
};

/* A node evicted while flows name it: what st_engine_node() returns. */
typedef struct StNodeRecord {
    StEngineNodeInfo info;
    char *path;
} StNodeRecord;

struct StEngine {
    StEngineConfig cfg;
    StEngineCounters counters;

    char *labels[ST_ENGINE_MAX_LABELS];
    unsigned n_labels;
    GPtrArray *patterns;
    /* Bumps when first use could label more: a pattern, a device taint. */
    uint64_t label_generation;

    /* Nodes: live ones by id and in id order; evictable ones by use. */
    GHashTable *node_ids;       /* id -> live StNode */
    QTAILQ_HEAD(, StNode) node_order;
    QTAILQ_HEAD(, StNode) node_lru[ST_LRU__MAX];  /* least recent first */
    GHashTable *node_records;   /* id -> StNodeRecord of evicted nodes */
    uint64_t next_node_id;
    GHashTable *inodes;         /* StInodeKey -> node */
    GHashTable *processes;      /* StProcessKey -> node */
    GHashTable *process_by_tgid;    /* tgid -> latest process node */
    GHashTable *endpoints;      /* StEngineEndpoint -> endpoint node */
    GHashTable *inet_sockets;   /* StSocketAddrKey -> socket node */
    GHashTable *devices;        /* rdev -> tainted block device node */
    GHashTable *paths;          /* current path -> file node */
    GQueue path_queue;          /* nodes waiting for a path (path_link) */
    unsigned n_indexed_paths;

    GPtrArray *edges;           /* by id - 1 */
    GHashTable *edge_index;     /* StEdgeKey -> edge */

    StPending *pending;
    uint32_t *pending_buckets;  /* by tid */
    uint32_t pending_mask;
    QTAILQ_HEAD(, StPending) pending_age;   /* oldest first */
    QTAILQ_HEAD(, StPending) pending_free;
    unsigned n_pending;

    StFdEntry *fd_pool;
    QTAILQ_HEAD(, StFdEntry) fd_lru;        /* least recently used first */
    QTAILQ_HEAD(, StFdEntry) fd_free;
    GHashTable *fd_cache;       /* StFdKey -> StFdEntry in fd_pool */
    GHashTable *fd_tables;      /* StFdSpaceKey -> StFdTable */
    bool fd_resolved;           /* the last st_fd_lookup() asked the guest */

    GPtrArray *pending_endpoints;   /* oldest first */
    GHashTable *expected_children;  /* tid -> StExpectedChild */
    uint64_t child_seq;

    StWaiter *waiters;          /* pool of cfg.max_waiting */
    GHashTable *waiting;        /* tid -> StWaiter */
    QTAILQ_HEAD(, StWaiter) waiting_age;    /* oldest first */
    QTAILQ_HEAD(, StWaiter) waiting_free;

    StLocalAddr *local_addrs;
    unsigned n_local_addrs;

    unsigned n_live_processes;  /* tracked processes not dead */
    bool tun_in_use;            /* a TUN or TAP fd was seen (engine-tun.c) */
    uint64_t start_time_high_water; /* highest task start time seen */
    uint64_t last_ns;
    uint64_t event;             /* bumps at every call that changes state */
    unsigned event_nr;          /* the syscall of the current event */
    uint64_t process_generation;    /* bumps when tracking may change */
    StUntrackedEntry untracked[ST_UNTRACKED_SLOTS];

    char path_buf[ST_ENGINE_PATH_MAX];
    char second_path_buf[ST_ENGINE_PATH_MAX];

    StRemote *remote;           /* engine-remote.c; NULL until used */

    GHashTable *shares;         /* tgid -> StShareList */
    GHashTable *mm_watch;       /* mm_id -> StMmWatch */
    uint64_t share_seq;
    uint64_t next_shared_anon;  /* ids of MAP_SHARED|MAP_ANONYMOUS nodes */
};

/* engine-labels.c */
int st_label_intern(StEngine *e, const char *name, GError **errp);
void st_pattern_free(gpointer data);

/* engine-nodes.c */
bool st_kind_is_inode(StEngineKind kind);
bool st_kind_has_path(StEngineKind kind);
uint64_t st_node_read_labels(const StNode *n);
StNode *st_node_by_id(StEngine *e, uint64_t id);
void st_node_use(StEngine *e, StNode *n);
StNode *st_node_new(StEngine *e, StEngineKind kind, uint64_t now);
void st_node_set_evictable(StEngine *e, StNode *n);
void st_node_free(gpointer data);
void st_node_record_free(gpointer data);
void st_node_unindex_path(StEngine *e, StNode *n);
void st_node_take_path(StEngine *e, StNode *n, char *path);
/* Queued paths a rename or unlink resolves itself at most */
#define ST_ENGINE_PATHS_SETTLE_MAX 32
void st_node_paths_settle(StEngine *e, unsigned max);
StNode *st_inode_lookup(StEngine *e, uint64_t dev, uint64_t ino);
StNode *st_object_node_with_path(StEngine *e, const StEngineObject *obj,
                                 bool create, char *path, uint64_t now);
StNode *st_object_node(StEngine *e, const StEngineObject *obj, bool create,
                       uint64_t now);
bool st_have_read_sources(StEngine *e);
void st_nodes_retire_boot(StEngine *e);

/* engine-flows.c */
StEdge *st_edge_new(StEngine *e, StNode *src, StNode *dst,
                    StEngineFamily family, unsigned nr, uint64_t now);
void st_edge_announce(StEngine *e, StEdge *edge);
void st_edge_free(gpointer data);
StEdge *st_flow_record(StEngine *e, StNode *src, StNode *dst,
                       StEngineFamily family, unsigned nr, uint64_t count,
                       uint64_t bytes, uint64_t labels, uint64_t first_ns,
                       uint64_t last_ns);
void st_flow_add_bytes(StEngine *e, uint64_t flow_id, uint64_t bytes);

/* engine-fdcache.c */
enum {
    ST_FD_FRESH = 1,            /* resolve again: size and pos wanted */
};
void st_fd_cache_init(StEngine *e);
void st_fd_cache_destroy(StEngine *e);
void st_fd_cache_flush(StEngine *e);
void st_fd_cache_forget(StEngine *e, const StEngineTask *task, int fd);
void st_fd_cache_forget_range(StEngine *e, const StEngineTask *task,
                              uint64_t first, uint64_t last);
void st_fd_cache_forget_table(StEngine *e, const StEngineTask *task);
bool st_fd_lookup(StEngine *e, const StEngineTask *task, int fd,
                  StEngineObject *out, unsigned flags, uint64_t now);
uint32_t st_fd_procfs_pid(StEngine *e, const StEngineTask *task, int fd);
void st_fd_bookkeeping(StEngine *e, const StEngineTask *task, unsigned nr,
                       const uint64_t *args, StWant *want);

/* engine-pending.c */
void st_pending_init(StEngine *e);
StPending *st_pending_find(StEngine *e, uint32_t tid);
void st_pending_remove(StEngine *e, StPending *p);
StPending *st_pending_add(StEngine *e, const StEngineTask *task, unsigned nr,
                          StEngineFamily family, const uint64_t *args,
                          StWant *want);
void st_resolve_unpaired(StEngine *e, StPending *p);
void st_pending_clear(StEngine *e);
void st_want_clear(StWant *want);

/* engine-endpoints.c */
void st_endpoint_normalize(StEngineEndpoint *ep);
bool st_endpoint_addr_any(const StEngineEndpoint *ep);
bool st_endpoint_receives(const StEngineEndpoint *bound,
                          const StEngineEndpoint *dst);
bool st_endpoint_same(const StEngineEndpoint *a, const StEngineEndpoint *b);
bool st_endpoint_is_local(StEngine *e, const StEngineEndpoint *ep);
bool st_family_leaves_vm(uint16_t family);
StNode *st_endpoint_node(StEngine *e, const StEngineEndpoint *ep,
                         uint64_t now);
void st_local_addr_learn(StEngine *e, const StEngineEndpoint *ep);

/* engine-sockets.c */
StEdge *st_socket_deliver_one(StEngine *e, unsigned nr, StNode *sock,
                              const StEngineObject *obj,
                              const StEngineEndpoint *dst, uint64_t labels,
                              uint64_t bytes, uint64_t now);
void st_socket_deliver(StEngine *e, const StEngineTask *task, unsigned nr,
                       const uint64_t *args, StNode *sock,
                       const StEngineObject *obj, uint64_t labels,
                       uint64_t bytes, StWant *want, uint64_t now);
void st_socket_delivery_bytes(StEngine *e, const StWant *want,
                              uint64_t bytes);
StNode *st_source_node(StEngine *e, const StEngineObject *obj, uint64_t now);
void st_pending_endpoint_add(StEngine *e, const StEngineEndpoint *dst,
                             const StEngineEndpoint *src, const StNode *from,
                             unsigned nr, uint64_t labels, uint64_t count,
                             uint64_t bytes, bool delivered, uint64_t now);

/* engine-remote.c */
bool st_remote_reads_on(StEngine *e);
bool st_remote_note_read(StEngine *e, const StEngineTask *task, unsigned nr,
                         const StEngineObject *obj, StWant *want,
                         uint64_t now);
void st_remote_read_bytes(StEngine *e, const StPending *p, uint64_t bytes);
void st_remote_new_boot(StEngine *e);
void st_remote_free(StEngine *e);

/* engine-shared.c */
/* IPC nodes' keys in StEngine.inodes: no real dev_t has this bit. */
#define ST_IPC_KEY_DEV (1ull << 63)
void st_shared_init(StEngine *e);
void st_shared_destroy(StEngine *e);
void st_shared_clear(StEngine *e);
StNode *st_ipc_node(StEngine *e, StEngineIpc type, uint64_t id, bool create,
                    uint64_t now);
void st_shared_map(StEngine *e, const StEngineTask *task, StNode *n,
                   bool writable, unsigned nr);
StNode *st_shared_sync(StEngine *e, const StEngineTask *task, StNode *proc,
                       uint64_t now);
void st_shared_after(StEngine *e, const StEngineTask *task, uint64_t now);
void st_shared_owe(StEngine *e, uint32_t pid, StNode *from, unsigned nr,
                   uint64_t now);
StNode *st_shared_process(StEngine *e, uint32_t pid);
void st_shared_clone_entry(StEngine *e, const StEngineTask *task,
                           unsigned nr, const uint64_t *args);
bool st_shared_has_maps(StEngine *e, const StEngineTask *task);
void st_shared_fork(StEngine *e, const StPending *p, uint32_t tid);
void st_shared_forget(StEngine *e, const StEngineTask *task, bool exec);

/* engine-ipc.c */
void st_rule_mmap(StEngine *e, const StEngineTask *task, unsigned nr,
                  const uint64_t *args, StNode *proc, uint64_t now);
void st_rule_share(StEngine *e, const StEngineTask *task, unsigned nr,
                   const uint64_t *args, StNode *proc, StWant *want,
                   uint64_t now);
bool st_rdev_is_pty(uint64_t rdev);
void st_pty_write(StEngine *e, const StEngineObject *obj, StNode *proc,
                  unsigned nr, uint64_t bytes, uint64_t now);
bool st_procfs_pid(StEngine *e, const StEngineObject *obj, uint32_t *pid);

/* engine-devices.c */
StEngineIpc st_channel_of(const StEngineObject *obj);
StNode *st_channel_source(StEngine *e, const StEngineObject *obj,
                          uint64_t now);
void st_channel_wait(StEngine *e, const StEngineTask *task, unsigned nr,
                     const uint64_t *args, const StEngineObject *obj);
void st_channel_write(StEngine *e, const StEngineObject *obj, StNode *proc,
                      unsigned nr, uint64_t bytes, uint64_t now);
void st_channel_send(StEngine *e, const StEngineObject *obj, StNode *sock,
                     unsigned nr, uint64_t labels, uint64_t bytes,
                     uint64_t now);

/* engine-tun.c */
void st_tun_attach(StEngine *e);
void st_tun_write(StEngine *e, const StEngineTask *task, unsigned nr,
                  const uint64_t *args, const StEngineObject *obj,
                  StNode *proc, uint64_t bytes, uint64_t now);
void st_packet_send(StEngine *e, const StEngineTask *task, unsigned nr,
                    const uint64_t *args, StNode *sock, uint64_t labels,
                    uint64_t bytes, uint64_t now);
void st_tun_route(StEngine *e, unsigned nr, StNode *sock, uint64_t labels,
                  uint64_t bytes, uint64_t now);

/* engine-waiting.c */
void st_waiting_init(StEngine *e);
void st_waiting_destroy(StEngine *e);
void st_waiting_clear(StEngine *e);
void st_waiting_add(StEngine *e, const StEngineTask *task, unsigned nr,
                    const uint64_t *args, const StEngineObject *obj);
void st_waiting_forget(StEngine *e, uint32_t tid);
StNode *st_waiting_receiver(StEngine *e, const StEngineEndpoint *dst,
                            bool exact, uint64_t now);
void st_waiting_wake(StEngine *e, StNode *chan, uint64_t labels,
                     uint64_t bytes, uint64_t now);

/* engine-rules.c */
uint64_t st_request_bytes(StEngine *e, const StEngineTask *task,
                          unsigned nr, const uint64_t *args);
void st_rule_read(StEngine *e, const StEngineTask *task, unsigned nr,
                  const uint64_t *args, StWant *want, uint64_t now);
void st_rule_write(StEngine *e, const StEngineTask *task, unsigned nr,
                   const uint64_t *args, StNode *proc, StWant *want,
                   uint64_t now);
void st_rule_vmsplice(StEngine *e, const StEngineTask *task, unsigned nr,
                      const uint64_t *args, StNode *proc, StWant *want,
                      uint64_t now);
void st_rule_transfer(StEngine *e, const StEngineTask *task, unsigned nr,
                      const uint64_t *args, StNode *proc, StWant *want,
                      uint64_t now);
void st_taint_target(StEngine *e, const StEngineTask *task, unsigned nr,
                     const uint64_t *args, StNode *proc, int fd,
                     StWant *want, uint64_t now);

/* engine-ioctl.c */
bool st_ioctl_followed(uint64_t cmd);
void st_rule_ioctl(StEngine *e, const StEngineTask *task, unsigned nr,
                   const uint64_t *args, uint64_t now);
StNode *st_device_source(StEngine *e, const StEngineObject *obj);

/* engine-process.c */
StNode *st_process_lookup(StEngine *e, uint32_t tgid, uint64_t start_time);
StNode *st_process_taint(StEngine *e, const StEngineTask *task,
                         uint64_t labels, uint64_t now);
StNode *st_task_process(StEngine *e, const StEngineTask *task, uint64_t now);
void st_rule_clone(StEngine *e, const StPending *p, int64_t ret,
                   uint64_t now);
void st_rule_execve(StEngine *e, const StEngineTask *task, StNode *proc);
void st_process_exit(StEngine *e, const StEngineTask *task, uint64_t now);

/* engine-fs.c */
void st_first_use(StEngine *e, const StEngineObject *obj, uint64_t now);
void st_rule_rename_entry(StEngine *e, const StEngineTask *task,
                          unsigned nr, const uint64_t *args, StWant *want);
void st_rule_unlink_entry(StEngine *e, const StEngineTask *task,
                          unsigned nr, const uint64_t *args, StWant *want);
void st_rule_rename(StEngine *e, const StPending *p, uint64_t now);
void st_rule_unlink(StEngine *e, const StPending *p);
void st_rule_paths_late(StEngine *e, const StPending *p, uint64_t now);

#endif /* HW_MISC_SECRET_TRACKER_ENGINE_INTERNAL_H */
