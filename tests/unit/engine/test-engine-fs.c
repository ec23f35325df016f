/*
 * secret-tracker: tracking engine unit tests: open patterns, registration,
 * paths, rename and unlink
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

/* Split so that no string holds a comment opener. */
#define SECRET_GLOB "/secret/" "*.txt"

/* The dirfd "current directory", as a syscall argument register. */
#define FDCWD_ARG ((uint64_t)ST_AT_FDCWD)

/*
 * A file under a pattern becomes secret when an fd naming it is first
 * used (it was labelled at the return of its open: the open family now
 * does nothing, so whatever way the fd was opened does not matter).
 */
static void test_open_pattern(void)
{
    Fake *f = fake_new();
    StEngineTask ed = mktask(600, 6000, 1, 1, "ed");
    GError *err = NULL;
    const StEngineNodeInfo *n;
    unsigned fd;

    g_assert_true(st_engine_register_pattern(f->e, SECRET_GLOB, NULL,
                                             &err));
    g_assert_true(st_engine_register_pattern(f->e, "/keys/id_[dr]sa?",
                                             "ssh", &err));
    g_assert_no_error(err);
    fake_fd(f, 600, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 80, "/secret/a.txt");
    fake_fd(f, 600, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 81,
            "/secret/sub/b.txt");
    fake_fd(f, 600, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 82, "/keys/id_rsa2");
    fake_fd(f, 600, 6, ST_ENGINE_KIND_FILE, DEV_DISK, 83, "/keys/id_ecdsa");

    /* Opens ask for nothing and label nothing. */
    g_assert_false(entry(f, &ed, ST_NR_OPENAT, FDCWD_ARG, 0x1000, 0, 0, 0,
                         100));
    g_assert_false(st_engine_syscall_relevant(ST_NR_OPENAT, NULL));
    g_assert_null(inode(f, DEV_DISK, 80));
    for (fd = 3; fd <= 6; fd++) {
        sys_rw(f, &ed, ST_NR_READ, fd, 10, 200 + fd);
    }
    n = inode(f, DEV_DISK, 80);
    g_assert_nonnull(n);
    assert_labels(f, n->labels, SECRET_GLOB);
    g_assert_true(n->registered);
    g_assert_cmpstr(n->path, ==, "/secret/a.txt");
    g_assert_false(n->path_pending);
    g_assert_null(inode(f, DEV_DISK, 81));   /* '*' does not cross '/' */
    assert_labels(f, inode(f, DEV_DISK, 82)->labels, "ssh");
    g_assert_null(inode(f, DEV_DISK, 83));
    /* id_ecdsa matches no pattern by name: its path was never asked. */
    g_assert_cmpuint(f->get_path_calls, ==, 3);
    g_assert_cmpuint(counters(f).first_use_labels, ==, 2);
    /* The labelled files tainted their reader, which is no secret. */
    assert_labels(f, proc_of(f, &ed)->labels, SECRET_GLOB ",ssh");
    g_assert_false(proc_of(f, &ed)->registered);
    g_assert_nonnull(find_flow(f, n->id, proc_of(f, &ed)->id,
                               ST_ENGINE_FAMILY_READ));
    /* Once per fd: reading again asks for no name and no path. */
    {
        unsigned names = f->get_name_calls, paths = f->get_path_calls;

        sys_rw(f, &ed, ST_NR_READ, 6, 10, 300);
        sys_rw(f, &ed, ST_NR_READ, 4, 10, 310);
        g_assert_cmpuint(f->get_name_calls, ==, names);
        g_assert_cmpuint(f->get_path_calls, ==, paths);
    }
    /* Read through a hard link, the file keeps the name it has. */
    fake_fd(f, 600, 8, ST_ENGINE_KIND_FILE, DEV_DISK, 80, "/other/link.txt");
    sys_rw(f, &ed, ST_NR_READ, 8, 10, 400);
    g_assert_cmpstr(inode(f, DEV_DISK, 80)->path, ==, "/secret/a.txt");
    fake_free(f);
}

