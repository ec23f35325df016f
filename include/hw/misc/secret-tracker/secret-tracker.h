/*
 * secret-tracker device: follows secret files through a Linux guest
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_H
#define HW_MISC_SECRET_TRACKER_H

#include "hw/qdev-core.h"
#include "chardev/char-fe.h"
#include "qemu/thread.h"
#include "qapi/qapi-types-secret-tracker.h"
#include "qom/object.h"

#define TYPE_SECRET_TRACKER "secret-tracker"
OBJECT_DECLARE_SIMPLE_TYPE(SecretTracker, SECRET_TRACKER)

typedef struct StEngine StEngine;
typedef struct SecretTrackerProbe SecretTrackerProbe;
typedef struct SecretTrackerLog SecretTrackerLog;

struct SecretTracker {
    DeviceState parent_obj;

    /* properties */
    char *files;
    char *profile;
    char *log;
    CharBackend log_chr;
    char *log_format;
    uint64_t log_max_size;
    uint32_t log_queue;
    uint32_t max_flows;
    /* the engine's other tables (StEngineConfig) */
    uint32_t max_nodes;
    uint32_t max_fd_cache;
    uint32_t max_pending;
    uint32_t max_endpoints;
    uint32_t max_children;
    uint32_t max_waiting;
    uint32_t max_local_addrs;
    uint32_t max_shared;
    uint32_t remote_reads;

    /* Serializes the engine between vCPU threads and the monitor. */
    QemuMutex lock;
    StEngine *engine;
    SecretTrackerState state;
    char *error;

    /* New flows are published (event, log) from the main loop. */
    QEMUBH *publish_bh;
    uint64_t flows_published;
    SecretTrackerLog *flow_log;     /* NULL without log or chardev */
    bool log_ecs;

    Error *migration_blocker;

    /* Hooks, profile and introspection: what feeds the engine. */
    SecretTrackerProbe *probe;
};

/* The VM's secret-tracker device, or NULL (at most one is permitted). */
static inline SecretTracker *secret_tracker_find(void)
{
    Object *o = object_resolve_path_type("", TYPE_SECRET_TRACKER, NULL);

    return o ? SECRET_TRACKER(o) : NULL;
}

/**
 * secret_tracker_add_pattern: register a glob @pattern (with @label, or
 * NULL for the pattern itself) as secret; matched on every later open.
 */
bool secret_tracker_add_pattern(SecretTracker *s, const char *pattern,
                                const char *label, Error **errp);

/**
 * secret_tracker_add_inode: register the file (@dev, @ino) as secret now.
 */
bool secret_tracker_add_inode(SecretTracker *s, uint64_t dev,
                              uint64_t ino, const char *label, Error **errp);

/**
 * secret_tracker_add_endpoint: data from @peer to @local (addresses of
 * this VM's view) carries @labels; see the QMP command
 * secret-tracker-add-endpoint.
 *
 * Returns: the number of earlier reads tainted now, or -1 on error.
 */
int secret_tracker_add_endpoint(SecretTracker *s, const char *local_address,
                                uint16_t local_port, const char *peer_address,
                                uint16_t peer_port, strList *labels,
                                Error **errp);

/**
 * secret_tracker_log_reopen_file: reopen the log file by its name.
 */
bool secret_tracker_log_reopen_file(SecretTracker *s, Error **errp);

/**
 * secret_tracker_flows: the flows with an id greater than @since, oldest
 * first.
 */
SecretFlowList *secret_tracker_flows(SecretTracker *s, uint64_t since);

/**
 * secret_tracker_nodes: the tracked processes (@processes) or the other
 * tracked nodes.
 */
SecretTrackedNodeList *secret_tracker_nodes(SecretTracker *s,
                                            bool processes);

/**
 * secret_tracker_info: the tracker's status.
 */
SecretTrackerInfo *secret_tracker_info(SecretTracker *s);

#endif /* HW_MISC_SECRET_TRACKER_H */
