/*
 * secret-tracker: the probe's private state, shared by probe*.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_PROBE_INTERNAL_H
#define HW_MISC_SECRET_TRACKER_PROBE_INTERNAL_H

#include "qemu/main-loop.h"
#include "exec/exec-hook.h"
#include "hw/misc/secret-tracker/probe.h"
#include "hw/misc/secret-tracker/vmi/guest-mem.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"
#include "hw/misc/secret-tracker/vmi/linux-readers.h"

struct SecretTrackerProbe {
    SecretTrackerProbeConfig cfg;
    QemuMutex *lock;
    StEngine *engine;
    QEMUTimer *poll;
    QEMUBH *paths_bh;

    /* What is armed; changed with the BQL and the lock held. */
    uint64_t lstar;
    uint64_t sysret;
    ExecHook *entry_hook;
    ExecHook *exit_hook;
    StLinuxProfile *isf;        /* from the profile file, if any */
    StLinuxProfile *prof;       /* the profile in use */
    StGuestMem mem;
    StGuestVm vm;
    StLinuxKernel kernel;
    bool validated;
    bool failed;                /* tracking off until the next reset */

    /* Per-vCPU kernel per-CPU base (KERNEL_GS_BASE at syscall entry). */
    uint64_t percpu[EXEC_HOOK_MAX_VCPUS];

    /* The task of the event being fed to the engine (lock held). */
    uint64_t ev_task;

    uint64_t read_errors;
};

/* probe.c */
void st_probe_set_state(SecretTrackerProbe *p, SecretTrackerState state,
                        const char *error);

/* probe-events.c: the hook callbacks */
void st_probe_entry(const ExecHookEvent *ev, void *opaque);
void st_probe_exit(const ExecHookEvent *ev, void *opaque);

/* probe-engine-ops.c */
void st_probe_fill_engine_ops(StEngineOps *ops);

#endif /* HW_MISC_SECRET_TRACKER_PROBE_INTERNAL_H */
