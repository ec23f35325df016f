/*
 * secret-tracker: QMP commands of a QEMU built without the device
 * (CONFIG_SECRET_TRACKER off): the schema still has them, so they answer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-secret-tracker.h"

static void secret_tracker_absent(Error **errp)
{
    error_setg(errp, "this QEMU was built without the secret-tracker "
               "device (CONFIG_SECRET_TRACKER)");
}

void qmp_secret_tracker_add_file(const char *path, bool has_dev,
                                 int64_t dev, bool has_inode,
                                 int64_t inode, const char *label,
                                 Error **errp)
{
    secret_tracker_absent(errp);
}

SecretTrackerEndpointResult *
qmp_secret_tracker_add_endpoint(const char *local_address,
                                uint16_t local_port,
                                const char *peer_address,
                                uint16_t peer_port, bool has_protocol,
                                SecretTrackerProtocol protocol,
                                strList *labels, Error **errp)
{
    secret_tracker_absent(errp);
    return NULL;
}

void qmp_secret_tracker_log_reopen(Error **errp)
{
    secret_tracker_absent(errp);
}

SecretFlowList *qmp_query_secret_flows(bool has_since, int64_t since,
                                       Error **errp)
{
    secret_tracker_absent(errp);
    return NULL;
}

SecretTrackedNodeList *qmp_query_secret_files(Error **errp)
{
    secret_tracker_absent(errp);
    return NULL;
}

SecretTrackedNodeList *qmp_query_secret_processes(Error **errp)
{
    secret_tracker_absent(errp);
    return NULL;
}

SecretTrackerInfo *qmp_query_secret_tracker(Error **errp)
{
    secret_tracker_absent(errp);
    return NULL;
}
