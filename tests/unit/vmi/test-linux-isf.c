/*
 * secret-tracker: unit tests of the Volatility 3 ISF profile loader
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"
#include "qobject/qjson.h"
#include "vmi-synth.h"

#include <lzma.h>

#define SYNTH_BANNER \
    "Linux version 9.9.9-synthetic (st@test) (gcc) #1 SMP PREEMPT_DYNAMIC"

static char *fixture_path(void)
{
    return g_test_build_filename(G_TEST_DIST, "data", "synthetic-isf.json",
                                 NULL);
}

static char *fixture_text(size_t *len)
{
    g_autofree char *path = fixture_path();
    char *text;
    gsize n;

    g_assert_true(g_file_get_contents(path, &text, &n, NULL));
    if (len) {
        *len = n;
    }
    return text;
}

/* The fixture must give exactly the hand-written synthetic profile */
static void check_synthetic(const StLinuxProfile *p)
{
    g_autoptr(StLinuxProfile) want = st_synth_profile();
    unsigned i;

    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        g_assert_cmpuint(p->struct_size[i], ==, want->struct_size[i]);
    }
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxFieldInfo *a = &p->field[i], *b = &want->field[i];

        if (g_test_verbose()) {
            g_test_message("%s.%s",
                           st_linux_struct_names[st_linux_offset_specs[i].in],
                           st_linux_offset_specs[i].path);
        }
        g_assert_cmpint(a->present, ==, b->present);
        g_assert_cmphex(a->offset, ==, b->offset);
        g_assert_cmpuint(a->size, ==, b->size);
        g_assert_cmpuint(a->kind, ==, b->kind);
        g_assert_cmpuint(a->bit_shift, ==, 0);
        g_assert_cmpuint(a->bit_size, ==, i == ST_SOCKET_TYPE ? 16 : 0);
    }
    g_assert_cmphex(p->percpu[ST_PERCPU_CURRENT_TASK], ==,
                    want->percpu[ST_PERCPU_CURRENT_TASK]);
    g_assert_cmphex(p->percpu[ST_PERCPU_TOP_OF_STACK], ==,
                    want->percpu[ST_PERCPU_TOP_OF_STACK]);
    g_assert_true(p->has_entry_syscall);
    g_assert_cmphex(p->entry_syscall, ==, 0xffffffff81e00080ULL);
    g_assert_cmpstr(p->banner, ==, SYNTH_BANNER);
    g_assert_cmpint(p->source, ==, ST_PROFILE_SOURCE_ISF);
}

static void test_fixture(void)
{
    g_autofree char *path = fixture_path();
    GError *err = NULL;
    g_autoptr(StLinuxProfile) p = st_linux_profile_load_isf(path, &err);

    g_assert_no_error(err);
    g_assert_nonnull(p);
    check_synthetic(p);
    g_assert_cmpstr(p->origin, ==, path);
}

static char *write_xz(const char *text, size_t len, bool truncate)
{
    g_autofree uint8_t *out = g_malloc(len + 65536);
    size_t pos = 0;
    char *path;
    int fd;

    g_assert_cmpint(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL,
                                            (const uint8_t *)text, len, out,
                                            &pos, len + 65536), ==, LZMA_OK);
    fd = g_file_open_tmp("st-isf-XXXXXX.json.xz", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, (char *)out,
                                      truncate ? pos / 2 : pos, NULL));
    return path;
}

static void test_xz(void)
{
    size_t len;
    g_autofree char *text = fixture_text(&len);
    g_autofree char *good = write_xz(text, len, false);
    g_autofree char *bad = write_xz(text, len, true);
    GError *err = NULL;
    StLinuxProfile *p;

    p = st_linux_profile_load_isf(good, &err);
    g_assert_no_error(err);
    check_synthetic(p);
    st_linux_profile_free(p);

    p = st_linux_profile_load_isf(bad, &err);
    g_assert_null(p);
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "truncated"));
    g_clear_error(&err);
    unlink(good);
    unlink(bad);
}

