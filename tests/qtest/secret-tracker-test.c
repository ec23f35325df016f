/*
 * QTest: the QEMU that secret-tracker builds is the pinned upstream
 * version and runs; the secret-tracker device's options and its QMP and
 * HMP contract (no guest code runs under qtest, so the tracker stays
 * waiting for the guest).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"

static void test_query_version(void)
{
    QTestState *qts = qtest_init("-machine none");
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'query-version' }");
    QDict *ret = qdict_get_qdict(resp, "return");
    QDict *qemu;

    g_assert(ret);
    qemu = qdict_get_qdict(ret, "qemu");
    g_assert(qemu);
    g_assert_cmpint(qdict_get_int(qemu, "major"), ==, 10);
    g_assert_cmpint(qdict_get_int(qemu, "minor"), ==, 0);
    g_assert_cmpint(qdict_get_int(qemu, "micro"), ==, 13);
    qobject_unref(resp);
    qtest_quit(qts);
}

/* Run QEMU with @args (no guest); its stdout. */
static char *run_qemu(const char *arg1, const char *arg2)
{
    const char *argv[] = { g_getenv("QTEST_QEMU_BINARY"), arg1, arg2, NULL };
    char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status;

    g_assert(argv[0]);
    g_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL,
                          NULL, &out, &err, &status, &error));
    g_assert_no_error(error);
    g_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return out;
}

/* Our device is listed, with a description, and its properties are. */
static void test_device_help(void)
{
    g_autofree char *list = run_qemu("-device", "help");
    g_autofree char *props = run_qemu("-device", "secret-tracker,help");
    static const char *const want[] = {
        "files=<str>", "log=<str>", "profile=<str>", "max-flows=<uint32>",
        "max-nodes=<uint32>", "max-fd-cache=<uint32>", "max-pending=<uint32>",
        "max-endpoints=<uint32>", "max-children=<uint32>",
        "max-waiting=<uint32>", "max-local-addrs=<uint32>",
        "max-shared=<uint32>",
    };
    const char *ours = strstr(list, "name \"secret-tracker\"");
    unsigned i;

    g_assert_nonnull(ours);
    /* one entry per line: ours, in the misc category, with a desc */
    g_assert_nonnull(strstr(list, "Misc devices:"));
    g_assert_true(ours > strstr(list, "Misc devices:"));
    g_assert_true(g_str_has_prefix(ours, "name \"secret-tracker\", "
                                   "desc \""));
    g_assert_nonnull(strstr(props, "secret-tracker options:"));
    for (i = 0; i < G_N_ELEMENTS(want); i++) {
        if (!strstr(props, want[i])) {
            g_test_message("no %s in: %s", want[i], props);
        }
        g_assert_nonnull(strstr(props, want[i]));
    }
}

static QTestState *start_tracker(const char *props)
{
    return qtest_initf("-machine pc -device secret-tracker%s%s",
                       props ? "," : "", props ? props : "");
}

/* Run a command that must fail; return its error description. */
static char *qmp_error_desc(QTestState *qts, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static char *qmp_error_desc(QTestState *qts, const char *fmt, ...)
{
    va_list ap;
    QDict *resp, *err;
    char *desc;

    va_start(ap, fmt);
    resp = qtest_vqmp(qts, fmt, ap);
    va_end(ap);
    err = qdict_get_qdict(resp, "error");
    g_assert(err);
    g_assert_cmpstr(qdict_get_str(err, "class"), ==, "GenericError");
    desc = g_strdup(qdict_get_str(err, "desc"));
    qobject_unref(resp);
    return desc;
}

static void test_device_props(void)
{
    QTestState *qts = start_tracker("files=/srv/secret/p*:/etc/shadow,"
                                    "max-flows=100");
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': {"
                            " 'path': '/machine/peripheral-anon/device[0]',"
                            " 'property': 'max-flows' } }");

    g_assert_cmpint(qdict_get_int(resp, "return"), ==, 100);
    qobject_unref(resp);
    resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': {"
                     " 'path': '/machine/peripheral-anon/device[0]',"
                     " 'property': 'files' } }");
    g_assert_cmpstr(qdict_get_str(resp, "return"), ==,
                    "/srv/secret/p*:/etc/shadow");
    qobject_unref(resp);
    qtest_quit(qts);
}

/* Start QEMU expecting it to refuse its command line with @expect. */
static void assert_refused(const char *args, const char *expect)
{
    g_autofree char *cmd = g_strdup_printf("%s -machine pc -display none "
                                           "-accel qtest %s",
                                           g_getenv("QTEST_QEMU_BINARY"),
                                           args);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    if (!strstr(err, expect)) {
        g_test_message("stderr: %s", err);
    }
    g_assert(strstr(err, expect));
}

