/*
 * secret-tracker: HMP commands, printers of the QMP results
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-secret-tracker.h"
#include "qobject/qdict.h"
#include "qemu/cutils.h"
#include "monitor/monitor.h"
#include "monitor/hmp.h"
#include "monitor/secret-tracker-hmp.h"

/*
 * Process names, file names and the kernel banner come from the guest.
 * Printed raw, an escape sequence in one would drive the administrator's
 * terminal (issue 10 item 11).  Keep printable UTF-8; write control
 * characters (C0, DEL, C1), invisible format characters (bidi overrides)
 * and bytes that are not UTF-8 as escapes, and the backslash doubled so
 * that an escape cannot be faked.
 */
static void escape_append(GString *out, const char *s)
{
    while (*s) {
        gunichar c = g_utf8_get_char_validated(s, -1);
        const char *next;

        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append_printf(out, "\\x%02x", (unsigned char)*s);
            s++;
            continue;
        }
        next = g_utf8_next_char(s);
        if (c == '\\') {
            g_string_append(out, "\\\\");
        } else if (c < 0x80 && !g_ascii_isprint(c)) {
            g_string_append_printf(out, "\\x%02x", c);
        } else if (c >= 0x80 && !g_unichar_isprint(c)) {
            g_string_append_printf(out, "\\u%04x", c);
        } else {
            g_string_append_len(out, s, next - s);
        }
        s = next;
    }
}

static char *escape(const char *s)
{
    GString *out = g_string_new(NULL);

    escape_append(out, s);
    return g_string_free(out, false);
}

/* g_strdup_printf(), then escaped: every argument may be guest text */
static char *G_GNUC_PRINTF(1, 2) escape_printf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *raw = NULL;

    va_start(ap, fmt);
    raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return escape(raw);
}

static char *node_to_str(const SecretNode *n)
{
    switch (n->kind) {
    case SECRET_NODE_KIND_FILE:
        if (*n->u.file.path) {
            return escape(n->u.file.path);
        }
        return escape_printf("file:[%" PRIu64 ":%" PRIu64 "]",
                               n->u.file.dev, n->u.file.inode);
    case SECRET_NODE_KIND_PROCESS:
        return escape_printf("%s[%" PRId64 "]", n->u.process.comm,
                               n->u.process.tgid);
    case SECRET_NODE_KIND_PIPE:
        return escape_printf("pipe:[%" PRIu64 "]", n->u.pipe.inode);
    case SECRET_NODE_KIND_SOCKET:
        if (n->u.socket.path) {
            return escape_printf("unix:%s", n->u.socket.path);
        }
        if (n->u.socket.address) {
            return escape_printf("%s%s:%s:%u",
                                   n->u.socket.inode ? "socket->" : "",
                                   n->u.socket.family, n->u.socket.address,
                                   n->u.socket.port);
        }
        return escape_printf("socket:[%" PRIu64 "]", n->u.socket.inode);
    case SECRET_NODE_KIND_IPC:
        return escape_printf("%s:[%" PRIu64 "]", n->u.ipc.type,
                               n->u.ipc.id);
    default:
        return escape("?");
    }
}

