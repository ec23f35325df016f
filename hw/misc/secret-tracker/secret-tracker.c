/*
 * secret-tracker device: configuration, lifecycle and publishing of flows
 *
 * A bus-less, user-creatable device (at most one per VM) that owns the
 * tracking engine.  Flows found on vCPU threads are published (QMP event,
 * JSON-lines log) from the main loop, off the hook path.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-events-secret-tracker.h"
#include "qapi/qapi-visit-secret-tracker.h"
#include "qapi/qobject-output-visitor.h"
#include "qobject/qjson.h"
#include "qobject/qobject.h"
#include "qemu/module.h"
#include "qemu/main-loop.h"
#include "qemu/accel.h"
#include "hw/qdev-properties.h"
#include "migration/blocker.h"
#include "system/kvm.h"
#include "system/tcg.h"
#include "system/qtest.h"
#include "hw/misc/secret-tracker/secret-tracker.h"
#include "hw/misc/secret-tracker/engine/engine.h"
#include "hw/misc/secret-tracker/secret-tracker-guest.h"
#include "trace.h"

#define SECRET_TRACKER_DEFAULT_MAX_FLOWS 65536

SecretTracker *secret_tracker_find(void)
{
    return SECRET_TRACKER(object_resolve_path_type("", TYPE_SECRET_TRACKER,
                                                   NULL));
}

static bool engine_error(GError *gerr, Error **errp)
{
    error_setg(errp, "%s", gerr->message);
    g_error_free(gerr);
    return false;
}

bool secret_tracker_add_pattern(SecretTracker *s, const char *pattern,
                                const char *label, Error **errp)
{
    GError *gerr = NULL;
    bool ok;

    if (pattern[0] != '/') {
        error_setg(errp, "secret pattern '%s' must be an absolute path",
                   pattern);
        return false;
    }
    qemu_mutex_lock(&s->lock);
    ok = st_engine_register_pattern(s->engine, pattern, label, &gerr);
    qemu_mutex_unlock(&s->lock);
    if (!ok) {
        return engine_error(gerr, errp);
    }
    trace_secret_tracker_add_pattern(pattern, label ? label : pattern);
    return true;
}

bool secret_tracker_add_inode(SecretTracker *s, uint64_t dev, uint64_t ino,
                              const char *label, Error **errp)
{
    GError *gerr = NULL;
    uint64_t id;

    qemu_mutex_lock(&s->lock);
    id = st_engine_register_inode(s->engine, dev, ino, label, &gerr);
    qemu_mutex_unlock(&s->lock);
    if (!id) {
        return engine_error(gerr, errp);
    }
    trace_secret_tracker_add_inode(dev, ino);
    return true;
}

/* Engine → QAPI.  Called with s->lock held. */
static void endpoint_address(const StEngineEndpoint *ep, SecretNodeSocket *q)
{
    char buf[INET6_ADDRSTRLEN];
    int af = ep->family == ST_AF_INET6 ? AF_INET6 : AF_INET;

    if (ep->family != ST_AF_INET && ep->family != ST_AF_INET6) {
        return;
    }
    if (inet_ntop(af, ep->addr, buf, sizeof(buf))) {
        q->address = g_strdup(buf);
        q->has_port = true;
        q->port = ep->port;
    }
}

static const char *family_name(uint16_t family)
{
    switch (family) {
    case ST_AF_UNIX:
        return "unix";
    case ST_AF_INET:
        return "inet";
    case ST_AF_INET6:
        return "inet6";
    default:
        return "unknown";
    }
}

static SecretNode *node_to_qapi(const StEngineNodeInfo *n)
{
    SecretNode *q = g_new0(SecretNode, 1);

    switch (n->kind) {
    case ST_ENGINE_KIND_PROCESS:
        q->kind = SECRET_NODE_KIND_PROCESS;
        q->u.process.pid = n->tgid;
        q->u.process.tgid = n->tgid;
        q->u.process.comm = g_strdup(n->comm);
        break;
    case ST_ENGINE_KIND_PIPE:
    case ST_ENGINE_KIND_FIFO:
        q->kind = SECRET_NODE_KIND_PIPE;
        q->u.pipe.inode = n->ino;
        break;
    case ST_ENGINE_KIND_SOCKET:
        q->kind = SECRET_NODE_KIND_SOCKET;
        q->u.socket.inode = n->ino;
        q->u.socket.family = g_strdup(family_name(n->endpoint.family));
        if (n->endpoint.family == ST_AF_UNIX) {
            if (n->path && g_str_has_prefix(n->path, "/")) {
                q->u.socket.path = g_strdup(n->path);
            }
        } else {
            endpoint_address(&n->peer, &q->u.socket);
        }
        break;
    case ST_ENGINE_KIND_ENDPOINT:
        /* A non-local peer: a socket seen from outside, with no inode. */
        q->kind = SECRET_NODE_KIND_SOCKET;
        q->u.socket.inode = 0;
        q->u.socket.family = g_strdup(family_name(n->endpoint.family));
        endpoint_address(&n->endpoint, &q->u.socket);
        break;
    default:
        q->kind = SECRET_NODE_KIND_FILE;
        q->u.file.dev = n->dev;
        q->u.file.inode = n->ino;
        q->u.file.path = g_strdup(n->path ? n->path : "");
        break;
    }
    return q;
}

