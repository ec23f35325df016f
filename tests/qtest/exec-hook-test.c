/*
 * QTest: execution hooks (accel/exec-hook) on KVM and TCG, driven through
 * exec-hook-testdev against the hooktest guest (tests/guests/hooktest).
 * The guest path comes from $EXEC_HOOK_TEST_GUEST.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/kvm.h>
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
/* The guest's info block layout, shared with the guest itself. */
#include "tests/guests/hooktest/hooktest.h"

#define DEV_PATH "/machine/peripheral/hd"

typedef struct HookCase {
    const char *accel;
    const char *step;
    bool gdb;
    bool get_regs;              /* KVM_GET_REGS instead of sync regs */
} HookCase;

static const char *guest_path(void)
{
    const char *p = g_getenv("EXEC_HOOK_TEST_GUEST");

    if (!p || !g_file_test(p, G_FILE_TEST_EXISTS)) {
        g_test_skip("EXEC_HOOK_TEST_GUEST does not name the hooktest guest "
                    "(run through meson test)");
        return NULL;
    }
    return p;
}

/* NULL if KVM works, else why not. */
static char *kvm_unusable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int vm;

    if (fd < 0) {
        return g_strdup_printf("/dev/kvm: %s", strerror(errno));
    }
    if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        close(fd);
        return g_strdup("/dev/kvm: unexpected KVM API version");
    }
    vm = ioctl(fd, KVM_CREATE_VM, 0);
    if (vm < 0) {
        char *why = g_strdup_printf("KVM_CREATE_VM: %s", strerror(errno));

        close(fd);
        return why;
    }
    close(vm);
    close(fd);
    return NULL;
}

static bool accel_usable(const char *accel)
{
    g_autofree char *why = NULL;

    if (strcmp(accel, "kvm")) {
        return true;
    }
    why = kvm_unusable();
    if (why) {
        g_autofree char *msg = g_strdup_printf("KVM unusable here: %s", why);

        g_test_skip(msg);
        return false;
    }
    return true;
}

static uint64_t qom_get_uint(QTestState *qts, const char *prop)
{
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                            "{ 'path': %s, 'property': %s } }",
                            DEV_PATH, prop);
    uint64_t val;

    g_assert(qdict_haskey(resp, "return"));
    g_assert(qnum_get_try_uint(qobject_to(QNum, qdict_get(resp, "return")),
                               &val));
    qobject_unref(resp);
    return val;
}

static char *qom_get_str(QTestState *qts, const char *prop)
{
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                            "{ 'path': %s, 'property': %s } }",
                            DEV_PATH, prop);
    char *s = g_strdup(qdict_get_str(resp, "return"));

    qobject_unref(resp);
    return s;
}

/* Arm through qom-set; returns the error description or NULL. */
static char *arm(QTestState *qts)
{
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'qom-set', 'arguments': "
                            "{ 'path': %s, 'property': 'armed', "
                            "'value': true } }", DEV_PATH);
    char *err = NULL;

    if (qdict_haskey(resp, "error")) {
        err = g_strdup(qdict_get_str(qdict_get_qdict(resp, "error"), "desc"));
    }
    qobject_unref(resp);
    return err;
}

static uint32_t info(QTestState *qts, int off)
{
    return qtest_readl(qts, HT_INFO_ADDR + off);
}

/* Bounded wait for the guest to finish (not a timing assertion). */
static void wait_done(QTestState *qts)
{
    int i;

    for (i = 0; i < 6000; i++) {
        if (info(qts, HT_DONE) == HT_DONE_MAGIC || info(qts, HT_FAULT) == 1) {
            break;
        }
        g_usleep(10 * 1000);
    }
    g_assert_cmphex(info(qts, HT_FAULT), !=, 1);
    g_assert_cmphex(info(qts, HT_DONE), ==, HT_DONE_MAGIC);
}

static QTestState *start(const char *accel, const char *devopts,
                         const char *extra)
{
    /* Firmware from Debian's packages, as the build tree has none. */
    return qtest_initf("-machine pc -accel %s -m 64 -smp 2 -nodefaults -S "
                       "-L /usr/share/seabios -L /usr/share/qemu "
                       "-kernel %s -device exec-hook-testdev,id=hd,%s %s",
                       accel, guest_path(), devopts, extra ? extra : "");
}