static void test_bad_pattern(void)
{
    static const char *const bad[] = {
        "/secret/[abc", "", "/x\\", "/a/[!]", "/a[/b]", "*secret*",
    };
    Fake *f = fake_new();
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;

        g_assert_false(st_engine_register_pattern(f->e, bad[i], NULL, &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, "pattern"));
        g_error_free(err);
    }
    g_assert_true(st_engine_register_pattern(f->e, "/a/[]x]\\*", NULL, NULL));
    fake_free(f);
}

static void test_register_inode(void)
{
    Fake *f = fake_new();
    StEngineTask cat = mktask(100, 1000, 1, 1, "cat");
    const StEngineNodeInfo *n;
    uint64_t id, id2;
    uint64_t req;
    StEngineObject obj;

    id = reg(f, DEV_DISK, 10, NULL);
    n = st_engine_node(f->e, id);
    g_assert_cmpint(n->kind, ==, ST_ENGINE_KIND_UNKNOWN);
    g_assert_true(n->registered);
    assert_labels(f, n->labels, "inode:2049:10");
    g_assert_null(n->path);
    /* Registering a tracked node again adds the label, same node. */
    id2 = reg(f, DEV_DISK, 10, "S");
    g_assert_cmpuint(id2, ==, id);
    assert_labels(f, n->labels, "inode:2049:10,S");
    /* Seen through an fd: the kind and the path handle arrive. */
    g_assert_false(st_engine_next_path_request(f->e, &req, &obj));
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &cat, ST_NR_READ, 3, 1, 100);
    g_assert_cmpint(n->kind, ==, ST_ENGINE_KIND_FILE);
    g_assert_true(st_engine_next_path_request(f->e, &req, &obj));
    g_assert_cmpuint(req, ==, id);
    /* After tracking has started, registration still works. */
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 12, "/late");
    id = reg(f, DEV_DISK, 12, "L");
    sys_rw(f, &cat, ST_NR_READ, 4, 1, 200);
    assert_labels(f, proc_of(f, &cat)->labels, "inode:2049:10,S,L");
    fake_free(f);
}

static void test_rename(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask mv = setup_reader(f, &secret);
    g_autoptr(GPtrArray) renames = g_ptr_array_new();
    g_autoptr(GPtrArray) all = NULL;
    const StEngineFlowInfo *fl;
    const StEngineNodeInfo *n = st_engine_node(f->e, secret);
    unsigned i;

    g_assert_true(st_engine_set_path(f->e, secret, "/home/u/secret"));
    fake_uptr(f, 0x1000, "/home/u/secret");
    fake_uptr(f, 0x2000, "/tmp/innocent");
    fake_uptr(f, 0x3000, "/var/x");
    fake_uptr(f, 0x4000, "/tmp");
    fake_uptr(f, 0x5000, "/scratch");

    sys(f, &mv, ST_NR_RENAME, 0x1000, 0x2000, 0, 0, 0, 0, 200);
    g_assert_cmpstr(n->path, ==, "/tmp/innocent");
    /* A failed rename does nothing. */
    sys(f, &mv, ST_NR_RENAMEAT2, FDCWD_ARG, 0x2000, FDCWD_ARG, 0x3000,
        0, -18, 300);
    g_assert_cmpstr(n->path, ==, "/tmp/innocent");
    sys(f, &mv, ST_NR_RENAMEAT, FDCWD_ARG, 0x2000, FDCWD_ARG, 0x3000,
        0, 0, 400);
    g_assert_cmpstr(n->path, ==, "/var/x");
    /* A rename of an untracked path: no edge. */
    sys(f, &mv, ST_NR_RENAME, 0x5000, 0x4000, 0, 0, 0, 0, 450);

    all = flows_since(f, 0);
    for (i = 0; i < all->len; i++) {
        fl = g_ptr_array_index(all, i);
        if (fl->family == ST_ENGINE_FAMILY_RENAME) {
            g_ptr_array_add(renames, (gpointer)fl);
        }
    }
    g_assert_cmpuint(renames->len, ==, 2);
    fl = g_ptr_array_index(renames, 0);
    g_assert_cmpuint(fl->src, ==, secret);
    g_assert_cmpuint(fl->dst, ==, secret);
    g_assert_cmpstr(fl->old_path, ==, "/home/u/secret");
    g_assert_cmpstr(fl->new_path, ==, "/tmp/innocent");
    g_assert_cmpuint(fl->syscall_nr, ==, ST_NR_RENAME);
    assert_labels(f, fl->labels, "S");
    fl = g_ptr_array_index(renames, 1);
    g_assert_cmpstr(fl->old_path, ==, "/tmp/innocent");
    g_assert_cmpstr(fl->new_path, ==, "/var/x");

    /* Renaming the directory moves the tracked file below it. */
    fake_uptr(f, 0x6000, "/var");
    fake_uptr(f, 0x7000, "/srv");
    sys(f, &mv, ST_NR_RENAMEAT2, FDCWD_ARG, 0x6000, FDCWD_ARG, 0x7000,
        0, 0, 500);
    g_assert_cmpstr(n->path, ==, "/srv/x");

    /* Renamed over another tracked file: that one is gone. */
    {
        uint64_t key = reg(f, DEV_DISK, 11, "K");

        g_assert_true(st_engine_set_path(f->e, key, "/etc/key"));
        fake_uptr(f, 0x8000, "/srv/x");
        fake_uptr(f, 0x9000, "/etc/key");
        sys(f, &mv, ST_NR_RENAME, 0x8000, 0x9000, 0, 0, 0, 0, 600);
        g_assert_true(st_engine_node(f->e, key)->deleted);
        g_assert_false(n->deleted);
        g_assert_cmpstr(n->path, ==, "/etc/key");
    }
    fake_free(f);
}

