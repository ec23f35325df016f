/*
 * secret-tracker: tracking engine unit tests: labels from another VM's
 * tracker (st_engine_remote_labels), before and after the receiving
 * process read the data (reads remembered at their entry)
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "engine-fake.h"

/* VM B's view: it is 10.0.0.2, VM A (the sender) is 10.0.0.1. */
#define B_PORT 5555
#define A_PORT 40000

static const char *const secret_labels[] = { "plans", NULL };

static StEngineEndpoint b_addr(void)
{
    return ep4(10, 0, 0, 2, B_PORT);
}

static StEngineEndpoint a_addr(void)
{
    return ep4(10, 0, 0, 1, A_PORT);
}

static const StEngineNodeInfo *the_endpoint(Fake *f)
{
    g_autoptr(GPtrArray) eps = g_ptr_array_new();

    st_engine_foreach_node(f->e, ST_ENGINE_KIND_ENDPOINT, collect_node, eps);
    g_assert_cmpuint(eps->len, ==, 1);
    return g_ptr_array_index(eps, 0);
}

static int remote_labels(Fake *f, StEngineEndpoint local,
                         StEngineEndpoint peer)
{
    g_autoptr(GError) err = NULL;
    int n = st_engine_remote_labels(f->e, &local, &peer, secret_labels,
                                    &err);

    g_assert_no_error(err);
    return n;
}

/* Labels first: the receiving socket is tainted when it is read. */
static void test_labels_before_read(void)
{
    Fake *f = fake_new();
    StEngineTask nc = mktask(300, 3000, 1, 1, "nc");
    const StEngineNodeInfo *ep, *sock, *proc;
    StEngineRemoteCounters rc;

    fake_inet(f, 300, 4, 801, b_addr(), a_addr());
    g_assert_cmpint(remote_labels(f, b_addr(), a_addr()), ==, 0);
    ep = the_endpoint(f);
    g_assert_false(ep->exfiltration);
    g_assert_cmpstr(ep->path, ==, "inet:10.0.0.1:40000");
    assert_labels(f, ep->labels, "plans");
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 1);

    sys_rw(f, &nc, ST_NR_READ, 4, 72, 500);
    proc = proc_of(f, &nc);
    g_assert_nonnull(proc);
    assert_labels(f, proc->labels, "plans");
    sock = inode(f, DEV_SOCKFS, 801);
    g_assert_nonnull(sock);
    g_assert_nonnull(find_flow(f, the_endpoint(f)->id, sock->id,
                               ST_ENGINE_FAMILY_WRITE));
    g_assert_cmpuint(find_flow(f, sock->id, proc->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 72);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    /* What the process writes next is followed as usual. */
    fake_fd(f, 300, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 30, "/tmp/recv.bin");
    sys_rw(f, &nc, ST_NR_WRITE, 1, 72, 600);
    g_assert_nonnull(inode(f, DEV_DISK, 30));
    st_engine_get_remote_counters(f->e, &rc);
    g_assert_cmpuint(rc.labels, ==, 1);
    g_assert_cmpuint(rc.reads_tainted, ==, 0);
    fake_free(f);
}

/*
 * The race: the process read before the labels came.  Remembered reads
 * taint it afterwards; with the memory off, it stays untracked.
 */
