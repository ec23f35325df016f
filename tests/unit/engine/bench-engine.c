/*
 * secret-tracker: cost of the engine's hot path per hooked syscall
 *
 * Usage: bench-engine [ITERATIONS]
 * Prints, per hooked syscall, cycles (rdtsc, x86 only) spent in the entry
 * and in the exit call, nanoseconds per entry alone, and nanoseconds per
 * entry + exit (the exit called every time, as with an always-armed
 * return hook) for: writes by untracked processes, a write by a tracked
 * process that aggregates into an existing edge, reads by an untracked
 * process of an untracked (cached) fd while secrets exist, reads of a
 * tainted file and of a tainted pipe.  Numbers are measured, never
 * asserted.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#ifdef BENCH_HAVE_TSC           /* set by meson where __rdtsc() exists */
#include <x86intrin.h>
#endif
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/engine/engine.h"

#define BENCH_DEV 0x801

static uint64_t bench_cycles(void)
{
#ifdef BENCH_HAVE_TSC
    return __rdtsc();
#else
    return 0;
#endif
}

/*
 * fd N of any process is inode 1000 + N; fd 3 is the secret; fds 7 and up
 * are pipes (fd 7: a tainted one).
 */
static bool bench_resolve_fd(void *opaque, const StEngineTask *task, int fd,
                             StEngineObject *out)
{
    out->kind = fd >= 7 ? ST_ENGINE_KIND_PIPE : ST_ENGINE_KIND_FILE;
    out->dev = fd >= 7 ? 0xc : BENCH_DEV;
    out->ino = 1000 + fd;
    out->path_handle[0] = 1;
    return true;
}

typedef struct BenchResult {
    double entry_cycles;
    double exit_cycles;
    double entry_ns;
    double ns;
} BenchResult;

static double bench_overhead;

/*
 * Entry + exit of syscall @nr on @fd, by @ntasks tasks in turn.  Cycles
 * come from an rdtsc-instrumented pass, ns from plain passes: entries
 * alone, then entries each followed by its exit.
 */
static BenchResult bench_run(StEngine *e, const StEngineTask *tasks,
                             unsigned ntasks, unsigned nr, int fd, long iters)
{
    uint64_t args[ST_ENGINE_NR_ARGS] = { fd, 0x1000, 64, 0, 0, 0 };
    uint64_t entry = 0, exit = 0;
    BenchResult r;
    gint64 t0;
    long i;

    for (i = 0; i < iters; i++) {
        const StEngineTask *t = &tasks[i % ntasks];
        uint64_t c0 = bench_cycles();
        uint64_t c1, c2;

        st_engine_syscall_entry(e, t, nr, args, i);
        c1 = bench_cycles();
        st_engine_syscall_exit(e, t, nr, 64, i);
        c2 = bench_cycles();
        entry += c1 - c0;
        exit += c2 - c1;
    }
    t0 = g_get_monotonic_time();
    for (i = 0; i < iters; i++) {
        st_engine_syscall_entry(e, &tasks[i % ntasks], nr, args, i);
    }
    r.entry_ns = (double)(g_get_monotonic_time() - t0) * 1000.0 / iters;
    t0 = g_get_monotonic_time();
    for (i = 0; i < iters; i++) {
        const StEngineTask *t = &tasks[i % ntasks];

        st_engine_syscall_entry(e, t, nr, args, i);
        st_engine_syscall_exit(e, t, nr, 64, i);
    }
    r.ns = (double)(g_get_monotonic_time() - t0) * 1000.0 / iters;
    r.entry_cycles = (double)entry / iters - bench_overhead;
    r.exit_cycles = (double)exit / iters - bench_overhead;
    return r;
}

static void bench_print(const char *what, BenchResult r)
{
    printf("%-46s entry %6.1f exit %6.1f cycles  %6.1f ns/entry"
           " %6.1f ns/entry+exit\n", what, r.entry_cycles, r.exit_cycles,
           r.entry_ns, r.ns);
}

static StEngineTask bench_task(uint32_t pid, const char *comm)
{
    StEngineTask t = {
        .tid = pid, .tid_start_time = pid, .tgid = pid, .start_time = pid,
        .ppid = 1, .parent_start_time = 1, .details = true,
    };

    g_strlcpy(t.comm, comm, sizeof(t.comm));
    return t;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 2000000;
    StEngineConfig cfg = { .ops = { .resolve_fd = bench_resolve_fd } };
    StEngineTask idle = bench_task(10, "idle");
    StEngineTask cat = bench_task(20, "cat");
    StEngineTask crowd[64];
    StEngine *e = st_engine_new(&cfg);
    uint64_t args[ST_ENGINE_NR_ARGS] = { 3, 0x1000, 64, 0, 0, 0 };
    uint64_t overhead = 0;
    StEngineCounters c;
    long i;

    if (iters <= 0) {
        fprintf(stderr, "usage: %s [ITERATIONS]\n", argv[0]);
        return 1;
    }
    for (i = 0; i < 64; i++) {
        crowd[i] = bench_task(1000 + i, "crowd");
    }
    for (i = 0; i < 100000; i++) {
        uint64_t c0 = bench_cycles();

        overhead += bench_cycles() - c0;
    }
    bench_overhead = (double)overhead / 100000;
#ifdef BENCH_HAVE_TSC
    printf("%ld iterations; rdtsc overhead %.1f cycles (subtracted)\n",
           iters, bench_overhead);
#else
    printf("%ld iterations; no TSC on this host: cycles read 0\n", iters);
#endif

    bench_print("write, untracked process, no secrets",
                bench_run(e, &idle, 1, ST_NR_WRITE, 4, iters));

    /* cat reads the secret (fd 3) and becomes tracked. */
    st_engine_register_inode(e, BENCH_DEV, 1003, "S", NULL);
    st_engine_syscall_entry(e, &cat, ST_NR_READ, args, 0);
    st_engine_syscall_exit(e, &cat, ST_NR_READ, 64, 0);

    bench_print("write, untracked process",
                bench_run(e, &idle, 1, ST_NR_WRITE, 4, iters));
    bench_print("write, 64 untracked processes in turn",
                bench_run(e, crowd, 64, ST_NR_WRITE, 4, iters));
    bench_print("read, untracked fd (cached), untracked process",
                bench_run(e, &idle, 1, ST_NR_READ, 5, iters));
    bench_print("write, tracked process, existing edge",
                bench_run(e, &cat, 1, ST_NR_WRITE, 4, iters));
    bench_print("read, tracked file, tracked process, same edge",
                bench_run(e, &cat, 1, ST_NR_READ, 3, iters));
    /* cat writes into pipe 7; then it reads from it. */
    args[0] = 7;
    st_engine_syscall_entry(e, &cat, ST_NR_WRITE, args, 0);
    st_engine_syscall_exit(e, &cat, ST_NR_WRITE, 64, 0);
    bench_print("read, tainted pipe, tracked process, same edge",
                bench_run(e, &cat, 1, ST_NR_READ, 7, iters));
    bench_print("getpid (no family)",
                bench_run(e, &cat, 1, ST_NR_GETPID, 0, iters));

    st_engine_get_counters(e, &c);
    printf("flows %" PRIu64 ", nodes %" PRIu64 ", fd resolutions %" PRIu64
           ", cache hits %" PRIu64 "\n", c.flows, c.nodes, c.fd_resolutions,
           c.fd_cache_hits);
    st_engine_free(e);
    return 0;
}
