/*
 * secret-tracker probe: label the files a pattern names when it is
 * registered, from the guest's dentry cache
 *
 * First use (engine-fs.c) labels a file when an fd naming it is used and
 * its path, or another cached name of it, matches.  A file whose name
 * has left the cache by then (a hard link opened after the cache was
 * shrunk) would be missed: looking the pattern up at registration labels
 * its inode while its name is still cached.  Main loop only: the lookup
 * reads guest memory for a while, never on a hook.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "probe-internal.h"
#include "trace.h"

typedef struct StDcacheHit {
    uint64_t dev;
    uint64_t ino;
    char *path;
} StDcacheHit;

static void st_dcache_hit_clear(gpointer data)
{
    g_free(((StDcacheHit *)data)->path);
}

static void st_dcache_collect(void *opaque, const char *path, uint64_t dev,
                              uint64_t ino)
{
    StDcacheHit hit = { .dev = dev, .ino = ino, .path = g_strdup(path) };

    g_array_append_val((GArray *)opaque, hit);
}

void secret_tracker_probe_find_pattern(SecretTrackerProbe *p,
                                       const char *pattern)
{
    StProbeKernel *k = p->kernel;   /* main loop: the BQL keeps it */
    g_autoptr(GArray) hits = g_array_new(false, false, sizeof(StDcacheHit));
    g_autoptr(GError) err = NULL;
    StLinuxDcacheStats stats;
    int64_t start = g_get_monotonic_time();
    uint64_t init_task;
    unsigned i, labelled = 0;
    bool ok;

    if (!k || !p->engine || !p->main_kernel.prof ||
        !qatomic_read(&p->validated)) {
        return;                 /* done once the kernel is known */
    }
    g_array_set_clear_func(hits, st_dcache_hit_clear);
    if (!k->ksyms || !st_kallsyms_address(k->ksyms, "init_task", &init_task,
                                          &err)) {
        trace_secret_tracker_probe_dcache_error(pattern, err ? err->message :
                                                "no kernel symbol table");
        return;
    }
    ok = st_linux_dcache_find(&p->main_kernel, init_task, pattern,
                              st_dcache_collect, hits, &stats, &err);
    qemu_mutex_lock(p->lock);
    for (i = 0; i < hits->len; i++) {
        StDcacheHit *hit = &g_array_index(hits, StDcacheHit, i);
        g_autoptr(GError) lerr = NULL;

        if (st_engine_pattern_found(p->engine, pattern, hit->dev, hit->ino,
                                    hit->path, &lerr)) {
            labelled++;
            trace_secret_tracker_probe_dcache_found(pattern, hit->path,
                                                    hit->dev, hit->ino);
        } else {
            trace_secret_tracker_probe_dcache_error(pattern, lerr->message);
        }
    }
    qemu_mutex_unlock(p->lock);
    if (!ok) {
        trace_secret_tracker_probe_dcache_error(pattern, err->message);
    }
    trace_secret_tracker_probe_dcache(pattern, labelled, stats.visited,
                                      stats.truncated,
                                      g_get_monotonic_time() - start);
}

void st_probe_find_patterns(SecretTrackerProbe *p)
{
    g_autoptr(GPtrArray) globs = g_ptr_array_new_with_free_func(g_free);
    const char *glob;
    unsigned i;

    if (!p->engine) {
        return;
    }
    /* Copied under the lock: the lookup runs without it */
    qemu_mutex_lock(p->lock);
    for (i = 0; (glob = st_engine_pattern_glob(p->engine, i)); i++) {
        g_ptr_array_add(globs, g_strdup(glob));
    }
    qemu_mutex_unlock(p->lock);
    for (i = 0; i < globs->len; i++) {
        secret_tracker_probe_find_pattern(p, g_ptr_array_index(globs, i));
    }
}
