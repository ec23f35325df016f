/*
 * st-profile-gen: a minimal Volatility 3 ISF, written from kernel BTF,
 * with exactly the types and members the secret-tracker profile reads
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qnum.h"
#include "profile-gen.h"

#include <bpf/btf.h>

/* How deep a type description nests (arrays of arrays ...) */
#define ST_ISF_MAX_TYPE_DEPTH 8

typedef struct StIsfWriter {
    const struct btf *btf;
    QDict *base_types;
    QDict *user_types;
} StIsfWriter;

static void st_isf_add_base(StIsfWriter *w, const char *name, uint64_t size,
                            bool is_signed, const char *kind)
{
    QDict *b;

    if (qdict_haskey(w->base_types, name)) {
        return;
    }
    b = qdict_new();
    qdict_put_int(b, "size", size);
    qdict_put_bool(b, "signed", is_signed);
    qdict_put_str(b, "kind", kind);
    qdict_put_str(b, "endian", "little");
    qdict_put(w->base_types, name, b);
}

static char *st_isf_btf_type_name(const struct btf *btf, uint32_t id)
{
    const struct btf_type *t = btf__type_by_id(btf, id);
    const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

    return name && *name ? g_strdup(name) : g_strdup_printf("unnamed_%u", id);
}

static QDict *st_isf_user_type(StIsfWriter *w, uint32_t id)
{
    g_autofree char *name = st_isf_btf_type_name(w->btf, id);
    const struct btf_type *t = btf__type_by_id(w->btf, id);
    QDict *def = qdict_get_qdict(w->user_types, name);

    if (!def) {
        def = qdict_new();
        qdict_put_str(def, "kind", btf_is_union(t) ? "union" : "struct");
        qdict_put_int(def, "size", btf__resolve_size(w->btf, id));
        qdict_put(def, "fields", qdict_new());
        qdict_put(w->user_types, name, def);
    }
    return def;
}

/* An ISF type description for BTF type @id (typedefs and cv skipped) */
static QDict *st_isf_type_desc(StIsfWriter *w, uint32_t id, int depth)
{
    int rid = btf__resolve_type(w->btf, id);
    const struct btf_type *t = rid > 0 ? btf__type_by_id(w->btf, rid) : NULL;
    QDict *d = qdict_new();

    if (!t || depth > ST_ISF_MAX_TYPE_DEPTH) {
        qdict_put_str(d, "kind", "base");
        qdict_put_str(d, "name", "void");
        st_isf_add_base(w, "void", 0, false, "void");
    } else if (btf_is_ptr(t)) {
        QDict *sub = qdict_new();

        qdict_put_str(sub, "kind", "base");
        qdict_put_str(sub, "name", "void");
        st_isf_add_base(w, "void", 0, false, "void");
        st_isf_add_base(w, "pointer", 8, false, "int");
        qdict_put_str(d, "kind", "pointer");
        qdict_put(d, "subtype", sub);
    } else if (btf_is_array(t)) {
        const struct btf_array *a = btf_array(t);

        qdict_put_str(d, "kind", "array");
        qdict_put_int(d, "count", a->nelems);
        qdict_put(d, "subtype", st_isf_type_desc(w, a->type, depth + 1));
    } else if (btf_is_composite(t)) {
        g_autofree char *name = st_isf_btf_type_name(w->btf, rid);

        st_isf_user_type(w, rid);
        qdict_put_str(d, "kind", btf_is_union(t) ? "union" : "struct");
        qdict_put_str(d, "name", name);
    } else if (btf_is_int(t)) {
        g_autofree char *name = st_isf_btf_type_name(w->btf, rid);
        uint8_t enc = btf_int_encoding(t);

        st_isf_add_base(w, name, t->size, enc & BTF_INT_SIGNED,
                        enc & BTF_INT_BOOL ? "bool" :
                        enc & BTF_INT_CHAR ? "char" : "int");
        qdict_put_str(d, "kind", "base");
        qdict_put_str(d, "name", name);
    } else {
        /* enums and the rest: an unsigned integer of the same size */
        g_autofree char *name = g_strdup_printf("unsigned_%u", t->size * 8);

        st_isf_add_base(w, name, t->size, false, "int");
        qdict_put_str(d, "kind", "base");
        qdict_put_str(d, "name", name);
    }
    return d;
}

