/*
 * secret-tracker: tracking engine unit tests: vmsplice, readers waiting
 * on a pipe, and the ioctls that move file data (reflinks, dedupe, loop
 * devices)
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

#define DEV_DEVTMPFS 0x5
/* The kernel's dev_t of block device 7:0 (loop0), and of char 7:0. */
#define LOOP0 ((7ull << ST_KDEV_MINOR_BITS) | 0)

static uint64_t ioctl_args(Fake *f, const StEngineTask *t, int fd,
                           uint64_t cmd, uint64_t arg, uint64_t ns)
{
    return entry(f, t, ST_NR_IOCTL, fd, cmd, arg, 0, 0, ns);
}

/* The x86-64 _IOC encoding, computed here from its parts. */
static uint32_t ioc(uint32_t dir, uint32_t type, uint32_t nr, uint32_t size)
{
    return dir << 30 | size << 16 | type << 8 | nr;
}

/* The layouts of <linux/fs.h> and <linux/loop.h>, to size the commands. */
struct t_file_clone_range {
    int64_t src_fd;
    uint64_t src_offset, src_length, dest_offset;
};

struct t_file_dedupe_range {
    uint64_t src_offset, src_length;
    uint16_t dest_count, reserved1;
    uint32_t reserved2;
};

static void test_ioctl_encodings(void)
{
    const uint32_t write = 1, read_write = 3;

    g_assert_cmphex(ST_FICLONE, ==, ioc(write, 0x94, 9, sizeof(int)));
    g_assert_cmphex(ST_FICLONERANGE, ==,
                    ioc(write, 0x94, 13, sizeof(struct t_file_clone_range)));
    g_assert_cmphex(ST_FIDEDUPERANGE, ==,
                    ioc(read_write, 0x94, 54,
                        sizeof(struct t_file_dedupe_range)));
    /* The loop commands are plain numbers: 'L' << 8 | n. */
    g_assert_cmphex(ST_LOOP_SET_FD, ==, 'L' << 8 | 0);
    g_assert_cmphex(ST_LOOP_CHANGE_FD, ==, 'L' << 8 | 6);
    g_assert_cmphex(ST_LOOP_CONFIGURE, ==, 'L' << 8 | 10);
    g_assert_cmpint(st_engine_syscall_family(ST_NR_IOCTL), ==,
                    ST_ENGINE_FAMILY_TRANSFER);
    g_assert_cmpstr(st_engine_syscall_name(ST_NR_VMSPLICE), ==, "vmsplice");
}

/* vmsplice into a pipe's write end: memory to pipe, a write. */
static void test_vmsplice_write_end(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask wc = mktask(101, 1001, 1, 1, "wc");
    const StEngineNodeInfo *pipe;
    FakeFd *ff;

    ff = fake_fd(f, 100, 5, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 80, NULL);
    ff->obj.mode = ST_FMODE_WRITE;
    fake_fd(f, 101, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 80, NULL);
    /* vmsplice(5, iov, n, 0): 48 bytes by iov_bytes */
    g_assert_false(entry(f, &cat, ST_NR_VMSPLICE, 5, 0x1000, 48, 0, 0, 100));
    pipe = inode(f, DEV_PIPEFS, 80);
    g_assert_nonnull(pipe);
    assert_labels(f, pipe->labels, "S");
    g_assert_cmpuint(find_flow(f, proc_of(f, &cat)->id, pipe->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 48);
    sys_rw(f, &wc, ST_NR_READ, 0, 48, 110);
    assert_labels(f, proc_of(f, &wc)->labels, "S");
    /* The write end is not read: cat gained no read edge from it. */
    g_assert_null(find_flow(f, pipe->id, proc_of(f, &cat)->id,
                            ST_ENGINE_FAMILY_READ));
    fake_free(f);
}

/* vmsplice from a tainted pipe's read end: pipe to memory, a read. */
static void test_vmsplice_read_end(void)
{
    Fake *f = fake_new();
    StEngineTask t = mktask(100, 1000, 1, 1, "t");
    StEngineTask u = mktask(101, 1001, 1, 1, "u");
    uint64_t pipe = reg(f, DEV_PIPEFS, 81, "S");
    const StEngineFlowInfo *fl;
    FakeFd *ff;

    ff = fake_fd(f, 100, 3, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 81, NULL);
    ff->obj.mode = ST_FMODE_READ;
    g_assert_true(entry(f, &t, ST_NR_VMSPLICE, 3, 0x1000, 4096, 0, 0, 100));
    st_engine_syscall_exit(f->e, &t, ST_NR_VMSPLICE, 30, 101);
    fl = find_flow(f, pipe, proc_of(f, &t)->id, ST_ENGINE_FAMILY_READ);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->bytes, ==, 30);
    g_assert_cmpuint(fl->syscall_nr, ==, ST_NR_VMSPLICE);
    /* An untracked process at a write end of a clean pipe: nothing. */
    ff = fake_fd(f, 101, 4, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 82, NULL);
    ff->obj.mode = ST_FMODE_WRITE;
    g_assert_false(entry(f, &u, ST_NR_VMSPLICE, 4, 0x1000, 10, 0, 0, 110));
    g_assert_null(proc_of(f, &u));
    g_assert_null(inode(f, DEV_PIPEFS, 82));
    fake_free(f);
}