static void read_then_labels(bool remember)
{
    Fake *f = fake_new();
    StEngineTask nc = mktask_lazy(f, 301, 3010, 1, 1, "nc");
    const StEngineNodeInfo *proc, *sock;
    const StEngineFlowInfo *rd;
    StEngineRemoteCounters rc;

    if (remember) {
        st_engine_set_remote_reads(f->e, 16);
    }
    fake_inet(f, 301, 4, 802, b_addr(), a_addr());
    sys_rw(f, &nc, ST_NR_READ, 4, 40, 500);
    sys_rw(f, &nc, ST_NR_RECVFROM, 4, 32, 510);
    g_assert_null(proc_of(f, &nc));
    g_assert_cmpint(remote_labels(f, b_addr(), a_addr()), ==,
                    remember ? 1 : 0);
    proc = proc_of(f, &nc);
    if (!remember) {
        g_assert_null(proc);
        /* The labels still wait for the socket's next read. */
        g_assert_cmpuint(counters(f).pending_endpoints, ==, 1);
        fake_free(f);
        return;
    }
    g_assert_nonnull(proc);
    g_assert_cmpstr(proc->comm, ==, "nc");
    assert_labels(f, proc->labels, "plans");
    sock = inode(f, DEV_SOCKFS, 802);
    g_assert_nonnull(sock);
    rd = find_flow(f, sock->id, proc->id, ST_ENGINE_FAMILY_READ);
    g_assert_nonnull(rd);
    /* Counted at the entries, the bytes from the returns. */
    g_assert_cmpuint(rd->count, ==, 2);
    g_assert_cmpuint(rd->bytes, ==, 72);
    g_assert_cmpuint(rd->first_ns, ==, 500);
    g_assert_cmpuint(rd->last_ns, ==, 510);
    g_assert_cmpuint(rd->syscall_nr, ==, ST_NR_READ);
    g_assert_nonnull(find_flow(f, the_endpoint(f)->id, sock->id,
                               ST_ENGINE_FAMILY_WRITE));
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    st_engine_get_remote_counters(f->e, &rc);
    g_assert_cmpuint(rc.reads_remembered, ==, 1);
    g_assert_cmpuint(rc.reads_tainted, ==, 1);
    g_assert_cmpuint(rc.remembered, ==, 0);
    fake_free(f);
}

static void test_read_before_labels(void)
{
    read_then_labels(true);
}

static void test_read_before_labels_off(void)
{
    read_then_labels(false);
}

/*
 * Another connection (other peer port), loopback and local peers are not
 * touched; the memory is bounded, oldest first, and counted.
 */
static void test_only_that_connection(void)
{
    Fake *f = fake_new();
    StEngineTask web = mktask(302, 3020, 1, 1, "web");
    StEngineTask lo = mktask(303, 3030, 1, 1, "lo");
    StEngineEndpoint other = ep4(10, 0, 0, 1, A_PORT + 1);
    StEngineTask srv[4];
    StEngineRemoteCounters rc;
    int i;

    st_engine_set_remote_reads(f->e, 3);
    fake_inet(f, 302, 4, 803, b_addr(), other);
    fake_inet(f, 303, 4, 804, ep4(127, 0, 0, 1, 80),
              ep4(127, 0, 0, 1, 33000));
    sys_rw(f, &web, ST_NR_READ, 4, 10, 500);
    sys_rw(f, &lo, ST_NR_READ, 4, 10, 505);
    st_engine_get_remote_counters(f->e, &rc);
    g_assert_cmpuint(rc.reads_remembered, ==, 1);   /* not the loopback */
    g_assert_cmpint(remote_labels(f, b_addr(), a_addr()), ==, 0);
    g_assert_null(proc_of(f, &web));

    /* Four more remote connections through a memory of three. */
    for (i = 0; i < 4; i++) {
        srv[i] = mktask(310 + i, 3100 + i, 1, 1, "srv");
        fake_inet(f, 310 + i, 4, 810 + i, b_addr(),
                  ep4(10, 0, 0, 9, 50000 + i));
        sys_rw(f, &srv[i], ST_NR_READ, 4, 10, 600 + 10 * i);
    }
    st_engine_get_remote_counters(f->e, &rc);
    g_assert_cmpuint(rc.remembered, ==, 3);
    g_assert_cmpuint(rc.reads_evicted, ==, 2);
    /* The oldest (web's, then srv 310's) are gone; 311's is kept. */
    g_assert_cmpint(remote_labels(f, b_addr(), other), ==, 0);
    g_assert_cmpint(remote_labels(f, b_addr(),
                                  ep4(10, 0, 0, 9, 50001)), ==, 1);
    g_assert_nonnull(proc_of(f, &srv[1]));
    g_assert_null(proc_of(f, &srv[0]));
    g_assert_null(proc_of(f, &srv[2]));
    fake_free(f);
}

