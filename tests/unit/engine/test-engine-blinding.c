/*
 * secret-tracker: tracking engine unit tests: a guest must not be able to
 * blind the tracker by filling its tables (issue 10 items 6 and 7)
 *
 * Each test fills one table the way a guest can (blocked readers, a flood
 * of datagrams, many tainted files), then checks that a later copy of a
 * secret is still tracked, and that the loss is counted.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "engine-fake.h"

/* cp (pid 900) reads /secret (fd 3) and writes /copy (fd 4): tracked? */
static void assert_copy_tracked(Fake *f, uint64_t ns)
{
    StEngineTask cp = mktask(900, 90000, 1, 1, "cp");
    const StEngineNodeInfo *copy;

    fake_fd(f, 900, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 900, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 4000, "/copy");
    sys_rw(f, &cp, ST_NR_READ, 3, 64, ns);
    sys_rw(f, &cp, ST_NR_WRITE, 4, 64, ns + 10);
    g_assert_nonnull(proc_of(f, &cp));
    copy = inode(f, DEV_DISK, 4000);
    g_assert_nonnull(copy);
    assert_labels(f, copy->labels, "S");
    g_assert_nonnull(find_flow(f, proc_of(f, &cp)->id, copy->id,
                               ST_ENGINE_FAMILY_WRITE));
}

/*
 * 1,100 untracked threads blocked in a read of a clean pipe: none of them
 * may hold a slot meant for entries whose exit matters.
 */
static void test_blocked_untracked_readers(void)
{
    Fake *f = fake_new();
    StEngineTask pool = mktask(500, 5000, 1, 1, "pool");
    unsigned i;

    reg(f, DEV_DISK, 10, "S");
    fake_fd(f, 500, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 77, NULL);
    for (i = 0; i < 1100; i++) {
        StEngineTask thr = mkthread(&pool, 2000 + i, 5001 + i);

        entry(f, &thr, ST_NR_READ, 0, 0x1000, 4096, 0, 0, 100 + i);
    }
    assert_copy_tracked(f, 5000);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PENDING], ==, 0);
    fake_free(f);
}

/*
 * A tracked shell sends one datagram to each of 20,000 ports of a remote
 * host, and as many to loopback ports nobody listens on: endpoint nodes
 * and pending endpoints are evicted, a later copy is still tracked.
 */
static void test_datagram_flood(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    StEngineEndpoint none = { 0 };
    StEngineCounters c;
    unsigned i;

    fake_inet(f, 100, 5, 950, ep4(10, 0, 2, 15, 40000), none);
    fake_inet(f, 100, 6, 951, ep4(127, 0, 0, 1, 40001), none);
    /* A copy made before the flood: endpoints (sinks) go before it. */
    fake_fd(f, 100, 7, ST_ENGINE_KIND_FILE, DEV_DISK, 4100, "/before");
    sys_rw(f, &sh, ST_NR_WRITE, 7, 64, 500);
    f->have_send_peer = true;
    for (i = 0; i < 20000; i++) {
        f->send_peer = ep4(93, 184, 216, 34, 1 + i);
        sys(f, &sh, ST_NR_SENDTO, 5, 0x1000, 8, 0, 0x2000, 8, 1000 + i);
        f->send_peer = ep4(127, 0, 0, 1, 1 + i);
        sys(f, &sh, ST_NR_SENDTO, 6, 0x1000, 8, 0, 0x2000, 8, 1000 + i);
    }
    f->have_send_peer = false;
    assert_copy_tracked(f, 100000);
    {
        StEngineTask rd = mktask(901, 90100, 1, 1, "rd");

        fake_fd(f, 901, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 4100, "/before");
        sys_rw(f, &rd, ST_NR_READ, 3, 64, 100100);
        g_assert_nonnull(proc_of(f, &rd));
        assert_labels(f, proc_of(f, &rd)->labels, "S");
    }
    c = counters(f);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_NODES], ==, 0);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_ENDPOINTS], >, 0);
    g_assert_cmpuint(c.nodes, <=, ST_ENGINE_DEFAULT_MAX_NODES);
    fake_free(f);
}

/* A tracked process taints more files than the node table holds. */
static void test_node_cap(void)
{
    StEngineConfig cfg = { .max_nodes = 64 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    unsigned i;

    for (i = 0; i < 500; i++) {
        fake_fd(f, 100, 10, ST_ENGINE_KIND_FILE, DEV_DISK, 20000 + i, NULL);
        sys_rw(f, &sh, ST_NR_WRITE, 10, 1, 1000 + i);
        sys(f, &sh, ST_NR_CLOSE, 10, 0, 0, 0, 0, 0, 1000 + i);
    }
    assert_copy_tracked(f, 100000);
    g_assert_cmpuint(counters(f).nodes, <=, 64);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_NODES], ==, 0);
    fake_free(f);
}

/*
 * Tracked threads blocked in reads of a tainted pipe fill the pending
 * pool: the oldest entries are evicted (only their byte counts are lost).
 */
static void test_blocked_tracked_readers(void)
{
    Fake *f = fake_new();
    StEngineTask pool = mktask(500, 5000, 1, 1, "pool");
    StEngineTask wc = mktask(600, 6000, 1, 1, "wc");
    uint64_t pipe = reg(f, DEV_PIPEFS, 77, "S");
    unsigned i;

    reg(f, DEV_DISK, 10, "S");
    fake_fd(f, 500, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 77, NULL);
    fake_fd(f, 600, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 77, NULL);
    for (i = 0; i < 2000; i++) {
        StEngineTask thr = mkthread(&pool, 2000 + i, 5001 + i);

        g_assert_true(entry(f, &thr, ST_NR_READ, 0, 0x1000, 4096, 0, 0,
                            100 + i));
    }
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PENDING], ==,
                     2000 - ST_ENGINE_DEFAULT_MAX_PENDING);
    assert_copy_tracked(f, 5000);
    /* A new reader's return still finds its entry: exact bytes. */
    sys_rw(f, &wc, ST_NR_READ, 0, 33, 6000);
    g_assert_cmpuint(find_flow(f, pipe, proc_of(f, &wc)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 33);
    fake_free(f);
}

/*
 * A tracked parent forks children that never run: the oldest expected
 * children make room; the newest is still paired by the tid returned.
 */
static void test_children_flood(void)
{
    StEngineConfig cfg = { .max_children = 16 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    StEngineTask kid = mktask(3099, 9000, 1, 1, "kid");    /* reparented */
    StEngineTask old = mktask(3000, 9001, 1, 1, "old");
    unsigned i;

    for (i = 0; i < 100; i++) {
        sys(f, &sh, ST_NR_FORK, 0, 0, 0, 0, 0, 3000 + i, 200 + i);
    }
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_CHILDREN], ==, 84);
    sys_rw(f, &kid, ST_NR_WRITE, 1, 1, 1000);
    g_assert_nonnull(proc_of(f, &kid));
    sys_rw(f, &old, ST_NR_WRITE, 1, 1, 1010);
    g_assert_null(proc_of(f, &old));
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/blinding/blocked-untracked-readers",
                    test_blocked_untracked_readers);
    g_test_add_func("/engine/blinding/datagram-flood", test_datagram_flood);
    g_test_add_func("/engine/blinding/node-cap", test_node_cap);
    g_test_add_func("/engine/blinding/blocked-tracked-readers",
                    test_blocked_tracked_readers);
    g_test_add_func("/engine/blinding/children-flood", test_children_flood);
    return g_test_run();
}