/* ---- a minimal GDB remote-protocol client, for Z1/c/z1 ---- */

static void rsp_send(int fd, const char *payload)
{
    unsigned sum = 0;
    const char *p;
    g_autofree char *pkt = NULL;
    char ack;

    for (p = payload; *p; p++) {
        sum += (unsigned char)*p;
    }
    pkt = g_strdup_printf("$%s#%02x", payload, sum & 0xff);
    g_assert_cmpint(write(fd, pkt, strlen(pkt)), ==, strlen(pkt));
    g_assert_cmpint(read(fd, &ack, 1), ==, 1);
    g_assert_cmpint(ack, ==, '+');
}

/* Read one packet's payload (blocking), and acknowledge it. */
static char *rsp_recv(int fd)
{
    GString *s = g_string_new(NULL);
    char c;
    int tail = -1;

    do {
        g_assert_cmpint(read(fd, &c, 1), ==, 1);
    } while (c != '$');
    while (tail != 0) {
        g_assert_cmpint(read(fd, &c, 1), ==, 1);
        if (tail > 0) {
            tail--;
        } else if (c == '#') {
            tail = 2;
        } else {
            g_string_append_c(s, c);
        }
    }
    g_assert_cmpint(write(fd, "+", 1), ==, 1);
    return g_string_free(s, false);
}