static strList *labels_to_qapi(StEngine *e, uint64_t mask)
{
    strList *head = NULL, **tail = &head;
    unsigned i;

    for (i = 0; i < ST_ENGINE_MAX_LABELS; i++) {
        if (mask & (1ULL << i)) {
            QAPI_LIST_APPEND(tail, g_strdup(st_engine_label_name(e, i)));
        }
    }
    return head;
}

static SecretFlow *flow_to_qapi(StEngine *e, const StEngineFlowInfo *f)
{
    SecretFlow *q = g_new0(SecretFlow, 1);
    const char *name = f->family == ST_ENGINE_FAMILY_RENAME ? "rename" :
                       st_engine_syscall_name(f->syscall_nr);

    q->id = f->id;
    q->source = node_to_qapi(st_engine_node(e, f->src));
    q->target = node_to_qapi(st_engine_node(e, f->dst));
    if (f->family == ST_ENGINE_FAMILY_RENAME &&
        q->source->kind == SECRET_NODE_KIND_FILE &&
        q->target->kind == SECRET_NODE_KIND_FILE) {
        /* One inode: the edge goes from its old path to its new one. */
        g_free(q->source->u.file.path);
        q->source->u.file.path = g_strdup(f->old_path ? f->old_path : "");
        g_free(q->target->u.file.path);
        q->target->u.file.path = g_strdup(f->new_path ? f->new_path : "");
    }
    q->syscall = g_strdup(name ? name : st_engine_family_name(f->family));
    q->count = f->count;
    q->bytes = f->bytes;
    q->first_ns = f->first_ns;
    q->last_ns = f->last_ns;
    q->labels = labels_to_qapi(e, f->labels);
    return q;
}

typedef struct FlowCollect {
    StEngine *engine;
    SecretFlowList **tail;
} FlowCollect;

static bool collect_flow(void *opaque, const StEngineFlowInfo *f)
{
    FlowCollect *c = opaque;

    QAPI_LIST_APPEND(c->tail, flow_to_qapi(c->engine, f));
    return true;
}

SecretFlowList *secret_tracker_flows(SecretTracker *s, uint64_t since)
{
    SecretFlowList *head = NULL;
    FlowCollect c = { .tail = &head };

    qemu_mutex_lock(&s->lock);
    c.engine = s->engine;
    st_engine_foreach_flow(s->engine, since, collect_flow, &c);
    qemu_mutex_unlock(&s->lock);
    return head;
}

typedef struct NodeCollect {
    StEngine *engine;
    bool processes;
    SecretTrackedNodeList **tail;
} NodeCollect;

static bool collect_node(void *opaque, const StEngineNodeInfo *n)
{
    NodeCollect *c = opaque;
    SecretTrackedNode *q;

    if ((n->kind == ST_ENGINE_KIND_PROCESS) != c->processes) {
        return true;
    }
    q = g_new0(SecretTrackedNode, 1);
    q->node = node_to_qapi(n);
    q->labels = labels_to_qapi(c->engine, n->labels | n->rx_labels);
    q->first_seen_ns = n->first_seen_ns;
    q->registered = n->registered;
    q->gone = n->dead || n->deleted;
    QAPI_LIST_APPEND(c->tail, q);
    return true;
}

SecretTrackedNodeList *secret_tracker_nodes(SecretTracker *s, bool processes)
{
    SecretTrackedNodeList *head = NULL;
    NodeCollect c = { .processes = processes, .tail = &head };

    qemu_mutex_lock(&s->lock);
    c.engine = s->engine;
    st_engine_foreach_node(s->engine, ST_ENGINE_KIND__MAX, collect_node, &c);
    qemu_mutex_unlock(&s->lock);
    return head;
}

