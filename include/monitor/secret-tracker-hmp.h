/*
 * secret-tracker: HMP commands
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef MONITOR_SECRET_TRACKER_HMP_H
#define MONITOR_SECRET_TRACKER_HMP_H

void hmp_info_secret_flows(Monitor *mon, const QDict *qdict);
void hmp_info_secret_files(Monitor *mon, const QDict *qdict);
void hmp_info_secret_processes(Monitor *mon, const QDict *qdict);
void hmp_info_secret_tracker(Monitor *mon, const QDict *qdict);
void hmp_secret_track_file(Monitor *mon, const QDict *qdict);
void hmp_secret_track_endpoint(Monitor *mon, const QDict *qdict);
void hmp_secret_log_reopen(Monitor *mon, const QDict *qdict);

#endif /* MONITOR_SECRET_TRACKER_HMP_H */