/*
 * A reader blocks in read(2) on a clean pipe; a tracked writer fills it
 * afterwards.  The reader's entry saw no labels, yet it gets the secret.
 */
static void test_waiting_reader(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask wc = mktask(101, 1001, 1, 1, "wc");
    StEngineTask ls = mktask(102, 1002, 1, 1, "ls");
    const StEngineNodeInfo *pipe;

    fake_fd(f, 100, 5, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 80, NULL);
    fake_fd(f, 101, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 80, NULL);
    fake_fd(f, 102, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 81, NULL);
    /* Both block: wc on the pipe cat fills, ls on another one. */
    g_assert_false(entry(f, &wc, ST_NR_READ, 0, 0x1000, 4096, 0, 0, 105));
    g_assert_false(entry(f, &ls, ST_NR_READ, 0, 0x1000, 4096, 0, 0, 106));
    g_assert_null(proc_of(f, &wc));
    sys_rw(f, &cat, ST_NR_WRITE, 5, 64, 110);
    pipe = inode(f, DEV_PIPEFS, 80);
    g_assert_nonnull(pipe);
    g_assert_nonnull(proc_of(f, &wc));
    assert_labels(f, proc_of(f, &wc)->labels, "S");
    /* As many bytes as the writer gave (the reader asked for more). */
    g_assert_cmpuint(find_flow(f, pipe->id, proc_of(f, &wc)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 64);
    /* The reader of the other pipe stays clean. */
    g_assert_null(proc_of(f, &ls));
    fake_free(f);
}

/* A reader whose read returned and who moved on is not tainted later. */
static void test_waiting_reader_moved_on(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask wc = mktask(101, 1001, 1, 1, "wc");

    fake_fd(f, 100, 5, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 80, NULL);
    fake_fd(f, 101, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 80, NULL);
    fake_fd(f, 101, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 90, "/out");
    g_assert_false(entry(f, &wc, ST_NR_READ, 0, 0x1000, 4096, 0, 0, 105));
    /* Its read returned; it writes elsewhere, then exits. */
    sys_rw(f, &wc, ST_NR_WRITE, 1, 10, 106);
    sys_rw(f, &cat, ST_NR_WRITE, 5, 64, 110);
    g_assert_null(proc_of(f, &wc));
    fake_free(f);
}

/* More blocked readers than the pool holds: the oldest go, counted. */
static void test_waiting_reader_pool(void)
{
    StEngineConfig cfg = { .max_waiting = 4 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask r;
    unsigned i;

    fake_fd(f, 100, 5, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 80, NULL);
    for (i = 0; i < 6; i++) {
        r = mktask(200 + i, 2000 + i, 1, 1, "r");
        fake_fd(f, 200 + i, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 80, NULL);
        entry(f, &r, ST_NR_READ, 0, 0x1000, 4096, 0, 0, 120 + i);
    }
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_WAITING], ==, 2);
    sys_rw(f, &cat, ST_NR_WRITE, 5, 64, 130);
    for (i = 0; i < 6; i++) {
        r = mktask(200 + i, 2000 + i, 1, 1, "r");
        if (i < 2) {
            g_assert_null(proc_of(f, &r));
        } else {
            assert_labels(f, proc_of(f, &r)->labels, "S");
        }
    }
    fake_free(f);
}

/* Other ioctls are dropped before anything is read or counted. */
static void test_ioctl_ignored(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineCounters before = counters(f);
    unsigned resolves = f->resolve_calls;

    g_assert_false(ioctl_args(f, &cat, 1, 0x5401, 0x1000, 100)); /* TCGETS */
    g_assert_false(ioctl_args(f, &cat, 3, LOOP0, 0x1000, 110));
    g_assert_cmpuint(f->resolve_calls, ==, resolves);
    g_assert_cmpuint(counters(f).entries, ==, before.entries);
    fake_free(f);
}

