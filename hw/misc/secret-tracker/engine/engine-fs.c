/*
 * secret-tracker engine: file names (open patterns, rename, unlink)
 *
 * A file opened under a registered glob becomes secret.  Renames and
 * unlinks are matched by path against the tracked files' known paths.
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
static bool st_open_may_match(StEngine *e, const StEngineObject *obj)
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

void st_rule_open(StEngine *e, const StPending *p, int64_t ret, uint64_t now)
{
    StEngineObject obj;
    uint64_t mask = 0;
    StNode *n;
    unsigned i;

    st_fd_cache_forget(e, p->task.tgid, p->task.start_time, (int)ret);
    if (!st_fd_lookup(e, &p->task, (int)ret, &obj, true)) {
        return;
    }
    if (!st_kind_has_path(obj.kind) || !e->cfg.ops.get_path ||
        !st_open_may_match(e, &obj)) {
        return;
    }
    if (!e->cfg.ops.get_path(e->cfg.opaque, &obj, e->path_buf,
                             sizeof(e->path_buf))) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return;
    }
    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    for (i = 0; i < e->patterns->len; i++) {
        StPattern *pat = g_ptr_array_index(e->patterns, i);

        if (fnmatch(pat->glob, e->path_buf, FNM_PATHNAME) == 0) {
            mask |= 1ull << pat->label;
        }
    }
    n = st_object_node_with_path(e, &obj, mask != 0, g_strdup(e->path_buf),
                                 now);
    if (n && mask) {
        n->info.labels |= mask;
        n->info.registered = true;
    }
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

void st_rule_rename(StEngine *e, const StPending *p, uint64_t now)
{
    int old_dfd = ST_AT_FDCWD, new_dfd = ST_AT_FDCWD;
    uint64_t old_ptr, new_ptr;
    const char *old = e->path_buf, *new = e->second_path_buf;
    StNode *n, *victim;
    size_t old_len;
    GPtrArray *moved;
    unsigned i;

    if (!e->cfg.ops.read_path_arg) {
        return;
    }
    if (p->nr == ST_NR_RENAME) {
        old_ptr = p->args[0];
        new_ptr = p->args[1];
    } else {
        old_dfd = (int)p->args[0];
        old_ptr = p->args[1];
        new_dfd = (int)p->args[2];
        new_ptr = p->args[3];
    }
    if (!e->cfg.ops.read_path_arg(e->cfg.opaque, &p->task, old_dfd, old_ptr,
                                  e->path_buf, sizeof(e->path_buf)) ||
        !e->cfg.ops.read_path_arg(e->cfg.opaque, &p->task, new_dfd, new_ptr,
                                  e->second_path_buf,
                                  sizeof(e->second_path_buf))) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return;
    }
    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    e->second_path_buf[sizeof(e->second_path_buf) - 1] = '\0';

    /* A tracked file that the rename replaced is gone. */
    victim = g_hash_table_lookup(e->paths, new);
    n = g_hash_table_lookup(e->paths, old);
    if (victim && victim != n) {
        st_node_unindex_path(e, victim);
        victim->info.deleted = true;
    }
    if (n) {
        st_rename_node(e, n, g_strdup(new), p, now);
        return;
    }
    /* A directory: move the tracked files below it. */
    old_len = strlen(old);
    moved = g_ptr_array_new();
    for (i = 0; i < e->nodes->len; i++) {
        n = g_ptr_array_index(e->nodes, i);
        if (n->path && !n->info.deleted && st_kind_has_path(n->info.kind) &&
            strncmp(n->path, old, old_len) == 0 && n->path[old_len] == '/') {
            g_ptr_array_add(moved, n);
        }
    }
    for (i = 0; i < moved->len; i++) {
        n = g_ptr_array_index(moved, i);
        st_rename_node(e, n, g_strconcat(new, n->path + old_len, NULL), p,
                       now);
    }
    g_ptr_array_free(moved, TRUE);
}

void st_rule_unlink(StEngine *e, const StPending *p)
{
    int dfd = ST_AT_FDCWD;
    uint64_t ptr = p->args[0];
    StNode *n;

    if (!e->cfg.ops.read_path_arg) {
        return;
    }
    if (p->nr != ST_NR_UNLINK) {
        dfd = (int)p->args[0];
        ptr = p->args[1];
    }
    if (!e->cfg.ops.read_path_arg(e->cfg.opaque, &p->task, dfd, ptr,
                                  e->path_buf, sizeof(e->path_buf))) {
        e->counters.drops[ST_ENGINE_DROP_RESOLVE]++;
        return;
    }
    e->path_buf[sizeof(e->path_buf) - 1] = '\0';
    n = g_hash_table_lookup(e->paths, e->path_buf);
    if (n) {
        st_node_unindex_path(e, n);
        n->info.deleted = true;
    }
}
