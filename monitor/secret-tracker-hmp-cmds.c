/*
 * secret-tracker: HMP commands, printers of the QMP results
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-secret-tracker.h"
#include "qobject/qdict.h"
#include "monitor/monitor.h"
#include "monitor/hmp.h"
#include "monitor/secret-tracker-hmp.h"

static char *node_to_str(const SecretNode *n)
{
    switch (n->kind) {
    case SECRET_NODE_KIND_FILE:
        if (*n->u.file.path) {
            return g_strdup(n->u.file.path);
        }
        return g_strdup_printf("file:[%" PRIu64 ":%" PRIu64 "]",
                               n->u.file.dev, n->u.file.inode);
    case SECRET_NODE_KIND_PROCESS:
        return g_strdup_printf("%s[%" PRId64 "]", n->u.process.comm,
                               n->u.process.tgid);
    case SECRET_NODE_KIND_PIPE:
        return g_strdup_printf("pipe:[%" PRIu64 "]", n->u.pipe.inode);
    case SECRET_NODE_KIND_SOCKET:
        if (n->u.socket.path) {
            return g_strdup_printf("unix:%s", n->u.socket.path);
        }
        if (n->u.socket.address) {
            return g_strdup_printf("%s%s:%s:%u",
                                   n->u.socket.inode ? "socket->" : "",
                                   n->u.socket.family, n->u.socket.address,
                                   n->u.socket.port);
        }
        return g_strdup_printf("socket:[%" PRIu64 "]", n->u.socket.inode);
    default:
        return g_strdup("?");
    }
}

static char *labels_to_str(strList *labels)
{
    GString *s = g_string_new(NULL);

    for (; labels; labels = labels->next) {
        g_string_append_printf(s, "%s%s", s->len ? "," : "", labels->value);
    }
    return g_string_free(s, false);
}

void hmp_info_secret_flows(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    SecretFlowList *flows = qmp_query_secret_flows(false, 0, &err), *l;

    if (hmp_handle_error(mon, err)) {
        return;
    }
    if (!flows) {
        monitor_printf(mon, "No secret flows recorded.\n");
        return;
    }
    monitor_printf(mon, "%5s  %-32s    %-32s %-10s %6s %10s  %s\n", "ID",
                   "SOURCE", "TARGET", "SYSCALL", "COUNT", "BYTES",
                   "LABELS");
    for (l = flows; l; l = l->next) {
        g_autofree char *src = node_to_str(l->value->source);
        g_autofree char *dst = node_to_str(l->value->target);
        g_autofree char *labels = labels_to_str(l->value->labels);

        monitor_printf(mon, "%5" PRIu64 "  %-32s -> %-32s %-10s %6" PRIu64
                       " %10" PRIu64 "  %s\n", l->value->id, src, dst,
                       l->value->syscall, l->value->count, l->value->bytes,
                       labels);
    }
    qapi_free_SecretFlowList(flows);
}

static void print_nodes(Monitor *mon, SecretTrackedNodeList *nodes,
                        const char *none)
{
    SecretTrackedNodeList *l;

    if (!nodes) {
        monitor_printf(mon, "%s\n", none);
        return;
    }
    for (l = nodes; l; l = l->next) {
        g_autofree char *node = node_to_str(l->value->node);
        g_autofree char *labels = labels_to_str(l->value->labels);

        monitor_printf(mon, "%-48s  labels=%s  first-seen=%" PRIu64 "ns%s%s\n",
                       node, labels, l->value->first_seen_ns,
                       l->value->registered ? "  registered" : "",
                       l->value->gone ? "  gone" : "");
    }
}

void hmp_info_secret_files(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    SecretTrackedNodeList *nodes = qmp_query_secret_files(&err);

    if (hmp_handle_error(mon, err)) {
        return;
    }
    print_nodes(mon, nodes, "No tracked files.");
    qapi_free_SecretTrackedNodeList(nodes);
}

void hmp_info_secret_processes(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    SecretTrackedNodeList *nodes = qmp_query_secret_processes(&err);

    if (hmp_handle_error(mon, err)) {
        return;
    }
    print_nodes(mon, nodes, "No tracked processes.");
    qapi_free_SecretTrackedNodeList(nodes);
}

void hmp_info_secret_tracker(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    SecretTrackerInfo *info = qmp_query_secret_tracker(&err);
    SecretTrackerHookList *h;
    SecretTrackerDisabledFeatureList *off;
    SecretTrackerCounters *c;

    if (hmp_handle_error(mon, err)) {
        return;
    }
    monitor_printf(mon, "state: %s\n", SecretTrackerState_str(info->state));
    if (info->error) {
        monitor_printf(mon, "error: %s\n", info->error);
    }
    monitor_printf(mon, "accelerator: %s\n", info->accelerator);
    if (info->step_over) {
        monitor_printf(mon, "step-over: %s\n", info->step_over);
    }
    if (info->kernel) {
        monitor_printf(mon, "kernel: %s\n", info->kernel);
    }
    if (info->profile_source) {
        monitor_printf(mon, "profile: %s", info->profile_source);
        if (info->has_profile_time_us) {
            monitor_printf(mon, " (found and parsed in %" PRId64 " us)",
                           info->profile_time_us);
        }
        monitor_printf(mon, "\n");
    }
    for (off = info->disabled_features; off; off = off->next) {
        monitor_printf(mon, "disabled: %s (%s)\n", off->value->feature,
                       off->value->reason);
    }
    for (h = info->hooks; h; h = h->next) {
        monitor_printf(mon, "hook %-14s at 0x%016" PRIx64 ": %" PRIu64
                       " hits, cycles mean %" PRIu64 " p50 %" PRIu64
                       " p99 %" PRIu64 "\n", h->value->name,
                       h->value->address, h->value->hits,
                       h->value->mean_cycles, h->value->p50_cycles,
                       h->value->p99_cycles);
    }
    c = info->counters;
    monitor_printf(mon, "events %" PRIu64 ", flows %" PRIu64
                   ", flows dropped %" PRIu64 ", nodes dropped %" PRIu64
                   ", read errors %" PRIu64 ", unpaired %" PRIu64
                   ", paths resolved %" PRIu64 "\n", c->events, c->flows,
                   c->flows_dropped, c->nodes_dropped, c->read_errors,
                   c->unpaired, c->paths_resolved);
    if (c->drops) {
        SecretTrackerDropList *d;

        monitor_printf(mon, "dropped:");
        for (d = c->drops; d; d = d->next) {
            monitor_printf(mon, " %s %" PRId64, d->value->reason,
                           d->value->count);
        }
        monitor_printf(mon, "\n");
    }
    qapi_free_SecretTrackerInfo(info);
}

void hmp_secret_track_file(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_secret_tracker_add_file(qdict_get_str(qdict, "pattern"), false, 0,
                                false, 0, qdict_get_try_str(qdict, "label"),
                                &err);
    hmp_handle_error(mon, err);
}