static void st_isf_put_symbol(QDict *symbols, const char *name, uint64_t addr)
{
    QDict *s = qdict_new();

    /* kernel addresses are above INT64_MAX: an unsigned number */
    qdict_put(s, "address", qnum_from_uint(addr));
    qdict_put(symbols, name, s);
}

/* Describe each step of a member path found in BTF in its user type */
static void st_isf_put_steps(StIsfWriter *w, const StBtfStep *steps,
                             unsigned n)
{
    unsigned j;

    for (j = 0; j < n; j++) {
        QDict *def = st_isf_user_type(w, steps[j].container_id);
        QDict *fields = qdict_get_qdict(def, "fields");
        QDict *field = qdict_new();
        QDict *type = st_isf_type_desc(w, steps[j].type_id, 0);

        qdict_put_int(field, "offset", steps[j].bit_offset / 8);
        if (steps[j].bitfield_size) {
            QDict *bf = qdict_new();

            qdict_put_str(bf, "kind", "bitfield");
            qdict_put_int(bf, "bit_position", steps[j].bit_offset % 8);
            qdict_put_int(bf, "bit_length", steps[j].bitfield_size);
            qdict_put(bf, "type", type);
            type = bf;
        }
        qdict_put(field, "type", type);
        qdict_put(fields, steps[j].name, field);
    }
}

/* Member @f by the first of its alternative paths BTF has */
static bool st_isf_put_member(StIsfWriter *w, StLinuxOffset f, GError **errp)
{
    const StLinuxOffsetSpec *spec = &st_linux_offset_specs[f];
    char path[64];
    unsigned alt;

    for (alt = 0; st_linux_offset_path(f, alt, path, sizeof(path)); alt++) {
        StBtfStep steps[ST_BTF_MAX_STEPS];
        unsigned n;
        GError *err = NULL;

        if (st_btf_resolve_path(w->btf, st_linux_struct_names[spec->in],
                                path, steps, &n, &err)) {
            st_isf_put_steps(w, steps, n);
            return true;
        }
        if (err->code != ST_PROFILE_ERROR_MISSING) {
            g_propagate_error(errp, err);
            return false;
        }
        g_error_free(err);
    }
    if (!spec->optional) {
        g_autofree char *name = st_linux_offset_describe(f);

        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "BTF has no %s", name);
        return false;
    }
    return true;
}

GString *st_linux_isf_from_btf(const struct btf *btf, const char *banner,
                               const StIsfSymbol *syms, unsigned n_syms,
                               GError **errp)
{
    g_autoptr(QDict) root = qdict_new();
    StIsfWriter w = { .btf = btf };
    QDict *symbols = qdict_new(), *meta = qdict_new(), *producer = qdict_new();
    unsigned i;

    w.base_types = qdict_new();
    w.user_types = qdict_new();
    qdict_put(root, "base_types", w.base_types);
    qdict_put(root, "user_types", w.user_types);
    qdict_put(root, "enums", qdict_new());
    qdict_put(root, "symbols", symbols);
    qdict_put(root, "metadata", meta);
    qdict_put_str(meta, "format", "6.2.0");
    qdict_put_str(producer, "name", "st-profile-gen");
    qdict_put_str(producer, "version", "0.1.0");
    qdict_put(meta, "producer", producer);

    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        int id = btf__find_by_name_kind(btf, st_linux_struct_names[i],
                                        BTF_KIND_STRUCT);

        if (id > 0) {
            st_isf_user_type(&w, id);
        }
    }
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        if (!st_isf_put_member(&w, i, errp)) {
            return NULL;
        }
    }
    for (i = 0; i < n_syms; i++) {
        st_isf_put_symbol(symbols, syms[i].name, syms[i].address);
    }
    if (banner) {
        g_autofree char *line = g_strdup_printf("%s\n", banner);
        g_autofree char *b64 = g_base64_encode((const guchar *)line,
                                               strlen(line) + 1);
        QDict *s = qdict_new();

        qdict_put_int(s, "address", 0);
        qdict_put_str(s, "constant_data", b64);
        qdict_put(symbols, "linux_banner", s);
    }
    return qobject_to_json_pretty(QOBJECT(root), true);
}