static void expect_error(const char *text, size_t len, int code,
                         const char *what)
{
    GError *err = NULL;
    StLinuxProfile *p = st_linux_profile_parse_isf(text, len, "case", &err);

    g_assert_null(p);
    g_assert_nonnull(err);
    if (g_test_verbose()) {
        g_test_message("%s", err->message);
    }
    g_assert_cmpint(err->domain, ==, ST_PROFILE_ERROR);
    g_assert_cmpint(err->code, ==, code);
    g_assert_nonnull(strstr(err->message, what));
    g_clear_error(&err);
}

static void expect_text(const char *text, int code, const char *what)
{
    expect_error(text, strlen(text), code, what);
}

static void test_syntax(void)
{
    size_t len, cut;
    g_autofree char *text = fixture_text(&len);

    /* truncated anywhere: never accepted */
    for (cut = 0; cut < len - 2; cut += len / 97 + 1) {
        GError *err = NULL;

        g_assert_null(st_linux_profile_parse_isf(text, cut, "cut", &err));
        g_assert_nonnull(err);
        g_clear_error(&err);
    }
    expect_error(text, len / 2, ST_PROFILE_ERROR_SYNTAX, "truncated");
    expect_text("", ST_PROFILE_ERROR_SYNTAX, "empty");
    expect_text("this is not JSON", ST_PROFILE_ERROR_SYNTAX, "not JSON");
    expect_text("[1, 2, 3]", ST_PROFILE_ERROR_SYNTAX, "not JSON");
    expect_text("{\"user_types\": {}} trailing", ST_PROFILE_ERROR_SYNTAX,
                "trailing");
    expect_text("{\"user_types\" {}}", ST_PROFILE_ERROR_SYNTAX, "byte");
    expect_text("{\"base_types\": {}, \"symbols\": {}, \"user_types\": "
                "{\"task_struct\": {\"size\": 12,, }}}",
                ST_PROFILE_ERROR_SYNTAX, "");
}

static void test_shape(void)
{
    expect_text("{}", ST_PROFILE_ERROR_SHAPE, "user_types");
    expect_text("{\"metadata\": {}, \"symbols\": {}}", ST_PROFILE_ERROR_SHAPE,
                "user_types");
    expect_text("{\"user_types\": [], \"symbols\": {}, \"base_types\": {}}",
                ST_PROFILE_ERROR_SHAPE, "user_types");
    expect_text("{\"user_types\": {}, \"base_types\": {}}",
                ST_PROFILE_ERROR_SHAPE, "symbols");
    expect_text("{\"user_types\": {}, \"symbols\": {}}",
                ST_PROFILE_ERROR_SHAPE, "base_types");
    expect_text("{\"user_types\": {\"task_struct\": 5}, \"symbols\": {}, "
                "\"base_types\": {}}", ST_PROFILE_ERROR_SHAPE,
                "not an object");
    /* a well-formed but empty ISF lacks everything */
    expect_text("{\"user_types\": {}, \"symbols\": {}, \"base_types\": {}}",
                ST_PROFILE_ERROR_MISSING, "task_struct");
}

/* Parse the fixture, change it, and expect the loader to refuse it */
static QDict *fixture_dict(void)
{
    g_autofree char *text = fixture_text(NULL);

    return qobject_to(QDict, qobject_from_json(text, &error_abort));
}

static QDict *sub(QDict *d, const char *a, const char *b, const char *c)
{
    d = qdict_get_qdict(d, a);
    if (d && b) {
        d = qdict_get_qdict(d, b);
    }
    if (d && c) {
        d = qdict_get_qdict(d, c);
    }
    g_assert_nonnull(d);
    return d;
}

static StLinuxProfile *parse_dict(QDict *d, GError **errp)
{
    g_autoptr(GString) json = qobject_to_json(QOBJECT(d));

    return st_linux_profile_parse_isf(json->str, json->len, "mutated", errp);
}

/*
 * With ST_FUZZ_SEED_DIR set, @d is also written out as a seed for the
 * fuzz-isf target (data/fuzz-isf).
 */
