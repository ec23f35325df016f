/*
 * secret-tracker device: what its own files share
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_INTERNAL_H
#define HW_MISC_SECRET_TRACKER_INTERNAL_H

#include "hw/misc/secret-tracker/secret-tracker.h"
#include "hw/misc/secret-tracker/engine/engine.h"

/* secret-tracker-publish.c: SECRET_FLOW events and log lines. */
void secret_tracker_publish_init(SecretTracker *s);
void secret_tracker_publish_cleanup(SecretTracker *s);
/* The engine's new-flow callback (vCPU thread, lock held). */
void secret_tracker_new_flow(void *opaque, const StEngineFlowInfo *f);

/* secret-tracker-qapi.c: engine records as QAPI objects (lock held). */
SecretFlow *secret_tracker_flow_to_qapi(StEngine *e,
                                        const StEngineFlowInfo *f);

#endif /* HW_MISC_SECRET_TRACKER_INTERNAL_H */