static void test_unlink(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask rm = setup_reader(f, &secret);
    const StEngineNodeInfo *n = st_engine_node(f->e, secret);

    g_assert_true(st_engine_set_path(f->e, secret, "/home/u/secret"));
    fake_uptr(f, 0x1000, "/home/u/other");
    fake_uptr(f, 0x2000, "/home/u/secret");
    sys(f, &rm, ST_NR_UNLINK, 0x1000, 0, 0, 0, 0, 0, 200);
    g_assert_false(n->deleted);
    sys(f, &rm, ST_NR_UNLINKAT, FDCWD_ARG, 0x2000, 0, 0, 0, -13, 250);
    g_assert_false(n->deleted);
    sys(f, &rm, ST_NR_UNLINKAT, FDCWD_ARG, 0x2000, 0, 0, 0, 0, 300);
    g_assert_true(n->deleted);
    /* The node and its edges stay. */
    g_assert_nonnull(find_flow(f, secret, proc_of(f, &rm)->id,
                               ST_ENGINE_FAMILY_READ));
    fake_free(f);
}

/*
 * A file whose path is still queued when it is unlinked (the resolver's
 * bottom half lags behind the vCPU): the unlink resolves it first.
 */
static void test_unlink_queued(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask rm = setup_reader(f, &secret);
    const StEngineNodeInfo *n = st_engine_node(f->e, secret);
    StEngineObject obj;
    uint64_t id;

    g_assert_true(n->path_pending);
    fake_uptr(f, 0x1000, "/secret");
    /* A stale handle: no path, not applied, the request used up. */
    f->queued_paths_stale = true;
    sys(f, &rm, ST_NR_UNLINK, 0x1000, 0, 0, 0, 0, 0, 200);
    g_assert_cmpuint(f->get_queued_path_calls, ==, 1);
    g_assert_false(n->deleted);
    g_assert_null(n->path);
    g_assert_false(st_engine_next_path_request(f->e, &id, &obj));

    /* A copy, queued when written, unlinked before the resolver ran. */
    f->queued_paths_stale = false;
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/tmp/copy");
    sys_rw(f, &rm, ST_NR_WRITE, 4, 1, 250);
    n = inode(f, DEV_DISK, 20);
    g_assert_true(n->path_pending);
    fake_uptr(f, 0x2000, "/tmp/copy");
    sys(f, &rm, ST_NR_UNLINK, 0x2000, 0, 0, 0, 0, 0, 300);
    g_assert_cmpuint(f->get_queued_path_calls, ==, 2);
    g_assert_cmpstr(n->path, ==, "/tmp/copy");
    g_assert_true(n->deleted);
    g_assert_cmpuint(counters(f).paths_settled, ==, 2);

    /* A POSIX queue, named by mq_unlink before it goes; not deleted. */
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/queue");
    sys_rw(f, &rm, ST_NR_MQ_TIMEDSEND, 5, 1, 350);
    n = inode(f, DEV_DISK, 21);
    g_assert_true(n->path_pending);
    fake_uptr(f, 0x3000, "/queue");
    sys(f, &rm, ST_NR_MQ_UNLINK, 0x3000, 0, 0, 0, 0, 0, 400);
    g_assert_cmpuint(f->get_queued_path_calls, ==, 3);
    g_assert_cmpstr(n->path, ==, "/queue");
    g_assert_false(n->path_pending);
    g_assert_false(n->deleted);
    g_assert_cmpuint(counters(f).paths_settled, ==, 3);
    fake_free(f);
}

