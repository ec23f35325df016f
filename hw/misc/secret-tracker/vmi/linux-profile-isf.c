/*
 * secret-tracker: the Volatility 3 ISF profile loader (JSON or .json.xz)
 *
 * The document is framed by isf-json.c; the entries of "user_types",
 * "symbols" and "enums" are indexed by name, and only the entries we
 * need are parsed, with qobject_from_json().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"
#include "isf-json.h"

#include <lzma.h>

#define ST_ISF_MAX_FILE (1024ULL * 1024 * 1024)
#define ST_ISF_MAX_TYPE_DEPTH 8

typedef struct StIsf {
    StJsonDoc json;
    GHashTable *user_types; /* name -> StJsonSpan */
    GHashTable *symbols;
    GHashTable *enums;
    GHashTable *parsed;     /* "u:name" etc. -> QDict (cache) */
    QDict *base_types;
} StIsf;

/* Parse (once) the entry @name of an indexed table; NULL if absent */
static QDict *st_isf_entry(StIsf *isf, GHashTable *table, char tag,
                           const char *name, GError **errp)
{
    g_autofree char *key = g_strdup_printf("%c:%s", tag, name);
    StJsonSpan *span;
    QObject *obj;
    QDict *dict;

    dict = g_hash_table_lookup(isf->parsed, key);
    if (dict) {
        return dict;
    }
    span = table ? g_hash_table_lookup(table, name) : NULL;
    if (!span) {
        return NULL;
    }
    obj = st_json_parse_span(*span, errp);
    if (!obj) {
        return NULL;
    }
    dict = qobject_to(QDict, obj);
    if (!dict) {
        qobject_unref(obj);
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "ISF entry %s is not an object", name);
        return NULL;
    }
    g_hash_table_insert(isf->parsed, g_steal_pointer(&key), dict);
    return dict;
}

static bool st_isf_uint(QDict *d, const char *key, uint64_t max,
                        uint64_t *val, const char *what, GError **errp)
{
    QNum *n = qobject_to(QNum, qdict_get(d, key));
    uint64_t v;

    if (!n || !qnum_get_try_uint(n, &v)) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "ISF %s has no non-negative integer \"%s\"", what, key);
        return false;
    }
    if (v > max) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "ISF %s: \"%s\" = %" PRIu64 " is out of range", what, key,
                    v);
        return false;
    }
    *val = v;
    return true;
}

#define ST_ISF_MAX_SIZE (1024 * 1024)

/* Size and kind of an ISF type description */
static bool st_isf_type_info(StIsf *isf, QDict *type, int depth,
                             StLinuxFieldInfo *f, GError **errp)
{
    const char *kind = qdict_get_try_str(type, "kind");
    const char *name = qdict_get_try_str(type, "name");
    uint64_t v;

    if (!kind || depth > ST_ISF_MAX_TYPE_DEPTH) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "ISF type description without \"kind\"");
        return false;
    }
    if (strcmp(kind, "pointer") == 0) {
        f->kind = ST_FIELD_KIND_PTR;
        f->size = 8;
        return true;
    }
    if (strcmp(kind, "array") == 0) {
        QDict *sub = qdict_get_qdict(type, "subtype");
        uint64_t count;

        if (!sub || !st_isf_uint(type, "count", ST_ISF_MAX_SIZE, &count,
                                 "array", errp) ||
            !st_isf_type_info(isf, sub, depth + 1, f, errp)) {
            if (!sub) {
                g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                            "ISF array type without \"subtype\"");
            }
            return false;
        }
        f->kind = ST_FIELD_KIND_ARRAY;
        f->size = MIN(count * f->size, (uint64_t)ST_ISF_MAX_SIZE + 1);
        return true;
    }
    if (strcmp(kind, "bitfield") == 0) {
        QDict *sub = qdict_get_qdict(type, "type");
        uint64_t pos, len;

        if (!sub || !st_isf_uint(type, "bit_position", 63, &pos, "bitfield",
                                 errp) ||
            !st_isf_uint(type, "bit_length", 64, &len, "bitfield", errp) ||
            !st_isf_type_info(isf, sub, depth + 1, f, errp)) {
            if (!sub) {
                g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                            "ISF bitfield without \"type\"");
            }
            return false;
        }
        f->kind = ST_FIELD_KIND_INT;
        f->bit_shift = pos;
        f->bit_size = len;
        return true;
    }
    if (!name) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "ISF %s type without \"name\"", kind);
        return false;
    }
    if (strcmp(kind, "base") == 0) {
        QDict *base = isf->base_types ?
                      qdict_get_qdict(isf->base_types, name) : NULL;

        if (!base) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "ISF has no base type %s", name);
            return false;
        }
        if (!st_isf_uint(base, "size", 16, &v, name, errp)) {
            return false;
        }
        f->kind = ST_FIELD_KIND_INT;
        f->size = v;
        return true;
    }
    if (strcmp(kind, "enum") == 0 || strcmp(kind, "struct") == 0 ||
        strcmp(kind, "union") == 0 || strcmp(kind, "class") == 0) {
        bool is_enum = kind[0] == 'e';
        QDict *def = st_isf_entry(isf, is_enum ? isf->enums : isf->user_types,
                                  is_enum ? 'e' : 'u', name, errp);

        if (!def) {
            if (errp && !*errp) {
                g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                            "ISF has no %s %s", kind, name);
            }
            return false;
        }
        if (!st_isf_uint(def, "size", ST_ISF_MAX_SIZE, &v, name, errp)) {
            return false;
        }
        f->kind = is_enum ? ST_FIELD_KIND_INT : ST_FIELD_KIND_STRUCT;
        f->size = v;
        return true;
    }
    g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                "ISF type kind %s is not supported here", kind);
    return false;
}

