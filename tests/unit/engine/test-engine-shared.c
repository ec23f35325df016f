/*
 * secret-tracker: tracking engine unit tests: shared memory, shared
 * address spaces, other processes' memory and kernel-held data
 * (engine-shared.c, engine-ipc.c)
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

#define MM_PARENT 0xffff888001000000ull
#define MM_CHILD 0xffff888002000000ull
#define MAP_ADDR 0x7f0000000000ull


static uint64_t labels_of(Fake *f, const StEngineTask *t)
{
    const StEngineNodeInfo *n = proc_of(f, t);

    return n ? n->labels : 0;
}

/* A call that only marks an entry (getppid-like): a write to fd 1. */
static void poke(Fake *f, const StEngineTask *t, uint64_t ns)
{
    fake_fd(f, t->tgid, 1, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 1, NULL);
    sys_rw(f, t, ST_NR_WRITE, 1, 1, ns);
}

/*
 * An output file mapped MAP_SHARED|PROT_WRITE before the secret is read,
 * then filled with memcpy: tainted at the entry of the read.  A reader
 * whose mapping existed before the file was tainted: tainted at its next
 * entry, before that entry's rule (its write carries the labels).
 */
static void test_shared_file(void)
{
    Fake *f = fake_new();
    StEngineTask w = mktask(100, 1000, 1, 1, "writer");
    StEngineTask r = mktask(200, 2000, 1, 1, "reader");
    StEngineTask idle = mktask(300, 3000, 1, 1, "idle");
    const StEngineNodeInfo *out;
    uint64_t secret = reg(f, DEV_DISK, 10, "S");

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 40, "/out");
    sys(f, &w, ST_NR_MMAP, 0, 4096, ST_PROT_READ | ST_PROT_WRITE,
        ST_MAP_SHARED, 4, MAP_ADDR, 100);
    fake_fd(f, 200, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 40, "/out")->obj.mode =
        ST_FMODE_READ;
    sys(f, &r, ST_NR_MMAP, 0, 4096, ST_PROT_READ, ST_MAP_SHARED, 4,
        MAP_ADDR, 110);
    g_assert_null(proc_of(f, &w));
    g_assert_null(proc_of(f, &r));
    out = inode(f, DEV_DISK, 40);
    g_assert_nonnull(out);
    g_assert_cmpuint(out->labels, ==, 0);

    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &w, ST_NR_READ, 3, 64, 200);
    assert_labels(f, inode(f, DEV_DISK, 40)->labels, "S");
    g_assert_nonnull(find_flow(f, proc_of(f, &w)->id, out->id,
                               ST_ENGINE_FAMILY_SHARE));
    g_assert_cmpuint(find_flow(f, proc_of(f, &w)->id, out->id,
                               ST_ENGINE_FAMILY_SHARE)->syscall_nr, ==,
                     ST_NR_MMAP);

    /* The reader's next call: tainted, so its write is a flow. */
    fake_fd(f, 200, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 50, "/copy");
    sys_rw(f, &r, ST_NR_WRITE, 5, 64, 300);
    assert_labels(f, labels_of(f, &r), "S");
    g_assert_nonnull(find_flow(f, out->id, proc_of(f, &r)->id,
                               ST_ENGINE_FAMILY_SHARE));
    assert_labels(f, inode(f, DEV_DISK, 50)->labels, "S");
    /* A read-only mapping (file open read-only) gives nothing back. */
    g_assert_null(find_flow(f, proc_of(f, &r)->id, out->id,
                            ST_ENGINE_FAMILY_SHARE));
    /* Negative control: a process that maps nothing stays untracked. */
    poke(f, &idle, 400);
    g_assert_null(proc_of(f, &idle));
    g_assert_nonnull(find_flow(f, secret, proc_of(f, &w)->id,
                               ST_ENGINE_FAMILY_READ));
    fake_free(f);
}