static int rsp_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    int i;

    g_assert(fd >= 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    for (i = 0; i < 500; i++) {
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
            return fd;
        }
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

/* gdbstub: a hardware breakpoint at the gdb site stops the guest. */
static void gdb_breakpoint_round(QTestState *qts, int fd)
{
    g_autofree char *bp = g_strdup_printf("Z1,%x,1", HT_GDBSITE_ADDR);
    g_autofree char *unbp = g_strdup_printf("z1,%x,1", HT_GDBSITE_ADDR);
    g_autofree char *reply = NULL;
    g_autofree char *stop = NULL;
    g_autofree char *pc = NULL;

    rsp_send(fd, bp);
    reply = rsp_recv(fd);
    g_assert_cmpstr(reply, ==, "OK");
    rsp_send(fd, "c");
    stop = rsp_recv(fd);
    g_test_message("gdbstub stop reply: %s", stop);
    g_assert(stop[0] == 'T' || stop[0] == 'S');
    /* Stopped at the gdb site in the first loop: both sites ran once. */
    g_assert_cmpuint(info(qts, HT_COUNT3), ==, 0);
    g_assert_cmpuint(info(qts, HT_COUNT0), ==, 1);
    g_assert_cmpuint(info(qts, HT_LOOPS), ==, 0);
    g_assert_cmpuint(qom_get_uint(qts, "site0-hits"), ==, 1);
    g_assert_cmpuint(qom_get_uint(qts, "site1-hits"), ==, 1);
    rsp_send(fd, unbp);
    g_free(reply);
    reply = rsp_recv(fd);
    g_assert_cmpstr(reply, ==, "OK");
    rsp_send(fd, "c");
}

static void test_mechanism(const void *data)
{
    const HookCase *c = data;
    g_autofree char *devopts = NULL;
    g_autofree char *extra = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *err = NULL;
    g_autofree char *method = NULL;
    g_autofree char *backend = NULL;
    QTestState *qts;
    uint64_t hits0, hits1, exits;
    int fd = -1;

    if (!guest_path() || !accel_usable(c->accel)) {
        return;
    }
    /* Each site's instruction is "incl abs32": ff 05 ... */
    devopts = g_strdup_printf("site0=0x%x,site1=0x%x,magic=0x%x,step=%s,"
                              "expect-insn=0x05ff,x-sync-regs=%s",
                              HT_SITE0_ADDR, HT_SITE1_ADDR, HT_BASE_MAGIC,
                              c->step, c->get_regs ? "off" : "on");
    if (c->gdb) {
        sock = g_strdup_printf("%s/exec-hook-gdb-%d.sock", g_get_tmp_dir(),
                               getpid());
        unlink(sock);
        extra = g_strdup_printf("-gdb unix:%s,server=on,wait=off", sock);
    }
    qts = start(c->accel, devopts, extra);
    err = arm(qts);
    g_assert_null(err);
    if (c->gdb) {
        fd = rsp_connect(sock);
        gdb_breakpoint_round(qts, fd);
    } else {
        qtest_qmp_assert_success(qts, "{ 'execute': 'cont' }");
    }
    wait_done(qts);

    /* Exactly-once execution, seen by the guest itself. */
    g_assert_cmpuint(info(qts, HT_LOOPS), ==, HT_LOOPS_N);
    g_assert_cmpuint(info(qts, HT_COUNT0), ==, HT_LOOPS_N);
    g_assert_cmpuint(info(qts, HT_COUNT1), ==, HT_LOOPS_N);
    g_assert_cmpuint(info(qts, HT_COUNT2), ==, HT_LOOPS_N);
    g_assert_cmpuint(info(qts, HT_COUNT3), ==, HT_LOOPS_N);
    /* Exactly N hits per site, and the right RBX at every one. */
    hits0 = qom_get_uint(qts, "site0-hits");
    hits1 = qom_get_uint(qts, "site1-hits");
    g_assert_cmpuint(hits0, ==, HT_LOOPS_N);
    g_assert_cmpuint(hits1, ==, HT_LOOPS_N);
    g_assert_cmpuint(qom_get_uint(qts, "site0-bad"), ==, 0);
    g_assert_cmpuint(qom_get_uint(qts, "site1-bad"), ==, 0);
    /* The guest's own DR0 breakpoint, and its view of DR0-7. */
    g_assert_cmpuint(info(qts, HT_DB_COUNT), ==, HT_LOOPS_N);
    g_assert_cmpuint(info(qts, HT_DB_OTHER), ==, 0);
    g_assert_cmphex(info(qts, HT_DR_BEFORE), ==, 0);
    g_assert_cmphex(info(qts, HT_DR7_BEFORE), ==, 0x400);
    g_assert_cmphex(info(qts, HT_DR0_READBACK), ==, HT_SITE2_ADDR);
    g_assert_cmphex(info(qts, HT_DR7_READBACK), ==, 0x401);
    g_assert_cmphex(info(qts, HT_DR_AFTER), ==, 0);
    g_assert_cmphex(info(qts, HT_DR7_AFTER), ==, 0x400);

    backend = qom_get_str(qts, "backend");
    method = qom_get_str(qts, "step-method");
    g_assert_cmpstr(backend, ==, c->accel);
    if (!strcmp(c->step, "single-step") && !strcmp(c->accel, "kvm")) {
        g_assert_cmpstr(method, ==, "single-step");
    }
    exits = qom_get_uint(qts, "hook-exits");
    g_test_message("%s step=%s%s: method %s, %" PRIu64 " hits, %" PRIu64
                   " exits (%.3f per hit), %" PRIu64 " cycles per hit "
                   "handling exits, callback cycles site0 "
                   "mean %" PRIu64 " p50 %" PRIu64 " p99 %" PRIu64,
                   c->accel, c->step, c->get_regs ? " get-regs" : "",
                   method, hits0 + hits1, exits,
                   (double)exits / (hits0 + hits1),
                   qom_get_uint(qts, "hook-exit-cycles") / (hits0 + hits1),
                   qom_get_uint(qts, "site0-cycles-mean"),
                   qom_get_uint(qts, "site0-cycles-p50"),
                   qom_get_uint(qts, "site0-cycles-p99"));
    if (fd >= 0) {
        close(fd);
    }
    qtest_quit(qts);
    if (sock) {
        unlink(sock);
    }
}

static void test_errors(const void *data)
{
    const char *accel = data;
    g_autofree char *devopts = NULL;
    g_autofree char *err = NULL;
    QTestState *qts;
    int i;

    if (!guest_path() || !accel_usable(accel)) {
        return;
    }
    /* Non-canonical address. */
    qts = start(accel, "site0=0x800000000000", NULL);
    err = arm(qts);
    g_assert_nonnull(err);
    g_assert(strstr(err, "not canonical"));
    qtest_quit(qts);
    g_free(err);

    /* Five hooks: a 5th hardware slot under KVM, fine under TCG. */
    devopts = g_strdup_printf("site0=0x%x,site1=0x%x,site2=0x%x,"
                              "site3=0x%x,site4=0x%x", HT_SITE0_ADDR,
                              HT_SITE1_ADDR, HT_SITE2_ADDR, HT_GDBSITE_ADDR,
                              HT_SITE0_ADDR + 6);
    qts = start(accel, devopts, NULL);
    err = arm(qts);
    if (!strcmp(accel, "kvm")) {
        g_assert_nonnull(err);
        g_assert(strstr(err, "no free debug-register slot"));
    } else {
        g_assert_null(err);
    }
    /*
     * Run the guest through every site.  KVM: nothing stays half-armed,
     * so no site is hit and the guest's own DR0 breakpoint still fires
     * every loop.  TCG: all five hooks fire at every pass.
     */
    qtest_qmp_assert_success(qts, "{ 'execute': 'cont' }");
    wait_done(qts);
    g_assert_cmpuint(info(qts, HT_LOOPS), ==, HT_LOOPS_N);
    g_assert_cmpuint(info(qts, HT_DB_COUNT), ==, HT_LOOPS_N);
    g_assert_cmpuint(info(qts, HT_DB_OTHER), ==, 0);
    for (i = 0; i < 5; i++) {
        g_autofree char *hits = g_strdup_printf("site%d-hits", i);

        g_assert_cmpuint(qom_get_uint(qts, hits), ==,
                         strcmp(accel, "kvm") ? HT_LOOPS_N : 0);
    }
    qtest_quit(qts);
}

/* Armed on one vCPU only: the AP (never started) sees none of the hits. */
static void test_one_vcpu(const void *data)
{
    const char *accel = data;
    g_autofree char *devopts = NULL;
    g_autofree char *err = NULL;
    int vcpu;

    if (!guest_path() || !accel_usable(accel)) {
        return;
    }
    for (vcpu = 0; vcpu < 2; vcpu++) {
        QTestState *qts;
        uint64_t want = vcpu == 0 ? HT_LOOPS_N : 0;

        g_free(devopts);
        devopts = g_strdup_printf("site0=0x%x,magic=0x%x,vcpu=%d",
                                  HT_SITE0_ADDR, HT_BASE_MAGIC, vcpu);
        qts = start(accel, devopts, NULL);
        g_free(err);
        err = arm(qts);
        g_assert_null(err);
        qtest_qmp_assert_success(qts, "{ 'execute': 'cont' }");
        wait_done(qts);
        g_assert_cmpuint(info(qts, HT_COUNT0), ==, HT_LOOPS_N);
        g_assert_cmpuint(qom_get_uint(qts, "site0-hits"), ==, want);
        g_assert_cmpuint(qom_get_uint(qts, "site0-bad"), ==, 0);
        qtest_quit(qts);
    }
}

/* KVM: hooks and gdbstub hardware breakpoints share 4 slots. */
static void test_kvm_gdb_slots(void)
{
    g_autofree char *devopts = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *extra = NULL;
    g_autofree char *bp = g_strdup_printf("Z1,%x,1", HT_GDBSITE_ADDR);
    g_autofree char *reply = NULL;
    g_autofree char *err = NULL;
    QTestState *qts;
    int fd;

    if (!guest_path() || !accel_usable("kvm")) {
        return;
    }
    devopts = g_strdup_printf("site0=0x%x,site1=0x%x,site2=0x%x,site3=0x%x",
                              HT_SITE0_ADDR, HT_SITE1_ADDR, HT_SITE2_ADDR,
                              HT_SITE0_ADDR + 6);
    sock = g_strdup_printf("%s/exec-hook-gdb-%d.sock", g_get_tmp_dir(),
                           getpid());
    unlink(sock);
    extra = g_strdup_printf("-gdb unix:%s,server=on,wait=off", sock);
    qts = start("kvm", devopts, extra);
    fd = rsp_connect(sock);

    /* Four hooks hold every slot: gdbstub gets an error, not a loss. */
    err = arm(qts);
    g_assert_null(err);
    rsp_send(fd, bp);
    reply = rsp_recv(fd);
    g_test_message("Z1 with 4 hooks armed: %s", reply);
    g_assert(reply[0] == 'E');

    /* gdbstub holds one slot: the 4th hook is refused, saying why. */
    qtest_qmp_assert_success(qts, "{ 'execute': 'qom-set', 'arguments': "
                             "{ 'path': %s, 'property': 'armed', "
                             "'value': false } }", DEV_PATH);
    rsp_send(fd, bp);
    g_free(reply);
    reply = rsp_recv(fd);
    g_assert_cmpstr(reply, ==, "OK");
    err = arm(qts);
    g_assert_nonnull(err);
    g_test_message("arm with a gdbstub breakpoint: %s", err);
    g_assert(strstr(err, "1 held by gdbstub"));
    close(fd);
    qtest_quit(qts);
    unlink(sock);
}

/* KVM_SET_GUEST_DEBUG fails: hooks go off with a reason, the VM runs on. */
static void test_kvm_failure(void)
{
    g_autofree char *devopts = NULL;
    g_autofree char *err = NULL;
    g_autofree char *why = NULL;
    QTestState *qts;

    if (!guest_path() || !accel_usable("kvm")) {
        return;
    }
    devopts = g_strdup_printf("site0=0x%x,x-inject-failure=on",
                              HT_SITE0_ADDR);
    qts = start("kvm", devopts, NULL);
    err = arm(qts);
    g_assert_null(err);
    why = qom_get_str(qts, "disabled-reason");
    g_test_message("disabled-reason: %s", why);
    g_assert(strstr(why, "KVM_SET_GUEST_DEBUG failed"));
    qtest_qmp_assert_success(qts, "{ 'execute': 'cont' }");
    wait_done(qts);
    g_assert_cmpuint(info(qts, HT_LOOPS), ==, HT_LOOPS_N);
    g_assert_cmpuint(info(qts, HT_DB_COUNT), ==, HT_LOOPS_N);
    g_assert_cmpuint(qom_get_uint(qts, "site0-hits"), ==, 0);
    qtest_quit(qts);
}

/* A hook before any guest exists: -device ...,armed=on must fail. */
static void test_before_boot(void)
{
    g_autofree char *dev = g_strdup_printf(
        "exec-hook-testdev,site0=0x%x,armed=on", HT_SITE0_ADDR);
    const char *argv[] = { g_getenv("QTEST_QEMU_BINARY"), "-machine", "pc",
                           "-accel", "tcg", "-nodefaults", "-display",
                           "none", "-L", "/usr/share/seabios", "-L",
                           "/usr/share/qemu", "-device", dev, NULL };
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    g_autoptr(GError) error = NULL;
    int status;

    g_assert(argv[0]);
    g_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL,
                          NULL, &out, &errout, &status, &error));
    g_assert_no_error(error);
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_test_message("stderr: %s", errout);
    g_assert(strstr(errout, "no guest has booted yet"));
}