/*
 * One member lookup through anonymous members.  The file may be hostile
 * (a type that lists itself as an anonymous member, or many anonymous
 * members of one type at every level), so, as for BTF, each type is
 * searched at most once per lookup, a type met again on its own search
 * path is an error, and the members examined are bounded.
 */
typedef struct StIsfSearch {
    StIsf *isf;
    const char *name;
    GHashTable *visited;        /* type name -> 1: searching, 2: searched */
    unsigned steps;
} StIsfSearch;

/*
 * Find member @name of user type @type_name, also inside anonymous
 * members.  Adds its offset to *offset and returns its type description;
 * NULL with *errp unset when the type has no such member.
 */
static QDict *st_isf_find_member(StIsfSearch *s, const char *type_name,
                                 int depth, uint64_t *offset, GError **errp)
{
    StIsf *isf = s->isf;
    QDict *def, *fields, *field, *found = NULL;
    const QDictEntry *e;
    gpointer seen;
    uint64_t off;

    if (depth > ST_ISF_MAX_TYPE_DEPTH) {
        return NULL;
    }
    seen = g_hash_table_lookup(s->visited, type_name);
    if (seen == GINT_TO_POINTER(1)) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "ISF user type %s contains itself through anonymous "
                    "members", type_name);
        return NULL;
    }
    if (seen) {
        return NULL;
    }
    def = st_isf_entry(isf, isf->user_types, 'u', type_name, errp);
    if (!def) {
        if (errp && !*errp) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "ISF has no user type %s", type_name);
        }
        return NULL;
    }
    fields = qdict_get_qdict(def, "fields");
    if (!fields) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "ISF user type %s has no \"fields\"", type_name);
        return NULL;
    }
    field = qdict_get_qdict(fields, s->name);
    if (field) {
        if (!st_isf_uint(field, "offset", ST_ISF_MAX_SIZE, &off, s->name,
                         errp)) {
            return NULL;
        }
        *offset += off;
        if (!qdict_get_qdict(field, "type")) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                        "ISF field %s.%s has no \"type\"", type_name,
                        s->name);
            return NULL;
        }
        return qdict_get_qdict(field, "type");
    }
    g_hash_table_insert(s->visited, g_strdup(type_name), GINT_TO_POINTER(1));
    for (e = qdict_first(fields); e; e = qdict_next(fields, e)) {
        QDict *f = qobject_to(QDict, qdict_entry_value(e));
        QDict *type = f ? qdict_get_qdict(f, "type") : NULL;
        const char *tname = type ? qdict_get_try_str(type, "name") : NULL;
        uint64_t sub_off = 0;

        if (++s->steps > ST_BTF_MAX_SEARCH_STEPS) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "ISF: looking for member %s took more than %u "
                        "steps", s->name, ST_BTF_MAX_SEARCH_STEPS);
            return NULL;
        }
        if (!f || !tname || !(qdict_get_try_bool(f, "anonymous", false) ||
                              g_str_has_prefix(qdict_entry_key(e),
                                               "unnamed_field"))) {
            continue;
        }
        if (!st_isf_uint(f, "offset", ST_ISF_MAX_SIZE, &off,
                         qdict_entry_key(e), errp)) {
            return NULL;
        }
        found = st_isf_find_member(s, tname, depth + 1, &sub_off, errp);
        if (found) {
            *offset += off + sub_off;
            return found;
        }
        if (errp && *errp) {
            return NULL;
        }
    }
    g_hash_table_insert(s->visited, g_strdup(type_name), GINT_TO_POINTER(2));
    return NULL;
}