static void test_bad_input(void)
{
    Fake *f = fake_new();
    StEngineEndpoint unix_ep = { .family = ST_AF_UNIX };
    StEngineEndpoint no_port = ep4(10, 0, 0, 2, 0);
    StEngineEndpoint local = b_addr(), peer = a_addr();
    const char *const none[] = { NULL };
    GError *err = NULL;

    g_assert_cmpint(st_engine_remote_labels(f->e, &unix_ep, &peer,
                                            secret_labels, &err), ==, -1);
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_cmpint(st_engine_remote_labels(f->e, &local, &no_port,
                                            secret_labels, &err), ==, -1);
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_cmpint(st_engine_remote_labels(f->e, &local, &peer, none,
                                            &err), ==, -1);
    g_assert_nonnull(err);
    g_clear_error(&err);
    /* Nothing was created by the failures. */
    g_assert_cmpuint(counters(f).nodes, ==, 0);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    fake_free(f);
}

/* Labels for a connection whose socket is already known taint it now. */
static void test_known_socket(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask reader = mktask(320, 3200, 1, 1, "reader");
    StEngineTask waiter = mktask(321, 3210, 1, 1, "waiter");
    const StEngineNodeInfo *sock;

    /* The tracked cat sends to A: B's socket node exists, untainted. */
    fake_inet(f, 100, 6, 830, b_addr(), a_addr());
    sys_rw(f, &cat, ST_NR_WRITE, 6, 5, 200);
    sock = inode(f, DEV_SOCKFS, 830);
    g_assert_nonnull(sock);
    g_assert_cmpuint(sock->rx_labels, ==, 0);
    g_assert_true(the_endpoint(f)->exfiltration);
    /* A reader entered its read before the labels came: it waits. */
    fake_inet(f, 321, 3, 830, b_addr(), a_addr());
    g_assert_false(entry(f, &waiter, ST_NR_READ, 3, 0x1000, 64, 0, 0, 250));
    g_assert_null(proc_of(f, &waiter));
    g_assert_cmpint(remote_labels(f, b_addr(), a_addr()), ==, 0);
    assert_labels(f, sock->rx_labels, "plans");
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    g_assert_nonnull(proc_of(f, &waiter));
    assert_labels(f, proc_of(f, &waiter)->labels, "plans");
    fake_inet(f, 320, 3, 830, b_addr(), a_addr());
    sys_rw(f, &reader, ST_NR_READ, 3, 9, 300);
    g_assert_nonnull(proc_of(f, &reader));
    /* The same endpoint node: it sent labels and received some. */
    g_assert_nonnull(find_flow(f, the_endpoint(f)->id, sock->id,
                               ST_ENGINE_FAMILY_WRITE));
    fake_free(f);
}

/*
 * The labels come while the remembered read blocks: it is tainted then,
 * and its return still gives the flow its bytes.
 */
static void test_labels_during_read(void)
{
    Fake *f = fake_new();
    StEngineTask nc = mktask(335, 3350, 1, 1, "nc");
    const StEngineNodeInfo *proc, *sock;
    const StEngineFlowInfo *rd;

    st_engine_set_remote_reads(f->e, 8);
    fake_inet(f, 335, 4, 845, b_addr(), a_addr());
    g_assert_true(entry(f, &nc, ST_NR_RECVFROM, 4, 0x1000, 4096, 0, 0, 500));
    g_assert_cmpint(remote_labels(f, b_addr(), a_addr()), ==, 1);
    proc = proc_of(f, &nc);
    g_assert_nonnull(proc);
    sock = inode(f, DEV_SOCKFS, 845);
    g_assert_nonnull(sock);
    rd = find_flow(f, sock->id, proc->id, ST_ENGINE_FAMILY_READ);
    g_assert_nonnull(rd);
    g_assert_cmpuint(rd->count, ==, 1);
    g_assert_cmpuint(rd->bytes, ==, 0);
    st_engine_syscall_exit(f->e, &nc, ST_NR_RECVFROM, 300, 520);
    g_assert_cmpuint(rd->bytes, ==, 300);
    /* Its next read is followed as usual, from the tainted socket. */
    sys_rw(f, &nc, ST_NR_READ, 4, 20, 600);
    g_assert_cmpuint(rd->count, ==, 2);
    g_assert_cmpuint(rd->bytes, ==, 320);
    fake_free(f);
}

