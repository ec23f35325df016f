/*
 * secret-tracker device: configuration and life cycle
 *
 * A bus-less, user-creatable device (at most one per VM) that owns the
 * tracking engine and the probe that feeds it.  Flows found on vCPU
 * threads are published (QMP event, JSON-lines log) from the main loop,
 * off the hook path (secret-tracker-publish.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "qemu/accel.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/resettable.h"
#include "migration/blocker.h"
#include "system/kvm.h"
#include "system/tcg.h"
#include "system/qtest.h"
#include "system/reset.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/probe.h"
#include "secret-tracker-internal.h"
#include "trace.h"

#define SECRET_TRACKER_DEFAULT_MAX_FLOWS 65536
#define SECRET_TRACKER_DEFAULT_LOG_QUEUE 4096

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
    if (s->probe) {
        /* files it names that the guest has cached are labelled now */
        secret_tracker_probe_find_pattern(s->probe, pattern);
    }
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

static bool parse_ip(const char *what, const char *text, uint16_t port,
                     StEngineEndpoint *ep, Error **errp)
{
    memset(ep, 0, sizeof(*ep));
    if (inet_pton(AF_INET, text, ep->addr) == 1) {
        ep->family = ST_AF_INET;
    } else if (inet_pton(AF_INET6, text, ep->addr) == 1) {
        ep->family = ST_AF_INET6;
    } else {
        error_setg(errp, "'%s' is not an IPv4 or IPv6 address: '%s'", what,
                   text);
        return false;
    }
    ep->port = port;
    return true;
}

int secret_tracker_add_endpoint(SecretTracker *s, const char *local_address,
                                uint16_t local_port, const char *peer_address,
                                uint16_t peer_port, strList *labels,
                                Error **errp)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    StEngineEndpoint local, peer;
    GError *gerr = NULL;
    int n;

    if (!parse_ip("local-address", local_address, local_port, &local,
                  errp) ||
        !parse_ip("peer-address", peer_address, peer_port, &peer, errp)) {
        return -1;
    }
    for (; labels; labels = labels->next) {
        g_ptr_array_add(names, labels->value);
    }
    g_ptr_array_add(names, NULL);
    qemu_mutex_lock(&s->lock);
    n = st_engine_remote_labels(s->engine, &local, &peer,
                                (const char *const *)names->pdata, &gerr);
    qemu_mutex_unlock(&s->lock);
    if (n < 0) {
        engine_error(gerr, errp);
        return -1;
    }
    trace_secret_tracker_add_endpoint(local_address, local_port,
                                      peer_address, peer_port, n);
    return n;
}

bool secret_tracker_log_reopen_file(SecretTracker *s, Error **errp)
{
    if (!s->flow_log) {
        error_setg(errp, "the %s device has no log", TYPE_SECRET_TRACKER);
        return false;
    }
    return secret_tracker_log_reopen(s->flow_log, errp);
}