static bool st_isf_field_path(StIsf *isf, const StLinuxOffsetSpec *spec,
                              const char *path, StLinuxFieldInfo *f,
                              GError **errp)
{
    const char *sname = st_linux_struct_names[spec->in];
    g_auto(GStrv) parts = g_strsplit(path, ".", ST_BTF_MAX_STEPS + 1);
    g_autofree char *cur = g_strdup(sname);
    g_autoptr(GHashTable) visited = g_hash_table_new_full(g_str_hash,
                                                          g_str_equal,
                                                          g_free, NULL);
    StIsfSearch search = { .isf = isf, .visited = visited };
    QDict *type = NULL;
    uint64_t offset = 0;
    unsigned i;

    for (i = 0; parts[i]; i++) {
        const char *tname;

        if (i > 0) {
            const char *kind = qdict_get_try_str(type, "kind");

            tname = qdict_get_try_str(type, "name");
            /* a pointer or a scalar has no members: not this kernel's path */
            if (kind && strcmp(kind, "struct") && strcmp(kind, "union")) {
                g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                            "ISF %s.%s: %s is a %s, not a struct", sname,
                            path, parts[i - 1], kind);
                return false;
            }
            if (!tname) {
                g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                            "ISF %s.%s goes through a member without a "
                            "named type", sname, path);
                return false;
            }
            g_free(cur);
            cur = g_strdup(tname);
        }
        search.name = parts[i];
        search.steps = 0;
        g_hash_table_remove_all(search.visited);
        type = st_isf_find_member(&search, cur, 0, &offset, errp);
        if (!type) {
            if (errp && !*errp) {
                g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                            "ISF has no field %s.%s", sname, path);
            }
            return false;
        }
    }
    memset(f, 0, sizeof(*f));
    if (!st_isf_type_info(isf, type, 0, f, errp)) {
        g_prefix_error(errp, "%s.%s: ", sname, path);
        return false;
    }
    if (f->bit_size) {
        offset += f->bit_shift / 8;
        f->bit_shift %= 8;
        f->size = (f->bit_shift + f->bit_size + 7) / 8;
    }
    if (offset > ST_ISF_MAX_SIZE) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "ISF field %s.%s offset is out of range", sname,
                    path);
        return false;
    }
    f->offset = offset;
    f->present = true;
    return true;
}

/* One path of member @f in the ISF (st_linux_field_by_alternatives) */
static bool st_isf_try_path(void *opaque, StLinuxOffset f, const char *path,
                            StLinuxFieldInfo *fi, GError **errp)
{
    return st_isf_field_path(opaque, &st_linux_offset_specs[f], path, fi,
                             errp);
}

/* Member @f by the first of its alternative paths the ISF has */
static bool st_isf_field(StIsf *isf, StLinuxOffset f, StLinuxFieldInfo *fi,
                         GError **errp)
{
    return st_linux_field_by_alternatives(f, "ISF", st_isf_try_path, isf, fi,
                                          errp);
}

/* Address of a symbol; false (no error) when absent */
static bool st_isf_symbol(StIsf *isf, const char *name, uint64_t *addr,
                          GError **errp)
{
    QDict *sym = st_isf_entry(isf, isf->symbols, 's', name, errp);

    if (!sym) {
        return false;
    }
    return st_isf_uint(sym, "address", UINT64_MAX, addr, name, errp);
}

/*
 * A per-CPU variable's symbol: its offset from the per-CPU base, or (7.x,
 * the per-CPU area linked into the image) its link-time address, which
 * moves with the kernel (st_linux_profile_bind()).
 */
typedef struct StIsfPercpuLookup {
    StIsf *isf;
    GError *err;
} StIsfPercpuLookup;

static bool st_isf_percpu_lookup(void *opaque, const char *var,
                                 uint64_t *offset)
{
    StIsfPercpuLookup *l = opaque;

    return !l->err && st_isf_symbol(l->isf, var, offset, &l->err);
}