static void test_path_queue(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineNodeInfo *n;
    StEngineObject obj;
    StEngineCounters c;
    uint64_t id, id2;
    unsigned paths_before = f->get_path_calls;

    /* The registered secret was queued when first seen through fd 3. */
    g_assert_true(st_engine_next_path_request(f->e, &id, &obj));
    g_assert_cmpuint(id, ==, secret);
    g_assert_true(st_engine_set_path(f->e, id, "/secret"));

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/tmp/copy");
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 200);
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 210);
    n = inode(f, DEV_DISK, 20);
    g_assert_null(n->path);
    g_assert_true(n->path_pending);
    /* The hot path itself resolved no path. */
    g_assert_cmpuint(f->get_path_calls, ==, paths_before);
    g_assert_true(st_engine_next_path_request(f->e, &id2, &obj));
    g_assert_cmpuint(id2, ==, n->id);
    g_assert_cmpuint(obj.path_handle[0], ==, DEV_DISK);
    g_assert_cmpuint(obj.path_handle[1], ==, 20);
    g_assert_false(st_engine_next_path_request(f->e, &id, &obj));
    g_assert_true(st_engine_set_path(f->e, id2, "/tmp/copy"));
    g_assert_cmpstr(n->path, ==, "/tmp/copy");
    g_assert_false(n->path_pending);
    g_assert_false(st_engine_set_path(f->e, 999, "/nope"));
    c = counters(f);
    g_assert_cmpuint(c.path_requests, ==, 2);
    g_assert_cmpuint(c.path_resolutions, ==, 2);
    fake_free(f);
}

/* An fd opened (and used) before the pattern existed is checked again. */
static void test_first_use_before_pattern(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(600, 6000, 1, 1, "t");

    reg(f, DEV_DISK, 99, "other");      /* reads resolve fds */
    fake_fd(f, 600, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 80, "/secret/a.txt");
    sys_rw(f, &t, ST_NR_READ, 3, 10, 100);
    g_assert_null(proc_of(f, &t));
    g_assert_true(st_engine_register_pattern(f->e, SECRET_GLOB, NULL, NULL));
    /* Still cached (no close): the new pattern has it checked again. */
    sys_rw(f, &t, ST_NR_READ, 3, 10, 110);
    g_assert_nonnull(inode(f, DEV_DISK, 80));
    g_assert_true(inode(f, DEV_DISK, 80)->registered);
    assert_labels(f, proc_of(f, &t)->labels, SECRET_GLOB);
    fake_free(f);
}

/*
 * A file first read under a name no pattern matches is labelled by
 * another of its names (a hard link's, the one under a bind mount): even
 * when the fd's own name fails the name filter; named as matched.  Eight
 * other names at most are asked.
 */
/*
 * A file found under a pattern before any fd names it (in the guest's
 * dentry cache, at registration) is labelled at once, and a reader of it
 * through a name the pattern does not match is tainted.
 */