static char *labels_to_str(strList *labels)
{
    GString *s = g_string_new(NULL);

    for (; labels; labels = labels->next) {
        if (s->len) {
            g_string_append_c(s, ',');
        }
        escape_append(s, labels->value);
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
        g_autofree char *syscall = escape(l->value->syscall);

        monitor_printf(mon, "%5" PRIu64 "  %-32s -> %-32s %-10s %6" PRIu64
                       " %10" PRIu64 "  %s\n", l->value->id, src, dst,
                       syscall, l->value->count, l->value->bytes, labels);
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

/* "name: value" for a string that may be absent, escaped */
static void print_escaped(Monitor *mon, const char *name, const char *value)
{
    g_autofree char *text = value ? escape(value) : NULL;

    if (text) {
        monitor_printf(mon, "%s: %s\n", name, text);
    }
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
    print_escaped(mon, "error", info->error);
    print_escaped(mon, "accelerator", info->accelerator);
    print_escaped(mon, "step-over", info->step_over);
    print_escaped(mon, "kernel", info->kernel);
    if (info->profile_source) {
        g_autofree char *source = escape(info->profile_source);

        monitor_printf(mon, "profile: %s", source);
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
        g_autofree char *name = escape(h->value->name);

        monitor_printf(mon, "hook %-14s at 0x%016" PRIx64 ": %" PRIu64
                       " hits, cycles mean %" PRIu64 " p50 %" PRIu64
                       " p99 %" PRIu64 "\n", name,
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
    if (c->compat_from_64bit || c->trap_flag) {
        monitor_printf(mon, "alerts: %" PRIu64 " 32-bit calls from 64-bit "
                       "code, %" PRIu64 " calls with the trap flag\n",
                       c->compat_from_64bit, c->trap_flag);
    }
    if (c->drops) {
        SecretTrackerDropList *d;

        monitor_printf(mon, "dropped:");
        for (d = c->drops; d; d = d->next) {
            g_autofree char *reason = escape(d->value->reason);

            monitor_printf(mon, " %s %" PRId64, reason, d->value->count);
        }
        monitor_printf(mon, "\n");
    }
    if (info->log) {
        SecretTrackerLogInfo *l = info->log;

        monitor_printf(mon, "log %s (%s%s): %" PRIu64 " lines written, %"
                       PRIu64 " queued, %" PRIu64 " lost, %" PRIu64
                       " torn, %" PRIu64 " errors, %" PRIu64
                       " disconnects, %" PRIu64 " reopens\n",
                       l->destination, l->format,
                       l->connected ? "" : ", not connected",
                       l->lines_written, l->lines_queued, l->lines_lost,
                       l->lines_torn, l->errors, l->disconnects, l->reopens);
        if (l->last_error) {
            monitor_printf(mon, "log last error: %s\n", l->last_error);
        }
    }
    if (info->remote->labels || info->remote->reads_remembered) {
        SecretTrackerRemoteInfo *r = info->remote;

        monitor_printf(mon, "remote: %" PRIu64 " endpoints labelled, %"
                       PRIu64 " reads remembered (%" PRIu64 " held, %"
                       PRIu64 " evicted), %" PRIu64 " tainted later\n",
                       r->labels, r->reads_remembered, r->remembered,
                       r->reads_evicted, r->reads_tainted);
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

/* "ADDR:PORT" or "[ADDR]:PORT" (IPv6). */
static bool parse_endpoint(const char *text, char **addr, uint16_t *port,
                           Error **errp)
{
    const char *colon = strrchr(text, ':');
    unsigned long p;
    size_t len;

    if (!colon || qemu_strtoul(colon + 1, NULL, 10, &p) < 0 || !p ||
        p > UINT16_MAX) {
        error_setg(errp, "'%s' is not ADDRESS:PORT", text);
        return false;
    }
    len = colon - text;
    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
        *addr = g_strndup(text + 1, len - 2);
    } else {
        *addr = g_strndup(text, len);
    }
    *port = p;
    return true;
}

void hmp_secret_track_endpoint(Monitor *mon, const QDict *qdict)
{
    g_autofree char *local = NULL, *peer = NULL;
    g_auto(GStrv) names = NULL;
    strList *labels = NULL, **tail = &labels;
    SecretTrackerEndpointResult *r;
    uint16_t local_port, peer_port;
    Error *err = NULL;
    int i;

    if (!parse_endpoint(qdict_get_str(qdict, "local"), &local, &local_port,
                        &err) ||
        !parse_endpoint(qdict_get_str(qdict, "peer"), &peer, &peer_port,
                        &err)) {
        hmp_handle_error(mon, err);
        return;
    }
    names = g_strsplit(qdict_get_str(qdict, "labels"), ",", -1);
    for (i = 0; names[i]; i++) {
        if (*names[i]) {
            QAPI_LIST_APPEND(tail, g_strdup(names[i]));
        }
    }
    r = qmp_secret_tracker_add_endpoint(local, local_port, peer, peer_port,
                                        false, 0, labels, &err);
    qapi_free_strList(labels);
    if (hmp_handle_error(mon, err)) {
        return;
    }
    if (r->reads_tainted) {
        monitor_printf(mon, "%" PRId64 " process(es) that had read from it "
                       "are tracked now\n", r->reads_tainted);
    }
    qapi_free_SecretTrackerEndpointResult(r);
}

void hmp_secret_log_reopen(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_secret_tracker_log_reopen(&err);
    hmp_handle_error(mon, err);
}