static bool st_isf_percpu(StIsf *isf, StLinuxProfile *prof,
                          StLinuxPercpu which, GError **errp)
{
    StIsfPercpuLookup l = { .isf = isf };
    g_autofree char *vars = NULL;
    unsigned alt;

    if (st_linux_percpu_resolve(prof, which, st_isf_percpu_lookup, &l,
                                &prof->percpu[which], &alt)) {
        prof->percpu_alt[which] = alt;
        return true;
    }
    if (l.err) {
        g_propagate_error(errp, l.err);
        return false;
    }
    vars = st_linux_percpu_describe(which);
    g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                "ISF has no symbol for the per-CPU %s (none of: %s)",
                st_linux_percpu_specs[which].name, vars);
    return false;
}

static void st_isf_free(StIsf *isf)
{
    if (isf->user_types) {
        g_hash_table_destroy(isf->user_types);
    }
    if (isf->symbols) {
        g_hash_table_destroy(isf->symbols);
    }
    if (isf->enums) {
        g_hash_table_destroy(isf->enums);
    }
    if (isf->parsed) {
        g_hash_table_destroy(isf->parsed);
    }
    qobject_unref(isf->base_types);
}

static bool st_isf_load(StIsf *isf, StLinuxProfile *prof, GError **errp)
{
    g_autoptr(GHashTable) top = NULL;
    StJsonSpan doc, *span;
    const char *p, *vend;
    GError *err = NULL;
    uint64_t addr;
    unsigned i;

    p = st_json_ws(isf->json.start, isf->json.end);
    if (p >= isf->json.end || *p != '{') {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SYNTAX,
                    p >= isf->json.end ? "file is empty" :
                    "not JSON: a Volatility 3 ISF is a JSON object");
        return false;
    }
    vend = st_json_value_end(p, isf->json.end);
    if (!vend) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SYNTAX,
                    "JSON is truncated or malformed (unbalanced at end of "
                    "file)");
        return false;
    }
    if (st_json_ws(vend, isf->json.end) != isf->json.end) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SYNTAX,
                    "trailing data after the JSON object at byte %zu",
                    st_json_pos(&isf->json, vend));
        return false;
    }
    doc.start = p;
    doc.len = vend - p;
    top = st_json_index_object(&isf->json, doc, errp);
    if (!top) {
        return false;
    }
    span = g_hash_table_lookup(top, "user_types");
    if (!span || span->start[0] != '{') {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "not a Volatility 3 ISF: no \"user_types\" object");
        return false;
    }
    isf->user_types = st_json_index_object(&isf->json, *span, errp);
    if (!isf->user_types) {
        return false;
    }
    span = g_hash_table_lookup(top, "symbols");
    if (!span || span->start[0] != '{') {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "not a Volatility 3 ISF: no \"symbols\" object");
        return false;
    }
    isf->symbols = st_json_index_object(&isf->json, *span, errp);
    if (!isf->symbols) {
        return false;
    }
    span = g_hash_table_lookup(top, "base_types");
    if (!span || span->start[0] != '{') {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "not a Volatility 3 ISF: no \"base_types\" object");
        return false;
    }
    isf->base_types = qobject_to(QDict, st_json_parse_span(*span, errp));
    if (!isf->base_types) {
        return false;
    }
    span = g_hash_table_lookup(top, "enums");
    if (span) {
        isf->enums = st_json_index_object(&isf->json, *span, errp);
        if (!isf->enums) {
            return false;
        }
    }

    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        QDict *def = st_isf_entry(isf, isf->user_types, 'u',
                                  st_linux_struct_names[i], errp);
        uint64_t size;

        if (!def) {
            if (*errp) {
                return false;
            }
            continue;
        }
        if (!st_isf_uint(def, "size", ST_ISF_MAX_SIZE, &size,
                         st_linux_struct_names[i], errp)) {
            return false;
        }
        prof->struct_size[i] = size;
    }
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxOffsetSpec *spec = &st_linux_offset_specs[i];

        if (spec->optional && !prof->struct_size[spec->in]) {
            continue;
        }
        if (!st_isf_field(isf, i, &prof->field[i], &err)) {
            if (spec->optional && err->code == ST_PROFILE_ERROR_MISSING) {
                g_clear_error(&err);
                continue;
            }
            g_propagate_error(errp, err);
            return false;
        }
    }
    if (!st_isf_percpu(isf, prof, ST_PERCPU_CURRENT_TASK, errp) ||
        !st_isf_percpu(isf, prof, ST_PERCPU_TOP_OF_STACK, errp)) {
        return false;
    }
    prof->percpu_from = ST_PERCPU_FROM_ISF;
    if (st_isf_symbol(isf, "entry_SYSCALL_64", &addr, errp)) {
        prof->has_entry_syscall = true;
        prof->entry_syscall = addr;
        /* link-time addresses: in-image per-CPU offsets go with it */
        prof->percpu_lstar = addr;
    } else if (*errp) {
        return false;
    }
    {
        QDict *sym = st_isf_entry(isf, isf->symbols, 's', "linux_banner",
                                  errp);
        const char *data = sym ? qdict_get_try_str(sym, "constant_data")
                               : NULL;

        if (data) {
            gsize len;
            g_autofree guchar *raw = g_base64_decode(data, &len);

            prof->banner = st_linux_banner_in_buffer(raw, len);
        }
        if (*errp) {
            return false;
        }
    }
    return st_linux_profile_check(prof, errp);
}