SecretTrackerInfo *secret_tracker_info(SecretTracker *s)
{
    SecretTrackerInfo *info = g_new0(SecretTrackerInfo, 1);
    SecretTrackerCounters *c = g_new0(SecretTrackerCounters, 1);
    SecretTrackerDropList **tail = &c->drops;
    StEngineCounters ec;
    int i;

    qemu_mutex_lock(&s->lock);
    st_engine_get_counters(s->engine, &ec);
    info->state = s->state;
    info->error = g_strdup(s->error);
    qemu_mutex_unlock(&s->lock);

    info->accelerator = g_ascii_strdown(current_accel_name(), -1);
    secret_tracker_guest_fill_info(s, info);

    c->events = ec.events;
    c->flows = ec.flows;
    c->flows_dropped = ec.drops[ST_ENGINE_DROP_FLOWS];
    c->nodes_dropped = ec.drops[ST_ENGINE_DROP_NODES];
    c->read_errors = ec.drops[ST_ENGINE_DROP_RESOLVE] +
                     secret_tracker_guest_read_errors(s);
    c->unpaired = ec.unpaired;
    c->paths_resolved = ec.path_resolutions;
    for (i = 0; i < ST_ENGINE_DROP__MAX; i++) {
        if (ec.drops[i]) {
            SecretTrackerDrop *d = g_new0(SecretTrackerDrop, 1);

            d->reason = g_strdup(st_engine_drop_name(i));
            d->count = ec.drops[i];
            QAPI_LIST_APPEND(tail, d);
        }
    }
    info->counters = c;
    return info;
}

/* Main loop: emit the events and log lines of flows not yet published. */
typedef struct Publish {
    SecretTracker *s;
    GPtrArray *flows;
} Publish;

static bool publish_collect(void *opaque, const StEngineFlowInfo *f)
{
    Publish *p = opaque;

    g_ptr_array_add(p->flows, flow_to_qapi(p->s->engine, f));
    p->s->flows_published = f->id;
    return true;
}

static void secret_tracker_log_flow(SecretTracker *s, SecretFlow *flow)
{
    Visitor *v;
    QObject *obj = NULL;
    GString *json;

    v = qobject_output_visitor_new(&obj);
    if (visit_type_SecretFlow(v, NULL, &flow, &error_abort)) {
        visit_complete(v, &obj);
    }
    visit_free(v);
    json = qobject_to_json(obj);
    if (fprintf(s->log_file, "%s\n", json->str) < 0 ||
        fflush(s->log_file) != 0) {
        trace_secret_tracker_log_error(s->log, strerror(errno));
    }
    g_string_free(json, true);
    qobject_unref(obj);
}

static void secret_tracker_publish(void *opaque)
{
    SecretTracker *s = opaque;
    Publish p = { .s = s, .flows = g_ptr_array_new() };
    guint i;

    /* Name new files first: events and log lines then carry paths. */
    secret_tracker_guest_resolve_paths(s);
    qemu_mutex_lock(&s->lock);
    st_engine_foreach_flow(s->engine, s->flows_published, publish_collect,
                           &p);
    qemu_mutex_unlock(&s->lock);

    for (i = 0; i < p.flows->len; i++) {
        SecretFlow *flow = g_ptr_array_index(p.flows, i);

        trace_secret_tracker_flow_published(flow->id, flow->syscall);
        qapi_event_send_secret_flow(flow->id, flow->source, flow->target,
                                    flow->syscall, flow->count, flow->bytes,
                                    flow->first_ns, flow->last_ns,
                                    flow->labels);
        if (s->log_file) {
            secret_tracker_log_flow(s, flow);
        }
        qapi_free_SecretFlow(flow);
    }
    g_ptr_array_free(p.flows, true);
}

/* Engine callback, on the thread that fed the engine (lock held). */
static void secret_tracker_new_flow(void *opaque, const StEngineFlowInfo *f)
{
    SecretTracker *s = opaque;

    trace_secret_tracker_flow_new(f->id, f->src, f->dst,
                                  st_engine_family_name(f->family));
    qemu_bh_schedule(s->publish_bh);
    secret_tracker_guest_kick(s);
}

void secret_tracker_set_state(SecretTracker *s, SecretTrackerState state,
                              const char *error)
{
    qemu_mutex_lock(&s->lock);
    s->state = state;
    g_free(s->error);
    s->error = g_strdup(error);
    qemu_mutex_unlock(&s->lock);
    trace_secret_tracker_state(SecretTrackerState_str(state),
                               error ? error : "");
}