/* FICLONE, FICLONERANGE, FIDEDUPERANGE: file to file, past memory. */
static void test_ioctl_reflink(void)
{
    Fake *f = fake_new();
    StEngineTask cp = mktask(100, 1000, 1, 1, "cp");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    const StEngineFlowInfo *fl;
    unsigned i;

    fake_file(f, 100, 3, 10, "/secret", 4096, 0);
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/copy");
    /* ioctl(4, FICLONE, 3) */
    g_assert_false(ioctl_args(f, &cp, 4, ST_FICLONE, 3, 100));
    g_assert_nonnull(inode(f, DEV_DISK, 20));
    fl = find_flow(f, secret, inode(f, DEV_DISK, 20)->id,
                   ST_ENGINE_FAMILY_TRANSFER);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->syscall_nr, ==, ST_NR_IOCTL);
    g_assert_cmpuint(fl->bytes, ==, 4096);
    g_assert_cmpuint(fl->via_tgid, ==, 100);
    g_assert_null(proc_of(f, &cp));    /* the data never passed through cp */
    /* ioctl(5, FICLONERANGE, &{ .src_fd = 3 }) */
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/range");
    f->n_ioctl_fds = 1;
    f->ioctl_fds[0] = 3;
    ioctl_args(f, &cp, 5, ST_FICLONERANGE, 0x2000, 110);
    g_assert_nonnull(inode(f, DEV_DISK, 21));
    /* ioctl(3, FIDEDUPERANGE, &{ info[] = { 6, 7, 8 } }) */
    for (i = 0; i < 3; i++) {
        fake_fd(f, 100, 6 + i, ST_ENGINE_KIND_FILE, DEV_DISK, 22 + i, NULL);
        f->ioctl_fds[i] = 6 + i;
    }
    f->n_ioctl_fds = 3;
    ioctl_args(f, &cp, 3, ST_FIDEDUPERANGE, 0x3000, 120);
    for (i = 0; i < 3; i++) {
        g_assert_nonnull(inode(f, DEV_DISK, 22 + i));
    }
    /* More destinations than are followed: the rest is counted. */
    for (i = 0; i < ST_ENGINE_MAX_IOCTL_FDS + 5; i++) {
        f->ioctl_fds[i] = 6;
    }
    f->n_ioctl_fds = ST_ENGINE_MAX_IOCTL_FDS + 5;
    ioctl_args(f, &cp, 3, ST_FIDEDUPERANGE, 0x3000, 130);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_RESOLVE], ==, 5);
    /* A clean source moves nothing. */
    fake_fd(f, 100, 9, ST_ENGINE_KIND_FILE, DEV_DISK, 30, "/clean");
    fake_fd(f, 100, 10, ST_ENGINE_KIND_FILE, DEV_DISK, 31, "/dst");
    ioctl_args(f, &cp, 10, ST_FICLONE, 9, 140);
    g_assert_null(inode(f, DEV_DISK, 31));
    fake_free(f);
}

/*
 * A secret behind a loop device: the device, any node naming it, and the
 * files of a filesystem on it are tainted.
 */