/* MAP_SHARED|MAP_ANONYMOUS, inherited by fork, then filled by the parent. */
static void test_shared_anon_fork(void)
{
    Fake *f = fake_new();
    StEngineTask p = mktask(100, 1000, 1, 1, "parent");
    StEngineTask c = mktask(101, 1010, 100, 1000, "child");
    StEngineTask other = mktask(102, 1020, 1, 1, "other");
    const StEngineNodeInfo *anon;

    reg(f, DEV_DISK, 10, "S");
    sys(f, &p, ST_NR_MMAP, 0, 4096, ST_PROT_READ | ST_PROT_WRITE,
        ST_MAP_SHARED | ST_MAP_ANONYMOUS, -1, MAP_ADDR, 100);
    /* Only a process with shared mappings waits for its fork's return. */
    g_assert_true(entry(f, &p, ST_NR_FORK, 0, 0, 0, 0, 0, 110));
    st_engine_syscall_exit(f->e, &p, ST_NR_FORK, 101, 111);
    g_assert_false(entry(f, &other, ST_NR_FORK, 0, 0, 0, 0, 0, 115));
    poke(f, &c, 120);
    g_assert_null(proc_of(f, &c));

    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &p, ST_NR_READ, 3, 64, 200);
    anon = fake_ipc_node(f, ST_ENGINE_IPC_SHARED_ANON);
    g_assert_nonnull(anon);
    assert_labels(f, anon->labels, "S");
    poke(f, &c, 300);
    assert_labels(f, labels_of(f, &c), "S");
    g_assert_nonnull(find_flow(f, anon->id, proc_of(f, &c)->id,
                               ST_ENGINE_FAMILY_SHARE));
    /* Not a child: not a mapper. */
    poke(f, &other, 310);
    g_assert_null(proc_of(f, &other));
    fake_free(f);
}

/* SysV shared memory: a writer and a read-only reader of segment 7. */
static void test_sysv_shm(void)
{
    Fake *f = fake_new();
    StEngineTask w = mktask(100, 1000, 1, 1, "writer");
    StEngineTask r = mktask(200, 2000, 1, 1, "reader");
    StEngineTask x = mktask(300, 3000, 1, 1, "other");
    const StEngineNodeInfo *seg;

    reg(f, DEV_DISK, 10, "S");
    reg(f, DEV_DISK, 11, "T");
    sys(f, &w, ST_NR_SHMAT, 7, 0, 0, 0, 0, MAP_ADDR, 100);
    sys(f, &r, ST_NR_SHMAT, 7, 0, ST_SHM_RDONLY, 0, 0, MAP_ADDR, 110);
    sys(f, &x, ST_NR_SHMAT, 8, 0, 0, 0, 0, MAP_ADDR, 120);
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &w, ST_NR_READ, 3, 64, 200);
    seg = fake_ipc_node(f, ST_ENGINE_IPC_SYSV_SHM);
    g_assert_nonnull(seg);
    g_assert_cmpuint(seg->ino, ==, 7);
    assert_labels(f, seg->labels, "S");
    poke(f, &r, 300);
    assert_labels(f, labels_of(f, &r), "S");
    /* Another segment: untouched. */
    poke(f, &x, 310);
    g_assert_null(proc_of(f, &x));
    /* The read-only reader's own labels stay out of the segment. */
    fake_fd(f, 200, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/other");
    sys_rw(f, &r, ST_NR_READ, 3, 64, 400);
    assert_labels(f, seg->labels, "S");
    fake_free(f);
}

/*
 * vfork and CLONE_VM: the child reads the secret into memory it shares
 * with its parent and exits; the parent is tainted at its next call.  A
 * fork child (its own mm) and a thread do not share that way.
 */
static void test_shared_address_space(void)
{
    Fake *f = fake_new();
    StEngineTask p = mktask(100, 1000, 1, 1, "parent");
    StEngineTask c = mktask(101, 1010, 100, 1000, "child");
    StEngineTask q = mktask(200, 2000, 1, 1, "forker");
    StEngineTask d = mktask(201, 2010, 200, 2000, "forked");
    const StEngineNodeInfo *as;

    p.mm_id = MM_PARENT;
    c.mm_id = MM_PARENT;
    q.mm_id = MM_CHILD;
    d.mm_id = MM_CHILD + 0x1000;
    reg(f, DEV_DISK, 10, "S");
    sys(f, &p, ST_NR_VFORK, 0, 0, 0, 0, 0, 101, 100);
    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &c, ST_NR_READ, 3, 64, 200);
    sys(f, &c, ST_NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0, 210);
    as = fake_ipc_node(f, ST_ENGINE_IPC_ADDRESS_SPACE);
    g_assert_nonnull(as);
    assert_labels(f, as->labels, "S");
    poke(f, &p, 300);
    assert_labels(f, labels_of(f, &p), "S");
    g_assert_nonnull(find_flow(f, as->id, proc_of(f, &p)->id,
                               ST_ENGINE_FAMILY_SHARE));

    /* clone without CLONE_VM: separate memories. */
    sys(f, &q, ST_NR_CLONE, 0x11, 0, 0, 0, 0, 201, 400);
    fake_fd(f, 201, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &d, ST_NR_READ, 3, 64, 410);
    poke(f, &q, 420);
    g_assert_null(proc_of(f, &q));
    fake_free(f);
}

