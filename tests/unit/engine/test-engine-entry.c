/*
 * secret-tracker: tracking engine unit tests: decisions at entry, which
 * returns the engine asks for, the byte-count rule, compat entries, and
 * the fd cache per fd table
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

/* The read flow from @src into @t's process, or NULL. */
static const StEngineFlowInfo *read_flow(Fake *f, uint64_t src,
                                         const StEngineTask *t)
{
    const StEngineNodeInfo *p = proc_of(f, t);

    return p ? find_flow(f, src, p->id, ST_ENGINE_FAMILY_READ) : NULL;
}

/* The return is asked for only when it adds something. */
static void test_returns_wanted(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask sh = mktask(50, 500, 1, 1, "sh");
    StEngineEndpoint none = { 0 };
    unsigned wanted;

    fake_fd(f, 50, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 72, NULL);
    fake_fd(f, 50, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 71, "/log");
    fake_file(f, 100, 4, 10, "/secret", 100, 0);
    fake_fd(f, 100, 5, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 72, NULL);
    fake_inet(f, 100, 6, 900, ep4(0, 0, 0, 0, 0), none);
    wanted = counters(f).returns_wanted;

    /* Untracked, untainted I/O: never. */
    g_assert_false(entry(f, &sh, ST_NR_READ, 0, 0x1000, 64, 0, 0, 100));
    g_assert_false(entry(f, &sh, ST_NR_WRITE, 1, 0x1000, 64, 0, 0, 110));
    g_assert_false(entry(f, &sh, ST_NR_FORK, 0, 0, 0, 0, 0, 120));
    /* A tainted regular file of known size: exact already. */
    g_assert_false(entry(f, &cat, ST_NR_READ, 4, 0x1000, 64, 0, 0, 130));
    /* A tracked write: exact already. */
    g_assert_false(entry(f, &cat, ST_NR_WRITE, 5, 0x1000, 64, 0, 0, 140));
    g_assert_cmpuint(counters(f).returns_wanted, ==, wanted);
    /* A read of the pipe cat wrote: its bytes come with the return. */
    g_assert_true(entry(f, &sh, ST_NR_READ, 0, 0x1000, 64, 0, 0, 160));
    st_engine_syscall_exit(f->e, &sh, ST_NR_READ, 9, 161);
    /* A tracked parent's fork pairs its child by the tid returned. */
    g_assert_true(entry(f, &cat, ST_NR_FORK, 0, 0, 0, 0, 0, 170));
    st_engine_syscall_exit(f->e, &cat, ST_NR_FORK, 300, 171);
    /* A thread needs no pairing; execve waits for nothing. */
    g_assert_false(entry(f, &cat, ST_NR_CLONE, ST_CLONE_THREAD, 0, 0, 0, 0,
                         180));
    g_assert_false(entry(f, &cat, ST_NR_EXECVE, 0x1000, 0, 0, 0, 0, 190));
    /* A send that binds its socket; a bind: their address is learnt. */
    f->have_send_peer = true;
    f->send_peer = ep4(93, 184, 216, 34, 53);
    g_assert_true(entry(f, &cat, ST_NR_SENDTO, 6, 0x1000, 8, 0, 0x2000,
                        200));
    st_engine_syscall_exit(f->e, &cat, ST_NR_SENDTO, 8, 201);
    g_assert_true(entry(f, &sh, ST_NR_BIND, 1, 0x1000, 16, 0, 0, 210));
    st_engine_syscall_exit(f->e, &sh, ST_NR_BIND, 0, 211);
    g_assert_cmpuint(counters(f).returns_wanted, ==, wanted + 4);
    g_assert_false(st_engine_has_pending(f->e));
    fake_free(f);
}