static void write_seed(const char *name, QDict *d)
{
    const char *dir = g_getenv("ST_FUZZ_SEED_DIR");
    g_autoptr(GString) json = qobject_to_json(QOBJECT(d));
    g_autofree char *sub = NULL, *path = NULL;

    if (!dir) {
        return;
    }
    sub = g_build_filename(dir, "fuzz-isf", NULL);
    path = g_build_filename(sub, name, NULL);
    g_mkdir_with_parents(sub, 0755);
    g_assert_true(g_file_set_contents(path, json->str, json->len, NULL));
}

static void expect_dict_error(QDict *d, int code, const char *what)
{
    g_autoptr(GString) json = qobject_to_json(QOBJECT(d));

    expect_error(json->str, json->len, code, what);
    qobject_unref(d);
}

static void test_missing_and_range(void)
{
    QDict *d;

    d = fixture_dict();
    qdict_del(sub(d, "user_types", "task_struct", "fields"), "pid");
    expect_dict_error(d, ST_PROFILE_ERROR_MISSING, "task_struct.pid");

    d = fixture_dict();
    qdict_del(sub(d, "user_types", NULL, NULL), "dentry");
    expect_dict_error(d, ST_PROFILE_ERROR_MISSING, "dentry");

    /* a field inside an anonymous union */
    d = fixture_dict();
    qdict_del(sub(d, "user_types", "unnamed_7a1c", "fields"), "len");
    expect_dict_error(d, ST_PROFILE_ERROR_MISSING, "d_name.len");

    d = fixture_dict();
    qdict_put_int(qdict_get_qdict(sub(d, "user_types", "task_struct",
                                      "fields"), "pid"), "offset", 0x10000);
    expect_dict_error(d, ST_PROFILE_ERROR_RANGE, "task_struct.pid");

    d = fixture_dict();
    qdict_put_int(qdict_get_qdict(sub(d, "user_types", "task_struct",
                                      "fields"), "pid"), "offset", -4);
    expect_dict_error(d, ST_PROFILE_ERROR_SHAPE, "offset");

    d = fixture_dict();
    qdict_put_int(sub(d, "user_types", "dentry", NULL), "size", 0x30);
    expect_dict_error(d, ST_PROFILE_ERROR_RANGE, "dentry");

    d = fixture_dict();
    qdict_del(sub(d, "symbols", NULL, NULL), "current_task");
    expect_dict_error(d, ST_PROFILE_ERROR_MISSING, "current_task");

    d = fixture_dict();
    qdict_del(sub(d, "base_types", NULL, NULL), "unsigned short");
    expect_dict_error(d, ST_PROFILE_ERROR_MISSING, "unsigned short");

    d = fixture_dict();
    qdict_put_str(qdict_get_qdict(sub(d, "user_types", "task_struct",
                                      "fields"), "pid"), "type", "int");
    expect_dict_error(d, ST_PROFILE_ERROR_SHAPE, "type");
}

static void test_optional_and_pcpu_hot(void)
{
    QDict *d = fixture_dict(), *hot, *fields, *f, *t;
    GError *err = NULL;
    StLinuxProfile *p;

    /* 6.2+: current_task and the stack top live in pcpu_hot */
    qdict_del(sub(d, "symbols", NULL, NULL), "current_task");
    qdict_del(sub(d, "symbols", NULL, NULL), "cpu_current_top_of_stack");
    hot = qdict_new();
    qdict_put_int(hot, "address", 0x32100);
    qdict_put(sub(d, "symbols", NULL, NULL), "pcpu_hot", hot);
    hot = qdict_new();
    fields = qdict_new();
    qdict_put_str(hot, "kind", "struct");
    qdict_put_int(hot, "size", 64);
    f = qdict_new();
    t = qdict_new();
    qdict_put_str(t, "kind", "pointer");
    qdict_put(t, "subtype", qdict_new());
    qdict_put_int(f, "offset", 0);
    qdict_put(f, "type", t);
    qdict_put(fields, "current_task", f);
    f = qdict_new();
    t = qdict_new();
    qdict_put_str(t, "kind", "base");
    qdict_put_str(t, "name", "long unsigned int");
    qdict_put_int(f, "offset", 0x18);
    qdict_put(f, "type", t);
    qdict_put(fields, "top_of_stack", f);
    qdict_put(hot, "fields", fields);
    qdict_put(sub(d, "user_types", NULL, NULL), "pcpu_hot", hot);
    /* optional parts absent: unix sockets, entry_SYSCALL_64, banner */
    qdict_del(sub(d, "user_types", NULL, NULL), "unix_sock");
    qdict_del(sub(d, "symbols", NULL, NULL), "entry_SYSCALL_64");
    qdict_del(sub(d, "symbols", NULL, NULL), "linux_banner");

    p = parse_dict(d, &err);
    g_assert_no_error(err);
    g_assert_cmphex(p->percpu[ST_PERCPU_CURRENT_TASK], ==, 0x32100);
    g_assert_cmphex(p->percpu[ST_PERCPU_TOP_OF_STACK], ==, 0x32118);
    g_assert_false(p->field[ST_UNIX_SOCK_ADDR].present);
    g_assert_true(p->field[ST_UNIX_ADDRESS_LEN].present);
    g_assert_false(p->has_entry_syscall);
    g_assert_null(p->banner);
    st_linux_profile_free(p);
    qobject_unref(d);
}

