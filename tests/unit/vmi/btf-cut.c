/*
 * secret-tracker: cut a kernel's BTF down to what a profile reads, and a
 * compiler-made oracle of member offsets (tests only)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "btf-cut.h"

#include <bpf/btf.h>

typedef struct Cut {
    const struct btf *full;
    struct btf *out;
    GHashTable *wanted;     /* member names on some profile path */
    GHashTable *done;       /* full type id -> new id + 1 (0: dropped) */
    int ints[17];           /* unsigned integer of each size */
    int void_ptr;
} Cut;

static int cut_int(Cut *c, uint32_t size)
{
    if (size == 0 || size > 16 || (size & (size - 1))) {
        return 0;
    }
    if (!c->ints[size]) {
        g_autofree char *name = g_strdup_printf("u%u", size * 8);

        c->ints[size] = btf__add_int(c->out, name, size, 0);
    }
    return c->ints[size];
}

static int cut_type(Cut *c, int id);

static int cut_composite(Cut *c, const struct btf_type *t)
{
    const char *name = btf__name_by_offset(c->full, t->name_off);
    const struct btf_member *m = btf_members(t);
    unsigned n = btf_vlen(t), i, kept = 0;
    g_autofree int *types = g_new0(int, n + 1);
    int id;

    for (i = 0; i < n; i++) {
        const char *mname = btf__name_by_offset(c->full, m[i].name_off);

        if (mname && *mname && !g_hash_table_contains(c->wanted, mname)) {
            continue;
        }
        types[i] = cut_type(c, m[i].type);
        kept += types[i] > 0;
    }
    if ((!name || !*name) && !kept) {
        return 0;
    }
    id = btf_is_union(t) ? btf__add_union(c->out, name, t->size)
                         : btf__add_struct(c->out, name, t->size);
    for (i = 0; i < n; i++) {
        if (types[i] > 0) {
            const char *mname = btf__name_by_offset(c->full, m[i].name_off);

            g_assert_cmpint(btf__add_field(c->out, mname, types[i],
                                           btf_member_bit_offset(t, i),
                                           btf_member_bitfield_size(t, i)),
                            ==, 0);
        }
    }
    return id;
}

static int cut_type(Cut *c, int id)
{
    const struct btf_type *t;
    gpointer memo;
    int out = 0;

    id = btf__resolve_type(c->full, id);
    t = id > 0 ? btf__type_by_id(c->full, id) : NULL;
    if (!t) {
        return 0;
    }
    if (g_hash_table_lookup_extended(c->done, GINT_TO_POINTER(id), NULL,
                                     &memo)) {
        return GPOINTER_TO_INT(memo);
    }
    if (btf_is_int(t) || btf_is_any_enum(t)) {
        out = cut_int(c, t->size);
    } else if (btf_is_ptr(t)) {
        if (!c->void_ptr) {
            c->void_ptr = btf__add_ptr(c->out, 0);
        }
        out = c->void_ptr;
    } else if (btf_is_array(t)) {
        const struct btf_array *a = btf_array(t);
        int elem = cut_type(c, a->type);
        int64_t size = btf__resolve_size(c->full, id);

        if (elem > 0) {
            out = btf__add_array(c->out, cut_int(c, 4), elem, a->nelems);
        } else if (size >= 0) {
            out = btf__add_array(c->out, cut_int(c, 4), cut_int(c, 1), size);
        }
    } else if (btf_is_composite(t)) {
        out = cut_composite(c, t);
    }
    g_hash_table_insert(c->done, GINT_TO_POINTER(id), GINT_TO_POINTER(out));
    return out;
}