static void test_pattern_found(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(600, 6000, 1, 1, "t");
    const StEngineNodeInfo *n;
    GError *err = NULL;
    uint64_t id;

    g_assert_true(st_engine_register_pattern(f->e, SECRET_GLOB, "S",
                                             NULL));
    g_assert_cmpstr(st_engine_pattern_glob(f->e, 0), ==, SECRET_GLOB);
    g_assert_null(st_engine_pattern_glob(f->e, 1));
    id = st_engine_pattern_found(f->e, SECRET_GLOB, DEV_DISK, 95,
                                 "/secret/r.txt", &err);
    g_assert_no_error(err);
    n = st_engine_node(f->e, id);
    g_assert_nonnull(n);
    g_assert_true(n == inode(f, DEV_DISK, 95));
    g_assert_cmpint(n->kind, ==, ST_ENGINE_KIND_FILE);
    g_assert_true(n->registered);
    g_assert_cmpstr(n->path, ==, "/secret/r.txt");
    assert_labels(f, n->labels, "S");
    g_assert_cmpuint(counters(f).registration_labels, ==, 1);
    /* again: the same node, nothing new */
    g_assert_cmpuint(st_engine_pattern_found(f->e, SECRET_GLOB, DEV_DISK, 95,
                                             "/secret/r.txt", NULL), ==, id);
    g_assert_cmpuint(counters(f).registration_labels, ==, 1);

    /* read through a name no pattern matches, with no other name cached */
    fake_fd(f, 600, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 95, "/tmp/hard-link");
    sys_rw(f, &t, ST_NR_READ, 3, 10, 100);
    assert_labels(f, proc_of(f, &t)->labels, "S");
    g_assert_nonnull(find_flow(f, id, proc_of(f, &t)->id,
                               ST_ENGINE_FAMILY_READ));
    g_assert_cmpstr(inode(f, DEV_DISK, 95)->path, ==, "/secret/r.txt");
    g_assert_cmpuint(counters(f).first_use_labels, ==, 0);

    /* what does not fit is refused, and labels nothing */
    g_assert_cmpuint(st_engine_pattern_found(f->e, SECRET_GLOB, DEV_DISK, 96,
                                             "/secret/sub/x.txt", &err),
                     ==, 0);
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL);
    g_clear_error(&err);
    g_assert_cmpuint(st_engine_pattern_found(f->e, "/other/" "*", DEV_DISK,
                                             96, "/other/x", &err), ==, 0);
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_clear_error(&err);
    g_assert_null(inode(f, DEV_DISK, 96));
    fake_free(f);
}

static void test_first_use_alias(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(600, 6000, 1, 1, "t");
    unsigned i, calls;

    g_assert_true(st_engine_register_pattern(f->e, SECRET_GLOB, "S",
                                             NULL));
    fake_fd(f, 600, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 90, "/tmp/hl");
    fake_alias(f, DEV_DISK, 90, "/srv/other-link");
    fake_alias(f, DEV_DISK, 90, "/secret/h.txt");
    fake_fd(f, 600, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 91, "/view/b.txt");
    fake_alias(f, DEV_DISK, 91, "/secret/b.txt");
    fake_fd(f, 600, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 92, "/tmp/p.txt");
    fake_alias(f, DEV_DISK, 92, "/pub/p.txt");
    fake_fd(f, 600, 6, ST_ENGINE_KIND_FILE, DEV_DISK, 93, "/tmp/q");
    for (i = 0; i < ST_ENGINE_ALIASES_MAX; i++) {
        fake_alias(f, DEV_DISK, 93, "/pub/q.txt");
    }
    fake_alias(f, DEV_DISK, 93, "/secret/q.txt");

    sys_rw(f, &t, ST_NR_READ, 5, 10, 100);
    g_assert_null(inode(f, DEV_DISK, 92));
    g_assert_null(proc_of(f, &t));
    calls = f->get_alias_calls;
    sys_rw(f, &t, ST_NR_READ, 6, 10, 110);
    g_assert_null(inode(f, DEV_DISK, 93));
    g_assert_cmpuint(f->get_alias_calls - calls, ==, ST_ENGINE_ALIASES_MAX);
    g_assert_null(proc_of(f, &t));

    sys_rw(f, &t, ST_NR_READ, 3, 10, 120);
    g_assert_cmpstr(inode(f, DEV_DISK, 90)->path, ==, "/secret/h.txt");
    g_assert_true(inode(f, DEV_DISK, 90)->registered);
    assert_labels(f, proc_of(f, &t)->labels, "S");
    sys_rw(f, &t, ST_NR_READ, 4, 10, 130);
    g_assert_cmpstr(inode(f, DEV_DISK, 91)->path, ==, "/secret/b.txt");
    g_assert_cmpuint(counters(f).first_use_labels, ==, 2);

    /* A path that matches asks for no other name */
    calls = f->get_alias_calls;
    fake_fd(f, 600, 7, ST_ENGINE_KIND_FILE, DEV_DISK, 94, "/secret/c.txt");
    sys_rw(f, &t, ST_NR_READ, 7, 10, 140);
    g_assert_nonnull(inode(f, DEV_DISK, 94));
    g_assert_cmpuint(f->get_alias_calls, ==, calls);
    fake_free(f);
}

