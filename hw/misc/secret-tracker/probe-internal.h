/*
 * secret-tracker: the probe's private state, shared by probe*.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_PROBE_INTERNAL_H
#define HW_MISC_SECRET_TRACKER_PROBE_INTERNAL_H

#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "exec/exec-hook.h"
#include "hw/misc/secret-tracker/probe.h"
#include "hw/misc/secret-tracker/vmi/guest-mem.h"
#include "hw/misc/secret-tracker/vmi/linux-io-uring.h"
#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"
#include "hw/misc/secret-tracker/vmi/linux-readers.h"

/*
 * Where the guest kernel is stopped (docs/devel/secret-tracker-hooks.rst,
 * "Hook sites").  The dispatchers come from kallsyms; a kernel without
 * them (5.10) is hooked where syscall_enter_from_user_mode returns, or
 * at its entry.
 */
typedef enum StProbeSite {
    ST_SITE_SYSCALL64,  /* x64_sys_call(regs, nr), or see StProbeEntry */
    ST_SITE_RETURN64,   /* where x64_sys_call returns, or the sysretq */
    ST_SITE_SYSCALL32,  /* ia32_sys_call(regs, nr): every compat entry */
    ST_SITE_INT80,      /* int 0x80, where there is no ia32_sys_call */
    ST_SITE_FAST32,     /* sysenter and compat syscall, likewise */
    ST_SITE_IO_URING,   /* io_issue_sqe(req, flags): every io_uring op */
    ST_SITE_RETURN32,   /* where ia32_sys_call returns: int 0x80 */
    ST_SITE_RETURN32F,  /* ... and sysenter or the compat syscall */
    ST_SITE_COREDUMP,   /* elf_core_dump(cprm): the core file is open */
    ST_SITE__COUNT
} StProbeSite;

/* What the 64-bit entry hook sees */
typedef enum StProbeEntry {
    ST_ENTRY_LSTAR,         /* entry_SYSCALL_64: the user's registers */
    ST_ENTRY_TRACED,        /* after syscall_enter_from_user_mode: RAX */
    ST_ENTRY_DISPATCHER,    /* x64_sys_call(regs, nr) */
} StProbeEntry;

/*
 * One guest kernel: its profile, symbols, page-table root and hooks.
 * Built and checked from the main loop, then published (RCU) before any
 * hook is armed, and never changed afterwards; hook callbacks read it
 * under rcu_read_lock() and a new kernel (reset, kexec) replaces it.
 */
typedef struct StProbeKernel {
    struct rcu_head rcu;
    unsigned generation;        /* tells per-vCPU state which kernel */
    StLinuxProfile *prof;       /* owned, unless it is the probe's ISF */
    bool prof_owned;
    StKallsyms *ksyms;          /* NULL: no symbol table found */
    char *ksyms_error;          /* why not, for query-secret-tracker */
    StGuestVm vm;               /* kernel half, from init_top_pgt */
    bool root_from_symbols;     /* else the CR3 seen at arm time */
    uint64_t lstar;
    StProbeEntry entry;         /* after ptrace and seccomp, unless LSTAR */
    uint64_t site[ST_SITE__COUNT];
    ExecHook *hook[ST_SITE__COUNT];
    bool return_on_demand;      /* RETURN64 armed per vCPU when needed */
    bool coredump_takes_turns;  /* KVM: COREDUMP in RETURN64's register */
    bool io_uring_decode;       /* the profile has io_uring's structs */
} StProbeKernel;

/* What a vCPU's return hook waits for (returns of these tasks). */
#define ST_PROBE_EXPECT 4
#define ST_PROBE_IDLE_RETURNS 16

typedef struct StProbeExpect {
    uint32_t tid;
    uint64_t tid_start_time;
} StProbeExpect;

/* Per vCPU; touched only on that vCPU's thread. */
typedef struct StProbeVcpu {
    unsigned generation;        /* the kernel this state belongs to */
    StGuestTlb tlb;
    StGuestVm vm;               /* the kernel's root, with our TLB */
    StLinuxKernel kernel;
    uint64_t percpu;            /* kernel per-CPU base, 0: unknown */
    bool return_armed;
    unsigned n_expect;
    StProbeExpect expect[ST_PROBE_EXPECT];
    unsigned idle_returns;
} StProbeVcpu;