static void cut_percpu(Cut *c)
{
    static const char *const vars[] = {
        "current_task", "cpu_current_top_of_stack", "pcpu_hot",
    };
    int sec = btf__find_by_name_kind(c->full, ".data..percpu",
                                     BTF_KIND_DATASEC);
    const struct btf_type *t = sec > 0 ? btf__type_by_id(c->full, sec) : NULL;
    const struct btf_var_secinfo *vi;
    int ids[G_N_ELEMENTS(vars)] = { 0 };
    uint32_t off[G_N_ELEMENTS(vars)], size[G_N_ELEMENTS(vars)];
    unsigned i, j, n;

    if (!t) {
        return;
    }
    vi = btf_var_secinfos(t);
    n = btf_vlen(t);
    for (i = 0; i < n; i++) {
        const struct btf_type *v = btf__type_by_id(c->full, vi[i].type);
        const char *name = btf__name_by_offset(c->full, v->name_off);

        for (j = 0; j < G_N_ELEMENTS(vars); j++) {
            int type;

            if (strcmp(name, vars[j]) || ids[j]) {
                continue;
            }
            type = cut_type(c, v->type);
            ids[j] = btf__add_var(c->out, name, BTF_VAR_GLOBAL_ALLOCATED,
                                  type > 0 ? type : cut_int(c, 8));
            off[j] = vi[i].offset;
            size[j] = vi[i].size;
        }
    }
    g_assert_cmpint(btf__add_datasec(c->out, ".data..percpu", t->size), >, 0);
    for (j = 0; j < G_N_ELEMENTS(vars); j++) {
        if (ids[j] > 0) {
            g_assert_cmpint(btf__add_datasec_var_info(c->out, ids[j], off[j],
                                                      size[j]), ==, 0);
        }
    }
}

struct btf *st_btf_cut(const struct btf *full)
{
    Cut c = { .full = full, .out = btf__new_empty() };
    unsigned i, j;

    c.wanted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c.done = g_hash_table_new(NULL, NULL);
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        char path[64];
        unsigned alt;

        /* every name a member goes by on some kernel */
        for (alt = 0; st_linux_offset_path(i, alt, path, sizeof(path));
             alt++) {
            g_auto(GStrv) parts = g_strsplit(path, ".", -1);

            for (j = 0; parts[j]; j++) {
                g_hash_table_add(c.wanted, g_strdup(parts[j]));
            }
        }
    }
    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        int id = btf__find_by_name_kind(full, st_linux_struct_names[i],
                                        BTF_KIND_STRUCT);

        if (id > 0) {
            cut_type(&c, id);
        }
    }
    cut_percpu(&c);
    g_hash_table_destroy(c.wanted);
    g_hash_table_destroy(c.done);
    return c.out;
}

/* The oracle: libbpf writes the types as C, the compiler lays them out */

static void dump_printf(void *ctx, const char *fmt, va_list args)
{
    g_string_append_vprintf(ctx, fmt, args);
}

static unsigned line_of(const GString *s)
{
    unsigned n = 1;
    gsize i;

    for (i = 0; i < s->len; i++) {
        n += s->str[i] == '\n';
    }
    return n;
}

