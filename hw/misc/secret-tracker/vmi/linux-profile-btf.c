/*
 * secret-tracker: Linux kernel profile from BTF: member paths through
 * anonymous structs and unions, per-CPU variables from the DATASEC
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

#include <bpf/btf.h>

/*
 * BTF: member lookup through anonymous structs and unions.
 *
 * BTF comes from the guest, so its type graph may be hostile: a struct
 * may name itself as an anonymous member, or fan out to many anonymous
 * members of the same type at every level.  A plain depth-limited search
 * is exponential there.  Whether a type holds a member of a given name
 * does not depend on how the search reached it, so each anonymous type is
 * searched at most once per lookup (a visited set), a type met again on
 * its own search path is a cycle and an error, and the members examined
 * per lookup are bounded.
 */

#define ST_BTF_MAX_ANON_DEPTH 8

typedef struct StBtfSearch {
    const struct btf *btf;
    const char *name;
    GHashTable *visited;        /* type id -> 1: searching, 2: searched */
    unsigned steps;             /* members examined so far */
    GError **errp;
} StBtfSearch;

/* 1: found; 0: not in this type; -1: error (set) */
static int st_btf_find_member(StBtfSearch *s, uint32_t type_id, int depth,
                              uint32_t *bit_off, uint32_t *bitfield_size,
                              uint32_t *member_type)
{
    const struct btf_type *t = btf__type_by_id(s->btf, type_id);
    const struct btf_member *m;
    gpointer seen;
    unsigned i, n;

    if (!t || !btf_is_composite(t) || depth > ST_BTF_MAX_ANON_DEPTH) {
        return 0;
    }
    seen = g_hash_table_lookup(s->visited, GUINT_TO_POINTER(type_id));
    if (seen == GINT_TO_POINTER(1)) {
        g_set_error(s->errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "BTF type %u contains itself through anonymous members",
                    type_id);
        return -1;
    }
    if (seen) {
        return 0;
    }
    g_hash_table_insert(s->visited, GUINT_TO_POINTER(type_id),
                        GINT_TO_POINTER(1));
    m = btf_members(t);
    n = btf_vlen(t);
    for (i = 0; i < n; i++, m++) {
        const char *mname = btf__name_by_offset(s->btf, m->name_off);
        uint32_t sub_off, sub_bits, sub_type;
        int sub, found;

        if (++s->steps > ST_BTF_MAX_SEARCH_STEPS) {
            g_set_error(s->errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "BTF: looking for member %s took more than %u "
                        "steps", s->name, ST_BTF_MAX_SEARCH_STEPS);
            return -1;
        }
        if (mname && *mname) {
            if (strcmp(mname, s->name) == 0) {
                *bit_off = btf_member_bit_offset(t, i);
                *bitfield_size = btf_member_bitfield_size(t, i);
                *member_type = m->type;
                return 1;
            }
            continue;
        }
        sub = btf__resolve_type(s->btf, m->type);
        if (sub <= 0) {
            continue;
        }
        found = st_btf_find_member(s, sub, depth + 1, &sub_off, &sub_bits,
                                   &sub_type);
        if (found < 0) {
            return -1;
        }
        if (found) {
            *bit_off = btf_member_bit_offset(t, i) + sub_off;
            *bitfield_size = sub_bits;
            *member_type = sub_type;
            return 1;
        }
    }
    g_hash_table_insert(s->visited, GUINT_TO_POINTER(type_id),
                        GINT_TO_POINTER(2));
    return 0;
}

static int st_btf_find_struct(const struct btf *btf, const char *name)
{
    int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

    if (id <= 0) {
        id = btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
    }
    return id;
}

bool st_btf_resolve_path(const struct btf *btf, const char *struct_name,
                         const char *path, StBtfStep *steps,
                         unsigned *n_steps, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", ST_BTF_MAX_STEPS + 1);
    int cur = st_btf_find_struct(btf, struct_name);
    g_autoptr(GHashTable) visited = g_hash_table_new(NULL, NULL);
    StBtfSearch search = { .btf = btf, .visited = visited, .errp = errp };
    unsigned i;
    int found;

    if (cur <= 0) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "BTF has no struct %s", struct_name);
        return false;
    }
    if (g_strv_length(parts) > ST_BTF_MAX_STEPS) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "member path %s is too long", path);
        return false;
    }
    for (i = 0; parts[i]; i++) {
        StBtfStep *s = &steps[i];

        if (cur <= 0 || !btf_is_composite(btf__type_by_id(btf, cur))) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "BTF: %s.%s goes through a non-struct member",
                        struct_name, path);
            return false;
        }
        s->container_id = cur;
        if (g_strlcpy(s->name, parts[i], sizeof(s->name)) >= sizeof(s->name)) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "member name %s is too long", parts[i]);
            return false;
        }
        search.name = parts[i];
        search.steps = 0;
        g_hash_table_remove_all(search.visited);
        found = st_btf_find_member(&search, cur, 0, &s->bit_offset,
                                   &s->bitfield_size, &s->type_id);
        if (found < 0) {
            g_prefix_error(errp, "struct %s: ", struct_name);
            return false;
        }
        if (!found) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "BTF: struct %s has no member %s", struct_name,
                        path);
            return false;
        }
        cur = btf__resolve_type(btf, s->type_id);
    }
    *n_steps = i;
    return true;
}

