/*
 * secret-tracker: bounded framing of a large JSON document, for the ISF
 * loader (private to vmi/)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_ISF_JSON_H
#define HW_MISC_SECRET_TRACKER_VMI_ISF_JSON_H

/* The whole document */
typedef struct StJsonDoc {
    const char *start;
    const char *end;
} StJsonDoc;

/* A JSON value's extent inside the document */
typedef struct StJsonSpan {
    const char *start;
    size_t len;
} StJsonSpan;

/* Offset of @p in the document, for messages */
size_t st_json_pos(const StJsonDoc *doc, const char *p);

/* Skip white space from @p */
const char *st_json_ws(const char *p, const char *end);

/* The end of the value starting at @p, or NULL when malformed/truncated */
const char *st_json_value_end(const char *p, const char *end);

/*
 * Index the members of the object @span: key -> StJsonSpan (g_free()d
 * with the table).  Keys are used raw (the names we look up have no
 * escapes).  Errors are ST_PROFILE_ERROR.
 */
GHashTable *st_json_index_object(const StJsonDoc *doc, StJsonSpan span,
                                 GError **errp);

/* Parse one value with qobject_from_json() */
QObject *st_json_parse_span(StJsonSpan span, GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_ISF_JSON_H */
