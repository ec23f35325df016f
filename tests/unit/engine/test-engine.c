/*
 * secret-tracker: tracking engine unit tests: the syscall table, queries,
 * bounds and reboots
 *
 * Every test drives the engine through the fake introspection of
 * engine-fake.c, as the device would.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

static void test_syscall_table(void)
{
    g_assert_cmpint(st_engine_syscall_family(ST_NR_READ), ==,
                    ST_ENGINE_FAMILY_READ);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_WRITE), ==,
                    ST_ENGINE_FAMILY_WRITE);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_SENDTO), ==,
                    ST_ENGINE_FAMILY_WRITE);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_RECVMMSG), ==,
                    ST_ENGINE_FAMILY_READ);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_SENDFILE), ==,
                    ST_ENGINE_FAMILY_TRANSFER);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_COPY_FILE_RANGE), ==,
                    ST_ENGINE_FAMILY_TRANSFER);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_MMAP), ==,
                    ST_ENGINE_FAMILY_MMAP);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_CLONE3), ==,
                    ST_ENGINE_FAMILY_CLONE);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_EXECVE), ==,
                    ST_ENGINE_FAMILY_EXECVE);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_EXIT_GROUP), ==,
                    ST_ENGINE_FAMILY_EXIT);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_OPENAT2), ==,
                    ST_ENGINE_FAMILY_OPEN);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_RENAMEAT2), ==,
                    ST_ENGINE_FAMILY_RENAME);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_UNLINKAT), ==,
                    ST_ENGINE_FAMILY_UNLINK);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_GETPID), ==,
                    ST_ENGINE_FAMILY_NONE);
    /* Far beyond the table. */
    g_assert_cmpint(st_engine_syscall_family(100000), ==,
                    ST_ENGINE_FAMILY_NONE);
    g_assert_cmpstr(st_engine_syscall_name(ST_NR_SENDMSG), ==, "sendmsg");
    g_assert_cmpstr(st_engine_syscall_name(ST_NR_PWRITEV2), ==, "pwritev2");
    g_assert_null(st_engine_syscall_name(ST_NR_GETPID));
    g_assert_cmpstr(st_engine_family_name(ST_ENGINE_FAMILY_TRANSFER), ==,
                    "transfer");
    g_assert_cmpstr(st_engine_family_name(ST_ENGINE_FAMILY_UNLINK), ==,
                    "unlink");
    g_assert_null(st_engine_family_name(ST_ENGINE_FAMILY_NONE));
}

static void test_query_processes(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask gz = mktask(101, 1001, 1, 1, "gzip");
    g_autoptr(GPtrArray) procs = g_ptr_array_new();
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    const StEngineNodeInfo *p;

    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &gz, ST_NR_READ, 3, 1, 500);
    st_engine_foreach_node(f->e, ST_ENGINE_KIND_PROCESS, collect_node, procs);
    g_assert_cmpuint(procs->len, ==, 2);
    p = g_ptr_array_index(procs, 0);
    g_assert_cmpuint(p->tgid, ==, cat.tgid);
    g_assert_cmpuint(p->start_time, ==, 1000);
    /* Tracked when the read is entered. */
    g_assert_cmpuint(p->first_seen_ns, ==, 100);
    assert_labels(f, p->labels, "S");
    p = g_ptr_array_index(procs, 1);
    g_assert_cmpstr(p->comm, ==, "gzip");
    g_assert_cmpuint(p->first_seen_ns, ==, 500);
    st_engine_foreach_node(f->e, ST_ENGINE_KIND__MAX, collect_node, all);
    g_assert_cmpuint(all->len, ==, 3);
    g_assert_cmpstr(st_engine_kind_name(p->kind), ==, "process");
    fake_free(f);
}

static void test_since(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GPtrArray) later = NULL;
    g_autoptr(GPtrArray) none = NULL;
    unsigned i;

    for (i = 0; i < 5; i++) {
        fake_fd(f, 100, 10 + i, ST_ENGINE_KIND_FILE, DEV_DISK, 100 + i, NULL);
        sys_rw(f, &cat, ST_NR_WRITE, 10 + i, 1, 200 + i);
    }
    all = flows_since(f, 0);
    g_assert_cmpuint(all->len, ==, 6);
    for (i = 0; i < all->len; i++) {
        g_assert_cmpuint(((StEngineFlowInfo *)all->pdata[i])->id, ==, i + 1);
    }
    later = flows_since(f, 4);
    g_assert_cmpuint(later->len, ==, 2);
    g_assert_cmpuint(((StEngineFlowInfo *)later->pdata[0])->id, ==, 5);
    none = flows_since(f, 6);
    g_assert_cmpuint(none->len, ==, 0);
    fake_free(f);
}