/*
 * A dwarf2json ISF of a whole kernel has millions of tokens, more than
 * QEMU's JSON parser takes in one value: the loader must still load it.
 */
static void test_huge(void)
{
    size_t len;
    g_autofree char *text = fixture_text(&len);
    const char *ut = strstr(text, "\"user_types\": {");
    GString *big = g_string_sized_new(len + 20 * 1024 * 1024);
    GError *err = NULL;
    Error *qerr = NULL;
    QObject *obj;
    StLinuxProfile *p;
    int i;

    g_assert_nonnull(ut);
    ut += strlen("\"user_types\": {");
    g_string_append_len(big, text, ut - text);
    for (i = 0; i < 150000; i++) {
        g_string_append_printf(big, "\"filler_%d\": {\"kind\": \"struct\", "
                               "\"size\": 8, \"fields\": {\"a\": {\"offset\":"
                               " 0, \"type\": {\"kind\": \"base\", \"name\": "
                               "\"int\"}}}},\n", i);
    }
    g_string_append(big, ut);

    obj = qobject_from_json(big->str, &qerr);
    g_assert_null(obj);
    g_assert_nonnull(qerr);
    error_free(qerr);

    p = st_linux_profile_parse_isf(big->str, big->len, "huge", &err);
    g_assert_no_error(err);
    check_synthetic(p);
    st_linux_profile_free(p);
    g_string_free(big, true);
}

