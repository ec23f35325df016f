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

#include "hw/misc/secret-tracker/engine/engine.h"

/* End of a chain or free list in the fixed pools (pending, fd cache). */
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

/* A cached fd: the process (tgid, start time) and the fd number. */
typedef struct StFdKey {
    uint64_t tgid;
    uint64_t start_time;
    uint64_t fd;
} StFdKey;

/* An inet socket's (local, peer) addresses, the key of inet_sockets. */
typedef struct StSocketAddrKey {
    StEngineEndpoint local;
    StEngineEndpoint peer;
} StSocketAddrKey;

typedef struct StNode {
    StEngineNodeInfo info;      /* first: what queries see */
    union {
        StInodeKey inode;       /* inode nodes: key in StEngine.inodes */
        StProcessKey process;   /* process nodes: key in .processes */
    } key;
    StSocketAddrKey socket_key; /* inet sockets: key in .inet_sockets */
    bool socket_indexed;
    char *path;                 /* owned; info.path points here */
    StEngineObject obj;         /* last object seen, for its path handle */
    bool have_handle;
    /*
     * Processes: the engine's start_time_high_water when this process
     * became tracked; a task that started later may be its child.
     */
    uint64_t tracked_since;
} StNode;

typedef struct StEdge {
    StEngineFlowInfo info;
    StEdgeKey key;
    char *old_path;
    char *new_path;
} StEdge;

/* A syscall entry waiting for its exit, in a fixed pool. */
typedef struct StPending {
    StEngineTask task;
    unsigned nr;
    StEngineFamily family;
    uint64_t args[ST_ENGINE_NR_ARGS];
    bool have_target;           /* write family: fd resolved at entry */
    StEngineObject target;
    uint32_t next;              /* bucket chain or free list */
    bool used;
} StPending;

typedef struct StFdEntry {
    StFdKey key;
    StEngineObject obj;
    uint32_t next_free;
} StFdEntry;

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
} StPendingEndpoint;

/* A child tid returned to a tracked parent, waiting to appear. */
typedef struct StExpectedChild {
    uint64_t parent_node;
    unsigned nr;
    uint64_t clone_ns;
} StExpectedChild;

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

struct StEngine {
    StEngineConfig cfg;
    StEngineCounters counters;

    char *labels[ST_ENGINE_MAX_LABELS];
    unsigned n_labels;
    GPtrArray *patterns;

    GPtrArray *nodes;           /* by id - 1 */
    GHashTable *inodes;         /* StInodeKey -> node */
    GHashTable *processes;      /* StProcessKey -> node */
    GHashTable *process_by_tgid;    /* tgid -> latest process node */
    GHashTable *endpoints;      /* StEngineEndpoint -> endpoint node */
    GHashTable *inet_sockets;   /* StSocketAddrKey -> socket node */
    GHashTable *paths;          /* current path -> file node */
    GQueue path_queue;          /* node ids waiting for a path */
    unsigned n_read_sources;    /* inode nodes + pending endpoints */
    unsigned n_indexed_paths;

    GPtrArray *edges;           /* by id - 1 */
    GHashTable *edge_index;     /* StEdgeKey -> edge */

    StPending *pending;
    uint32_t *pending_buckets;  /* by tid */
    uint32_t pending_mask;
    uint32_t pending_free;
    unsigned n_pending;

    StFdEntry *fd_pool;
    uint32_t fd_free;
    GHashTable *fd_cache;       /* StFdKey -> StFdEntry in fd_pool */

    GPtrArray *pending_endpoints;
    GHashTable *expected_children;  /* tid -> StExpectedChild */

    unsigned n_live_processes;  /* tracked processes not dead */
    uint64_t start_time_high_water; /* highest task start time seen */
    uint64_t last_ns;
    uint64_t process_generation;    /* bumps when tracking may change */
    StUntrackedEntry untracked[ST_UNTRACKED_SLOTS];

    char path_buf[ST_ENGINE_PATH_MAX];
    char second_path_buf[ST_ENGINE_PATH_MAX];
};

/* engine-labels.c */
int st_label_intern(StEngine *e, const char *name, GError **errp);
void st_pattern_free(gpointer data);