static bool secret_tracker_parse_files(SecretTracker *s, Error **errp)
{
    g_auto(GStrv) patterns = NULL;
    int i;

    if (!s->files || !*s->files) {
        return true;
    }
    patterns = g_strsplit(s->files, ":", -1);
    for (i = 0; patterns[i]; i++) {
        if (!*patterns[i]) {
            continue;
        }
        if (!secret_tracker_add_pattern(s, patterns[i], NULL, errp)) {
            error_prepend(errp, "secret-tracker property 'files': ");
            return false;
        }
    }
    return true;
}

static void secret_tracker_realize(DeviceState *dev, Error **errp)
{
    SecretTracker *s = SECRET_TRACKER(dev);
    StEngineConfig config = {
        .new_flow = secret_tracker_new_flow,
        .new_flow_opaque = s,
        .max_flows = s->max_flows,
    };

    if (!secret_tracker_find()) {
        error_setg(errp, "at most one %s device is permitted",
                   TYPE_SECRET_TRACKER);
        return;
    }
    if (!kvm_enabled() && !tcg_enabled() && !qtest_enabled()) {
        error_setg(errp, "%s needs the kvm or tcg accelerator, not %s",
                   TYPE_SECRET_TRACKER, current_accel_name());
        return;
    }
    if (s->max_flows == 0) {
        error_setg(errp, "%s property 'max-flows' must be at least 1",
                   TYPE_SECRET_TRACKER);
        return;
    }

    secret_tracker_guest_engine_ops(s, &config.ops, &config.opaque);
    s->engine = st_engine_new(&config);
    s->state = SECRET_TRACKER_STATE_WAITING_FOR_GUEST;
    if (!secret_tracker_parse_files(s, errp)) {
        goto fail;
    }
    if (s->log) {
        s->log_file = fopen(s->log, "a");
        if (!s->log_file) {
            error_setg_file_open(errp, errno, s->log);
            goto fail;
        }
    }
    if (!secret_tracker_guest_realize(s, errp)) {
        goto fail;
    }

    error_setg(&s->migration_blocker,
               "%s: the tracking state cannot be migrated yet; remove the "
               "device to migrate", TYPE_SECRET_TRACKER);
    if (migrate_add_blocker(&s->migration_blocker, errp) < 0) {
        secret_tracker_guest_unrealize(s);
        goto fail;
    }
    s->publish_bh = qemu_bh_new(secret_tracker_publish, s);
    return;

fail:
    if (s->log_file) {
        fclose(s->log_file);
        s->log_file = NULL;
    }
    st_engine_free(s->engine);
    s->engine = NULL;
}

static void secret_tracker_unrealize(DeviceState *dev)
{
    SecretTracker *s = SECRET_TRACKER(dev);

    migrate_del_blocker(&s->migration_blocker);
    secret_tracker_guest_unrealize(s);
    qemu_bh_delete(s->publish_bh);
    if (s->log_file) {
        fclose(s->log_file);
    }
    st_engine_free(s->engine);
    s->engine = NULL;
}

static void secret_tracker_instance_init(Object *obj)
{
    SecretTracker *s = SECRET_TRACKER(obj);

    qemu_mutex_init(&s->lock);
}

static void secret_tracker_instance_finalize(Object *obj)
{
    SecretTracker *s = SECRET_TRACKER(obj);

    g_free(s->error);
    qemu_mutex_destroy(&s->lock);
}

static const Property secret_tracker_properties[] = {
    DEFINE_PROP_STRING("files", SecretTracker, files),
    DEFINE_PROP_STRING("profile", SecretTracker, profile),
    DEFINE_PROP_STRING("log", SecretTracker, log),
    DEFINE_PROP_UINT32("max-flows", SecretTracker, max_flows,
                       SECRET_TRACKER_DEFAULT_MAX_FLOWS),
};

static void secret_tracker_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = secret_tracker_realize;
    dc->unrealize = secret_tracker_unrealize;
    dc->hotpluggable = false;
    dc->desc = "follows secret files through a Linux guest";
    device_class_set_props(dc, secret_tracker_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo secret_tracker_types[] = {
    {
        .name = TYPE_SECRET_TRACKER,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(SecretTracker),
        .instance_init = secret_tracker_instance_init,
        .instance_finalize = secret_tracker_instance_finalize,
        .class_init = secret_tracker_class_init,
    },
};

DEFINE_TYPES(secret_tracker_types)
