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
#include "hw/resettable.h"
#include "migration/blocker.h"
#include "system/kvm.h"
#include "system/tcg.h"
#include "system/qtest.h"
#include "system/reset.h"
#include "hw/misc/secret-tracker/probe.h"
#include "secret-tracker-internal.h"
#include "trace.h"

#define SECRET_TRACKER_DEFAULT_MAX_FLOWS 65536

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

static void secret_tracker_realize(DeviceState *dev, Error **errp)
{
    SecretTracker *s = SECRET_TRACKER(dev);
    StEngineConfig config = {
        .new_flow = secret_tracker_new_flow,
        .new_flow_opaque = s,
        .max_flows = s->max_flows,
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
    if (s->max_flows == 0) {
        error_setg(errp, "%s property 'max-flows' must be at least 1",
                   TYPE_SECRET_TRACKER);
        return;
    }

    s->probe = secret_tracker_probe_new(&probe_config, errp);
    if (!s->probe) {
        return;
    }
    secret_tracker_probe_engine_ops(s->probe, &config.ops, &config.opaque);
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
    if (s->log_file) {
        fclose(s->log_file);
        s->log_file = NULL;
    }
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
    if (s->log_file) {
        fclose(s->log_file);
    }
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
    DEFINE_PROP_UINT32("max-flows", SecretTracker, max_flows,
                       SECRET_TRACKER_DEFAULT_MAX_FLOWS),
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
