/*
 * secret-tracker device: the engine's records as QAPI objects, for the
 * monitor's queries and the published events
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/accel.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/probe.h"
#include "secret-tracker-internal.h"

/* Engine → QAPI.  Called with s->lock held. */
static char *ip_text(const StEngineEndpoint *ep)
{
    char buf[INET6_ADDRSTRLEN];
    int af = ep->family == ST_AF_INET6 ? AF_INET6 : AF_INET;

    if (ep->family != ST_AF_INET && ep->family != ST_AF_INET6) {
        return NULL;
    }
    return inet_ntop(af, ep->addr, buf, sizeof(buf)) ? g_strdup(buf) : NULL;
}

static void endpoint_address(const StEngineEndpoint *ep, SecretNodeSocket *q)
{
    q->address = ip_text(ep);
    if (q->address) {
        q->has_port = true;
        q->port = ep->port;
    }
}

static void local_address(const StEngineEndpoint *ep, SecretNodeSocket *q)
{
    q->local_address = ip_text(ep);
    if (q->local_address) {
        q->has_local_port = true;
        q->local_port = ep->port;
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
    case ST_AF_VSOCK:
        return "vsock";
    case ST_AF_PACKET:
        return "packet";
    case ST_AF_XDP:
        return "xdp";
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
            local_address(&n->endpoint, &q->u.socket);
        }
        break;
    case ST_ENGINE_KIND_ENDPOINT:
        /* A non-local peer: a socket seen from outside, with no inode. */
        q->kind = SECRET_NODE_KIND_SOCKET;
        q->u.socket.inode = 0;
        q->u.socket.family = g_strdup(family_name(n->endpoint.family));
        endpoint_address(&n->endpoint, &q->u.socket);
        if (!q->u.socket.address && n->path) {
            /* vsock, packet, XDP: the engine's text for the address */
            q->u.socket.endpoint = g_strdup(n->path);
        }
        break;
    case ST_ENGINE_KIND_IPC:
        q->kind = SECRET_NODE_KIND_IPC;
        q->u.ipc.type = g_strdup(st_engine_ipc_name(n->dev));
        q->u.ipc.id = n->ino;
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

SecretFlow *secret_tracker_flow_to_qapi(StEngine *e,
                                        const StEngineFlowInfo *f)
{
    SecretFlow *q = g_new0(SecretFlow, 1);
    const StEngineNodeInfo *src = st_engine_node(e, f->src);
    const char *name = f->family == ST_ENGINE_FAMILY_RENAME ? "rename" :
                       src && src->kind == ST_ENGINE_KIND_ENDPOINT ?
                       "network" : st_engine_syscall_name(f->syscall_nr);

    q->id = f->id;
    q->source = node_to_qapi(src);
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
    uint64_t published;
    SecretFlowList **tail;
} FlowCollect;

static bool collect_flow(void *opaque, const StEngineFlowInfo *f)
{
    FlowCollect *c = opaque;

    if (f->id > c->published) {
        return false;
    }
    QAPI_LIST_APPEND(c->tail, secret_tracker_flow_to_qapi(c->engine, f));
    return true;
}

SecretFlowList *secret_tracker_flows(SecretTracker *s, uint64_t since)
{
    SecretFlowList *head = NULL;
    FlowCollect c = { .tail = &head };

    /*
     * Only flows already published: whatever a query reports has had its
     * SECRET_FLOW event and its log line (the publishing bottom half runs
     * on this thread, so it is never half done here).
     */
    qemu_mutex_lock(&s->lock);
    c.engine = s->engine;
    c.published = s->flows_published;
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
    /* Known but holding nothing (a shared mapping not tainted yet). */
    if (!(n->labels | n->rx_labels) && !n->registered) {
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
    SecretTrackerRemoteInfo *remote = g_new0(SecretTrackerRemoteInfo, 1);
    StEngineRemoteCounters rc;
    StEngineCounters ec;
    int i;

    qemu_mutex_lock(&s->lock);
    st_engine_get_counters(s->engine, &ec);
    st_engine_get_remote_counters(s->engine, &rc);
    info->state = s->state;
    info->error = g_strdup(s->error);
    qemu_mutex_unlock(&s->lock);

    remote->labels = rc.labels;
    remote->reads_remembered = rc.reads_remembered;
    remote->reads_evicted = rc.reads_evicted;
    remote->reads_tainted = rc.reads_tainted;
    remote->remembered = rc.remembered;
    info->remote = remote;
    if (s->flow_log) {
        info->log = secret_tracker_log_info(s->flow_log,
                                            s->log_ecs ? "ecs" : "native");
    }

    info->accelerator = g_ascii_strdown(current_accel_name(), -1);
    secret_tracker_probe_fill_info(s->probe, info);

    c->events = ec.events;
    c->flows = ec.flows;
    c->flows_dropped = ec.drops[ST_ENGINE_DROP_FLOWS];
    c->nodes_dropped = ec.drops[ST_ENGINE_DROP_NODES];
    c->read_errors = ec.drops[ST_ENGINE_DROP_RESOLVE] +
                     secret_tracker_probe_read_errors(s->probe);
    c->unpaired = ec.unpaired;
    c->paths_resolved = ec.path_resolutions;
    c->returns_wanted = ec.returns_wanted;
    c->returns_seen = ec.exits;
    c->compat_entries = ec.compat_entries;
    secret_tracker_probe_alerts(s->probe, &c->compat_from_64bit,
                                &c->trap_flag);
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

