/*
 * secret-tracker: bounded framing of a large JSON document (a Volatility 3
 * ISF): find where a value ends, index an object's members by name, and
 * parse one value with QEMU's qobject
 *
 * A full ISF from dwarf2json has millions of JSON tokens, more than
 * QEMU's JSON parser accepts in one value.  So the document is framed
 * here (bounded, string-aware bracket matching) and only the entries the
 * profile needs are parsed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qobject/qjson.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"
#include "isf-json.h"

/* Nesting of objects and arrays we follow */
#define ST_JSON_MAX_DEPTH 64

size_t st_json_pos(const StJsonDoc *doc, const char *p)
{
    return p - doc->start;
}

const char *st_json_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }
    return p;
}

/* The end of the string starting at @p (on its opening quote) */
static const char *st_json_string_end(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\') {
            p++;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return NULL;
}

/* The end of the value starting at @p, or NULL when malformed/truncated */
const char *st_json_value_end(const char *p, const char *end)
{
    char stack[ST_JSON_MAX_DEPTH];
    int depth = 0;

    if (p >= end) {
        return NULL;
    }
    if (*p == '"') {
        return st_json_string_end(p, end);
    }
    if (*p != '{' && *p != '[') {
        const char *q = p;

        while (q < end && (g_ascii_isalnum(*q) || *q == '-' || *q == '+' ||
                           *q == '.')) {
            q++;
        }
        return q > p && q < end ? q : NULL;
    }
    while (p < end) {
        switch (*p) {
        case '"':
            p = st_json_string_end(p, end);
            if (!p) {
                return NULL;
            }
            continue;
        case '{':
        case '[':
            if (depth == ST_JSON_MAX_DEPTH) {
                return NULL;
            }
            stack[depth++] = *p == '{' ? '}' : ']';
            break;
        case '}':
        case ']':
            if (depth == 0 || stack[depth - 1] != *p) {
                return NULL;
            }
            if (--depth == 0) {
                return p + 1;
            }
            break;
        }
        p++;
    }
    return NULL;
}

static void st_json_syntax_error(const StJsonDoc *doc, const char *p,
                                 GError **errp)
{
    if (!p || p >= doc->end) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SYNTAX,
                    "JSON is truncated or malformed");
    } else {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SYNTAX,
                    "not valid JSON at byte %zu", st_json_pos(doc, p));
    }
}

GHashTable *st_json_index_object(const StJsonDoc *doc, StJsonSpan span,
                                 GError **errp)
{
    g_autoptr(GHashTable) idx = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                      g_free, g_free);
    const char *p = span.start, *end = span.start + span.len;

    if (p >= end || *p != '{') {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "expected a JSON object at byte %zu",
                    st_json_pos(doc, p));
        return NULL;
    }
    p = st_json_ws(p + 1, end);
    if (p < end && *p == '}') {
        return g_steal_pointer(&idx);
    }
    while (p < end) {
        const char *kend, *vstart, *vend;
        StJsonSpan *v;

        kend = *p == '"' ? st_json_string_end(p, end) : NULL;
        if (!kend) {
            st_json_syntax_error(doc, p, errp);
            return NULL;
        }
        vstart = st_json_ws(kend, end);
        if (vstart >= end || *vstart != ':') {
            st_json_syntax_error(doc, vstart, errp);
            return NULL;
        }
        vstart = st_json_ws(vstart + 1, end);
        vend = st_json_value_end(vstart, end);
        if (!vend) {
            st_json_syntax_error(doc, vstart, errp);
            return NULL;
        }
        v = g_new(StJsonSpan, 1);
        v->start = vstart;
        v->len = vend - vstart;
        g_hash_table_replace(idx, g_strndup(p + 1, kend - p - 2), v);
        p = st_json_ws(vend, end);
        if (p < end && *p == '}') {
            return g_steal_pointer(&idx);
        }
        if (p >= end || *p != ',') {
            st_json_syntax_error(doc, p, errp);
            return NULL;
        }
        p = st_json_ws(p + 1, end);
    }
    st_json_syntax_error(doc, p, errp);
    return NULL;
}

QObject *st_json_parse_span(StJsonSpan span, GError **errp)
{
    g_autofree char *text = g_strndup(span.start, span.len);
    Error *err = NULL;
    QObject *obj = qobject_from_json(text, &err);

    if (!obj) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SYNTAX, "%s",
                    err ? error_get_pretty(err) : "empty JSON value");
        error_free(err);
        return NULL;
    }
    return obj;
}