static void test_device_refused(void)
{
    assert_refused("-device secret-tracker -device secret-tracker",
                   "at most one secret-tracker device is permitted");
    assert_refused("-device secret-tracker,files=relative/a",
                   "must be an absolute path");
    assert_refused("-device secret-tracker,files=/a/[b",
                   "property 'files'");
    assert_refused("-device secret-tracker,max-flows=0",
                   "'max-flows' must be at least 1");
    assert_refused("-device secret-tracker,max-nodes=0",
                   "'max-nodes' must be at least 1");
    assert_refused("-device secret-tracker,max-waiting=16777217",
                   "'max-waiting' must be at most 16777216");
    assert_refused("-device secret-tracker,max-local-addrs=0",
                   "'max-local-addrs' must be at least 1");
    assert_refused("-device secret-tracker,max-shared=0",
                   "'max-shared' must be at least 1");
    assert_refused("-device secret-tracker,profile=/nonexistent.json",
                   "property 'profile'");
    assert_refused("-device secret-tracker,log=/nonexistent/dir/log",
                   "/nonexistent/dir/log");
}

static void test_no_device(void)
{
    QTestState *qts = qtest_init("-machine pc");
    g_autofree char *desc = qmp_error_desc(qts,
                                           "{ 'execute': 'query-secret-flows' }");

    g_assert(strstr(desc, "no secret-tracker device"));
    qtest_quit(qts);
}

static void test_add_file_errors(void)
{
    QTestState *qts = start_tracker(NULL);
    char *desc;
    QDict *resp;

    desc = qmp_error_desc(qts, "{ 'execute': 'secret-tracker-add-file',"
                          " 'arguments': { 'path': '/a', 'dev': 1,"
                          " 'inode': 2 } }");
    g_assert(strstr(desc, "not both"));
    g_free(desc);
    desc = qmp_error_desc(qts, "{ 'execute': 'secret-tracker-add-file' }");
    g_assert(strstr(desc, "give either 'path'"));
    g_free(desc);
    desc = qmp_error_desc(qts, "{ 'execute': 'secret-tracker-add-file',"
                          " 'arguments': { 'inode': 2 } }");
    g_assert(strstr(desc, "both 'dev' and 'inode'"));
    g_free(desc);
    desc = qmp_error_desc(qts, "{ 'execute': 'secret-tracker-add-file',"
                          " 'arguments': { 'path': '/srv/[x' } }");
    g_assert(strstr(desc, "/srv/[x"));
    g_free(desc);
    desc = qmp_error_desc(qts, "{ 'execute': 'secret-tracker-add-file',"
                          " 'arguments': { 'path': 'srv/x' } }");
    g_assert(strstr(desc, "absolute"));
    g_free(desc);
    desc = qmp_error_desc(qts, "{ 'execute': 'secret-tracker-add-file',"
                          " 'arguments': { 'dev': -1, 'inode': 2 } }");
    g_assert(strstr(desc, "'dev' must not be negative"));
    g_free(desc);
    desc = qmp_error_desc(qts, "{ 'execute': 'query-secret-flows',"
                          " 'arguments': { 'since': -5 } }");
    g_assert(strstr(desc, "'since' must not be negative"));
    g_free(desc);

    /* Good registrations work before the guest runs; errors lost nothing. */
    resp = qtest_qmp(qts, "{ 'execute': 'secret-tracker-add-file',"
                     " 'arguments': { 'path': '/srv/secret/p*',"
                     " 'label': 'board' } }");
    g_assert(qdict_haskey(resp, "return"));
    qobject_unref(resp);
    resp = qtest_qmp(qts, "{ 'execute': 'secret-tracker-add-file',"
                     " 'arguments': { 'dev': 8388609, 'inode': 1234 } }");
    g_assert(qdict_haskey(resp, "return"));
    qobject_unref(resp);
    qtest_quit(qts);
}

