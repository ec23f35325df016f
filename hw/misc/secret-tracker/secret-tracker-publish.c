/*
 * secret-tracker device: publishing new flows (the SECRET_FLOW event and
 * the JSON-lines log) from the main loop, off the hook path
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-events-secret-tracker.h"
#include "qemu/main-loop.h"
#include "hw/misc/secret-tracker/probe.h"
#include "secret-tracker-internal.h"
#include "trace.h"

/* Main loop: emit the events and log lines of flows not yet published. */
typedef struct Publish {
    SecretTracker *s;
    GPtrArray *flows;
} Publish;

static bool publish_collect(void *opaque, const StEngineFlowInfo *f)
{
    Publish *p = opaque;

    g_ptr_array_add(p->flows, secret_tracker_flow_to_qapi(p->s->engine, f));
    p->s->flows_published = f->id;
    return true;
}

/* The log line first: a flow reported by its event is in the log. */
static void secret_tracker_log_flow(SecretTracker *s, SecretFlow *flow)
{
    int64_t now = g_get_real_time();

    secret_tracker_log_line(s->flow_log, s->log_ecs ?
                            secret_tracker_format_ecs(flow, now) :
                            secret_tracker_format_native(flow, now));
}

static void secret_tracker_publish(void *opaque)
{
    SecretTracker *s = opaque;
    Publish p = { .s = s, .flows = g_ptr_array_new() };
    guint i;

    /* Name new files first: events and log lines then carry paths. */
    secret_tracker_probe_resolve_paths(s->probe);
    qemu_mutex_lock(&s->lock);
    st_engine_foreach_flow(s->engine, s->flows_published, publish_collect,
                           &p);
    qemu_mutex_unlock(&s->lock);

    for (i = 0; i < p.flows->len; i++) {
        SecretFlow *flow = g_ptr_array_index(p.flows, i);

        trace_secret_tracker_flow_published(flow->id, flow->syscall);
        if (s->flow_log) {
            secret_tracker_log_flow(s, flow);
        }
        qapi_event_send_secret_flow(flow->id, flow->source, flow->target,
                                    flow->syscall, flow->count, flow->bytes,
                                    flow->first_ns, flow->last_ns,
                                    flow->labels);
        qapi_free_SecretFlow(flow);
    }
    g_ptr_array_free(p.flows, true);
}

/* Engine callback, on the thread that fed the engine (lock held). */
void secret_tracker_new_flow(void *opaque, const StEngineFlowInfo *f)
{
    SecretTracker *s = opaque;

    trace_secret_tracker_flow_new(f->id, f->src, f->dst,
                                  st_engine_family_name(f->family));
    qemu_bh_schedule(s->publish_bh);
    secret_tracker_probe_kick(s->probe);
}

void secret_tracker_publish_init(SecretTracker *s)
{
    s->publish_bh = qemu_bh_new(secret_tracker_publish, s);
}

void secret_tracker_publish_cleanup(SecretTracker *s)
{
    if (s->publish_bh) {
        qemu_bh_delete(s->publish_bh);
        s->publish_bh = NULL;
    }
}