/*
 * A socket closed at both ends has lost its local port: the peer alone
 * names the connection, for a remembered read and for a known socket.
 */
static void test_closed_socket(void)
{
    Fake *f = fake_new();
    StEngineTask nc = mktask(340, 3400, 1, 1, "nc");
    StEngineTask nc2 = mktask(341, 3410, 1, 1, "nc");
    StEngineEndpoint closed = ep4(10, 0, 0, 2, 0);
    StEngineEndpoint other = ep4(10, 0, 0, 1, A_PORT + 7);

    st_engine_set_remote_reads(f->e, 8);
    fake_inet(f, 340, 4, 850, closed, a_addr());
    fake_inet(f, 341, 4, 851, closed, other);
    sys_rw(f, &nc, ST_NR_READ, 4, 54, 500);
    sys_rw(f, &nc2, ST_NR_READ, 4, 54, 510);
    g_assert_cmpint(remote_labels(f, b_addr(), a_addr()), ==, 1);
    g_assert_nonnull(proc_of(f, &nc));
    g_assert_null(proc_of(f, &nc2));
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    /* Labels again: the socket node is known under its closed key. */
    g_assert_cmpint(remote_labels(f, b_addr(), a_addr()), ==, 0);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    fake_free(f);
}

/* A reboot forgets remembered reads but keeps the memory on. */
static void test_new_boot(void)
{
    Fake *f = fake_new();
    StEngineTask nc = mktask(330, 3300, 1, 1, "nc");
    StEngineTask nc2 = mktask(331, 3310, 1, 1, "nc");
    StEngineRemoteCounters rc;

    st_engine_set_remote_reads(f->e, 8);
    fake_inet(f, 330, 4, 840, b_addr(), a_addr());
    sys_rw(f, &nc, ST_NR_READ, 4, 10, 500);
    st_engine_new_boot(f->e);
    st_engine_get_remote_counters(f->e, &rc);
    g_assert_cmpuint(rc.remembered, ==, 0);
    fake_inet(f, 331, 4, 841, b_addr(), a_addr());
    sys_rw(f, &nc2, ST_NR_READ, 4, 10, 600);
    st_engine_get_remote_counters(f->e, &rc);
    g_assert_cmpuint(rc.remembered, ==, 1);
    g_assert_cmpint(remote_labels(f, b_addr(), a_addr()), ==, 1);
    g_assert_nonnull(proc_of(f, &nc2));
    g_assert_null(proc_of(f, &nc));
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/remote/labels-before-read",
                    test_labels_before_read);
    g_test_add_func("/engine/remote/read-before-labels",
                    test_read_before_labels);
    g_test_add_func("/engine/remote/read-before-labels-off",
                    test_read_before_labels_off);
    g_test_add_func("/engine/remote/only-that-connection",
                    test_only_that_connection);
    g_test_add_func("/engine/remote/bad-input", test_bad_input);
    g_test_add_func("/engine/remote/known-socket", test_known_socket);
    g_test_add_func("/engine/remote/labels-during-read",
                    test_labels_during_read);
    g_test_add_func("/engine/remote/closed-socket", test_closed_socket);
    g_test_add_func("/engine/remote/new-boot", test_new_boot);
    return g_test_run();
}
