/*
 * secret-tracker: the link between the guest (execution hooks, Linux
 * introspection) and the tracking engine
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_GUEST_H
#define HW_MISC_SECRET_TRACKER_GUEST_H

#include "hw/misc/secret-tracker/secret-tracker.h"
#include "hw/misc/secret-tracker/engine/engine.h"

/* The introspection callbacks the engine calls while fed by the hooks. */
void secret_tracker_guest_engine_ops(SecretTracker *s, StEngineOps *ops,
                                     void **opaque);

/*
 * Load the profile file (if any) and start waiting for the guest kernel
 * to set up its system call entry.
 */
bool secret_tracker_guest_realize(SecretTracker *s, Error **errp);
void secret_tracker_guest_unrealize(SecretTracker *s);

/* Resolve the paths the engine asked for, soon, from the main loop. */
void secret_tracker_guest_kick(SecretTracker *s);
/* ... or now (main loop only). */
void secret_tracker_guest_resolve_paths(SecretTracker *s);

/* Fill the guest part of query-secret-tracker. */
void secret_tracker_guest_fill_info(SecretTracker *s,
                                    SecretTrackerInfo *info);

/* Events dropped because guest memory could not be read. */
uint64_t secret_tracker_guest_read_errors(SecretTracker *s);

void secret_tracker_set_state(SecretTracker *s, SecretTrackerState state,
                              const char *error);

#endif /* HW_MISC_SECRET_TRACKER_GUEST_H */