/* Patterns alone (no secret registered yet) make reads resolve fds. */
static void test_first_use_patterns_only(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(600, 6000, 1, 1, "t");

    g_assert_true(st_engine_register_pattern(f->e, SECRET_GLOB, "S", NULL));
    fake_fd(f, 600, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 80, "/secret/a.txt");
    sys_rw(f, &t, ST_NR_READ, 3, 10, 100);
    assert_labels(f, proc_of(f, &t)->labels, "S");
    fake_free(f);
}

/* Every way an fd is used labels it: write targets, transfers, mmap. */
static void test_first_use_other_rules(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask cp = mktask(601, 6001, 1, 1, "cp");
    StEngineTask view = mktask(602, 6002, 1, 1, "view");
    const StEngineNodeInfo *n;

    g_assert_true(st_engine_register_pattern(f->e, "/keys/" "*", "K", NULL));
    /* A tracked process writes a file under the pattern: a secret. */
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 90, "/keys/new");
    sys_rw(f, &cat, ST_NR_WRITE, 4, 10, 100);
    n = inode(f, DEV_DISK, 90);
    assert_labels(f, n->labels, "S,K");
    g_assert_true(n->registered);
    /* sendfile by an untracked process from a file under the pattern. */
    fake_fd(f, 601, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 91, "/keys/old");
    fake_fd(f, 601, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 92, "/tmp/out");
    sys(f, &cp, ST_NR_SENDFILE, 4, 3, 0, 100, 0, 100, 110);
    assert_labels(f, inode(f, DEV_DISK, 92)->labels, "K");
    /* A mapping of one. */
    fake_fd(f, 602, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 93, "/keys/map");
    sys(f, &view, ST_NR_MMAP, 0, 4096, ST_PROT_READ, ST_MAP_PRIVATE, 3,
        0x7f0000000000, 120);
    assert_labels(f, proc_of(f, &view)->labels, "K");
    /* A path that cannot be read is counted. */
    {
        FakeFd *ff = fake_fd(f, 602, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 94,
                             "/keys/bad");
        uint64_t drops = counters(f).drops[ST_ENGINE_DROP_RESOLVE];

        ff->obj.path_handle[1] = 0;     /* the fake's get_path fails */
        sys_rw(f, &view, ST_NR_READ, 4, 1, 130);
        g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_RESOLVE], ==,
                         drops + 1);
    }
    fake_free(f);
}

/*
 * A rename's paths are read at its entry: rewriting them while the call
 * runs changes nothing.  Renames of untracked paths ask for no return.
 */