bool st_btf_datasec_offset(const struct btf *btf, const char *sec,
                           const char *var, uint64_t *offset, GError **errp)
{
    int id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
    const struct btf_type *t;
    const struct btf_var_secinfo *vi;
    unsigned i, n;

    if (id <= 0) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "BTF has no section %s", sec);
        return false;
    }
    t = btf__type_by_id(btf, id);
    vi = btf_var_secinfos(t);
    n = btf_vlen(t);
    for (i = 0; i < n; i++, vi++) {
        const struct btf_type *v = btf__type_by_id(btf, vi->type);
        const char *name = v ? btf__name_by_offset(btf, v->name_off) : NULL;

        if (name && strcmp(name, var) == 0) {
            *offset = vi->offset;
            return true;
        }
    }
    g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                "BTF section %s has no variable %s", sec, var);
    return false;
}

/* Turn a resolved member into the profile's field description */
static bool st_btf_field_info(const struct btf *btf, const StBtfStep *steps,
                              unsigned n, StLinuxFieldInfo *f, GError **errp)
{
    uint64_t bits = 0;
    const StBtfStep *last = &steps[n - 1];
    int type = btf__resolve_type(btf, last->type_id);
    const struct btf_type *t = type > 0 ? btf__type_by_id(btf, type) : NULL;
    int64_t size = type > 0 ? btf__resolve_size(btf, type) : -1;
    unsigned i;

    for (i = 0; i < n; i++) {
        bits += steps[i].bit_offset;
    }
    if (!t || size < 0 || (size == 0 && !btf_is_array(t)) ||
        size > ST_PROFILE_MAX_STRUCT) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "BTF: member has no usable type");
        return false;
    }
    memset(f, 0, sizeof(*f));
    f->present = true;
    if (last->bitfield_size) {
        f->kind = ST_FIELD_KIND_INT;
        f->offset = bits / 8;
        f->bit_shift = bits % 8;
        f->bit_size = last->bitfield_size;
        f->size = (f->bit_shift + f->bit_size + 7) / 8;
        if (f->size > 8) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "BTF: bitfield wider than 64 bits");
            return false;
        }
        return true;
    }
    if (bits % 8) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "BTF: member is not byte aligned");
        return false;
    }
    f->offset = bits / 8;
    f->size = size;
    if (btf_is_ptr(t)) {
        f->kind = ST_FIELD_KIND_PTR;
    } else if (btf_is_array(t)) {
        f->kind = ST_FIELD_KIND_ARRAY;
    } else if (btf_is_composite(t)) {
        f->kind = ST_FIELD_KIND_STRUCT;
    } else {
        f->kind = ST_FIELD_KIND_INT;
    }
    return true;
}

/* One path of member @f in BTF (st_linux_field_by_alternatives) */
static bool st_btf_try_path(void *opaque, StLinuxOffset f, const char *path,
                            StLinuxFieldInfo *fi, GError **errp)
{
    const struct btf *btf = opaque;
    StBtfStep steps[ST_BTF_MAX_STEPS];
    unsigned n;

    return st_btf_resolve_path(btf,
                               st_linux_struct_names[
                                   st_linux_offset_specs[f].in],
                               path, steps, &n, errp) &&
           st_btf_field_info(btf, steps, n, fi, errp);
}

/* Member @f by the first of its alternative paths that BTF has */
static bool st_btf_field(const struct btf *btf, StLinuxOffset f,
                         StLinuxFieldInfo *fi, GError **errp)
{
    return st_linux_field_by_alternatives(f, "BTF", st_btf_try_path,
                                          (void *)btf, fi, errp);
}

static bool st_btf_percpu_lookup(void *opaque, const char *var,
                                 uint64_t *offset)
{
    return st_btf_datasec_offset(opaque, ".data..percpu", var, offset, NULL);
}

bool st_linux_profile_percpu_btf(const struct btf *btf,
                                 const StLinuxProfile *prof,
                                 StLinuxPercpu which, uint64_t *offset,
                                 unsigned *alt)
{
    return st_linux_percpu_resolve(prof, which, st_btf_percpu_lookup,
                                   (void *)btf, offset, alt);
}

bool st_linux_profile_fields_from_btf(StLinuxProfile *prof,
                                      const struct btf *btf, GError **errp)
{
    unsigned i;
    bool all = true;

    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        int id = st_btf_find_struct(btf, st_linux_struct_names[i]);
        int64_t size = id > 0 ? btf__resolve_size(btf, id) : 0;

        prof->struct_size[i] = size > 0 && size <= ST_PROFILE_MAX_STRUCT ?
                               size : 0;
    }
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxOffsetSpec *spec = &st_linux_offset_specs[i];
        GError *err = NULL;

        prof->field[i].present = false;
        if (!prof->struct_size[spec->in] && spec->optional) {
            continue;
        }
        if (!st_btf_field(btf, i, &prof->field[i], &err)) {
            if (spec->optional && err->code == ST_PROFILE_ERROR_MISSING) {
                g_clear_error(&err);
                continue;
            }
            g_propagate_error(errp, err);
            return false;
        }
    }

    /*
     * BTF's per-CPU section offsets are offsets from the per-CPU base only
     * where the section is linked at 0 (up to 6.12); in 7.x only kallsyms
     * tells (st_linux_profile_percpu_from_kallsyms()).  5.10 has none.
     */
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        unsigned alt = 0;

        all &= st_linux_profile_percpu_btf(btf, prof, i, &prof->percpu[i],
                                           &alt);
        prof->percpu_alt[i] = alt;
    }
    prof->percpu_from = all ? ST_PERCPU_FROM_BTF : ST_PERCPU_FROM_NONE;
    return true;
}

bool st_linux_profile_from_btf(StLinuxProfile *prof, const struct btf *btf,
                               GError **errp)
{
    return st_linux_profile_fields_from_btf(prof, btf, errp) &&
           st_linux_profile_check(prof, errp);
}