/* Compile and run @src; its stdout, or NULL with the compiler's errors */
static char *compile_run(const char *dir, const char *src, char **errs)
{
    g_autofree char *c = g_build_filename(dir, "oracle.c", NULL);
    g_autofree char *exe = g_build_filename(dir, "oracle", NULL);
    const char *cc_argv[] = { "cc", "-std=gnu11", "-w", "-o", exe, c, NULL };
    const char *run_argv[] = { exe, NULL };
    char *out = NULL;
    int status;

    g_assert_true(g_file_set_contents(c, src, -1, NULL));
    if (!g_spawn_sync(NULL, (char **)cc_argv, NULL, G_SPAWN_SEARCH_PATH,
                      NULL, NULL, NULL, errs, &status, NULL) ||
        !WIFEXITED(status) || WEXITSTATUS(status)) {
        return NULL;
    }
    g_assert_true(g_spawn_sync(NULL, (char **)run_argv, NULL, 0, NULL, NULL,
                               &out, NULL, &status, NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return out;
}

bool st_btf_oracle(const struct btf *btf, StBtfOracle *o, GError **errp)
{
    g_autoptr(GString) src = g_string_new(NULL);
    g_autoptr(GHashTable) bad = g_hash_table_new(NULL, NULL);
    g_autofree char *dir = g_dir_make_tmp("st-btf-oracle-XXXXXX", NULL);
    g_autofree unsigned *line = g_new0(unsigned, ST_OFFSET__COUNT);
    g_autofree unsigned *alt = g_new0(unsigned, ST_OFFSET__COUNT);
    char path[64];
    g_autofree char *out = NULL, *errs = NULL;
    struct btf_dump *d = btf_dump__new(btf, dump_printf, src, NULL);
    int ids[ST_STRUCT__COUNT];
    gsize body;
    unsigned i, attempt;

    g_assert_nonnull(dir);
    g_assert_nonnull(d);
    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        ids[i] = btf__find_by_name_kind(btf, st_linux_struct_names[i],
                                        BTF_KIND_STRUCT);
        if (ids[i] > 0) {
            g_assert_cmpint(btf_dump__dump_type(d, ids[i]), ==, 0);
        }
        o->struct_size[i] = -1;
    }
    btf_dump__free(d);
    g_string_append(src, "\nint printf(const char *, ...);\n"
                    "int main(void)\n{\n");
    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        if (ids[i] > 0) {
            g_string_append_printf(src, "printf(\"S %u %%lu\\n\", (unsigned "
                                   "long)sizeof(struct %s));\n", i,
                                   st_linux_struct_names[i]);
        }
    }
    body = src->len;
    /* a failed member tries its next name, up to 8 rounds */
    for (attempt = 0; attempt < 8; attempt++) {
        g_string_truncate(src, body);
        for (i = 0; i < ST_OFFSET__COUNT; i++) {
            const StLinuxOffsetSpec *spec = &st_linux_offset_specs[i];
            const char *s = st_linux_struct_names[spec->in];

            o->offset[i] = o->size[i] = -1;
            line[i] = line_of(src);
            if (ids[spec->in] <= 0 ||
                g_hash_table_contains(bad, GUINT_TO_POINTER(i)) ||
                !st_linux_offset_path(i, alt[i], path, sizeof(path))) {
                g_string_append(src, "\n");
                continue;
            }
            g_string_append_printf(src, "printf(\"F %u %%lu %%lu\\n\", "
                                   "(unsigned long)__builtin_offsetof("
                                   "struct %s, %s), (unsigned long)sizeof("
                                   "((struct %s *)0)->%s));\n", i, s,
                                   path, s, path);
        }
        g_string_append(src, "return 0;\n}\n");
        g_free(errs);
        errs = NULL;
        out = compile_run(dir, src->str, &errs);
        if (out) {
            break;
        }
        /*
         * Members that do not exist by that name (or are bitfields): the
         * next name, or drop the line when there is none.
         */
        for (i = 0; i < ST_OFFSET__COUNT; i++) {
            g_autofree char *tag = g_strdup_printf("oracle.c:%u:", line[i]);

            if (strstr(errs, tag)) {
                alt[i]++;
                if (!st_linux_offset_path(i, alt[i], path, sizeof(path))) {
                    g_hash_table_add(bad, GUINT_TO_POINTER(i));
                }
            }
        }
    }
    if (!out) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "the C compiler refused the dumped types: %.2000s", errs);
        return false;
    }
    {
        g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
        unsigned long a, b;

        for (i = 0; lines[i]; i++) {
            unsigned k;

            if (sscanf(lines[i], "S %u %lu", &k, &a) == 2 &&
                k < ST_STRUCT__COUNT) {
                o->struct_size[k] = a;
            } else if (sscanf(lines[i], "F %u %lu %lu", &k, &a, &b) == 3 &&
                       k < ST_OFFSET__COUNT) {
                o->offset[k] = a;
                o->size[k] = b;
            }
        }
    }
    {
        g_autofree char *c = g_build_filename(dir, "oracle.c", NULL);
        g_autofree char *exe = g_build_filename(dir, "oracle", NULL);

        unlink(c);
        unlink(exe);
        rmdir(dir);
    }
    return true;
}
