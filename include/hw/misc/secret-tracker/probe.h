/*
 * secret-tracker: the probe, from execution-hook hits to engine facts
 *
 * The probe waits for the guest kernel to set up its system-call entry,
 * finds the kernel's profile and hook sites, arms execution hooks, and
 * turns every hit into engine calls through the introspection layer.  It
 * knows nothing of the device: it is given the engine, the lock that
 * serialises it, and a callback for its state changes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_PROBE_H
#define HW_MISC_SECRET_TRACKER_PROBE_H

#include "qemu/thread.h"
#include "qapi/qapi-types-secret-tracker.h"
#include "hw/misc/secret-tracker/engine/engine.h"

typedef struct SecretTrackerProbe SecretTrackerProbe;

/* Called with neither the lock nor (always) the BQL held. */
typedef void (*SecretTrackerProbeStateFn)(void *opaque,
                                          SecretTrackerState state,
                                          const char *error);

typedef struct SecretTrackerProbeConfig {
    QemuMutex *lock;            /* serialises every call into the engine */
    SecretTrackerProbeStateFn state_changed;
    void *opaque;
    const char *profile;        /* an ISF file, or NULL: the guest's BTF */
} SecretTrackerProbeConfig;

/**
 * secret_tracker_probe_new: load the profile file (if any).
 * Returns: the probe, or NULL with @errp set.
 */
SecretTrackerProbe *secret_tracker_probe_new(
    const SecretTrackerProbeConfig *cfg, Error **errp);

/* The introspection callbacks the engine must be created with. */
void secret_tracker_probe_engine_ops(SecretTrackerProbe *p, StEngineOps *ops,
                                     void **opaque);

/* Start watching the guest kernel; hits feed @engine from then on. */
void secret_tracker_probe_start(SecretTrackerProbe *p, StEngine *engine);

/* Disarm and free; the engine stays the caller's.  BQL held. */
void secret_tracker_probe_free(SecretTrackerProbe *p);

/* The machine was reset: a new boot will come.  BQL held. */
void secret_tracker_probe_reset(SecretTrackerProbe *p);

/* Resolve the paths the engine asked for: soon, or now (main loop). */
void secret_tracker_probe_kick(SecretTrackerProbe *p);
void secret_tracker_probe_resolve_paths(SecretTrackerProbe *p);

/*
 * Label the files @pattern (just registered with the engine) names that
 * the guest's dentry cache holds, now.  BQL held, the lock not held.
 */
void secret_tracker_probe_find_pattern(SecretTrackerProbe *p,
                                       const char *pattern);
/* Fill the probe's part of query-secret-tracker. */
void secret_tracker_probe_fill_info(SecretTrackerProbe *p,
                                    SecretTrackerInfo *info);

/* Events dropped because guest memory could not be read. */
uint64_t secret_tracker_probe_read_errors(SecretTrackerProbe *p);
/* Suspicious system calls seen: int 0x80 from 64-bit code, RFLAGS.TF */
void secret_tracker_probe_alerts(SecretTrackerProbe *p, uint64_t *compat64,
                                 uint64_t *trap_flag);

#endif /* HW_MISC_SECRET_TRACKER_PROBE_H */