static void test_queries(void)
{
    QTestState *qts = start_tracker("files=/srv/secret/p*");
    QDict *resp, *ret, *counters, *node, *file;
    QList *list;

    resp = qtest_qmp(qts, "{ 'execute': 'query-secret-tracker' }");
    ret = qdict_get_qdict(resp, "return");
    g_assert(ret);
    g_assert_cmpstr(qdict_get_str(ret, "state"), ==, "waiting-for-guest");
    g_assert_cmpstr(qdict_get_str(ret, "accelerator"), ==, "qtest");
    g_assert(!qdict_haskey(ret, "error"));
    g_assert(qlist_empty(qdict_get_qlist(ret, "hooks")));
    counters = qdict_get_qdict(ret, "counters");
    g_assert(counters);
    g_assert_cmpint(qdict_get_int(counters, "events"), ==, 0);
    g_assert_cmpint(qdict_get_int(counters, "flows"), ==, 0);
    g_assert(qdict_haskey(counters, "flows-dropped"));
    g_assert(qdict_haskey(counters, "unpaired"));
    g_assert(qlist_empty(qdict_get_qlist(counters, "drops")));
    qobject_unref(resp);

    resp = qtest_qmp(qts, "{ 'execute': 'query-secret-flows',"
                     " 'arguments': { 'since': 0 } }");
    g_assert(qlist_empty(qdict_get_qlist(resp, "return")));
    qobject_unref(resp);
    resp = qtest_qmp(qts, "{ 'execute': 'query-secret-processes' }");
    g_assert(qlist_empty(qdict_get_qlist(resp, "return")));
    qobject_unref(resp);

    /* A file registered by identity is tracked at once. */
    qobject_unref(qtest_qmp(qts, "{ 'execute': 'secret-tracker-add-file',"
                            " 'arguments': { 'dev': 8388609, 'inode': 77,"
                            " 'label': 'payroll' } }"));
    resp = qtest_qmp(qts, "{ 'execute': 'query-secret-files' }");
    list = qdict_get_qlist(resp, "return");
    g_assert_cmpint(qlist_size(list), ==, 1);
    ret = qobject_to(QDict, qlist_peek(list));
    g_assert(qdict_get_bool(ret, "registered"));
    g_assert_false(qdict_get_bool(ret, "gone"));
    g_assert_cmpstr(qstring_get_str(qobject_to(QString,
                    qlist_peek(qdict_get_qlist(ret, "labels")))), ==,
                    "payroll");
    node = qdict_get_qdict(ret, "node");
    g_assert_cmpstr(qdict_get_str(node, "kind"), ==, "file");
    g_assert_cmpint(qdict_get_int(node, "dev"), ==, 8388609);
    g_assert_cmpint(qdict_get_int(node, "inode"), ==, 77);
    file = node;
    g_assert_cmpstr(qdict_get_str(file, "path"), ==, "");
    qobject_unref(resp);
    qtest_quit(qts);
}

/* The labels of the one tracked file, joined by ","; g_free() it */
static char *file_labels(QTestState *qts, int64_t *inode)
{
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'query-secret-files' }");
    QList *list = qdict_get_qlist(resp, "return");
    GString *s = g_string_new(NULL);
    QListEntry *e;
    QDict *node;

    g_assert_cmpint(qlist_size(list), ==, 1);
    node = qobject_to(QDict, qlist_peek(list));
    QLIST_FOREACH_ENTRY(qdict_get_qlist(node, "labels"), e) {
        g_string_append_printf(s, "%s%s", s->len ? "," : "",
                               qstring_get_str(qobject_to(QString,
                                                          e->value)));
    }
    *inode = qdict_get_int(qdict_get_qdict(node, "node"), "inode");
    qobject_unref(resp);
    return g_string_free(s, false);
}

/*
 * The default label of a file registered by identity is what the schema
 * and the manual say: "inode:DEV:INODE".
 */
static void test_default_label(void)
{
    QTestState *qts = start_tracker(NULL);
    g_autofree char *labels = NULL;
    int64_t inode;

    qtest_qmp_assert_success(qts, "{ 'execute': 'secret-tracker-add-file',"
                             " 'arguments': { 'dev': 2049, 'inode': 10 } }");
    labels = file_labels(qts, &inode);
    g_assert_cmpint(inode, ==, 10);
    g_assert_cmpstr(labels, ==, "inode:2049:10");
    qtest_quit(qts);
}

