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

/* secret-tracker-log.c: the flow log (main loop only). */
SecretTrackerLog *secret_tracker_log_open(const char *path, CharBackend *chr,
                                          uint64_t max_size,
                                          uint32_t max_queue, Error **errp);
void secret_tracker_log_close(SecretTrackerLog *l);
/* Queue @line (taken over, without its newline) and write what can be. */
void secret_tracker_log_line(SecretTrackerLog *l, GString *line);
bool secret_tracker_log_reopen(SecretTrackerLog *l, Error **errp);
SecretTrackerLogInfo *secret_tracker_log_info(SecretTrackerLog *l,
                                              const char *format);

/* secret-tracker-format.c: one log line per flow, without newline. */
GString *secret_tracker_format_native(SecretFlow *flow, int64_t realtime_us);
GString *secret_tracker_format_ecs(SecretFlow *flow, int64_t realtime_us);

/* secret-tracker-qapi.c: engine records as QAPI objects (lock held). */
SecretFlow *secret_tracker_flow_to_qapi(StEngine *e,
                                        const StEngineFlowInfo *f);

#endif /* HW_MISC_SECRET_TRACKER_INTERNAL_H */