static void test_banner_check(void)
{
    g_autofree char *path = fixture_path();
    g_autoptr(StLinuxProfile) p = st_linux_profile_load_isf(path, NULL);
    GError *err = NULL;

    g_assert_nonnull(p);
    g_assert_true(st_linux_profile_check_banner(p, SYNTH_BANNER, &err));
    g_assert_true(st_linux_profile_check_banner(p, NULL, &err));
    g_assert_no_error(err);
    g_assert_false(st_linux_profile_check_banner(
        p, "Linux version 6.1.0-56-amd64 (x) #1 SMP", &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_WRONG_KERNEL);
    g_assert_nonnull(strstr(err->message, "9.9.9-synthetic"));
    g_assert_nonnull(strstr(err->message, "6.1.0-56-amd64"));
    g_clear_error(&err);
}

/*
 * 7.x, as dwarf2json writes it: d_shortname (a union with the bytes in
 * "string"), the per-CPU variables at their link-time addresses in the
 * image, which move with the kernel
 */
static void test_7x(void)
{
    QDict *d = fixture_dict(), *dentry, *u, *f, *t;
    const uint64_t entry = 18446744071593525376ULL;  /* the fixture's */
    const uint64_t cur = 0xffffffff83e24018ULL;
    GError *err = NULL;
    StLinuxProfile *p;

    dentry = sub(d, "user_types", "dentry", "fields");
    f = qdict_get_qdict(dentry, "d_iname");
    qobject_ref(f);
    qdict_del(dentry, "d_iname");
    u = qdict_new();
    qdict_put_str(u, "kind", "union");
    qdict_put_int(u, "size", 40);
    qdict_put(u, "fields", qdict_new());
    qdict_put(qdict_get_qdict(u, "fields"), "string",
              qdict_clone_shallow(f));
    qdict_put_int(qdict_get_qdict(qdict_get_qdict(u, "fields"), "string"),
                  "offset", 0);
    qdict_put(sub(d, "user_types", NULL, NULL), "shortname_store", u);
    t = qdict_new();
    qdict_put_str(t, "kind", "union");
    qdict_put_str(t, "name", "shortname_store");
    qdict_put(f, "type", t);
    qdict_put(dentry, "d_shortname", f);
    qdict_put(sub(d, "symbols", "current_task", NULL), "address",
              qnum_from_uint(cur));
    qdict_put(sub(d, "symbols", "cpu_current_top_of_stack", NULL),
              "address", qnum_from_uint(cur - 8));

    p = parse_dict(d, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(p->field[ST_DENTRY_D_INAME].alt, ==, 1);
    g_assert_cmphex(p->field[ST_DENTRY_D_INAME].offset, ==, 128);
    g_assert_cmpuint(p->field[ST_DENTRY_D_INAME].size, ==, 40);
    g_assert_cmphex(p->percpu[ST_PERCPU_CURRENT_TASK], ==, cur);
    g_assert_cmphex(p->percpu_lstar, ==, entry);

    /* a kernel 6 MiB higher: the per-CPU addresses follow */
    g_assert_true(st_linux_profile_bind(p, entry + (6 << 20), &err));
    g_assert_no_error(err);
    g_assert_cmphex(p->percpu[ST_PERCPU_CURRENT_TASK], ==, cur + (6 << 20));
    g_assert_cmphex(p->percpu[ST_PERCPU_TOP_OF_STACK], ==,
                    cur - 8 + (6 << 20));
    /* not by a distance KASLR cannot make */
    g_assert_false(st_linux_profile_bind(p, entry + 0x1000, &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE);
    g_clear_error(&err);
    st_linux_profile_free(p);

    /* link-time per-CPU addresses with no entry_SYSCALL_64: refused */
    qdict_del(sub(d, "symbols", NULL, NULL), "entry_SYSCALL_64");
    g_assert_null(parse_dict(d, &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING);
    g_assert_nonnull(strstr(err->message, "entry_SYSCALL_64"));
    g_clear_error(&err);
    qobject_unref(d);
}

static void test_missing_file(void)
{
    GError *err = NULL;

    g_assert_null(st_linux_profile_load_isf("/nonexistent/profile.json",
                                            &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO);
    g_clear_error(&err);
}

/*
 * Hostile anonymous members (issue 10 item 3): without a visited set the
 * member search is exponential (32 members per level, 8 levels), so each
 * case hangs before the fix; the test harness's timeout catches that.
 */
static QDict *anon_field(const char *type, uint64_t offset)
{
    QDict *f = qdict_new(), *t = qdict_new();

    qdict_put_str(t, "kind", "struct");
    qdict_put_str(t, "name", type);
    qdict_put_int(f, "offset", offset);
    qdict_put_bool(f, "anonymous", true);
    qdict_put(f, "type", t);
    return f;
}

static void add_anon_fields(QDict *fields, const char *type, int n,
                            uint64_t offset)
{
    int i;

    for (i = 0; i < n; i++) {
        g_autofree char *key = g_strdup_printf("unnamed_field_%d", i);

        qdict_put(fields, key, anon_field(type, offset));
    }
}

/* fan0 .. fan7: each holds 32 anonymous members of the next; fan7 @last */
static void add_fan_types(QDict *d, QDict *last_fields)
{
    QDict *types = sub(d, "user_types", NULL, NULL);
    int i;

    for (i = 0; i < 8; i++) {
        g_autofree char *name = g_strdup_printf("fan%d", i);
        g_autofree char *next = g_strdup_printf("fan%d", i + 1);
        QDict *t = qdict_new();
        QDict *fields = i == 7 ? last_fields : qdict_new();

        qdict_put_str(t, "kind", "struct");
        qdict_put_int(t, "size", 64);
        if (i < 7) {
            add_anon_fields(fields, next, 32, 8);
        }
        qdict_put(t, "fields", fields);
        qdict_put(types, name, t);
    }
}

static void test_hostile_anonymous(void)
{
    QDict *d, *ts, *last, *pid;
    GError *err = NULL;
    StLinuxProfile *p;

    /* task_struct holds itself 32 times, and has no pid */
    d = fixture_dict();
    ts = sub(d, "user_types", "task_struct", "fields");
    qdict_del(ts, "pid");
    add_anon_fields(ts, "task_struct", 32, 0);
    write_seed("regress-anonymous-self", d);
    expect_dict_error(d, ST_PROFILE_ERROR_SHAPE, "contains itself");

    /* a fan-out 9 levels deep without pid: refused as missing */
    d = fixture_dict();
    ts = sub(d, "user_types", "task_struct", "fields");
    qdict_del(ts, "pid");
    add_anon_fields(ts, "fan0", 32, 8);
    add_fan_types(d, qdict_new());
    write_seed("regress-anonymous-fan-out", d);
    expect_dict_error(d, ST_PROFILE_ERROR_MISSING, "task_struct.pid");

    /* the same with pid at the bottom: found, at the summed offset */
    d = fixture_dict();
    ts = sub(d, "user_types", "task_struct", "fields");
    pid = qobject_to(QDict, qobject_ref(qdict_get(ts, "pid")));
    qdict_del(ts, "pid");
    qdict_put_int(pid, "offset", 4);
    last = qdict_new();
    qdict_put(last, "pid", pid);
    add_anon_fields(ts, "fan0", 32, 8);
    add_fan_types(d, last);
    p = parse_dict(d, &err);
    g_assert_no_error(err);
    g_assert_true(p->field[ST_TASK_STRUCT_PID].present);
    g_assert_cmphex(p->field[ST_TASK_STRUCT_PID].offset, ==, 8 * 8 + 4);
    st_linux_profile_free(p);
    qobject_unref(d);
}

/* 10000 distinct anonymous types: the search budget ends it, saying so */
static void test_search_budget(void)
{
    QDict *d = fixture_dict(), *ts, *types;
    int i;

    ts = sub(d, "user_types", "task_struct", "fields");
    types = sub(d, "user_types", NULL, NULL);
    qdict_del(ts, "pid");
    for (i = 0; i < 10000; i++) {
        g_autofree char *key = g_strdup_printf("unnamed_field_%d", i);
        g_autofree char *name = g_strdup_printf("anon%d", i);
        QDict *t = qdict_new(), *fields = qdict_new();

        qdict_put(ts, key, anon_field(name, 0));
        qdict_put_str(t, "kind", "struct");
        qdict_put_int(t, "size", 8);
        qdict_put(fields, "x",
                  qdict_clone_shallow(qdict_get_qdict(ts, "tgid")));
        qdict_put(t, "fields", fields);
        qdict_put(types, name, t);
    }
    expect_dict_error(d, ST_PROFILE_ERROR_RANGE, "steps");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/isf/fixture", test_fixture);
    g_test_add_func("/vmi/isf/xz", test_xz);
    g_test_add_func("/vmi/isf/syntax", test_syntax);
    g_test_add_func("/vmi/isf/shape", test_shape);
    g_test_add_func("/vmi/isf/missing-and-range", test_missing_and_range);
    g_test_add_func("/vmi/isf/pcpu-hot-and-optional",
                    test_optional_and_pcpu_hot);
    g_test_add_func("/vmi/isf/huge", test_huge);
    g_test_add_func("/vmi/isf/7x", test_7x);
    g_test_add_func("/vmi/isf/banner-check", test_banner_check);
    g_test_add_func("/vmi/isf/missing-file", test_missing_file);
    g_test_add_func("/vmi/isf/hostile-anonymous", test_hostile_anonymous);
    g_test_add_func("/vmi/isf/search-budget", test_search_budget);
    return g_test_run();
}
