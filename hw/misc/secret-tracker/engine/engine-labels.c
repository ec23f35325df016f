/*
 * secret-tracker engine: labels and the registration of secrets
 *
 * Each secret has a label: its glob pattern, or the label given at
 * registration.  A node's labels are a 64-bit mask, so an engine holds at
 * most ST_ENGINE_MAX_LABELS of them.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <fnmatch.h>
#include "engine-internal.h"

/* The index of label @name, added if new; -1 when labels run out. */
int st_label_intern(StEngine *e, const char *name, GError **errp)
{
    unsigned i;

    for (i = 0; i < e->n_labels; i++) {
        if (strcmp(e->labels[i], name) == 0) {
            return i;
        }
    }
    if (e->n_labels >= ST_ENGINE_MAX_LABELS) {
        e->counters.drops[ST_ENGINE_DROP_LABELS]++;
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "secret-tracker: at most %d labels can be registered",
                    ST_ENGINE_MAX_LABELS);
        return -1;
    }
    e->labels[e->n_labels] = g_strdup(name);
    return e->n_labels++;
}

const char *st_engine_label_name(StEngine *e, unsigned index)
{
    return index < e->n_labels ? e->labels[index] : NULL;
}

char *st_engine_labels_to_string(StEngine *e, uint64_t mask)
{
    GString *s = g_string_new("");
    unsigned i;

    for (i = 0; i < e->n_labels; i++) {
        if (mask & (1ull << i)) {
            if (s->len) {
                g_string_append_c(s, ',');
            }
            g_string_append(s, e->labels[i]);
        }
    }
    return g_string_free(s, FALSE);
}

/* Reject globs that fnmatch() would silently treat as literals. */
static bool st_pattern_check(const char *pattern, GError **errp)
{
    size_t i, len = strlen(pattern);

    if (len == 0 || len >= ST_ENGINE_PATH_MAX) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "secret-tracker: pattern must be 1 to %d characters",
                    ST_ENGINE_PATH_MAX - 1);
        return false;
    }
    if (pattern[0] != '/') {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "secret-tracker: pattern '%s' must be an absolute path "
                    "(start with '/')", pattern);
        return false;
    }
    for (i = 0; i < len; i++) {
        if (pattern[i] == '\\') {
            if (++i == len) {
                g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "secret-tracker: pattern '%s' ends in a lone "
                            "backslash", pattern);
                return false;
            }
        } else if (pattern[i] == '[') {
            size_t j = i + 1;

            if (j < len && (pattern[j] == '!' || pattern[j] == '^')) {
                j++;
            }
            if (j < len && pattern[j] == ']') {
                j++;            /* a leading ']' is a member */
            }
            while (j < len && pattern[j] != ']' && pattern[j] != '/') {
                j++;
            }
            if (j >= len || pattern[j] != ']') {
                g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "secret-tracker: pattern '%s' has an unclosed "
                            "'[' at offset %zu", pattern, i);
                return false;
            }
            i = j;
        }
    }
    return true;
}

void st_pattern_free(gpointer data)
{
    StPattern *pat = data;

    g_free(pat->glob);
    g_free(pat);
}

bool st_engine_register_pattern(StEngine *e, const char *pattern,
                                const char *label, GError **errp)
{
    StPattern *pat;
    const char *base;
    int idx;

    if (!st_pattern_check(pattern, errp)) {
        return false;
    }
    idx = st_label_intern(e, label ? label : pattern, errp);
    if (idx < 0) {
        return false;
    }
    pat = g_new0(StPattern, 1);
    pat->glob = g_strdup(pattern);
    pat->label = idx;
    /* The name filter only knows unescaped separators. */
    base = strrchr(pat->glob, '/');
    if (base == pat->glob || base[-1] != '\\') {
        pat->base = base + 1;
    }
    g_ptr_array_add(e->patterns, pat);
    e->label_generation++;      /* fds already seen get checked again */
    return true;
}

uint64_t st_engine_register_inode(StEngine *e, uint64_t dev, uint64_t ino,
                                  const char *label, GError **errp)
{
    g_autofree char *default_label = NULL;
    StEngineObject obj;
    StNode *n;
    int idx;

    if (!label) {
        default_label = g_strdup_printf("inode:%" PRIu64 ":%" PRIu64,
                                        dev, ino);
        label = default_label;
    }
    idx = st_label_intern(e, label, errp);
    if (idx < 0) {
        return 0;
    }
    memset(&obj, 0, sizeof(obj));
    obj.dev = dev;
    obj.ino = ino;
    e->event++;
    n = st_object_node(e, &obj, true, e->last_ns);
    if (!n) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "secret-tracker: node table full (%u nodes)",
                    e->cfg.max_nodes);
        return 0;
    }
    n->info.labels |= 1ull << idx;
    n->info.rx_labels |= 1ull << idx;
    n->info.registered = true;
    st_node_set_evictable(e, n);
    return n->info.id;
}

uint64_t st_engine_pattern_found(StEngine *e, const char *pattern,
                                 uint64_t dev, uint64_t ino, const char *path,
                                 GError **errp)
{
    StPattern *pat = NULL;
    StEngineObject obj;
    StNode *n;
    unsigned i;

    for (i = 0; i < e->patterns->len; i++) {
        StPattern *p = g_ptr_array_index(e->patterns, i);

        if (strcmp(p->glob, pattern) == 0) {
            pat = p;
        }
    }
    if (!pat) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "secret-tracker: no pattern '%s' is registered", pattern);
        return 0;
    }
    if (fnmatch(pat->glob, path, FNM_PATHNAME) != 0) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "secret-tracker: '%s' does not match pattern '%s'", path,
                    pattern);
        return 0;
    }
    memset(&obj, 0, sizeof(obj));
    obj.kind = ST_ENGINE_KIND_FILE;
    obj.dev = dev;
    obj.ino = ino;
    e->event++;
    n = st_object_node_with_path(e, &obj, true, g_strdup(path), e->last_ns);
    if (!n) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "secret-tracker: node table full (%u nodes)",
                    e->cfg.max_nodes);
        return 0;
    }
    if (!(n->info.labels & (1ull << pat->label))) {
        e->counters.registration_labels++;
    }
    n->info.labels |= 1ull << pat->label;
    n->info.registered = true;
    st_node_set_evictable(e, n);
    return n->info.id;
}

const char *st_engine_pattern_glob(StEngine *e, unsigned index)
{
    StPattern *pat;

    if (index >= e->patterns->len) {
        return NULL;
    }
    pat = g_ptr_array_index(e->patterns, index);
    return pat->glob;
}
