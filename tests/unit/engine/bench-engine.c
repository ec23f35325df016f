/*
 * secret-tracker: cost of the engine's hot path per hooked syscall
 *
 * Usage: bench-engine [ITERATIONS]
 * Prints cycles (rdtsc, x86 only) and nanoseconds per entry and per exit
 * for: a write by an untracked process, a write by a tracked process that
 * aggregates into an existing edge, and a read by an untracked process of
 * an untracked (cached) fd while secrets exist.  Numbers are measured,
 * never asserted.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#ifdef BENCH_HAVE_TSC           /* set by meson where __rdtsc() exists */
#include <x86intrin.h>
#endif

#include "hw/misc/secret-tracker/engine.h"

#define BENCH_DEV 0x801

static uint64_t bench_cycles(void)
{
#ifdef BENCH_HAVE_TSC
    return __rdtsc();
#else
    return 0;
#endif
}

/* fd N of any process is inode 1000 + N; fd 3 is the secret. */
static bool bench_resolve_fd(void *opaque, const StEngineTask *task, int fd,
                             StEngineObject *out)
{
    out->kind = ST_ENGINE_KIND_FILE;
    out->dev = BENCH_DEV;
    out->ino = 1000 + fd;
    out->path_handle[0] = 1;
    return true;
}

typedef struct BenchResult {
    double entry_cycles;
    double exit_cycles;
    double ns;
} BenchResult;

static BenchResult bench_run(StEngine *e, const StEngineTask *task,
                             unsigned nr, int fd, long iters)
{
    uint64_t args[ST_ENGINE_NR_ARGS] = { fd, 0x1000, 64, 0, 0, 0 };
    uint64_t entry = 0, exit = 0;
    gint64 t0 = g_get_monotonic_time();
    BenchResult r;
    long i;

    for (i = 0; i < iters; i++) {
        uint64_t c0 = bench_cycles();
        uint64_t c1, c2;

        st_engine_syscall_entry(e, task, nr, args, i);
        c1 = bench_cycles();
        st_engine_syscall_exit(e, task, nr, 64, i);
        c2 = bench_cycles();
        entry += c1 - c0;
        exit += c2 - c1;
    }
    r.ns = (double)(g_get_monotonic_time() - t0) * 1000.0 / iters;
    r.entry_cycles = (double)entry / iters;
    r.exit_cycles = (double)exit / iters;
    return r;
}

static void bench_print(const char *what, BenchResult r, double overhead)
{
    printf("%-44s entry %7.1f  exit %7.1f cycles  (%.1f ns per pair)\n",
           what, r.entry_cycles - overhead, r.exit_cycles - overhead, r.ns);
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 2000000;
    StEngineConfig cfg = { .ops = { .resolve_fd = bench_resolve_fd } };
    StEngineTask idle = { .tid = 10, .tid_start_time = 10, .tgid = 10,
                          .start_time = 10, .ppid = 1, .comm = "idle" };
    StEngineTask cat = { .tid = 20, .tid_start_time = 20, .tgid = 20,
                         .start_time = 20, .ppid = 1, .comm = "cat" };
    StEngine *e = st_engine_new(&cfg);
    uint64_t args[ST_ENGINE_NR_ARGS] = { 3, 0x1000, 64, 0, 0, 0 };
    uint64_t overhead = 0;
    StEngineCounters c;
    long i;

    if (iters <= 0) {
        fprintf(stderr, "usage: %s [ITERATIONS]\n", argv[0]);
        return 1;
    }
    for (i = 0; i < 100000; i++) {
        uint64_t c0 = bench_cycles();

        overhead += bench_cycles() - c0;
    }
#ifdef BENCH_HAVE_TSC
    printf("rdtsc overhead %.1f cycles (subtracted)\n",
           (double)overhead / 100000);
#else
    printf("no TSC on this host: cycle columns are 0\n");
#endif

    /* No secrets at all: untracked write. */
    bench_print("write, untracked process, no secrets",
                bench_run(e, &idle, 1, 4, iters), (double)overhead / 100000);

    st_engine_register_inode(e, BENCH_DEV, 1003, "S", NULL);
    st_engine_syscall_entry(e, &cat, 0, args, 0);
    st_engine_syscall_exit(e, &cat, 0, 64, 0);

    bench_print("write, untracked process",
                bench_run(e, &idle, 1, 4, iters), (double)overhead / 100000);
    bench_print("read of untracked cached fd, untracked proc",
                bench_run(e, &idle, 0, 5, iters), (double)overhead / 100000);
    bench_print("write, tracked process, existing edge",
                bench_run(e, &cat, 1, 4, iters), (double)overhead / 100000);
    bench_print("getpid (no family)",
                bench_run(e, &cat, 39, 0, iters), (double)overhead / 100000);

    st_engine_get_counters(e, &c);
    printf("flows %" PRIu64 ", nodes %" PRIu64 ", fd resolutions %" PRIu64
           ", cache hits %" PRIu64 "\n", c.flows, c.nodes, c.fd_resolutions,
           c.fd_cache_hits);
    st_engine_free(e);
    return 0;
}
