/*
 * secret-tracker engine: file names (first-use labelling, rename, unlink)
 *
 * A file becomes secret when an fd naming it is first used and a
 * registered glob matches its path, or one of its other names (its name
 * in its filesystem where the fd shows a bind mount's view, the names of
 * its cached hard links), however it was opened (open_by_handle_at, an
 * fd opened before the pattern existed), or when it lives on a
 * filesystem on a tainted block device.  Renames and
 * unlinks are matched by path against the tracked files' known paths;
 * their paths are read at entry, applied at a successful return.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <fnmatch.h>
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

/*
 * Can a pattern match @obj, judging by its file name alone?  A file name
 * is cheap; a full path is a walk up the guest's dentries.
 */
static bool st_name_may_match(StEngine *e, const StEngineObject *obj)
{
    unsigned i;

    if (!e->cfg.ops.get_name ||
        !e->cfg.ops.get_name(e->cfg.opaque, obj, e->path_buf,
                             sizeof(e->path_buf))) {
        return true;
    }
    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    for (i = 0; i < e->patterns->len; i++) {
        StPattern *pat = g_ptr_array_index(e->patterns, i);

        if (!pat->base || fnmatch(pat->base, e->path_buf, FNM_PATHNAME) == 0) {
            return true;
        }
    }
    return false;
}

/* The labels of the patterns the path in e->path_buf matches */
static uint64_t st_path_buf_labels(StEngine *e)
{
    uint64_t mask = 0;
    unsigned i;

    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    for (i = 0; i < e->patterns->len; i++) {
        StPattern *pat = g_ptr_array_index(e->patterns, i);

        if (fnmatch(pat->glob, e->path_buf, FNM_PATHNAME) == 0) {
            mask |= 1ull << pat->label;
        }
    }
    return mask;
}

/*
 * The labels of the patterns @obj's path, or else one of its other
 * names, matches; @path set to the name matched, if any.
 */
static uint64_t st_pattern_labels(StEngine *e, const StEngineObject *obj,
                                  char **path)
{
    uint64_t mask = 0;
    unsigned i;

    if (!e->patterns->len || !e->cfg.ops.get_path ||
        !st_kind_has_path(obj->kind)) {
        return 0;
    }
    if (st_name_may_match(e, obj)) {
        if (e->cfg.ops.get_path(e->cfg.opaque, obj, e->path_buf,
                                sizeof(e->path_buf))) {
            mask = st_path_buf_labels(e);
        } else {
            e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        }
    }
    /* A hard link's name can be anything: aliases skip the name filter */
    for (i = 0; !mask && e->cfg.ops.get_alias && i < ST_ENGINE_ALIASES_MAX &&
         e->cfg.ops.get_alias(e->cfg.opaque, obj, i, e->path_buf,
                              sizeof(e->path_buf)); i++) {
        mask = st_path_buf_labels(e);
    }
    if (mask) {
        *path = g_strdup(e->path_buf);
    }
    return mask;
}

/*
 * @obj was just resolved for an fd (or is used again after a new pattern
 * or device taint): label it if a pattern names it, or if it lives on a
 * tainted block device, before any rule applies to it.
 */
void st_first_use(StEngine *e, const StEngineObject *obj, uint64_t now)
{
    StInodeKey key = { .dev = obj->dev, .ino = obj->ino };
    StNode *dev = NULL, *n;
    uint64_t mask, dev_labels = 0;
    char *path = NULL;

    if (!e->patterns->len && !g_hash_table_size(e->devices)) {
        return;
    }
    if (!st_kind_has_path(obj->kind)) {
        return;                 /* pipes and sockets have no name */
    }
    if (g_hash_table_size(e->devices)) {
        dev = g_hash_table_lookup(e->devices, &obj->dev);
        dev_labels = dev ? dev->info.labels : 0;
    }
    mask = st_pattern_labels(e, obj, &path);
    n = g_hash_table_lookup(e->inodes, &key);
    if (n && !(mask & ~n->info.labels) && !(dev_labels & ~n->info.labels) &&
        (!mask || n->info.registered)) {
        g_free(path);
        return;                 /* nothing new */
    }
    if (!mask && !dev_labels) {
        return;
    }
    n = st_object_node_with_path(e, obj, true, path, now);
    if (!n) {
        return;
    }
    e->counters.first_use_labels++;
    if (mask) {
        n->info.labels |= mask;
        n->info.registered = true;
        st_node_set_evictable(e, n);
    }
    if (dev_labels & ~n->info.labels) {
        st_node_use(e, dev);
        n->info.labels |= dev_labels;
        st_flow_record(e, dev, n, ST_ENGINE_FAMILY_TRANSFER, e->event_nr, 1,
                       0, dev_labels, now, now);
    }
}