static void test_ioctl_loop(void)
{
    Fake *f = fake_new();
    StEngineTask losetup = mktask(100, 1000, 1, 1, "losetup");
    StEngineTask dd = mktask(101, 1001, 1, 1, "dd");
    StEngineTask vcs = mktask(102, 1002, 1, 1, "vcs");
    StEngineTask cat = mktask(103, 1003, 1, 1, "cat");
    StEngineTask ls = mktask(104, 1004, 1, 1, "ls");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    const StEngineNodeInfo *loop, *file;
    FakeFd *ff;

    fake_file(f, 100, 3, 10, "/secret.img", 1 << 20, 0);
    ff = fake_fd(f, 100, 4, ST_ENGINE_KIND_BLOCKDEV, DEV_DEVTMPFS, 300,
                 "/dev/loop0");
    ff->obj.rdev = LOOP0;
    /* ls has an fd on the loop's filesystem before the loop is set up. */
    fake_fd(f, 104, 4, ST_ENGINE_KIND_FILE, LOOP0, 13, "/mnt/other");
    sys_rw(f, &ls, ST_NR_READ, 4, 1, 90);
    g_assert_null(proc_of(f, &ls));
    /* ioctl(4, LOOP_SET_FD, 3) */
    g_assert_false(ioctl_args(f, &losetup, 4, ST_LOOP_SET_FD, 3, 100));
    loop = inode(f, DEV_DEVTMPFS, 300);
    g_assert_nonnull(loop);
    g_assert_cmpuint(loop->rdev, ==, LOOP0);
    assert_labels(f, loop->labels, "S");
    g_assert_nonnull(find_flow(f, secret, loop->id,
                               ST_ENGINE_FAMILY_TRANSFER));
    g_assert_null(proc_of(f, &losetup));
    /* Another block node for 7:0 (made with mknod) is read. */
    ff = fake_fd(f, 101, 3, ST_ENGINE_KIND_BLOCKDEV, DEV_DISK, 400,
                 "/tmp/myloop");
    ff->obj.rdev = LOOP0;
    sys_rw(f, &dd, ST_NR_READ, 3, 512, 110);
    assert_labels(f, proc_of(f, &dd)->labels, "S");
    /* A character device with the same numbers (7:0 is /dev/vcs): no. */
    ff = fake_fd(f, 102, 3, ST_ENGINE_KIND_CHARDEV, DEV_DEVTMPFS, 301,
                 "/dev/vcs");
    ff->obj.rdev = LOOP0;
    sys_rw(f, &vcs, ST_NR_READ, 3, 512, 120);
    g_assert_null(proc_of(f, &vcs));
    /* A file of the filesystem mounted from it, first used. */
    fake_fd(f, 103, 3, ST_ENGINE_KIND_FILE, LOOP0, 12, "/mnt/inside");
    sys_rw(f, &cat, ST_NR_READ, 3, 100, 130);
    file = inode(f, LOOP0, 12);
    g_assert_nonnull(file);
    assert_labels(f, file->labels, "S");
    g_assert_false(file->registered);
    g_assert_nonnull(find_flow(f, loop->id, file->id,
                               ST_ENGINE_FAMILY_TRANSFER));
    assert_labels(f, proc_of(f, &cat)->labels, "S");
    g_assert_cmpuint(counters(f).first_use_labels, ==, 1);
    /* ls's fd, cached before the loop was set up, is checked again. */
    sys_rw(f, &ls, ST_NR_READ, 4, 1, 150);
    g_assert_nonnull(proc_of(f, &ls));
    fake_free(f);
}

/* LOOP_CONFIGURE names its backing fd inside struct loop_config. */
static void test_ioctl_loop_configure(void)
{
    Fake *f = fake_new();
    StEngineTask losetup = mktask(100, 1000, 1, 1, "losetup");
    StEngineTask cat = mktask(101, 1001, 1, 1, "cat");
    FakeFd *ff;

    reg(f, DEV_DISK, 10, "S");
    fake_file(f, 100, 3, 10, "/secret.img", 1 << 20, 0);
    ff = fake_fd(f, 100, 4, ST_ENGINE_KIND_OTHER, DEV_DEVTMPFS, 301,
                 "/dev/loop1");
    ff->obj.rdev = LOOP0 + 1;   /* a caller that says "other" for S_IFBLK */
    f->n_ioctl_fds = 1;
    f->ioctl_fds[0] = 3;
    ioctl_args(f, &losetup, 4, ST_LOOP_CONFIGURE, 0x1000, 100);
    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, LOOP0 + 1, 2, "/mnt/x");
    sys_rw(f, &cat, ST_NR_READ, 3, 100, 110);
    assert_labels(f, proc_of(f, &cat)->labels, "S");
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/ioctl/encodings", test_ioctl_encodings);
    g_test_add_func("/engine/vmsplice/write-end", test_vmsplice_write_end);
    g_test_add_func("/engine/vmsplice/read-end", test_vmsplice_read_end);
    g_test_add_func("/engine/pipe/waiting-reader", test_waiting_reader);
    g_test_add_func("/engine/pipe/waiting-reader-moved-on",
                    test_waiting_reader_moved_on);
    g_test_add_func("/engine/pipe/waiting-reader-pool",
                    test_waiting_reader_pool);
    g_test_add_func("/engine/ioctl/ignored", test_ioctl_ignored);
    g_test_add_func("/engine/ioctl/reflink", test_ioctl_reflink);
    g_test_add_func("/engine/ioctl/loop", test_ioctl_loop);
    g_test_add_func("/engine/ioctl/loop-configure",
                    test_ioctl_loop_configure);
    return g_test_run();
}