/* engine-nodes.c */
bool st_kind_is_inode(StEngineKind kind);
bool st_kind_has_path(StEngineKind kind);
uint64_t st_node_read_labels(const StNode *n);
StNode *st_node_by_id(StEngine *e, uint64_t id);
StNode *st_node_new(StEngine *e, StEngineKind kind, uint64_t now);
void st_node_free(gpointer data);
void st_node_unindex_path(StEngine *e, StNode *n);
void st_node_take_path(StEngine *e, StNode *n, char *path);
StNode *st_inode_lookup(StEngine *e, uint64_t dev, uint64_t ino);
StNode *st_object_node_with_path(StEngine *e, const StEngineObject *obj,
                                 bool create, char *path, uint64_t now);
StNode *st_object_node(StEngine *e, const StEngineObject *obj, bool create,
                       uint64_t now);

/* engine-flows.c */
StEdge *st_edge_new(StEngine *e, const StNode *src, const StNode *dst,
                    StEngineFamily family, unsigned nr, uint64_t now);
void st_edge_announce(StEngine *e, StEdge *edge);
void st_edge_free(gpointer data);
StEdge *st_flow_record(StEngine *e, const StNode *src, const StNode *dst,
                       StEngineFamily family, unsigned nr, uint64_t count,
                       uint64_t bytes, uint64_t labels, uint64_t first_ns,
                       uint64_t last_ns);

/* engine-fdcache.c */
void st_fd_cache_flush(StEngine *e);
void st_fd_cache_forget(StEngine *e, uint32_t tgid, uint64_t start, int fd);
void st_fd_cache_forget_range(StEngine *e, uint32_t tgid, uint64_t start,
                              uint64_t first, uint64_t last);
bool st_fd_lookup(StEngine *e, const StEngineTask *task, int fd,
                  StEngineObject *out, bool ask);
void st_fd_bookkeeping(StEngine *e, const StEngineTask *task, unsigned nr,
                       const uint64_t *args);

/* engine-pending.c */
StPending *st_pending_find(StEngine *e, uint32_t tid);
void st_pending_remove(StEngine *e, StPending *p);
StPending *st_pending_add(StEngine *e, const StEngineTask *task, unsigned nr,
                          StEngineFamily family, const uint64_t *args,
                          uint64_t now);
void st_resolve_unpaired(StEngine *e, StPending *p,
                         const StEngineTask *now_task, uint64_t now);

/* engine-sockets.c */
void st_endpoint_normalize(StEngineEndpoint *ep);
void st_socket_deliver(StEngine *e, const StEngineTask *task,
                       const StPending *p, StNode *sock,
                       const StEngineObject *obj, uint64_t labels,
                       uint64_t bytes, bool ask, uint64_t now);
void st_channel_pretaint(StEngine *e, const StPending *p,
                         const StEngineObject *obj, uint64_t labels,
                         uint64_t now);
StNode *st_source_node(StEngine *e, const StEngineObject *obj, uint64_t now);

/* engine-rules.c */
uint64_t st_bytes_moved(StEngine *e, const StPending *p, int64_t ret,
                        bool ask);
bool st_rule_read(StEngine *e, const StPending *p, uint64_t bytes, bool ask,
                  uint64_t now);
bool st_rule_write(StEngine *e, StPending *p, uint64_t bytes, bool ask,
                   uint64_t now);
void st_transfer_pretaint(StEngine *e, const StPending *p, StNode *proc,
                          uint64_t now);
bool st_rule_transfer(StEngine *e, const StPending *p, uint64_t bytes,
                      bool ask, uint64_t now);
bool st_rule_mmap(StEngine *e, const StPending *p, bool ask, uint64_t now);

/* engine-process.c */
StNode *st_process_lookup(StEngine *e, uint32_t tgid, uint64_t start_time);
StNode *st_process_taint(StEngine *e, const StEngineTask *task,
                         uint64_t labels, uint64_t now);
StNode *st_task_process(StEngine *e, const StEngineTask *task, uint64_t now);
void st_rule_clone(StEngine *e, const StPending *p, int64_t ret,
                   uint64_t now);
void st_rule_execve(StEngine *e, const StEngineTask *task);
void st_process_exit(StEngine *e, const StEngineTask *task, uint64_t now);

/* engine-fs.c */
void st_rule_open(StEngine *e, const StPending *p, int64_t ret, uint64_t now);
void st_rule_rename(StEngine *e, const StPending *p, uint64_t now);
void st_rule_unlink(StEngine *e, const StPending *p);

#endif /* HW_MISC_SECRET_TRACKER_ENGINE_INTERNAL_H */