/* min(count, size - pos) for regular files; nothing at the end. */
static void test_bytes_regular_file(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(100, 1000, 1, 1, "t");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    FakeFd *ff = fake_file(f, 100, 3, 10, "/secret", 100, 0);
    unsigned resolves;

    /* read(3, buf, 64) at 0: 64; the return is not even needed. */
    g_assert_false(entry(f, &t, ST_NR_READ, 3, 0x1000, 64, 0, 0, 100));
    g_assert_cmpuint(read_flow(f, secret, &t)->bytes, ==, 64);
    /* At 64: 36 left. */
    ff->obj.pos = 64;
    sys(f, &t, ST_NR_READ, 3, 0x1000, 64, 0, 0, 36, 110);
    g_assert_cmpuint(read_flow(f, secret, &t)->bytes, ==, 100);
    g_assert_cmpuint(read_flow(f, secret, &t)->count, ==, 2);
    /* At the end: no flow at all. */
    ff->obj.pos = 100;
    resolves = f->resolve_calls;
    sys(f, &t, ST_NR_READ, 3, 0x1000, 64, 0, 0, 0, 120);
    g_assert_cmpuint(read_flow(f, secret, &t)->count, ==, 2);
    /* The size and position were asked afresh, not taken from the cache. */
    g_assert_cmpuint(f->resolve_calls, ==, resolves + 1);
    /* pread64 at offset 90: 10, whatever the position. */
    sys(f, &t, ST_NR_PREAD64, 3, 0x1000, 64, 90, 0, 10, 130);
    g_assert_cmpuint(read_flow(f, secret, &t)->bytes, ==, 110);
    /* preadv2 at offset -1 reads at the position: 80, so 20. */
    ff->obj.pos = 80;
    sys(f, &t, ST_NR_PREADV2, 3, 0x1000, 64, (uint64_t)-1, 0, 20, 140);
    g_assert_cmpuint(read_flow(f, secret, &t)->bytes, ==, 130);
    /* readv of 30 bytes (iov_bytes) at 50: 30. */
    ff->obj.pos = 50;
    sys(f, &t, ST_NR_READV, 3, 0x1000, 30, 0, 0, 30, 150);
    g_assert_cmpuint(read_flow(f, secret, &t)->bytes, ==, 160);
    /* A size of 0 (procfs, sysfs): bytes come with the return. */
    ff->obj.size = 0;
    ff->obj.pos = 0;
    g_assert_true(entry(f, &t, ST_NR_READ, 3, 0x1000, 64, 0, 0, 160));
    st_engine_syscall_exit(f->e, &t, ST_NR_READ, 7, 161);
    g_assert_cmpuint(read_flow(f, secret, &t)->bytes, ==, 167);
    fake_free(f);
}

/* Writes count what they ask to write, vectored ones through iov_bytes. */
static void test_bytes_write(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineFlowInfo *fl;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/out");
    g_assert_false(entry(f, &cat, ST_NR_WRITE, 4, 0x1000, 40, 0, 0, 100));
    g_assert_false(entry(f, &cat, ST_NR_PWRITEV2, 4, 0x1000, 25, 0, 0, 110));
    fl = find_flow(f, proc_of(f, &cat)->id, inode(f, DEV_DISK, 20)->id,
                   ST_ENGINE_FAMILY_WRITE);
    g_assert_cmpuint(fl->count, ==, 2);
    g_assert_cmpuint(fl->bytes, ==, 65);
    fake_free(f);
}

/* An unpaired read of a pipe keeps its taint and count; bytes are lost. */
static void test_unpaired_read_keeps_taint(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(100, 1000, 1, 1, "t");
    uint64_t pipe = reg(f, DEV_PIPEFS, 70, "S");
    const StEngineFlowInfo *fl;

    fake_fd(f, 100, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 70, NULL);
    g_assert_true(entry(f, &t, ST_NR_READ, 0, 0x1000, 64, 0, 0, 100));
    /* The return never comes (a signal, TF, a missing exit hook). */
    entry(f, &t, ST_NR_GETPID, 0, 0, 0, 0, 0, 110);
    g_assert_true(st_engine_has_pending(f->e));   /* getpid: no family */
    entry(f, &t, ST_NR_CLOSE, 7, 0, 0, 0, 0, 120);
    g_assert_false(st_engine_has_pending(f->e));
    fl = read_flow(f, pipe, &t);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->count, ==, 1);
    g_assert_cmpuint(fl->bytes, ==, 0);
    assert_labels(f, proc_of(f, &t)->labels, "S");
    g_assert_cmpuint(counters(f).unpaired, ==, 1);
    fake_free(f);
}

static void test_compat(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask sh = mktask(50, 500, 1, 1, "sh");
    StEngineCounters c;

    cat.compat = true;
    sh.compat = true;
    sys_rw(f, &sh, ST_NR_WRITE, 1, 1, 100);
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/out");
    sys_rw(f, &cat, ST_NR_WRITE, 4, 1, 110);
    sys_rw(f, &cat, ST_NR_GETPID, 0, 1, 120);  /* no family: not counted */
    c = counters(f);
    g_assert_cmpuint(c.compat_entries, ==, 2);
    g_assert_cmpuint(c.compat_tracked, ==, 1);
    /* Translated calls follow the same rules. */
    g_assert_nonnull(inode(f, DEV_DISK, 20));
    fake_free(f);
}