StLinuxProfile *st_linux_profile_parse_isf(const char *json, size_t len,
                                           const char *origin, GError **errp)
{
    g_autoptr(StLinuxProfile) prof = st_linux_profile_new();
    StIsf isf = {
        .json = { .start = json, .end = json + len },
        .parsed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)qobject_unref_impl),
    };
    GError *err = NULL;
    bool ok;

    ok = st_isf_load(&isf, prof, &err);
    st_isf_free(&isf);
    if (!ok) {
        g_propagate_prefixed_error(errp, err, "profile %s: ", origin);
        return NULL;
    }
    prof->source = ST_PROFILE_SOURCE_ISF;
    prof->origin = g_strdup(origin);
    return g_steal_pointer(&prof);
}

StLinuxProfile *st_linux_profile_load_isf(const char *filename,
                                          GError **errp)
{
    g_autofree char *data = NULL;
    g_autofree uint8_t *plain = NULL;
    gsize len;
    size_t plain_len;
    GError *err = NULL;

    if (!g_file_get_contents(filename, &data, &len, &err)) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "cannot read profile: %s", err->message);
        g_error_free(err);
        return NULL;
    }
    if (len >= 6 && memcmp(data, "\xfd" "7zXZ\0", 6) == 0) {
        if (!st_xz_decompress((uint8_t *)data, len, ST_ISF_MAX_FILE, &plain,
                              &plain_len, &err)) {
            g_propagate_prefixed_error(errp, err, "profile %s: ", filename);
            return NULL;
        }
        return st_linux_profile_parse_isf((char *)plain, plain_len,
                                          filename, errp);
    }
    if (g_str_has_suffix(filename, ".xz")) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "profile %s: not xz data", filename);
        return NULL;
    }
    return st_linux_profile_parse_isf(data, len, filename, errp);
}

bool st_xz_decompress(const uint8_t *in, size_t in_len, size_t max_out,
                      uint8_t **out, size_t *out_len, GError **errp)
{
    lzma_stream strm = LZMA_STREAM_INIT;
    size_t cap = MIN(max_out, MAX(in_len * 4, (size_t)1 << 20));
    uint8_t *buf;
    lzma_ret ret;

    if (lzma_stream_decoder(&strm, UINT64_MAX, 0) != LZMA_OK) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "cannot start the xz decoder");
        return false;
    }
    buf = g_malloc(cap);
    strm.next_in = in;
    strm.avail_in = in_len;
    strm.next_out = buf;
    strm.avail_out = cap;
    for (;;) {
        ret = lzma_code(&strm, LZMA_FINISH);
        if (ret == LZMA_STREAM_END) {
            break;
        }
        if (ret == LZMA_OK && strm.avail_out == 0 && cap < max_out) {
            size_t done = cap;

            cap = MIN(max_out, cap * 2);
            buf = g_realloc(buf, cap);
            strm.next_out = buf + done;
            strm.avail_out = cap - done;
            continue;
        }
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "xz data is %s", ret == LZMA_OK || ret == LZMA_BUF_ERROR ?
                    (strm.avail_out == 0 ? "too large" : "truncated") :
                    "corrupt");
        lzma_end(&strm);
        g_free(buf);
        return false;
    }
    *out_len = strm.total_out;
    *out = buf;
    lzma_end(&strm);
    return true;
}
