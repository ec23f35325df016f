/*
 * secret-tracker: QMP commands
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-secret-tracker.h"
#include "hw/misc/secret-tracker/secret-tracker.h"

static SecretTracker *tracker_or_error(Error **errp)
{
    SecretTracker *s = secret_tracker_find();

    if (!s) {
        error_setg(errp, "no secret-tracker device; add one with "
                   "-device secret-tracker");
    }
    return s;
}

void qmp_secret_tracker_add_file(const char *path, bool has_dev,
                                 int64_t dev, bool has_inode,
                                 int64_t inode, const char *label,
                                 Error **errp)
{
    SecretTracker *s = tracker_or_error(errp);

    if (!s) {
        return;
    }
    if (path && (has_dev || has_inode)) {
        error_setg(errp, "give either 'path' or 'dev' and 'inode', not both");
        return;
    }
    if (path) {
        secret_tracker_add_pattern(s, path, label, errp);
        return;
    }
    if (!has_dev || !has_inode) {
        error_setg(errp, "give either 'path', or both 'dev' and 'inode'");
        return;
    }
    if (dev < 0 || inode < 0) {
        error_setg(errp, "'%s' must not be negative",
                   dev < 0 ? "dev" : "inode");
        return;
    }
    secret_tracker_add_inode(s, dev, inode, label, errp);
}

SecretTrackerEndpointResult *
qmp_secret_tracker_add_endpoint(const char *local_address,
                                uint16_t local_port,
                                const char *peer_address,
                                uint16_t peer_port, bool has_protocol,
                                SecretTrackerProtocol protocol,
                                strList *labels, Error **errp)
{
    SecretTracker *s = tracker_or_error(errp);
    SecretTrackerEndpointResult *r;
    int n;

    if (!s) {
        return NULL;
    }
    n = secret_tracker_add_endpoint(s, local_address, local_port,
                                    peer_address, peer_port, labels, errp);
    if (n < 0) {
        return NULL;
    }
    r = g_new0(SecretTrackerEndpointResult, 1);
    r->reads_tainted = n;
    return r;
}

void qmp_secret_tracker_log_reopen(Error **errp)
{
    SecretTracker *s = tracker_or_error(errp);

    if (s) {
        secret_tracker_log_reopen_file(s, errp);
    }
}

SecretFlowList *qmp_query_secret_flows(bool has_since, int64_t since,
                                       Error **errp)
{
    SecretTracker *s = tracker_or_error(errp);

    if (s && has_since && since < 0) {
        error_setg(errp, "'since' must not be negative");
        return NULL;
    }
    return s ? secret_tracker_flows(s, has_since ? since : 0) : NULL;
}

SecretTrackedNodeList *qmp_query_secret_files(Error **errp)
{
    SecretTracker *s = tracker_or_error(errp);

    return s ? secret_tracker_nodes(s, false) : NULL;
}

SecretTrackedNodeList *qmp_query_secret_processes(Error **errp)
{
    SecretTracker *s = tracker_or_error(errp);

    return s ? secret_tracker_nodes(s, true) : NULL;
}

SecretTrackerInfo *qmp_query_secret_tracker(Error **errp)
{
    SecretTracker *s = tracker_or_error(errp);

    return s ? secret_tracker_info(s) : NULL;
}
