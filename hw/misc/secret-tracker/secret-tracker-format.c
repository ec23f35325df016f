/*
 * secret-tracker device: log lines, in our own format or as Elastic
 * Common Schema (ECS) documents
 *
 * The native line is the SECRET_FLOW event's data with the time and the
 * VM's identity (-name, -uuid) added.  The ECS line carries the same
 * facts: the standard fields a SIEM reads without custom parsing
 * (@timestamp, event.*, host.*, observer.*, process.*, file.*, source.*,
 * destination.*, network.*, tags), and the flow in full under
 * secret_tracker.*.  Both are JSON Schemas in docs/system/devices/.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-visit-secret-tracker.h"
#include "qapi/qobject-output-visitor.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "qemu/uuid.h"
#include "system/system.h"
#include "secret-tracker-internal.h"

#define SECRET_TRACKER_ECS_VERSION "8.11.0"

/* RFC 3339, UTC, with microseconds. */
static char *format_time(int64_t realtime_us)
{
    time_t secs = realtime_us / G_USEC_PER_SEC;
    struct tm tm;
    char buf[32];

    gmtime_r(&secs, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    return g_strdup_printf("%s.%06dZ", buf,
                           (int)(realtime_us % G_USEC_PER_SEC));
}

static char *vm_uuid(void)
{
    return qemu_uuid_set ? qemu_uuid_unparse_strdup(&qemu_uuid) : NULL;
}

static void put_uint(QDict *d, const char *key, uint64_t v)
{
    qdict_put(d, key, qnum_from_uint(v));
}

static void put_str(QDict *d, const char *key, const char *v)
{
    if (v) {
        qdict_put_str(d, key, v);
    }
}

static QList *labels_list(strList *labels)
{
    QList *l = qlist_new();

    for (; labels; labels = labels->next) {
        qlist_append_str(l, labels->value);
    }
    return l;
}

static GString *to_line(QDict *d)
{
    GString *json = qobject_to_json(QOBJECT(d));

    qobject_unref(d);
    return json;
}

GString *secret_tracker_format_native(SecretFlow *flow, int64_t realtime_us)
{
    Visitor *v;
    QObject *obj = NULL;
    QDict *d, *vm = qdict_new();
    g_autofree char *uuid = vm_uuid();
    g_autofree char *time = format_time(realtime_us);

    v = qobject_output_visitor_new(&obj);
    visit_type_SecretFlow(v, NULL, &flow, &error_abort);
    visit_complete(v, &obj);
    visit_free(v);
    d = qobject_to(QDict, obj);
    qdict_put_str(d, "time", time);
    put_str(vm, "name", qemu_name);
    put_str(vm, "uuid", uuid);
    qdict_put_str(vm, "host", g_get_host_name());
    qdict_put(d, "vm", vm);
    return to_line(d);
}

/* ECS */

static bool is_kind(const SecretNode *n, SecretNodeKind kind)
{
    return n->kind == kind;
}

/* A socket with an IP address: an inet socket, or a remote endpoint. */
static bool is_ip(const SecretNode *n)
{
    return n->kind == SECRET_NODE_KIND_SOCKET && n->u.socket.address;
}

static bool is_endpoint(const SecretNode *n)
{
    return is_ip(n) && n->u.socket.inode == 0;
}

static bool is_loopback(const char *ip)
{
    return ip && (g_str_has_prefix(ip, "127.") || !strcmp(ip, "::1"));
}

static char *node_text(const SecretNode *n)
{
    const SecretNodeSocket *s = &n->u.socket;

    switch (n->kind) {
    case SECRET_NODE_KIND_FILE:
        return *n->u.file.path ? g_strdup(n->u.file.path) :
               g_strdup_printf("file %" PRIu64 ":%" PRIu64, n->u.file.dev,
                               n->u.file.inode);
    case SECRET_NODE_KIND_PROCESS:
        return g_strdup_printf("process %s[%" PRId64 "]", n->u.process.comm,
                               n->u.process.tgid);
    case SECRET_NODE_KIND_PIPE:
        return g_strdup_printf("pipe:[%" PRIu64 "]", n->u.pipe.inode);
    case SECRET_NODE_KIND_IPC:
        return g_strdup_printf("%s:[%" PRIu64 "]", n->u.ipc.type,
                               n->u.ipc.id);
    default:
        if (s->path) {
            return g_strdup_printf("unix socket %s", s->path);
        }
        if (s->address) {
            return g_strdup_printf("%s %s port %u", s->inode ?
                                   "socket to" : "endpoint", s->address,
                                   s->port);
        }
        if (s->endpoint) {
            return g_strdup_printf("endpoint %s", s->endpoint);
        }
        return g_strdup_printf("socket:[%" PRIu64 "]", s->inode);
    }
}

static QDict *ecs_process(const SecretNode *n)
{
    QDict *p = qdict_new();

    qdict_put_int(p, "pid", n->u.process.tgid);
    qdict_put_str(p, "name", n->u.process.comm);
    return p;
}

static QDict *ecs_file(const SecretNode *n)
{
    QDict *f = qdict_new();
    g_autofree char *inode = g_strdup_printf("%" PRIu64, n->u.file.inode);
    g_autofree char *dev = g_strdup_printf("%" PRIu64, n->u.file.dev);
    g_autofree char *name = NULL;

    if (*n->u.file.path) {
        name = g_path_get_basename(n->u.file.path);
        qdict_put_str(f, "path", n->u.file.path);
        qdict_put_str(f, "name", name);
    }
    qdict_put_str(f, "inode", inode);
    qdict_put_str(f, "device", dev);
    qdict_put_str(f, "type", "file");
    return f;
}

static QDict *ecs_ip_port(const char *ip, bool has_port, uint16_t port)
{
    QDict *d = qdict_new();

    qdict_put_str(d, "ip", ip);
    if (has_port && port) {     /* 0: not known */
        qdict_put_int(d, "port", port);
    }
    return d;
}

/*
 * source.* and destination.*: who sent to whom.  A socket node shows its
 * peer (address, port) and its own end (local-address, local-port).
 */
static bool ecs_network(QDict *root, const SecretNode *src,
                        const SecretNode *dst)
{
    const SecretNodeSocket *from = NULL, *to = NULL, *s;
    bool from_local = false, to_local = false;
    const char *direction;
    QDict *net;

    if (is_endpoint(src)) {
        /* Into this VM from another (labels given by the bridge). */
        from = &src->u.socket;
        to = is_ip(dst) ? &dst->u.socket : NULL;
        to_local = true;
        direction = "ingress";
    } else if (is_ip(src) && !is_ip(dst)) {
        /* A process reads a socket: from its peer to its own end. */
        s = &src->u.socket;
        from = s;
        to = s;
        to_local = true;
        direction = is_loopback(s->address) ? "internal" : "ingress";
    } else if (is_ip(src) || is_ip(dst)) {
        /* The sending socket: from its own end to its peer. */
        s = is_ip(src) ? &src->u.socket : &dst->u.socket;
        from = s;
        from_local = true;
        to = is_endpoint(dst) ? &dst->u.socket : s;
        direction = is_endpoint(dst) ? "egress" :
                    is_loopback(s->address) ? "internal" : "egress";
    } else {
        return false;
    }
    if (from_local && from->local_address) {
        qdict_put(root, "source", ecs_ip_port(from->local_address,
                                              from->has_local_port,
                                              from->local_port));
    } else if (!from_local) {
        qdict_put(root, "source", ecs_ip_port(from->address, from->has_port,
                                              from->port));
    }
    if (to && to_local && to->local_address) {
        qdict_put(root, "destination", ecs_ip_port(to->local_address,
                                                   to->has_local_port,
                                                   to->local_port));
    } else if (to && !to_local) {
        qdict_put(root, "destination", ecs_ip_port(to->address, to->has_port,
                                                   to->port));
    }
    net = qdict_new();
    qdict_put_str(net, "type", strcmp(from->family, "inet6") ? "ipv4" :
                  "ipv6");
    qdict_put_str(net, "direction", direction);
    qdict_put(root, "network", net);
    return true;
}

/* The native node, with ECS-style names (local_address, ...). */
static QDict *ecs_native_node(SecretNode *n)
{
    Visitor *v;
    QObject *obj = NULL;
    QDict *in, *out = qdict_new();
    const QDictEntry *e;

    v = qobject_output_visitor_new(&obj);
    visit_type_SecretNode(v, NULL, &n, &error_abort);
    visit_complete(v, &obj);
    visit_free(v);
    in = qobject_to(QDict, obj);
    for (e = qdict_first(in); e; e = qdict_next(in, e)) {
        g_autofree char *key = g_strdup(qdict_entry_key(e));

        g_strdelimit(key, "-", '_');
        qdict_put_obj(out, key, qobject_ref(qdict_entry_value(e)));
    }
    qobject_unref(in);
    return out;
}

static void ecs_categorize(QDict *root, SecretFlow *flow, QList *category,
                           QList *type)
{
    SecretNode *src = flow->source, *dst = flow->target;
    bool src_proc = is_kind(src, SECRET_NODE_KIND_PROCESS);
    bool dst_proc = is_kind(dst, SECRET_NODE_KIND_PROCESS);
    bool net;

    if (src_proc && dst_proc) {
        QDict *child = ecs_process(dst);

        qdict_put(child, "parent", ecs_process(src));
        qdict_put(root, "process", child);
        qlist_append_str(category, "process");
        qlist_append_str(type, "start");
    } else if (src_proc || dst_proc) {
        qdict_put(root, "process", ecs_process(src_proc ? src : dst));
    }
    if (is_kind(dst, SECRET_NODE_KIND_FILE)) {
        qdict_put(root, "file", ecs_file(dst));
        qlist_append_str(category, "file");
        qlist_append_str(type, "change");
    } else if (is_kind(src, SECRET_NODE_KIND_FILE)) {
        qdict_put(root, "file", ecs_file(src));
        qlist_append_str(category, "file");
        qlist_append_str(type, "access");
    }
    net = ecs_network(root, src, dst);
    if (net) {
        qlist_append_str(category, "network");
        qlist_append_str(type, "connection");
    }
    if (qlist_empty(category)) {
        /* Pipes and unix sockets between processes. */
        qlist_append_str(category, "process");
        qlist_append_str(type, "info");
    }
}

GString *secret_tracker_format_ecs(SecretFlow *flow, int64_t realtime_us)
{
    QDict *d = qdict_new(), *ecs = qdict_new(), *event = qdict_new();
    QDict *observer = qdict_new(), *st = qdict_new(), *f = qdict_new();
    QList *category = qlist_new(), *type = qlist_new();
    g_autofree char *uuid = vm_uuid();
    g_autofree char *time = format_time(realtime_us);
    g_autofree char *id = g_strdup_printf("%" PRIu64, flow->id);
    g_autofree char *from = node_text(flow->source);
    g_autofree char *to = node_text(flow->target);
    g_autofree char *labels = NULL;
    g_autofree char *message = NULL;
    GString *msg = g_string_new(NULL);
    strList *l;

    for (l = flow->labels; l; l = l->next) {
        g_string_append_printf(msg, "%s%s", msg->len ? "," : "", l->value);
    }
    labels = g_string_free(msg, false);
    qdict_put_str(d, "@timestamp", time);
    qdict_put_str(ecs, "version", SECRET_TRACKER_ECS_VERSION);
    qdict_put(d, "ecs", ecs);
    message = g_strdup_printf("secret flow %" PRIu64 " (%s): %s -> %s, %"
                              PRIu64 " call(s), %" PRIu64 " bytes, labels %s",
                              flow->id, flow->syscall, from, to, flow->count,
                              flow->bytes, labels);
    qdict_put_str(d, "message", message);

    ecs_categorize(d, flow, category, type);
    qdict_put_str(event, "kind", "event");
    qdict_put(event, "category", category);
    qdict_put(event, "type", type);
    qdict_put_str(event, "action", flow->syscall);
    qdict_put_str(event, "outcome", "success");
    qdict_put_str(event, "id", id);
    put_uint(event, "sequence", flow->id);
    qdict_put_str(event, "module", "secret_tracker");
    qdict_put_str(event, "dataset", "secret_tracker.flow");
    qdict_put_str(event, "provider", "qemu");
    qdict_put(d, "event", event);

    qdict_put_str(observer, "type", "hypervisor");
    qdict_put_str(observer, "vendor", "QEMU");
    qdict_put_str(observer, "product", "secret-tracker");
    qdict_put_str(observer, "version", QEMU_VERSION);
    qdict_put_str(observer, "hostname", g_get_host_name());
    qdict_put(d, "observer", observer);
    if (qemu_name || uuid) {
        QDict *host = qdict_new();

        put_str(host, "name", qemu_name);
        put_str(host, "id", uuid);
        qdict_put_str(host, "type", "vm");
        qdict_put(d, "host", host);
    }
    qdict_put(d, "tags", labels_list(flow->labels));

    put_uint(f, "id", flow->id);
    qdict_put_str(f, "syscall", flow->syscall);
    put_uint(f, "count", flow->count);
    put_uint(f, "bytes", flow->bytes);
    put_uint(f, "first_ns", flow->first_ns);
    put_uint(f, "last_ns", flow->last_ns);
    qdict_put(f, "labels", labels_list(flow->labels));
    qdict_put(st, "flow", f);
    qdict_put(st, "source", ecs_native_node(flow->source));
    qdict_put(st, "target", ecs_native_node(flow->target));
    qdict_put(d, "secret_tracker", st);
    return to_line(d);
}
