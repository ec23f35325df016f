/*
 * secret-tracker: tracking engine unit tests: the data rules (read, write,
 * transfer, mmap), pipes and the fd cache
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

static void test_read(void)
{
    Fake *f = fake_new();
    StEngineTask ls = mktask(200, 2000, 1, 1, "ls");
    const StEngineFlowInfo *fl;
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);

    fl = find_flow(f, secret, proc_of(f, &cat)->id, ST_ENGINE_FAMILY_READ);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->bytes, ==, 64);
    g_assert_cmpuint(fl->count, ==, 1);
    g_assert_cmpuint(fl->syscall_nr, ==, ST_NR_READ);
    assert_labels(f, fl->labels, "S");
    assert_labels(f, proc_of(f, &cat)->labels, "S");
    g_assert_cmpstr(proc_of(f, &cat)->comm, ==, "cat");
    /* Tracked when the read is entered. */
    g_assert_cmpuint(proc_of(f, &cat)->first_seen_ns, ==, 100);

    /* Reading an untracked file tracks nothing. */
    fake_fd(f, 200, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/etc/motd");
    sys_rw(f, &ls, ST_NR_READ, 3, 64, 200);
    g_assert_null(proc_of(f, &ls));
    g_assert_cmpuint(n_flows(f), ==, 1);
    fake_free(f);
}