/*
 * After a reboot, tmpfs inode numbers and task start times start over: the
 * old boot's nodes on anonymous devices must not taint the new boot's.
 * Files on a block device keep their taint.
 */
static void test_new_boot(void)
{
    const uint64_t tmpfs = 0x1f, disk = (8ull << ST_KDEV_MINOR_BITS) | 1;
    Fake *f = fake_new();
    StEngineTask cat = mktask(200, 2000, 1, 1, "cat");
    StEngineTask again = mktask(200, 2000, 1, 1, "cat");
    uint64_t secret = reg(f, tmpfs, 10, "S");
    const StEngineNodeInfo *old_copy;
    uint64_t flows;

    fake_fd(f, 200, 3, ST_ENGINE_KIND_FILE, tmpfs, 10, "/tmp/secret");
    fake_fd(f, 200, 4, ST_ENGINE_KIND_FILE, tmpfs, 50, "/tmp/copy");
    fake_fd(f, 200, 5, ST_ENGINE_KIND_FILE, disk, 60, "/data/copy");
    fake_fd(f, 200, 6, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 70, NULL);
    sys_rw(f, &cat, ST_NR_READ, 3, 64, 100);
    sys_rw(f, &cat, ST_NR_WRITE, 4, 64, 110);
    sys_rw(f, &cat, ST_NR_WRITE, 5, 64, 120);
    sys_rw(f, &cat, ST_NR_WRITE, 6, 64, 125);
    /* A read of the tainted pipe waits for its byte count. */
    g_assert_true(entry(f, &cat, ST_NR_READ, 6, 0x1000, 64, 0, 0, 130));
    g_assert_true(st_engine_has_pending(f->e));
    flows = n_flows(f);
    old_copy = inode(f, tmpfs, 50);
    g_assert_nonnull(old_copy);

    st_engine_new_boot(f->e);
    g_assert_false(st_engine_has_pending(f->e));
    /* History stays, marked gone. */
    g_assert_cmpuint(n_flows(f), ==, flows);
    g_assert_true(st_engine_node(f->e, old_copy->id)->deleted);
    g_assert_true(st_engine_node(f->e, secret)->deleted);
    g_assert_null(inode(f, tmpfs, 50));
    g_assert_null(inode(f, DEV_PIPEFS, 70));
    g_assert_null(proc_of(f, &cat));
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_FD_CACHE], ==, 0);

    /* Same pid, same start time, same inode numbers: all innocent now. */
    sys_rw(f, &again, ST_NR_READ, 4, 64, 200);
    g_assert_null(proc_of(f, &again));
    sys_rw(f, &again, ST_NR_WRITE, 3, 64, 210);
    g_assert_cmpuint(n_flows(f), ==, flows);
    /* The copy on disk survived the reboot, and still taints. */
    g_assert_nonnull(inode(f, disk, 60));
    sys_rw(f, &again, ST_NR_READ, 5, 64, 220);
    g_assert_nonnull(proc_of(f, &again));
    g_assert_cmpuint(n_flows(f), ==, flows + 1);
    fake_free(f);
}