/* Is @dir a directory above some tracked file's known path? */
static bool st_path_holds_tracked(StEngine *e, const char *dir)
{
    size_t len = strlen(dir);
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, e->paths);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        const char *path = key;

        if (strncmp(path, dir, len) == 0 && path[len] == '/') {
            return true;
        }
    }
    return false;
}

/*
 * A rename's paths are read at entry (a sibling thread may rewrite them
 * later); the return is wanted only if they concern a tracked path.
 */
/* The (dirfd, pointer) pairs of a rename's two path arguments. */
static void st_rename_args(unsigned nr, const uint64_t *args, int *old_dfd,
                           uint64_t *old_ptr, int *new_dfd, uint64_t *new_ptr)
{
    *old_dfd = *new_dfd = ST_AT_FDCWD;
    if (nr == ST_NR_RENAME) {
        *old_ptr = args[0];
        *new_ptr = args[1];
    } else {
        *old_dfd = (int)args[0];
        *old_ptr = args[1];
        *new_dfd = (int)args[2];
        *new_ptr = args[3];
    }
}

/* The path argument of an unlink. */
static void st_unlink_arg(unsigned nr, const uint64_t *args, int *dfd,
                          uint64_t *ptr)
{
    *dfd = nr == ST_NR_UNLINK ? ST_AT_FDCWD : (int)args[0];
    *ptr = nr == ST_NR_UNLINK ? args[0] : args[1];
}

/* Read the path arguments into path_buf (and second_path_buf). */
static bool st_read_paths(StEngine *e, const StEngineTask *task,
                          unsigned nr, const uint64_t *args, bool rename)
{
    int dfd, new_dfd;
    uint64_t ptr, new_ptr;
    bool ok;

    if (rename) {
        st_rename_args(nr, args, &dfd, &ptr, &new_dfd, &new_ptr);
    } else {
        st_unlink_arg(nr, args, &dfd, &ptr);
    }
    ok = e->cfg.ops.read_path_arg(e->cfg.opaque, task, dfd, ptr,
                                  e->path_buf, ST_ENGINE_PATH_MAX) &&
         (!rename ||
          e->cfg.ops.read_path_arg(e->cfg.opaque, task, new_dfd, new_ptr,
                                   e->second_path_buf, ST_ENGINE_PATH_MAX));
    e->path_buf[ST_ENGINE_PATH_MAX - 1] = '\0';
    e->second_path_buf[ST_ENGINE_PATH_MAX - 1] = '\0';
    return ok;
}

/* Does the rename or unlink in path_buf (second_path_buf) concern us? */
static bool st_paths_relevant(StEngine *e, bool rename)
{
    if (!rename) {
        return g_hash_table_contains(e->paths, e->path_buf);
    }
    return g_hash_table_contains(e->paths, e->path_buf) ||
           g_hash_table_contains(e->paths, e->second_path_buf) ||
           st_path_holds_tracked(e, e->path_buf);
}

static void st_want_paths(StEngine *e, StWant *want, bool rename)
{
    want->mask |= rename ? ST_WANT_RENAME : ST_WANT_UNLINK;
    want->paths[0] = g_strdup(e->path_buf);
    if (rename) {
        want->paths[1] = g_strdup(e->second_path_buf);
    }
}