struct SecretTrackerProbe {
    SecretTrackerProbeConfig cfg;
    QemuMutex *lock;
    StEngine *engine;
    QEMUTimer *poll;
    QEMUBH *paths_bh;
    StGuestMem mem;
    StLinuxProfile *isf;        /* from the profile file, if any */

    /* The published kernel (RCU); changed with the BQL held. */
    StProbeKernel *kernel;
    unsigned generation;
    uint64_t lstar;             /* the LSTAR it was found from */
    bool validated;
    bool failed;                /* tracking off until the next reset */
    unsigned arm_tries;         /* failed tries to find the kernel */
    bool kexec_pending;         /* reboot(KEXEC) seen: hooks are off */
    int64_t kexec_ms;
    uint64_t kexec_jiffies;     /* the kernel's jiffies_64 then */
    uint64_t jiffies_va;        /* &jiffies_64, 0: unknown */
    uint64_t liveness_cursor;   /* st_engine_live_processes() */
    unsigned dcache_generation; /* patterns looked up for this kernel */

    StProbeVcpu vcpu[EXEC_HOOK_MAX_VCPUS];

    /* The vCPU of the event being fed to the engine (lock held). */
    StProbeVcpu *ev;
    uint64_t ev_task;
    const StLinuxIoUringReq *ev_io;     /* an io_uring request's */
    uint64_t ev_file;           /* a core dump's file, as its fd 0 */

    /* Main-loop reads (paths): the kernel's root, its own cache. */
    StGuestTlb main_tlb;
    StGuestVm main_vm;
    StLinuxKernel main_kernel;

    uint64_t read_errors;
    uint64_t alerts_compat64;   /* a compat syscall from 64-bit code */
    uint64_t alerts_trap_flag;  /* RFLAGS.TF set around a syscall */
    uint64_t returns_unavailable; /* a return wanted, no hook to take it */
    uint64_t io_uring_ops;
    uint64_t compat_calls;
};

/* probe.c */
void st_probe_set_state(SecretTrackerProbe *p, SecretTrackerState state,
                        const char *error);
/* The per-vCPU state of @cpu for kernel @k, (re)initialised if stale */
StProbeVcpu *st_probe_vcpu(SecretTrackerProbe *p, CPUState *cpu,
                           const StProbeKernel *k);
/* reboot(LINUX_REBOOT_CMD_KEXEC) is on its way: stop every hook now */
void st_probe_kexec(SecretTrackerProbe *p, const StProbeKernel *k);

/* probe-kernel.c: find and check a guest kernel (main loop) */
StProbeKernel *st_probe_kernel_new(SecretTrackerProbe *p, uint64_t lstar,
                                   uint64_t cr3, uint64_t cr4,
                                   GError **errp);
void st_probe_kernel_free(StProbeKernel *k);
const char *st_probe_site_name(StProbeSite site);

/* probe-events.c: the hook callbacks */
void st_probe_syscall64(const ExecHookEvent *ev, void *opaque);
void st_probe_return64(const ExecHookEvent *ev, void *opaque);
void st_probe_syscall32(const ExecHookEvent *ev, void *opaque);
void st_probe_return32(const ExecHookEvent *ev, void *opaque);
void st_probe_io_uring(const ExecHookEvent *ev, void *opaque);
void st_probe_coredump(const ExecHookEvent *ev, void *opaque);

/* probe-engine-ops.c */
void st_probe_fill_engine_ops(StEngineOps *ops);
char *st_probe_queued_path(const StLinuxKernel *kernel,
                           const StEngineObject *obj);
unsigned st_probe_user_alternatives(SecretTrackerProbe *p,
                                    const StGuestVm *mm, StGuestVm *alt);
void st_probe_user_trace_root(uint64_t va, const StGuestVm *mm,
                              const StGuestVm *used);

/* probe-dcache.c: every registered pattern, once the kernel is known */
void st_probe_find_patterns(SecretTrackerProbe *p);

#endif /* HW_MISC_SECRET_TRACKER_PROBE_INTERNAL_H */