/* The parent's exit ends the watch: a new process reusing the mm is clean. */
static void test_address_space_reuse(void)
{
    Fake *f = fake_new();
    StEngineTask p = mktask(100, 1000, 1, 1, "parent");
    StEngineTask c = mktask(101, 1010, 100, 1000, "child");
    StEngineTask n = mktask(300, 3000, 1, 1, "new");

    p.mm_id = c.mm_id = n.mm_id = MM_PARENT;
    reg(f, DEV_DISK, 10, "S");
    sys(f, &p, ST_NR_CLONE, ST_CLONE_VM | ST_CLONE_VFORK, 0, 0, 0, 0, 101,
        100);
    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &c, ST_NR_READ, 3, 64, 200);
    sys(f, &c, ST_NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0, 210);
    sys(f, &p, ST_NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0, 300);
    poke(f, &n, 400);
    g_assert_null(proc_of(f, &n));
    fake_free(f);
}

/*
 * Other processes' memory: process_vm_readv and PTRACE_PEEKDATA read a
 * tracked process; process_vm_writev and PTRACE_POKEDATA write into one
 * that is untracked (tainted at its next call); /proc/PID/mem both ways.
 */
static void test_other_memory(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask rd = mktask(200, 2000, 1, 1, "vmreadv");
    StEngineTask pk = mktask(201, 2010, 1, 1, "peek");
    StEngineTask vw = mktask(202, 2020, 1, 1, "victim-w");
    StEngineTask vp = mktask(203, 2030, 1, 1, "victim-p");
    StEngineTask pm = mktask(204, 2040, 1, 1, "procmem");
    StEngineTask vm = mktask(205, 2050, 1, 1, "victim-m");
    StEngineTask no = mktask(206, 2060, 1, 1, "untouched");
    FakeFd *mem;

    sys(f, &rd, ST_NR_PROCESS_VM_READV, 100, 0x1000, 1, 0x2000, 1, 64, 200);
    assert_labels(f, labels_of(f, &rd), "S");
    g_assert_nonnull(find_flow(f, proc_of(f, &cat)->id, proc_of(f, &rd)->id,
                               ST_ENGINE_FAMILY_SHARE));
    g_assert_cmpuint(find_flow(f, proc_of(f, &cat)->id, proc_of(f, &rd)->id,
                               ST_ENGINE_FAMILY_SHARE)->bytes, ==, 64);
    sys(f, &pk, ST_NR_PTRACE, ST_PTRACE_PEEKDATA, 100, 0x1000, 0, 0, 0, 210);
    assert_labels(f, labels_of(f, &pk), "S");
    /* Reading an untracked process's memory moves nothing. */
    sys(f, &no, ST_NR_PROCESS_VM_READV, 206, 0x1000, 1, 0x2000, 1, 64, 215);
    g_assert_null(proc_of(f, &no));

    sys(f, &cat, ST_NR_PROCESS_VM_WRITEV, 202, 0x1000, 1, 0x2000, 1, 64, 220);
    sys(f, &cat, ST_NR_PTRACE, ST_PTRACE_POKEDATA, 203, 0x1000, 7, 0, 0, 230);
    g_assert_null(proc_of(f, &vw));
    poke(f, &vw, 240);
    poke(f, &vp, 250);
    assert_labels(f, labels_of(f, &vw), "S");
    assert_labels(f, labels_of(f, &vp), "S");
    g_assert_nonnull(find_flow(f, proc_of(f, &cat)->id, proc_of(f, &vw)->id,
                               ST_ENGINE_FAMILY_SHARE));

    /* /proc/100/mem read by pm, /proc/205/mem written by cat. */
    mem = fake_fd(f, 204, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 900,
                  "/proc/100/mem");
    g_assert_cmpuint(mem->obj.size, ==, 0);
    sys_rw(f, &pm, ST_NR_PREAD64, 3, 64, 300);
    assert_labels(f, labels_of(f, &pm), "S");
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 901,
            "/proc/205/task/205/mem");
    sys_rw(f, &cat, ST_NR_PWRITE64, 5, 64, 310);
    poke(f, &vm, 320);
    assert_labels(f, labels_of(f, &vm), "S");
    poke(f, &no, 330);
    g_assert_null(proc_of(f, &no));
    fake_free(f);
}