static void test_relevant(void)
{
    uint64_t args[ST_ENGINE_NR_ARGS] = { 3, 0, 0, 0, 0, 0 };

    g_assert_true(st_engine_syscall_relevant(ST_NR_READ, args));
    g_assert_true(st_engine_syscall_relevant(ST_NR_VMSPLICE, args));
    g_assert_false(st_engine_syscall_relevant(ST_NR_GETPID, args));
    g_assert_false(st_engine_syscall_relevant(ST_NR_OPENAT2, args));
    args[1] = 0x5401;          /* TCGETS */
    g_assert_false(st_engine_syscall_relevant(ST_NR_IOCTL, args));
    args[1] = ST_FICLONE;
    g_assert_true(st_engine_syscall_relevant(ST_NR_IOCTL, args));
    /* The kernel takes the command as 32 bits. */
    args[1] = 0xffffffff00000000ull | ST_LOOP_CONFIGURE;
    g_assert_true(st_engine_syscall_relevant(ST_NR_IOCTL, args));
    g_assert_false(st_engine_syscall_relevant(100000, args));
}

/*
 * Two processes sharing one fd table (CLONE_FILES without CLONE_THREAD):
 * one closes and reopens an fd, the other must not use a stale entry.
 */
static void test_fd_cache_shared_table(void)
{
    Fake *f = fake_new();
    StEngineTask a = mktask(100, 1000, 1, 1, "a");
    StEngineTask b = mktask(200, 2000, 1, 1, "b");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    unsigned before;

    f->fd_still_trusts = true;  /* the fd table key alone must do it */
    a.files_id = b.files_id = 0xffff888001234000ull;
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/etc/motd");
    fake_fd(f, 200, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/etc/motd");
    sys_rw(f, &a, ST_NR_READ, 5, 10, 100);
    before = f->resolve_calls;
    sys_rw(f, &b, ST_NR_READ, 5, 10, 110);     /* same table: cached */
    g_assert_cmpuint(f->resolve_calls, ==, before);
    /* b closes fd 5 and opens the secret as fd 5. */
    sys(f, &b, ST_NR_CLOSE, 5, 0, 0, 0, 0, 0, 120);
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 200, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &a, ST_NR_READ, 5, 10, 130);
    g_assert_nonnull(read_flow(f, secret, &a));
    /* exit of b's process forgets the shared table's entries too. */
    entry(f, &b, ST_NR_EXIT_GROUP, 0, 0, 0, 0, 0, 140);
    before = f->resolve_calls;
    sys_rw(f, &a, ST_NR_READ, 5, 10, 150);
    g_assert_cmpuint(f->resolve_calls, ==, before + 1);
    fake_free(f);
}

/* A change the engine never saw: fd_still catches it. */
static void test_fd_cache_fd_still(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(100, 1000, 1, 1, "t");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    unsigned before;

    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/etc/motd");
    sys_rw(f, &t, ST_NR_READ, 5, 10, 100);
    before = f->resolve_calls;
    sys_rw(f, &t, ST_NR_READ, 5, 10, 110);
    g_assert_cmpuint(f->resolve_calls, ==, before);
    g_assert_cmpuint(f->fd_still_calls, >=, 1);
    /* fd 5 now names the secret; no close was seen (another path). */
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &t, ST_NR_READ, 5, 10, 120);
    g_assert_cmpuint(f->resolve_calls, ==, before + 1);
    g_assert_nonnull(read_flow(f, secret, &t));
    fake_free(f);
}

/*
 * A process exits and another one gets its fd table and a struct file at
 * the same addresses (slab reuse): fd 3 of the new one is another file.
 * Found on a real guest (e2e "deep").
 */
static void test_fd_cache_address_reuse(void)
{
    Fake *f = fake_new();
    StEngineTask a = mktask(100, 1000, 1, 1, "a");
    StEngineTask b = mktask(101, 2000, 1, 1, "b");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    FakeFd *ff;

    a.files_id = b.files_id = 0xffff888012345000ULL;
    ff = fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/copy");
    ff->obj.file_id = 0xffff888000abc000ULL;
    sys_rw(f, &a, ST_NR_READ, 3, 10, 100);
    ff = fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    ff->obj.file_id = 0xffff888000abc000ULL;
    sys_rw(f, &b, ST_NR_READ, 3, 10, 110);
    g_assert_nonnull(read_flow(f, secret, &b));
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/entry/returns-wanted", test_returns_wanted);
    g_test_add_func("/engine/entry/bytes-regular-file",
                    test_bytes_regular_file);
    g_test_add_func("/engine/entry/bytes-write", test_bytes_write);
    g_test_add_func("/engine/entry/unpaired-read-keeps-taint",
                    test_unpaired_read_keeps_taint);
    g_test_add_func("/engine/entry/compat", test_compat);
    g_test_add_func("/engine/entry/relevant", test_relevant);
    g_test_add_func("/engine/fd-cache/shared-table",
                    test_fd_cache_shared_table);
    g_test_add_func("/engine/fd-cache/fd-still", test_fd_cache_fd_still);
    g_test_add_func("/engine/fd-cache/address-reuse",
                    test_fd_cache_address_reuse);
    return g_test_run();
}