static void st_paths_entry(StEngine *e, const StEngineTask *task,
                           unsigned nr, const uint64_t *args, StWant *want,
                           bool rename)
{
    if (!e->cfg.ops.read_path_arg) {
        return;
    }
    st_node_paths_settle(e, ST_ENGINE_PATHS_SETTLE_MAX);
    if (!e->n_indexed_paths) {
        return;
    }
    if (!st_read_paths(e, task, nr, args, rename)) {
        want->mask |= ST_WANT_PATHS_LATE;
        return;
    }
    if (st_paths_relevant(e, rename)) {
        st_want_paths(e, want, rename);
    }
}

void st_rule_rename_entry(StEngine *e, const StEngineTask *task,
                          unsigned nr, const uint64_t *args, StWant *want)
{
    st_paths_entry(e, task, nr, args, want, true);
}

void st_rule_unlink_entry(StEngine *e, const StEngineTask *task,
                          unsigned nr, const uint64_t *args, StWant *want)
{
    if (nr == ST_NR_MQ_UNLINK) {
        /*
         * A queue's name lives in no directory a path names: only name
         * the queued nodes (the queue among them) before it goes.
         */
        st_node_paths_settle(e, ST_ENGINE_PATHS_SETTLE_MAX);
        return;
    }
    st_paths_entry(e, task, nr, args, want, false);
}

/* @n moves to @new_path (taken over): one rename edge per rename. */
static void st_rename_node(StEngine *e, StNode *n, char *new_path,
                           const StPending *p, uint64_t now)
{
    StEdge *edge = st_edge_new(e, n, n, ST_ENGINE_FAMILY_RENAME, p->nr, now);

    if (edge) {
        edge->info.count = 1;
        edge->info.labels = n->info.labels;
        edge->old_path = g_strdup(n->path);
        edge->new_path = g_strdup(new_path);
        edge->info.old_path = edge->old_path;
        edge->info.new_path = edge->new_path;
        st_edge_announce(e, edge);
    }
    st_node_take_path(e, n, new_path);
}

/* A rename returned success: apply the paths read at its entry. */
void st_rule_rename(StEngine *e, const StPending *p, uint64_t now)
{
    const char *old = p->want.paths[0], *new = p->want.paths[1];
    StNode *n, *victim;
    size_t old_len;
    GPtrArray *moved;
    unsigned i;

    /* A tracked file that the rename replaced is gone. */
    victim = g_hash_table_lookup(e->paths, new);
    n = g_hash_table_lookup(e->paths, old);
    if (victim && victim != n) {
        st_node_unindex_path(e, victim);
        victim->info.deleted = true;
    }
    if (n) {
        st_node_use(e, n);
        st_rename_node(e, n, g_strdup(new), p, now);
        return;
    }
    /* A directory: move the tracked files below it. */
    old_len = strlen(old);
    moved = g_ptr_array_new();
    QTAILQ_FOREACH(n, &e->node_order, order) {
        if (n->path && !n->info.deleted && st_kind_has_path(n->info.kind) &&
            strncmp(n->path, old, old_len) == 0 && n->path[old_len] == '/') {
            g_ptr_array_add(moved, n);
        }
    }
    for (i = 0; i < moved->len; i++) {
        n = g_ptr_array_index(moved, i);
        st_node_use(e, n);
        st_rename_node(e, n, g_strconcat(new, n->path + old_len, NULL), p,
                       now);
    }
    g_ptr_array_free(moved, TRUE);
}

/* An unlink returned success: the tracked file is gone. */
void st_rule_unlink(StEngine *e, const StPending *p)
{
    StNode *n = g_hash_table_lookup(e->paths, p->want.paths[0]);

    if (n) {
        st_node_unindex_path(e, n);
        n->info.deleted = true;
    }
}

/* A rename or unlink whose paths were unreadable at entry succeeded. */
void st_rule_paths_late(StEngine *e, const StPending *p, uint64_t now)
{
    bool rename = p->family == ST_ENGINE_FAMILY_RENAME;
    StPending late = *p;

    if (!st_read_paths(e, &p->task, p->nr, p->args, rename)) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return;
    }
    if (!st_paths_relevant(e, rename)) {
        return;
    }
    memset(&late.want, 0, sizeof(late.want));
    st_want_paths(e, &late.want, rename);
    if (rename) {
        st_rule_rename(e, &late, now);
    } else {
        st_rule_unlink(e, &late);
    }
    st_want_clear(&late.want);
}