/* The probe's state-change callback. */
static void secret_tracker_probe_state(void *opaque, SecretTrackerState state,
                                       const char *error)
{
    SecretTracker *s = opaque;

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

/*
 * Every table is bounded, and its pool is allocated up front: a cap of 0
 * would track nothing, a huge one would take the host's memory.
 */
#define SECRET_TRACKER_MAX_CAP (1u << 24)

static bool secret_tracker_check_caps(SecretTracker *s, Error **errp)
{
    const struct {
        const char *name;
        uint32_t value;
    } caps[] = {
        { "max-flows", s->max_flows },
        { "max-nodes", s->max_nodes },
        { "max-fd-cache", s->max_fd_cache },
        { "max-pending", s->max_pending },
        { "max-endpoints", s->max_endpoints },
        { "max-children", s->max_children },
        { "max-waiting", s->max_waiting },
        { "max-local-addrs", s->max_local_addrs },
        { "max-shared", s->max_shared },
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(caps); i++) {
        if (caps[i].value == 0) {
            error_setg(errp, "%s property '%s' must be at least 1",
                       TYPE_SECRET_TRACKER, caps[i].name);
            return false;
        }
        if (caps[i].value > SECRET_TRACKER_MAX_CAP) {
            error_setg(errp, "%s property '%s' must be at most %u",
                       TYPE_SECRET_TRACKER, caps[i].name,
                       SECRET_TRACKER_MAX_CAP);
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
        .max_nodes = s->max_nodes,
        .max_fd_cache = s->max_fd_cache,
        .max_pending = s->max_pending,
        .max_endpoints = s->max_endpoints,
        .max_children = s->max_children,
        .max_waiting = s->max_waiting,
        .max_local_addrs = s->max_local_addrs,
        .max_shared = s->max_shared,
    };
    SecretTrackerProbeConfig probe_config = {
        .lock = &s->lock,
        .state_changed = secret_tracker_probe_state,
        .opaque = s,
        .profile = s->profile,
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
    if (!secret_tracker_check_caps(s, errp)) {
        return;
    }
    if (s->log && qemu_chr_fe_backend_connected(&s->log_chr)) {
        error_setg(errp, "%s: give either 'log' or 'chardev', not both",
                   TYPE_SECRET_TRACKER);
        return;
    }
    if (s->log_format && strcmp(s->log_format, "native") &&
        strcmp(s->log_format, "ecs")) {
        error_setg(errp, "%s property 'log-format' must be 'native' or "
                   "'ecs', not '%s'", TYPE_SECRET_TRACKER, s->log_format);
        return;
    }
    s->log_ecs = s->log_format && !strcmp(s->log_format, "ecs");
    if (s->log_queue == 0) {
        error_setg(errp, "%s property 'log-queue' must be at least 1",
                   TYPE_SECRET_TRACKER);
        return;
    }

    s->probe = secret_tracker_probe_new(&probe_config, errp);
    if (!s->probe) {
        return;
    }
    secret_tracker_probe_engine_ops(s->probe, &config.ops, &config.opaque);
    s->engine = st_engine_new(&config);
    st_engine_set_remote_reads(s->engine, s->remote_reads);
    s->state = SECRET_TRACKER_STATE_WAITING_FOR_GUEST;
    if (!secret_tracker_parse_files(s, errp)) {
        goto fail;
    }
    if (s->log || qemu_chr_fe_backend_connected(&s->log_chr)) {
        s->flow_log = secret_tracker_log_open(s->log, &s->log_chr,
                                              s->log_max_size, s->log_queue,
                                              errp);
        if (!s->flow_log) {
            error_prepend(errp, "%s: ", TYPE_SECRET_TRACKER);
            goto fail;
        }
    }

    error_setg(&s->migration_blocker,
               "%s: the tracking state cannot be migrated yet; remove the "
               "device to migrate", TYPE_SECRET_TRACKER);
    if (migrate_add_blocker(&s->migration_blocker, errp) < 0) {
        goto fail;
    }
    secret_tracker_publish_init(s);
    secret_tracker_probe_start(s->probe, s->engine);
    /* Not on a bus, so no parent resets it: register for system resets. */
    qemu_register_resettable(OBJECT(s));
    return;

fail:
    secret_tracker_log_close(s->flow_log);
    s->flow_log = NULL;
    secret_tracker_probe_free(s->probe);
    s->probe = NULL;
    st_engine_free(s->engine);
    s->engine = NULL;
}

static void secret_tracker_unrealize(DeviceState *dev)
{
    SecretTracker *s = SECRET_TRACKER(dev);

    qemu_unregister_resettable(OBJECT(s));
    migrate_del_blocker(&s->migration_blocker);
    secret_tracker_probe_free(s->probe);
    s->probe = NULL;
    secret_tracker_publish_cleanup(s);
    secret_tracker_log_close(s->flow_log);
    s->flow_log = NULL;
    st_engine_free(s->engine);
    s->engine = NULL;
}

/* A system reset starts a new boot: the probe waits for its kernel. */
static void secret_tracker_reset_hold(Object *obj, ResetType type)
{
    SecretTracker *s = SECRET_TRACKER(obj);

    if (s->probe) {
        secret_tracker_probe_reset(s->probe);
    }
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
    DEFINE_PROP_CHR("chardev", SecretTracker, log_chr),
    DEFINE_PROP_STRING("log-format", SecretTracker, log_format),
    DEFINE_PROP_SIZE("log-max-size", SecretTracker, log_max_size, 0),
    DEFINE_PROP_UINT32("log-queue", SecretTracker, log_queue,
                       SECRET_TRACKER_DEFAULT_LOG_QUEUE),
    DEFINE_PROP_UINT32("max-flows", SecretTracker, max_flows,
                       SECRET_TRACKER_DEFAULT_MAX_FLOWS),
    DEFINE_PROP_UINT32("max-nodes", SecretTracker, max_nodes,
                       ST_ENGINE_DEFAULT_MAX_NODES),
    DEFINE_PROP_UINT32("max-fd-cache", SecretTracker, max_fd_cache,
                       ST_ENGINE_DEFAULT_MAX_FD_CACHE),
    DEFINE_PROP_UINT32("max-pending", SecretTracker, max_pending,
                       ST_ENGINE_DEFAULT_MAX_PENDING),
    DEFINE_PROP_UINT32("max-endpoints", SecretTracker, max_endpoints,
                       ST_ENGINE_DEFAULT_MAX_ENDPOINTS),
    DEFINE_PROP_UINT32("max-children", SecretTracker, max_children,
                       ST_ENGINE_DEFAULT_MAX_CHILDREN),
    DEFINE_PROP_UINT32("max-waiting", SecretTracker, max_waiting,
                       ST_ENGINE_DEFAULT_MAX_WAITING),
    DEFINE_PROP_UINT32("max-local-addrs", SecretTracker, max_local_addrs,
                       ST_ENGINE_DEFAULT_MAX_LOCAL_ADDRS),
    DEFINE_PROP_UINT32("max-shared", SecretTracker, max_shared,
                       ST_ENGINE_DEFAULT_MAX_SHARED),
    DEFINE_PROP_UINT32("remote-reads", SecretTracker, remote_reads, 0),
};

static void secret_tracker_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = secret_tracker_realize;
    dc->unrealize = secret_tracker_unrealize;
    dc->hotpluggable = false;
    dc->desc = "follows secret files through a Linux guest";
    device_class_set_props(dc, secret_tracker_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    rc->phases.hold = secret_tracker_reset_hold;
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