static void test_hmp(void)
{
    QTestState *qts = start_tracker(NULL);
    g_autofree char *out = NULL;
    g_autoptr(GRegex) row = NULL;
    char *desc;
    int i;

    out = qtest_hmp(qts, "info secret-tracker");
    g_assert(strstr(out, "state: waiting-for-guest\r\n"));
    g_assert(strstr(out, "accelerator: qtest\r\n"));
    g_assert(strstr(out, "events 0, flows 0, flows dropped 0, nodes dropped "
                    "0, read errors 0, unpaired 0, paths resolved 0\r\n"));
    g_assert_null(strstr(out, "error:"));
    g_free(out);
    out = qtest_hmp(qts, "info secret-flows");
    g_assert_cmpstr(out, ==, "No secret flows recorded.\r\n");
    g_free(out);
    out = qtest_hmp(qts, "info secret-processes");
    g_assert_cmpstr(out, ==, "No tracked processes.\r\n");
    g_free(out);
    out = qtest_hmp(qts, "info secret-files");
    g_assert_cmpstr(out, ==, "No tracked files.\r\n");
    g_free(out);
    out = qtest_hmp(qts, "secret_track_file relative");
    g_assert(strstr(out, "must be an absolute path"));

    /*
     * Registrations through HMP take effect: the engine holds at most 64
     * labels (a node's labels are a 64-bit mask), so 64 patterns with 64
     * labels leave no room for another label given over QMP.  Had HMP
     * dropped the label, the one pattern would hold one label only.
     */
    for (i = 0; i < 64; i++) {
        g_free(out);
        out = qtest_hmp(qts, "secret_track_file /srv/secret/p* L%d", i);
        g_assert_cmpstr(out, ==, "");
    }
    desc = qmp_error_desc(qts, "{ 'execute': 'secret-tracker-add-file',"
                          " 'arguments': { 'dev': 1, 'inode': 2,"
                          " 'label': 'one-more' } }");
    g_assert(strstr(desc, "at most 64 labels"));
    g_free(desc);
    /* an existing label is still fine, and shows in the files table */
    qtest_qmp_assert_success(qts, "{ 'execute': 'secret-tracker-add-file',"
                             " 'arguments': { 'dev': 8388609, 'inode': 77,"
                             " 'label': 'L7' } }");
    g_free(out);
    out = qtest_hmp(qts, "info secret-files");
    row = g_regex_new("^file:\\[8388609:77\\] +labels=L7  first-seen=[0-9]+ns"
                      "  registered\r\n$", 0, 0, NULL);
    if (!g_regex_match(row, out, 0, NULL)) {
        g_test_message("info secret-files: %s", out);
    }
    g_assert_true(g_regex_match(row, out, 0, NULL));
    qtest_quit(qts);
}

/*
 * Text from outside (labels here; process and file names from the guest
 * in the e2e test) reaches the terminal escaped: no control character,
 * no invisible bidi override, backslashes doubled.
 */
static void test_hmp_escapes(void)
{
    QTestState *qts = start_tracker(NULL);
    g_autofree char *out = NULL;
    const char *p;

    qtest_qmp_assert_success(qts, "{ 'execute': 'secret-tracker-add-file',"
                             " 'arguments': { 'dev': 1, 'inode': 2, 'label':"
                             " 'a\\u001b[2Jb\\rc\\u007fd\\u009be\\u202ef\\\\x'"
                             " } }");
    out = qtest_hmp(qts, "info secret-files");
    g_test_message("info secret-files: %s", out);
    g_assert_nonnull(strstr(out, "labels=a\\x1b[2Jb\\x0dc\\x7fd\\u009be"
                            "\\u202ef\\\\x  "));
    for (p = out; *p; p++) {
        g_assert_true(*p == '\r' || *p == '\n' || (*p >= 0x20 && *p < 0x7f));
    }
    qtest_quit(qts);
}

static void test_migration_blocker(void)
{
    QTestState *qts = start_tracker(NULL);
    g_autofree char *desc = qmp_error_desc(qts,
        "{ 'execute': 'migrate', 'arguments': { 'uri': 'exec:cat' } }");

    g_assert(strstr(desc, "secret-tracker: the tracking state cannot be "
                    "migrated"));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/secret-tracker/build/query-version", test_query_version);
    qtest_add_func("/secret-tracker/build/device-help", test_device_help);
    qtest_add_func("/secret-tracker/device/props", test_device_props);
    qtest_add_func("/secret-tracker/device/refused", test_device_refused);
    qtest_add_func("/secret-tracker/qmp/no-device", test_no_device);
    qtest_add_func("/secret-tracker/qmp/add-file-errors",
                   test_add_file_errors);
    qtest_add_func("/secret-tracker/qmp/queries", test_queries);
    qtest_add_func("/secret-tracker/qmp/default-label", test_default_label);
    qtest_add_func("/secret-tracker/hmp/tables", test_hmp);
    qtest_add_func("/secret-tracker/hmp/escapes", test_hmp_escapes);
    qtest_add_func("/secret-tracker/migration-blocker",
                   test_migration_blocker);
    return g_test_run();
}