static const HookCase hook_runs[] = {
    { "tcg", "auto", false },
    { "tcg", "single-step", false },
    { "kvm", "auto", false },
    { "kvm", "single-step", false },
    { "kvm", "single-step", false, true },
    { "tcg", "auto", true },
    { "kvm", "auto", true },
};

int main(int argc, char **argv)
{
    int i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < ARRAY_SIZE(hook_runs); i++) {
        const HookCase *run = &hook_runs[i];
        const char *kind = run->gdb ? "gdbstub" : "mechanism";
        g_autofree char *name = g_strdup_printf("/exec-hook/%s/%s/%s%s",
                                                run->accel, kind, run->step,
                                                run->get_regs ? "-get-regs" :
                                                "");

        qtest_add_data_func(name, run, test_mechanism);
    }
    qtest_add_data_func("/exec-hook/tcg/errors", "tcg", test_errors);
    qtest_add_data_func("/exec-hook/kvm/errors", "kvm", test_errors);
    qtest_add_func("/exec-hook/before-boot", test_before_boot);
    qtest_add_data_func("/exec-hook/tcg/one-vcpu", "tcg", test_one_vcpu);
    qtest_add_data_func("/exec-hook/kvm/one-vcpu", "kvm", test_one_vcpu);
    qtest_add_func("/exec-hook/kvm/gdbstub/slots", test_kvm_gdb_slots);
    qtest_add_func("/exec-hook/kvm/set-guest-debug-failure",
                   test_kvm_failure);
    return g_test_run();
}