static void test_bound_flows(void)
{
    StEngineConfig cfg = { .max_flows = 2 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineCounters c;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/o1");
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/o2");
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 200);
    sys_rw(f, &cat, ST_NR_WRITE, 5, 1, 210);   /* third edge: dropped */
    sys_rw(f, &cat, ST_NR_WRITE, 5, 1, 220);
    c = counters(f);
    g_assert_cmpuint(c.flows, ==, 2);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_FLOWS], ==, 2);
    /* The taint itself is not lost. */
    g_assert_nonnull(inode(f, DEV_DISK, 21));
    /* Existing edges still aggregate. */
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 230);
    g_assert_cmpuint(find_flow(f, proc_of(f, &cat)->id,
                               inode(f, DEV_DISK, 20)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    g_assert_cmpstr(st_engine_drop_name(ST_ENGINE_DROP_FLOWS), ==, "flows");
    fake_free(f);
}

/*
 * The node table evicts its least recently used node, never a secret or a
 * live tracked process; an evicted node that flows name still renders.
 */
static void test_bound_nodes(void)
{
    StEngineConfig cfg = { .max_nodes = 3 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineNodeInfo *o1, *rec;
    const StEngineFlowInfo *fl;
    GError *err = NULL;
    StEngineCounters c;
    uint64_t o1_id, x;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/o1");
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/o2");
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 200);
    o1 = inode(f, DEV_DISK, 20);
    o1_id = o1->id;
    g_assert_true(st_engine_set_path(f->e, o1_id, "/o1"));
    fl = find_flow(f, proc_of(f, &cat)->id, o1_id, ST_ENGINE_FAMILY_WRITE);
    sys_rw(f, &cat, ST_NR_WRITE, 5, 1, 210);
    /* /o1 made room for /o2; the secret and cat stay. */
    g_assert_null(inode(f, DEV_DISK, 20));
    g_assert_nonnull(inode(f, DEV_DISK, 21));
    g_assert_nonnull(st_engine_node(f->e, secret));
    g_assert_nonnull(proc_of(f, &cat));
    /* The flow to /o1 still renders, from a compact record. */
    rec = st_engine_node(f->e, fl->dst);
    g_assert_nonnull(rec);
    g_assert_true(rec->evicted);
    g_assert_cmpuint(rec->ino, ==, 20);
    g_assert_cmpstr(rec->path, ==, "/o1");
    /* A registration evicts /o2, the last evictable node... */
    x = st_engine_register_inode(f->e, DEV_DISK, 99, "X", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(x, !=, 0);
    g_assert_null(inode(f, DEV_DISK, 21));
    /* ...after which only secrets and cat are left: refused. */
    g_assert_cmpuint(st_engine_register_inode(f->e, DEV_DISK, 98, "Y", &err),
                     ==, 0);
    g_assert_nonnull(err);
    g_error_free(err);
    c = counters(f);
    g_assert_cmpuint(c.nodes, ==, 3);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_NODES_EVICTED], ==, 2);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_NODES], ==, 1);
    /* /o2 had a flow too; evicted nodes are not listed as tracked. */
    g_assert_true(st_engine_node(f->e, o1_id + 1)->evicted);
    {
        g_autoptr(GPtrArray) all = g_ptr_array_new();

        st_engine_foreach_node(f->e, ST_ENGINE_KIND__MAX, collect_node, all);
        g_assert_cmpuint(all->len, ==, 3);
    }
    fake_free(f);
}

static void test_bound_labels(void)
{
    Fake *f = fake_new();
    GError *err = NULL;
    unsigned i;

    for (i = 0; i < ST_ENGINE_MAX_LABELS; i++) {
        g_autofree char *label = g_strdup_printf("L%u", i);

        reg(f, DEV_DISK, 1000 + i, label);
    }
    /* Reusing a label is fine; a 65th is not. */
    reg(f, DEV_DISK, 2000, "L3");
    g_assert_false(st_engine_register_pattern(f->e, "/x", "L64", &err));
    g_assert_nonnull(err);
    g_error_free(err);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_LABELS], ==, 1);
    fake_free(f);
}

/* A full fd cache evicts its least recently used entry (it was flushed). */
static void test_bound_fd_cache(void)
{
    StEngineConfig cfg = { .max_fd_cache = 2 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);   /* caches fd 3 */
    StEngineCounters c;
    unsigned before;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/o1");
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/o2");
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 200);   /* fd 3 and fd 4 cached */
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 205);   /* fd 4 most recent */
    sys_rw(f, &cat, ST_NR_WRITE, 5, 1, 210);   /* full: fd 3 goes */
    c = counters(f);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_FD_CACHE], ==, 1);
    g_assert_nonnull(inode(f, DEV_DISK, 21));
    before = f->resolve_calls;
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 220);   /* still cached */
    g_assert_cmpuint(f->resolve_calls, ==, before);
    sys_rw(f, &cat, ST_NR_WRITE, 3, 1, 230);   /* evicted: resolved */
    g_assert_cmpuint(f->resolve_calls, ==, before + 1);
    fake_free(f);
}

/*
 * A full pending pool evicts its oldest entry.  Both readers are tainted
 * at entry anyway (before, b was not tracked at all); only a's byte count
 * is lost with its evicted entry.
 */