static void test_rename_paths_at_entry(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask mv = setup_reader(f, &secret);

    g_assert_true(st_engine_set_path(f->e, secret, "/home/u/secret"));
    fake_uptr(f, 0x1000, "/home/u/secret");
    fake_uptr(f, 0x2000, "/tmp/x");
    fake_uptr(f, 0x3000, "/var/a");
    fake_uptr(f, 0x4000, "/var/b");
    g_assert_false(entry(f, &mv, ST_NR_RENAME, 0x3000, 0x4000, 0, 0, 0,
                         100));
    g_assert_true(entry(f, &mv, ST_NR_RENAME, 0x1000, 0x2000, 0, 0, 0, 200));
    fake_uptr(f, 0x2000, "/innocent");      /* a sibling thread's rewrite */
    st_engine_syscall_exit(f->e, &mv, ST_NR_RENAME, 0, 201);
    g_assert_cmpstr(st_engine_node(f->e, secret)->path, ==, "/tmp/x");
    /* An unlink whose return never comes is counted, not applied. */
    fake_uptr(f, 0x5000, "/tmp/x");
    g_assert_true(entry(f, &mv, ST_NR_UNLINK, 0x5000, 0, 0, 0, 0, 300));
    entry(f, &mv, ST_NR_CLOSE, 9, 0, 0, 0, 0, 310);
    g_assert_false(st_engine_node(f->e, secret)->deleted);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_UNPAIRED], ==, 1);
    fake_free(f);
}

/*
 * Path arguments in a page not faulted in yet cannot be read at entry
 * (seen on Debian's 7.x: busybox mv); the kernel reads them, so they are
 * read at the return.  Unreadable then too: counted.
 */
static void test_paths_late(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask mv = setup_reader(f, &secret);

    g_assert_true(st_engine_set_path(f->e, secret, "/home/u/secret"));
    g_assert_true(entry(f, &mv, ST_NR_RENAME, 0x1000, 0x2000, 0, 0, 0,
                        100));
    fake_uptr(f, 0x1000, "/home/u/secret");     /* faulted in by the call */
    fake_uptr(f, 0x2000, "/tmp/x");
    st_engine_syscall_exit(f->e, &mv, ST_NR_RENAME, 0, 101);
    g_assert_cmpstr(st_engine_node(f->e, secret)->path, ==, "/tmp/x");
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_RESOLVE], ==, 0);
    /* never readable: counted, nothing applied */
    g_assert_true(entry(f, &mv, ST_NR_RENAME, 0x4000, 0x5000, 0, 0, 0,
                        300));
    st_engine_syscall_exit(f->e, &mv, ST_NR_RENAME, 0, 301);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_RESOLVE], ==, 1);
    g_assert_cmpstr(st_engine_node(f->e, secret)->path, ==, "/tmp/x");
    /* unlink, late as well */
    g_assert_true(entry(f, &mv, ST_NR_UNLINK, 0x3000, 0, 0, 0, 0, 200));
    fake_uptr(f, 0x3000, "/tmp/x");
    st_engine_syscall_exit(f->e, &mv, ST_NR_UNLINK, 0, 201);
    g_assert_true(st_engine_node(f->e, secret)->deleted);
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/open/pattern", test_open_pattern);
    g_test_add_func("/engine/open/bad-pattern", test_bad_pattern);
    g_test_add_func("/engine/register-inode", test_register_inode);
    g_test_add_func("/engine/path-queue", test_path_queue);
    g_test_add_func("/engine/rename", test_rename);
    g_test_add_func("/engine/unlink", test_unlink);
    g_test_add_func("/engine/unlink/queued-path", test_unlink_queued);
    g_test_add_func("/engine/first-use/before-pattern",
                    test_first_use_before_pattern);
    g_test_add_func("/engine/first-use/alias", test_first_use_alias);
    g_test_add_func("/engine/pattern-found", test_pattern_found);
    g_test_add_func("/engine/first-use/patterns-only",
                    test_first_use_patterns_only);
    g_test_add_func("/engine/first-use/other-rules",
                    test_first_use_other_rules);
    g_test_add_func("/engine/rename/paths-at-entry",
                    test_rename_paths_at_entry);
    g_test_add_func("/engine/rename/paths-late", test_paths_late);
    return g_test_run();
}
