/*
 * QTest: the QEMU that secret-tracker builds is the pinned upstream
 * version and runs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"

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

static void test_device_help(void)
{
    const char *argv[] = { g_getenv("QTEST_QEMU_BINARY"), "-device", "help",
                           NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status;

    g_assert(argv[0]);
    g_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL,
                          NULL, &out, &err, &status, &error));
    g_assert_no_error(error);
    g_assert(g_spawn_check_wait_status(status, NULL));
    /* A bus-less device and a PCI one: the device list is really there. */
    g_assert(strstr(out, "name \"vmcoreinfo\""));
    g_assert(strstr(out, "name \"virtio-net-pci\""));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/secret-tracker/build/query-version", test_query_version);
    qtest_add_func("/secret-tracker/build/device-help", test_device_help);
    return g_test_run();
}