static void test_read_variants(void)
{
    static const unsigned nrs[] = {
        ST_NR_PREAD64, ST_NR_READV, ST_NR_PREADV, ST_NR_PREADV2,
    };
    Fake *f = fake_new();
    unsigned i;

    reg(f, DEV_DISK, 10, "S");
    for (i = 0; i < G_N_ELEMENTS(nrs); i++) {
        StEngineTask t = mktask(300 + i, 3000 + i, 1, 1, "r");

        fake_fd(f, t.tgid, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
        sys_rw(f, &t, nrs[i], 4, 10, 100 + i);
        g_assert_nonnull(proc_of(f, &t));
        g_assert_cmpuint(find_flow(f, 1, proc_of(f, &t)->id,
                                   ST_ENGINE_FAMILY_READ)->syscall_nr,
                         ==, nrs[i]);
    }
    fake_free(f);
}

/*
 * Decisions are taken at entry, so a call that then fails still moves the
 * labels (before, the return decided): conservative.  What entry can tell
 * apart still moves nothing: an fd that is not open, a read at the end of
 * a regular file, a fork that fails (its child is never paired).
 */
static void test_failed_calls(void)
{
    Fake *f = fake_new();
    StEngineTask cat = mktask(100, 1000, 1, 1, "cat");
    StEngineTask sh = mktask(101, 1001, 1, 1, "sh");
    StEngineTask kid = mktask(150, 1500, 1, 1, "kid");
    uint64_t secret;

    secret = reg(f, DEV_DISK, 10, "S");
    sys_rw(f, &cat, ST_NR_READ, 3, -9, 100);    /* -EBADF: not open */
    fake_file(f, 100, 3, 10, "/secret", 64, 64);
    sys_rw(f, &cat, ST_NR_READ, 3, 0, 101);     /* at the end: no bytes */
    g_assert_null(proc_of(f, &cat));
    g_assert_cmpuint(n_flows(f), ==, 0);

    fake_file(f, 101, 3, 10, "/secret", 64, 0);
    sys_rw(f, &sh, ST_NR_READ, 3, -4, 200);     /* -EINTR: taken anyway */
    g_assert_nonnull(proc_of(f, &sh));
    g_assert_nonnull(find_flow(f, secret, proc_of(f, &sh)->id,
                               ST_ENGINE_FAMILY_READ));
    fake_fd(f, 101, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/out");
    sys_rw(f, &sh, ST_NR_WRITE, 4, -28, 300);   /* -ENOSPC: taken anyway */
    g_assert_nonnull(inode(f, DEV_DISK, 20));
    sys(f, &sh, ST_NR_FORK, 0, 0, 0, 0, 0, -11, 301);
    g_assert_cmpuint(n_flows(f), ==, 2);
    /* No child was returned: a task of another parent is no child. */
    sys_rw(f, &kid, ST_NR_WRITE, 1, 1, 400);
    g_assert_null(proc_of(f, &kid));
    fake_free(f);
}

static void test_write(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineNodeInfo *out;
    const StEngineFlowInfo *fl;

    fake_fd(f, 100, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/tmp/copy");
    sys_rw(f, &cat, ST_NR_WRITEV, 1, 64, 200);
    out = inode(f, DEV_DISK, 20);
    g_assert_nonnull(out);
    g_assert_cmpint(out->kind, ==, ST_ENGINE_KIND_FILE);
    assert_labels(f, out->labels, "S");
    fl = find_flow(f, proc_of(f, &cat)->id, out->id, ST_ENGINE_FAMILY_WRITE);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->syscall_nr, ==, ST_NR_WRITEV);
    g_assert_cmpuint(fl->bytes, ==, 64);
    g_assert_cmpuint(f->new_flows->len, ==, 2);
    fake_free(f);
}

/* A write by an untracked process must not resolve its fd at all. */
static void test_write_untracked_is_free(void)
{
    Fake *f = fake_new();
    StEngineTask sh = mktask(50, 500, 1, 1, "sh");
    uint64_t secret;
    StEngineCounters c;
    unsigned before;

    setup_reader(f, &secret);
    fake_fd(f, 50, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/tmp/log");
    before = f->resolve_calls;
    sys_rw(f, &sh, ST_NR_WRITE, 1, 10, 500);
    sys_rw(f, &sh, ST_NR_SENDTO, 1, 10, 501);
    g_assert_cmpuint(f->resolve_calls, ==, before);
    g_assert_null(inode(f, DEV_DISK, 21));
    c = counters(f);
    g_assert_cmpuint(c.entries, ==, 3);
    g_assert_cmpuint(c.exits, ==, 1);     /* only the tracked read's */
    fake_free(f);
}

static void test_aggregation(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineFlowInfo *fl;
    unsigned announced;

    fake_fd(f, 100, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/tmp/copy");
    announced = f->new_flows->len;
    sys_rw(f, &cat, ST_NR_WRITE, 1, 10, 1000);
    sys_rw(f, &cat, ST_NR_WRITE, 1, 20, 2000);
    sys_rw(f, &cat, ST_NR_WRITEV, 1, 30, 3000);
    g_assert_cmpuint(n_flows(f), ==, 2);
    g_assert_cmpuint(f->new_flows->len, ==, announced + 1);
    fl = find_flow(f, proc_of(f, &cat)->id, inode(f, DEV_DISK, 20)->id,
                   ST_ENGINE_FAMILY_WRITE);
    g_assert_cmpuint(fl->count, ==, 3);
    g_assert_cmpuint(fl->bytes, ==, 60);
    /* Times are those of the entries, where the flows are decided. */
    g_assert_cmpuint(fl->first_ns, ==, 1000);
    g_assert_cmpuint(fl->last_ns, ==, 3000);
    g_assert_cmpuint(fl->syscall_nr, ==, ST_NR_WRITE);
    g_assert_cmpuint(g_array_index(f->new_flows, uint64_t, announced), ==,
                     fl->id);
    fake_free(f);
}

/* Two secrets, two hops: labels accumulate along the route. */
static void test_labels_two_hops(void)
{
    Fake *f = fake_new();
    StEngineTask p1 = mktask(100, 1000, 1, 1, "p1");
    StEngineTask p2 = mktask(101, 1001, 1, 1, "p2");
    uint64_t a = reg(f, DEV_DISK, 10, "A");
    uint64_t b = reg(f, DEV_DISK, 11, "B");
    const StEngineNodeInfo *f1, *f2;

    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/a");
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/f1");
    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/f1");
    fake_fd(f, 101, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/b");
    fake_fd(f, 101, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/f2");

    sys_rw(f, &p1, ST_NR_READ, 3, 5, 100);
    sys_rw(f, &p1, ST_NR_WRITE, 4, 5, 110);
    sys_rw(f, &p2, ST_NR_READ, 3, 5, 120);
    assert_labels(f, proc_of(f, &p2)->labels, "A");
    sys_rw(f, &p2, ST_NR_READ, 4, 5, 130);
    sys_rw(f, &p2, ST_NR_WRITE, 5, 5, 140);

    f1 = inode(f, DEV_DISK, 20);
    f2 = inode(f, DEV_DISK, 21);
    assert_labels(f, f1->labels, "A");
    assert_labels(f, f2->labels, "A,B");
    assert_labels(f, proc_of(f, &p2)->labels, "A,B");
    assert_labels(f, find_flow(f, proc_of(f, &p2)->id, f2->id,
                               ST_ENGINE_FAMILY_WRITE)->labels, "A,B");
    g_assert_nonnull(find_flow(f, a, proc_of(f, &p1)->id,
                               ST_ENGINE_FAMILY_READ));
    g_assert_nonnull(find_flow(f, b, proc_of(f, &p2)->id,
                               ST_ENGINE_FAMILY_READ));
    g_assert_nonnull(find_flow(f, f1->id, proc_of(f, &p2)->id,
                               ST_ENGINE_FAMILY_READ));

    /* p1 picks up B later: the new label rides the existing edge. */
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/b");
    sys_rw(f, &p1, ST_NR_READ, 5, 5, 150);
    sys_rw(f, &p1, ST_NR_WRITE, 4, 5, 160);
    assert_labels(f, f1->labels, "A,B");
    assert_labels(f, find_flow(f, proc_of(f, &p1)->id, f1->id,
                               ST_ENGINE_FAMILY_WRITE)->labels, "A,B");
    fake_free(f);
}

static void test_transfer(void)
{
    Fake *f = fake_new();
    StEngineTask cp = mktask(400, 4000, 1, 1, "cp");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    const StEngineFlowInfo *fl;
    const StEngineNodeInfo *out, *pipe;

    fake_fd(f, 400, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 400, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 30, "/copy");
    fake_fd(f, 400, 5, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 77, NULL);
    fake_fd(f, 400, 6, ST_ENGINE_KIND_FILE, DEV_DISK, 31, "/copy2");
    fake_fd(f, 400, 7, ST_ENGINE_KIND_FILE, DEV_DISK, 32, "/other");

    /* sendfile(out=4, in=3, NULL, 100) */
    sys(f, &cp, ST_NR_SENDFILE, 4, 3, 0, 100, 0, 100, 100);
    out = inode(f, DEV_DISK, 30);
    g_assert_nonnull(out);
    fl = find_flow(f, secret, out->id, ST_ENGINE_FAMILY_TRANSFER);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->bytes, ==, 100);
    g_assert_cmpuint(fl->via_tgid, ==, 400);
    g_assert_cmpuint(fl->via_start_time, ==, 4000);
    g_assert_cmpuint(fl->via_node, ==, 0);
    /* The data never passed through cp's memory. */
    g_assert_null(proc_of(f, &cp));

    /* splice(in=3, off, out=5, off, len) then tee(in=5, out=6) */
    sys(f, &cp, ST_NR_SPLICE, 3, 0, 5, 0, 50, 50, 200);
    pipe = inode(f, DEV_PIPEFS, 77);
    g_assert_nonnull(pipe);
    g_assert_cmpstr(pipe->path, ==, "pipe:[77]");
    sys(f, &cp, ST_NR_TEE, 5, 6, 50, 0, 0, 50, 300);
    g_assert_nonnull(find_flow(f, pipe->id, inode(f, DEV_DISK, 31)->id,
                               ST_ENGINE_FAMILY_TRANSFER));
    /* copy_file_range(in=7 untracked, off, out=4): nothing. */
    sys(f, &cp, ST_NR_COPY_FILE_RANGE, 7, 0, 6, 0, 10, 10, 400);
    g_assert_null(inode(f, DEV_DISK, 32));
    g_assert_cmpuint(n_flows(f), ==, 3);
    fake_free(f);
}

/* A tracked process moving clean data with sendfile taints the target. */
static void test_transfer_tracked_process(void)
{
    Fake *f = fake_new();
    StEngineTask sh = mktask(410, 4100, 1, 1, "sh");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    const StEngineNodeInfo *proc, *h, *copy;
    const StEngineFlowInfo *fl;

    fake_fd(f, 410, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 410, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 50, "/etc/hostname");
    fake_fd(f, 410, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 51, "/h");
    fake_fd(f, 410, 6, ST_ENGINE_KIND_FILE, DEV_DISK, 52, "/copy");

    sys_rw(f, &sh, ST_NR_READ, 3, 64, 100);
    proc = proc_of(f, &sh);
    g_assert_nonnull(proc);
    /* sendfile(out=5, in=4 clean): from the process, not the source. */
    sys(f, &sh, ST_NR_SENDFILE, 5, 4, 0, 9, 0, 9, 200);
    h = inode(f, DEV_DISK, 51);
    g_assert_nonnull(h);
    g_assert_cmpuint(h->labels, ==, proc->labels);
    g_assert_null(inode(f, DEV_DISK, 50));
    fl = find_flow(f, proc->id, h->id, ST_ENGINE_FAMILY_TRANSFER);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->bytes, ==, 9);
    g_assert_cmpuint(n_flows(f), ==, 2);
    /* From the secret itself: one edge, source to target, none from sh. */
    sys(f, &sh, ST_NR_SENDFILE, 6, 3, 0, 64, 0, 64, 300);
    copy = inode(f, DEV_DISK, 52);
    g_assert_nonnull(copy);
    g_assert_nonnull(find_flow(f, secret, copy->id,
                               ST_ENGINE_FAMILY_TRANSFER));
    g_assert_null(find_flow(f, proc->id, copy->id,
                            ST_ENGINE_FAMILY_TRANSFER));
    g_assert_cmpuint(n_flows(f), ==, 3);
    fake_free(f);
}

static void test_mmap(void)
{
    Fake *f = fake_new();
    StEngineTask viewer = mktask(500, 5000, 1, 1, "viewer");
    StEngineTask priv = mktask(501, 5001, 1, 1, "priv");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    const StEngineNodeInfo *shared;

    fake_fd(f, 500, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 500, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 40, "/shm");
    fake_fd(f, 500, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 41, "/private");
    fake_fd(f, 501, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");

    /* MAP_ANONYMOUS: ignored even with a stray fd. */
    sys(f, &viewer, ST_NR_MMAP, 0, 4096, ST_PROT_READ,
        ST_MAP_PRIVATE | ST_MAP_ANONYMOUS, 3, 0x7f0000000000, 95);
    g_assert_null(proc_of(f, &viewer));
    /* mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0) */
    sys(f, &viewer, ST_NR_MMAP, 0, 8192, ST_PROT_READ, ST_MAP_PRIVATE, 3,
        0x7f0000000000, 100);
    g_assert_nonnull(proc_of(f, &viewer));
    g_assert_cmpuint(find_flow(f, secret, proc_of(f, &viewer)->id,
                               ST_ENGINE_FAMILY_MMAP)->bytes, ==, 8192);
    /* MAP_SHARED + PROT_READ|PROT_WRITE of another file: tracked. */
    sys(f, &viewer, ST_NR_MMAP, 0, 4096, ST_PROT_READ | ST_PROT_WRITE,
        ST_MAP_SHARED, 4, 0x7f0000010000, 200);
    shared = inode(f, DEV_DISK, 40);
    g_assert_nonnull(shared);
    g_assert_nonnull(find_flow(f, proc_of(f, &viewer)->id, shared->id,
                               ST_ENGINE_FAMILY_MMAP));
    /* MAP_PRIVATE writable: the file itself is not written. */
    sys(f, &viewer, ST_NR_MMAP, 0, 4096, ST_PROT_READ | ST_PROT_WRITE,
        ST_MAP_PRIVATE, 5, 0x7f0000020000, 300);
    g_assert_null(inode(f, DEV_DISK, 41));
    /* A failed mmap is not waited for: taken at entry, conservatively. */
    sys(f, &priv, ST_NR_MMAP, 0, 4096, ST_PROT_READ, ST_MAP_PRIVATE, 3, -12,
        400);
    g_assert_nonnull(proc_of(f, &priv));
    /* A mapping of an fd that is not open does nothing. */
    {
        StEngineTask other = mktask(502, 5002, 1, 1, "other");

        sys(f, &other, ST_NR_MMAP, 0, 4096, ST_PROT_READ, ST_MAP_PRIVATE, 3,
            -9, 410);
        g_assert_null(proc_of(f, &other));
    }
    fake_free(f);
}

/*
 * Any protection of a tainted file taints: PROT_WRITE or PROT_EXEC pages
 * are readable on x86, and PROT_NONE can be made readable by mprotect or
 * pkey_mprotect, which need no rule then.
 */
static void test_mmap_any_prot(void)
{
    static const uint64_t prots[] = {
        ST_PROT_WRITE, ST_PROT_EXEC, ST_PROT_NONE,
    };
    Fake *f = fake_new();
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(prots); i++) {
        StEngineTask t = mktask(510 + i, 5100 + i, 1, 1, "viewer");

        fake_fd(f, t.tgid, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
        sys(f, &t, ST_NR_MMAP, 0, 4096, prots[i], ST_MAP_PRIVATE, 3,
            0x7f0000000000, 100 + i);
        g_assert_nonnull(proc_of(f, &t));
        g_assert_nonnull(find_flow(f, secret, proc_of(f, &t)->id,
                                   ST_ENGINE_FAMILY_MMAP));
    }
    fake_free(f);
}

static void test_pipe(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask wc = mktask(101, 1001, 1, 1, "wc");
    const StEngineNodeInfo *pipe;
    uint64_t req;
    StEngineObject obj;

    /* Only the secret (seen through fd 3) wants a path. */
    g_assert_true(st_engine_next_path_request(f->e, &req, &obj));
    g_assert_cmpuint(req, ==, secret);
    fake_fd(f, 100, 1, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 500, NULL);
    fake_fd(f, 101, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 500, NULL);
    sys_rw(f, &cat, ST_NR_WRITE, 1, 64, 200);
    sys_rw(f, &wc, ST_NR_READ, 0, 64, 300);
    pipe = inode(f, DEV_PIPEFS, 500);
    g_assert_cmpstr(pipe->path, ==, "pipe:[500]");
    g_assert_nonnull(proc_of(f, &wc));
    g_assert_nonnull(find_flow(f, pipe->id, proc_of(f, &wc)->id,
                               ST_ENGINE_FAMILY_READ));
    /* Pipes render themselves: no path request. */
    g_assert_false(st_engine_next_path_request(f->e, &req, &obj));
    fake_free(f);
}

static void test_chardev_is_sink(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask sh = mktask(50, 500, 1, 1, "sh");

    fake_fd(f, 100, 1, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 3, "/dev/pts/0");
    fake_fd(f, 50, 0, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 3, "/dev/pts/0");
    sys_rw(f, &cat, ST_NR_WRITE, 1, 64, 200);
    g_assert_nonnull(inode(f, DEV_TTY, 3));
    sys_rw(f, &sh, ST_NR_READ, 0, 5, 300);
    g_assert_null(proc_of(f, &sh));
    fake_free(f);
}

/*
 * The reader is woken by the write and returns before the writer's exit
 * is seen: the channel must already carry the taint.  The write is decided
 * whole at entry (its bytes are what it asks to write), so it asks for no
 * return; the reader's bytes come from its own return.
 */
static void test_pipe_reader_first(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask gz = mktask(102, 1002, 1, 1, "gzip");
    const StEngineNodeInfo *pipe, *reader;
    const StEngineFlowInfo *w;

    fake_fd(f, 100, 1, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 501, NULL);
    fake_fd(f, 102, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 501, NULL);
    g_assert_false(st_engine_has_pending(f->e));
    g_assert_false(entry(f, &cat, ST_NR_WRITE, 1, 0x1000, 64, 0, 0, 200));
    g_assert_false(st_engine_has_pending(f->e));
    g_assert_true(entry(f, &gz, ST_NR_READ, 0, 0x1000, 4096, 0, 0, 210));
    reader = proc_of(f, &gz);
    g_assert_nonnull(reader);
    assert_labels(f, reader->labels, "S");
    st_engine_syscall_exit(f->e, &gz, ST_NR_READ, 64, 211);
    st_engine_syscall_exit(f->e, &cat, ST_NR_WRITE, 64, 220);   /* ignored */
    g_assert_false(st_engine_has_pending(f->e));
    pipe = inode(f, DEV_PIPEFS, 501);
    w = find_flow(f, proc_of(f, &cat)->id, pipe->id, ST_ENGINE_FAMILY_WRITE);
    g_assert_nonnull(w);
    g_assert_cmpuint(w->count, ==, 1);
    g_assert_cmpuint(w->bytes, ==, 64);
    g_assert_cmpuint(find_flow(f, pipe->id, reader->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 64);
    fake_free(f);
}

/*
 * Reads of an untracked file resolve its fd once.  (A read of a tainted
 * regular file resolves it afresh every time, for its size and position:
 * see /engine/entry/bytes-regular-file.)
 */
static void test_fd_cache(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    unsigned before;

    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/etc/motd");
    sys(f, &cat, ST_NR_CLOSE, 3, 0, 0, 0, 0, 0, 190);
    before = f->resolve_calls;
    sys_rw(f, &cat, ST_NR_READ, 3, 1, 200);
    sys_rw(f, &cat, ST_NR_READ, 3, 1, 210);
    sys_rw(f, &cat, ST_NR_READ, 3, 1, 215);
    g_assert_cmpuint(f->resolve_calls, ==, before + 1);
    before = f->resolve_calls;
    /* close: the fd number may now name something else. */
    sys(f, &cat, ST_NR_CLOSE, 3, 0, 0, 0, 0, 0, 220);
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 55, "/other");
    sys_rw(f, &cat, ST_NR_READ, 3, 1, 230);
    g_assert_cmpuint(f->resolve_calls, ==, before + 1);
    /* dup2(4, 3) replaces fd 3. */
    sys(f, &cat, ST_NR_DUP2, 4, 3, 0, 0, 0, 3, 240);
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &cat, ST_NR_READ, 3, 1, 250);
    g_assert_cmpuint(f->resolve_calls, ==, before + 2);
    /* connect on a socket fd refreshes its endpoints. */
    fake_close(f, 100, 3);
    sys(f, &cat, ST_NR_CONNECT, 3, 0, 0, 0, 0, 0, 260);
    sys_rw(f, &cat, ST_NR_READ, 3, 1, 270);
    g_assert_cmpuint(f->resolve_calls, ==, before + 3);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_RESOLVE], ==, 1);
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/read", test_read);
    g_test_add_func("/engine/read/variants", test_read_variants);
    g_test_add_func("/engine/failed-calls", test_failed_calls);
    g_test_add_func("/engine/write", test_write);
    g_test_add_func("/engine/write/untracked-is-free",
                    test_write_untracked_is_free);
    g_test_add_func("/engine/aggregation", test_aggregation);
    g_test_add_func("/engine/labels/two-hops", test_labels_two_hops);
    g_test_add_func("/engine/transfer", test_transfer);
    g_test_add_func("/engine/transfer/tracked-process",
                    test_transfer_tracked_process);
    g_test_add_func("/engine/mmap", test_mmap);
    g_test_add_func("/engine/mmap-any-prot", test_mmap_any_prot);
    g_test_add_func("/engine/pipe", test_pipe);
    g_test_add_func("/engine/chardev-is-sink", test_chardev_is_sink);
    g_test_add_func("/engine/pipe/reader-first", test_pipe_reader_first);
    g_test_add_func("/engine/fd-cache", test_fd_cache);
    return g_test_run();
}