static void test_bound_pending(void)
{
    StEngineConfig cfg = { .max_pending = 1 };
    Fake *f = fake_new_with(&cfg);
    StEngineTask a = mktask(100, 1000, 1, 1, "a");
    StEngineTask b = mktask(101, 1001, 1, 1, "b");
    uint64_t pipe;

    pipe = reg(f, DEV_PIPEFS, 10, "S");
    fake_fd(f, 100, 3, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 10, NULL);
    fake_fd(f, 101, 3, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 10, NULL);
    g_assert_true(entry(f, &a, ST_NR_READ, 3, 0, 10, 0, 0, 100)); /* blocks */
    g_assert_nonnull(proc_of(f, &a));
    sys_rw(f, &b, ST_NR_READ, 3, 10, 110);              /* evicts a's */
    g_assert_nonnull(proc_of(f, &b));
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PENDING], ==, 1);
    g_assert_cmpuint(counters(f).unpaired, ==, 1);
    st_engine_syscall_exit(f->e, &a, ST_NR_READ, 10, 120);    /* ignored */
    g_assert_cmpuint(find_flow(f, pipe, proc_of(f, &a)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 0);
    g_assert_cmpuint(find_flow(f, pipe, proc_of(f, &b)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 10);
    fake_free(f);
}

/* The oldest pending endpoint makes room for a new one (it was refused). */
static void test_bound_endpoints(void)
{
    StEngineConfig cfg = { .max_endpoints = 1 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask s1 = mktask(701, 7001, 1, 1, "s1");
    StEngineTask s2 = mktask(702, 7002, 1, 1, "s2");

    fake_inet(f, 100, 5, 931, ep4(127, 0, 0, 1, 40001),
              ep4(127, 0, 0, 1, 9001));
    fake_inet(f, 100, 6, 932, ep4(127, 0, 0, 1, 40002),
              ep4(127, 0, 0, 1, 9002));
    fake_inet(f, 701, 3, 933, ep4(127, 0, 0, 1, 9001),
              ep4(127, 0, 0, 1, 40001));
    fake_inet(f, 702, 3, 934, ep4(127, 0, 0, 1, 9002),
              ep4(127, 0, 0, 1, 40002));
    sys_rw(f, &cat, ST_NR_WRITE, 5, 1, 200);
    sys_rw(f, &cat, ST_NR_WRITE, 6, 1, 210);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 1);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_ENDPOINTS], ==, 1);
    /* The newer one still delivers; the evicted one does not. */
    sys_rw(f, &s2, ST_NR_READ, 3, 1, 300);
    g_assert_nonnull(proc_of(f, &s2));
    sys_rw(f, &s1, ST_NR_READ, 3, 1, 310);
    g_assert_null(proc_of(f, &s1));
    fake_free(f);
}

/*
 * Sends to a known receiver that may be closed are also kept pending;
 * evicting one of those loses nothing, so it is not counted.
 */
static void test_bound_endpoints_delivered(void)
{
    StEngineConfig cfg = { .max_endpoints = 1 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask r = mktask(701, 7001, 1, 1, "r");
    StEngineEndpoint none = { 0 };

    fake_inet(f, 100, 5, 931, ep4(127, 0, 0, 1, 40001), none);
    fake_inet(f, 100, 6, 932, ep4(127, 0, 0, 1, 40002), none);
    fake_inet(f, 701, 3, 933, ep4(127, 0, 0, 1, 9001), none);
    f->have_send_peer = true;
    f->send_peer = ep4(127, 0, 0, 1, 9001);
    /* r blocks in recvfrom: the first send reaches it and makes it known */
    entry(f, &r, ST_NR_RECVFROM, 3, 0x1000, 100, 0, 0, 190);
    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 10, 0, 0, 10, 200);
    st_engine_syscall_exit(f->e, &r, ST_NR_RECVFROM, 10, 205);
    g_assert_nonnull(proc_of(f, &r));
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    /* two more, from two sockets: known r, and a pending each */
    sys(f, &cat, ST_NR_SENDTO, 5, 0x1000, 10, 0, 0, 10, 210);
    sys(f, &cat, ST_NR_SENDTO, 6, 0x1000, 10, 0, 0, 10, 220);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 1);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_ENDPOINTS], ==, 0);
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 931)->id,
                               inode(f, DEV_SOCKFS, 933)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/syscall-table", test_syscall_table);
    g_test_add_func("/engine/new-boot", test_new_boot);
    g_test_add_func("/engine/query/processes", test_query_processes);
    g_test_add_func("/engine/bounds/flows", test_bound_flows);
    g_test_add_func("/engine/bounds/nodes", test_bound_nodes);
    g_test_add_func("/engine/bounds/labels", test_bound_labels);
    g_test_add_func("/engine/bounds/endpoints-delivered",
                    test_bound_endpoints_delivered);
    g_test_add_func("/engine/bounds/fd-cache", test_bound_fd_cache);
    g_test_add_func("/engine/bounds/pending", test_bound_pending);
    g_test_add_func("/engine/bounds/endpoints", test_bound_endpoints);
    g_test_add_func("/engine/since", test_since);
    return g_test_run();
}