/* Kernel-held stores: message queues, extended attributes, keys, ptys. */
static void test_kernel_stores(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask a = mktask(200, 2000, 1, 1, "msgrcv");
    StEngineTask b = mktask(201, 2010, 1, 1, "getxattr");
    StEngineTask c = mktask(202, 2020, 1, 1, "keyctl");
    StEngineTask d = mktask(203, 2030, 1, 1, "sshd");
    StEngineTask e = mktask(204, 2040, 1, 1, "msgrcv-blocked");
    StEngineTask g = mktask(205, 2050, 1, 1, "describe-only");
    FakeFd *pts, *ptmx;

    sys(f, &cat, ST_NR_MSGSND, 3, 0x1000, 64, 0, 0, 0, 200);
    sys(f, &a, ST_NR_MSGRCV, 3, 0x1000, 64, 0, 0, 64, 210);
    assert_labels(f, labels_of(f, &a), "S");
    g_assert_cmpuint(find_flow(f, fake_ipc_node(f, ST_ENGINE_IPC_SYSV_MSG)->id,
                               proc_of(f, &a)->id,
                               ST_ENGINE_FAMILY_SHARE)->bytes, ==, 64);
    sys(f, &e, ST_NR_MSGRCV, 4, 0x1000, 64, 0, 0, 64, 215);
    g_assert_null(proc_of(f, &e));       /* another queue */
    /* A receiver blocked in msgrcv before the send: tainted by the send. */
    g_assert_false(entry(f, &e, ST_NR_MSGRCV, 5, 0x1000, 64, 0, 0, 216));
    sys(f, &cat, ST_NR_MSGSND, 5, 0x1000, 64, 0, 0, 0, 217);
    assert_labels(f, labels_of(f, &e), "S");
    st_engine_syscall_exit(f->e, &e, ST_NR_MSGRCV, 64, 218);

    sys(f, &cat, ST_NR_FSETXATTR, 3, 0x1000, 0x2000, 64, 0, 0, 220);
    sys(f, &b, ST_NR_LGETXATTR, 0x3000, 0x1000, 0x2000, 64, 0, 64, 230);
    assert_labels(f, labels_of(f, &b), "S");

    sys(f, &g, ST_NR_KEYCTL, ST_KEYCTL_DESCRIBE, 5, 0x1000, 64, 0, 10, 235);
    g_assert_null(proc_of(f, &g));       /* no key holds labels yet */
    sys(f, &cat, ST_NR_ADD_KEY, 0x1000, 0x2000, 0x3000, 64, 0, 5, 240);
    sys(f, &c, ST_NR_KEYCTL, ST_KEYCTL_READ, 5, 0x1000, 64, 0, 64, 250);
    assert_labels(f, labels_of(f, &c), "S");

    /* A pty: written to the slave (136, 0), read from /dev/ptmx. */
    pts = fake_fd(f, 100, 6, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 3, NULL);
    pts->obj.rdev = 136ull << 20;
    sys_rw(f, &cat, ST_NR_WRITE, 6, 64, 260);
    ptmx = fake_fd(f, 203, 7, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 4, NULL);
    ptmx->obj.rdev = 5ull << 20 | 2;
    sys_rw(f, &d, ST_NR_READ, 7, 64, 270);
    assert_labels(f, labels_of(f, &d), "S");
    g_assert_nonnull(find_flow(f, fake_ipc_node(f, ST_ENGINE_IPC_PTY)->id,
                               proc_of(f, &d)->id, ST_ENGINE_FAMILY_READ));
    fake_free(f);
}

/* Untracked sharers move nothing; the tables are bounded and counted. */
static void test_shared_bounds(void)
{
    StEngineConfig cfg = { .max_shared = 2 };
    Fake *f = fake_new_with(&cfg);
    unsigned i;

    for (i = 0; i < 5; i++) {
        StEngineTask t = mktask(100 + i, 1000 + i, 1, 1, "mapper");

        sys(f, &t, ST_NR_SHMAT, 9, 0, 0, 0, 0, MAP_ADDR, 100 + i);
        poke(f, &t, 200 + i);
        g_assert_null(proc_of(f, &t));
    }
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_SHARED], ==, 3);
    {
        StEngineTask t = mktask(50, 500, 1, 1, "many");

        for (i = 0; i < ST_ENGINE_MAX_SHARE_REFS + 2; i++) {
            sys(f, &t, ST_NR_SHMAT, 1000 + i, 0, 0, 0, 0, MAP_ADDR, 300 + i);
        }
    }
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_SHARED], ==, 3 + 1 + 2);
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/shared/file", test_shared_file);
    g_test_add_func("/engine/shared/anon-fork", test_shared_anon_fork);
    g_test_add_func("/engine/shared/sysv-shm", test_sysv_shm);
    g_test_add_func("/engine/shared/address-space",
                    test_shared_address_space);
    g_test_add_func("/engine/shared/address-space-reuse",
                    test_address_space_reuse);
    g_test_add_func("/engine/shared/other-memory", test_other_memory);
    g_test_add_func("/engine/shared/kernel-stores", test_kernel_stores);
    g_test_add_func("/engine/shared/bounds", test_shared_bounds);
    return g_test_run();
}
