/*
 * secret-tracker: tracking engine unit tests: processes (clone, execve,
 * exit, task details) and unpaired entries
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

/* The flags glibc's pthread_create() passes to clone(). */
#define THREAD_CLONE_FLAGS \
    (ST_CLONE_VM | ST_CLONE_FS | ST_CLONE_FILES | ST_CLONE_SIGHAND | \
     ST_CLONE_THREAD | ST_CLONE_SYSVSEM | ST_CLONE_SETTLS | \
     ST_CLONE_PARENT_SETTID | ST_CLONE_CHILD_CLEARTID)

static void test_clone_by_return(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    StEngineTask child = mktask(150, 1500, 100, 1000, "cat");
    const StEngineFlowInfo *fl;

    /* The parent's exit returns the child's pid... */
    sys(f, &sh, ST_NR_VFORK, 0, 0, 0, 0, 0, 150, 200);
    g_assert_null(proc_of(f, &child));
    /* ...and the child is paired when it first shows up. */
    child.ppid = 99;            /* reparented: only the tid pairs it */
    sys_rw(f, &child, ST_NR_WRITE, 1, 0, 300);
    g_assert_nonnull(proc_of(f, &child));
    assert_labels(f, proc_of(f, &child)->labels, "S");
    fl = find_flow(f, proc_of(f, &sh)->id, proc_of(f, &child)->id,
                   ST_ENGINE_FAMILY_CLONE);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->syscall_nr, ==, ST_NR_VFORK);
    g_assert_cmpuint(fl->first_ns, ==, 201);
    g_assert_cmpuint(n_flows(f), ==, 2);
    fake_free(f);
}

static void test_clone_first_appearance(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    StEngineTask child = mktask(150, 1500, 100, 1000, "sh");
    StEngineTask other = mktask(160, 1600, 1, 1, "other");

    /* The child runs before the parent returns from fork. */
    entry(f, &sh, ST_NR_FORK, 0, 0, 0, 0, 0, 200);
    fake_fd(f, 150, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 60, "/child-out");
    sys_rw(f, &child, ST_NR_WRITE, 1, 4, 210);
    g_assert_nonnull(proc_of(f, &child));
    g_assert_nonnull(inode(f, DEV_DISK, 60));
    st_engine_syscall_exit(f->e, &sh, ST_NR_FORK, 150, 220);
    /* One clone edge, not two; no pending child left behind. */
    g_assert_cmpuint(n_flows(f), ==, 3);
    g_assert_nonnull(find_flow(f, proc_of(f, &sh)->id,
                               proc_of(f, &child)->id,
                               ST_ENGINE_FAMILY_CLONE));
    /* An unrelated new process is not a child. */
    sys_rw(f, &other, ST_NR_WRITE, 1, 4, 230);
    g_assert_null(proc_of(f, &other));
    fake_free(f);
}

static void test_clone_thread(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask app = setup_reader(f, &secret);
    StEngineTask thr = mkthread(&app, 101, 1100);
    StEngineTask thr3 = mkthread(&app, 102, 1200);
    StEngineCounters c;

    /* clone(CLONE_VM|CLONE_THREAD|...) returns the new thread's tid. */
    sys(f, &app, ST_NR_CLONE, THREAD_CLONE_FLAGS, 0, 0, 0, 0, 101, 200);
    sys(f, &app, ST_NR_CLONE3, 0x7ffd0000, 88, 0, 0, 0, 102, 210);
    fake_fd(f, 100, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 60, "/thr-out");
    sys_rw(f, &thr, ST_NR_WRITE, 1, 4, 300);
    sys_rw(f, &thr3, ST_NR_WRITE, 1, 4, 310);
    /* Threads are the same process node: no clone edge, one process. */
    c = counters(f);
    g_assert_cmpuint(c.nodes, ==, 3);    /* secret, app, /thr-out */
    g_assert_nonnull(find_flow(f, proc_of(f, &app)->id,
                               inode(f, DEV_DISK, 60)->id,
                               ST_ENGINE_FAMILY_WRITE));
    g_assert_cmpuint(find_flow(f, proc_of(f, &app)->id,
                               inode(f, DEV_DISK, 60)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    g_assert_cmpuint(n_flows(f), ==, 2);

    /* A thread that never makes a syscall leaves no child to pair... */
    sys(f, &app, ST_NR_CLONE, THREAD_CLONE_FLAGS, 0, 0, 0, 0, 103, 400);
    /* ...so a later, unrelated process with that pid stays untracked. */
    {
        StEngineTask stranger = mktask(103, 9000, 1, 1, "stranger");

        sys_rw(f, &stranger, ST_NR_WRITE, 1, 4, 500);
        g_assert_null(proc_of(f, &stranger));
    }
    fake_free(f);
}

/* A child forked before its parent was tracked stays untracked. */
static void test_clone_older_child(void)
{
    Fake *f = fake_new();
    StEngineTask sh = mktask(100, 1000, 1, 1, "sh");
    StEngineTask old = mktask(150, 1500, 100, 1000, "old");
    StEngineTask late = mktask(170, 1700, 100, 1000, "late");
    uint64_t secret;

    sys_rw(f, &old, ST_NR_WRITE, 1, 1, 50);   /* seen: start 1500 */
    setup_reader(f, &secret);              /* sh becomes tracked */
    sys_rw(f, &old, ST_NR_WRITE, 1, 1, 150);
    g_assert_null(proc_of(f, &old));
    sys_rw(f, &late, ST_NR_WRITE, 1, 1, 160);
    g_assert_nonnull(proc_of(f, &late));
    g_assert_nonnull(find_flow(f, proc_of(f, &sh)->id, proc_of(f, &late)->id,
                               ST_ENGINE_FAMILY_CLONE));
    fake_free(f);
}

/* Task details (parent, comm) are fetched only when needed. */
static void test_lazy_task_details(void)
{
    Fake *f = fake_new();
    StEngineTask sh = mktask_lazy(f, 100, 1000, 1, 1, "sh");
    StEngineTask kid = mktask_lazy(f, 150, 1700, 100, 1000, "kid");
    StEngineTask other = mktask_lazy(f, 160, 1600, 1, 1, "other");
    StEngineTask other2 = mktask_lazy(f, 161, 1610, 1, 1, "other2");
    unsigned calls;

    reg(f, DEV_DISK, 10, "S");
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/etc/motd");
    /* Nothing tracked to descend from: no details wanted. */
    sys_rw(f, &sh, ST_NR_WRITE, 1, 5, 100);
    sys_rw(f, &sh, ST_NR_READ, 4, 5, 110);
    sys_rw(f, &other, ST_NR_WRITE, 1, 5, 120);
    g_assert_cmpuint(f->details_calls, ==, 0);
    /* Becoming tracked: the node gets its comm. */
    sys_rw(f, &sh, ST_NR_READ, 3, 5, 130);
    g_assert_cmpuint(f->details_calls, ==, 1);
    g_assert_cmpstr(proc_of(f, &sh)->comm, ==, "sh");
    /* A new task might be sh's child: its parent is asked for. */
    sys_rw(f, &kid, ST_NR_WRITE, 1, 5, 140);
    g_assert_nonnull(proc_of(f, &kid));
    g_assert_cmpstr(proc_of(f, &kid)->comm, ==, "kid");
    g_assert_cmpuint(proc_of(f, &kid)->ppid, ==, 100);
    /* Untracked tasks are asked once, not at every syscall. */
    calls = f->details_calls;
    sys_rw(f, &other, ST_NR_WRITE, 1, 5, 150);
    sys_rw(f, &other2, ST_NR_WRITE, 1, 5, 155);
    sys_rw(f, &other, ST_NR_WRITE, 1, 5, 160);
    sys_rw(f, &other2, ST_NR_WRITE, 1, 5, 165);
    g_assert_cmpuint(f->details_calls, ==, calls + 2);
    g_assert_null(proc_of(f, &other));
    g_assert_null(proc_of(f, &other2));
    fake_free(f);
}

static void test_execve(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    StEngineTask after = sh;
    StEngineCounters c;
    unsigned before;

    /*
     * execve asks for no return (a successful one never returns through
     * sysret): the process takes its comm again at its next entry, so a
     * failed one changes nothing.
     */
    sys(f, &sh, ST_NR_EXECVE, 0x1000, 0, 0, 0, 0, -2, 150);
    sys_rw(f, &sh, ST_NR_WRITE, 1, 1, 160);
    g_assert_cmpstr(proc_of(f, &sh)->comm, ==, "cat");
    /* A successful one: the next entry shows the new comm. */
    g_assert_false(entry(f, &sh, ST_NR_EXECVE, 0x1000, 0, 0, 0, 0, 200));
    g_strlcpy(after.comm, "gzip", sizeof(after.comm));
    before = f->resolve_calls;
    sys_rw(f, &after, ST_NR_READ, 3, 1, 300);
    g_assert_cmpstr(proc_of(f, &sh)->comm, ==, "gzip");
    assert_labels(f, proc_of(f, &sh)->labels, "S");
    /* The fd cache of the old image is gone: fd 3 is resolved again. */
    g_assert_cmpuint(f->resolve_calls, ==, before + 1);
    c = counters(f);
    g_assert_cmpuint(c.unpaired, ==, 0);
    fake_free(f);
}

/* Processes killed by a signal: listed for a check, ended when gone */
static void test_ended_by_signal(void)
{
    Fake *f = fake_new();
    uint64_t secret, cursor = 0;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask dd = mktask(101, 1010, 1, 1, "dd");
    StEngineLiveProcess live[4];

    /* no leader known: not listed */
    g_assert_cmpuint(st_engine_live_processes(f->e, &cursor, live, 4), ==, 0);
    cat.leader_id = 0xffff888000100000ULL;
    dd.leader_id = 0xffff888000200000ULL;
    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &cat, ST_NR_READ, 3, 0, 200);
    sys_rw(f, &dd, ST_NR_READ, 3, 54, 210);
    g_assert_cmpuint(st_engine_live_processes(f->e, &cursor, live, 1), ==, 1);
    g_assert_cmpuint(live[0].tgid, ==, 100);
    g_assert_cmphex(live[0].leader_id, ==, cat.leader_id);
    g_assert_cmpuint(st_engine_live_processes(f->e, &cursor, live, 4), ==, 1);
    g_assert_cmpuint(live[0].tgid, ==, 101);
    g_assert_cmpuint(live[0].start_time, ==, 1010);
    /* the end of the list, then round again */
    g_assert_cmpuint(st_engine_live_processes(f->e, &cursor, live, 4), ==, 0);
    g_assert_cmpuint(cursor, ==, 0);

    st_engine_process_ended(f->e, 101, 1010, 300);
    g_assert_true(proc_of(f, &dd)->dead);
    g_assert_false(proc_of(f, &cat)->dead);
    g_assert_cmpuint(counters(f).processes_ended, ==, 1);
    g_assert_cmpuint(st_engine_live_processes(f->e, &cursor, live, 4), ==, 1);
    g_assert_cmpuint(live[0].tgid, ==, 100);
    /* unknown or another start time: nothing */
    st_engine_process_ended(f->e, 100, 999, 310);
    st_engine_process_ended(f->e, 555, 1, 310);
    g_assert_false(proc_of(f, &cat)->dead);
    g_assert_cmpuint(counters(f).processes_ended, ==, 1);
    fake_free(f);
}

static void test_exit_and_pid_reuse(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask reuse = mktask(100, 9000, 1, 1, "new");
    unsigned flows = n_flows(f);

    entry(f, &cat, ST_NR_EXIT_GROUP, 0, 0, 0, 0, 0, 200);
    g_assert_true(proc_of(f, &cat)->dead);
    g_assert_cmpuint(n_flows(f), ==, flows);
    g_assert_nonnull(find_flow(f, secret, proc_of(f, &cat)->id,
                               ST_ENGINE_FAMILY_READ));

    /* Same pid, new process: not tracked, its writes carry nothing. */
    fake_fd(f, 100, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 70, "/new-out");
    sys_rw(f, &reuse, ST_NR_WRITE, 1, 10, 300);
    g_assert_null(proc_of(f, &reuse));
    g_assert_null(inode(f, DEV_DISK, 70));
    g_assert_cmpuint(n_flows(f), ==, flows);
    /* A child of the new pid-100 process, parent known by tgid only. */
    {
        StEngineTask kid = mktask(120, 9500, 100, 0, "kid");

        sys_rw(f, &kid, ST_NR_WRITE, 1, 10, 400);
        g_assert_null(proc_of(f, &kid));
    }
    fake_free(f);
}

static void test_exit_thread(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask app = setup_reader(f, &secret);
    StEngineTask thr = mkthread(&app, 101, 1100);

    /* exit() of a non-leader thread leaves the process alive. */
    entry(f, &thr, ST_NR_EXIT, 0, 0, 0, 0, 0, 200);
    g_assert_false(proc_of(f, &app)->dead);
    entry(f, &app, ST_NR_EXIT, 0, 0, 0, 0, 0, 210);
    g_assert_true(proc_of(f, &app)->dead);
    fake_free(f);
}

/*
 * A second entry on a task whose return was never seen.  Writes wait for
 * no return any more (their bytes are what they ask to write); a read of
 * a tainted pipe does, for its byte count: that is all an unpaired read
 * loses.
 */
static void test_unpaired_second_entry(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask wc = mktask(101, 1001, 1, 1, "wc");
    const StEngineFlowInfo *fl;
    StEngineCounters c;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 20, NULL);
    fake_fd(f, 101, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 20, NULL);
    sys_rw(f, &cat, ST_NR_WRITE, 4, 10, 150);
    g_assert_true(entry(f, &wc, ST_NR_READ, 0, 0x1000, 10, 0, 0, 200));
    g_assert_true(entry(f, &wc, ST_NR_READ, 0, 0x1000, 10, 0, 0, 300));
    st_engine_syscall_exit(f->e, &wc, ST_NR_READ, 7, 301);
    fl = find_flow(f, inode(f, DEV_PIPEFS, 20)->id, proc_of(f, &wc)->id,
                   ST_ENGINE_FAMILY_READ);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->count, ==, 2);
    g_assert_cmpuint(fl->bytes, ==, 7);     /* the unpaired one: 0 */
    c = counters(f);
    g_assert_cmpuint(c.unpaired, ==, 1);
    g_assert_cmpuint(c.unpaired_by_family[ST_ENGINE_FAMILY_READ], ==, 1);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_UNPAIRED], ==, 0);
    /* An exit that matches no entry is ignored. */
    st_engine_syscall_exit(f->e, &wc, ST_NR_READ, 10, 400);
    g_assert_cmpuint(counters(f).exits, ==, c.exits);
    fake_free(f);
}

/* Entries of a task that dies resolve with the process's exit. */
static void test_unpaired_task_death(void)
{
    Fake *f = fake_new();
    StEngineTask app = mktask(100, 1000, 1, 1, "app");
    StEngineTask thr = mkthread(&app, 101, 1100);
    StEngineTask reuse = mktask(101, 5000, 1, 1, "reuse");
    StEngineTask dead2 = mktask(300, 3000, 1, 1, "dead2");
    StEngineCounters c;
    uint64_t secret;

    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 300, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    /* fd 3 is cached before it becomes secret; then a thread blocks. */
    reg(f, DEV_DISK, 99, "other");
    sys_rw(f, &app, ST_NR_PREAD64, 3, 5, 50);
    secret = reg(f, DEV_DISK, 10, "S");
    g_assert_null(proc_of(f, &app));
    g_assert_true(entry(f, &thr, ST_NR_READ, 3, 0x1000, 10, 0, 0, 100));
    /* Tainted at entry already. */
    g_assert_nonnull(proc_of(f, &app));
    entry(f, &app, ST_NR_EXIT_GROUP, 0, 0, 0, 0, 0, 200);
    c = counters(f);
    g_assert_cmpuint(c.unpaired, ==, 1);
    g_assert_cmpuint(c.unpaired_by_family[ST_ENGINE_FAMILY_READ], ==, 1);
    g_assert_nonnull(proc_of(f, &app));
    g_assert_true(proc_of(f, &app)->dead);
    g_assert_cmpuint(find_flow(f, secret, proc_of(f, &app)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 0);

    /* A task killed mid-read: a new task with the same tid shows up. */
    entry(f, &dead2, ST_NR_READ, 3, 0x1000, 10, 0, 0, 300);
    {
        StEngineTask t = mkthread(&reuse, 300, 6000);

        t.tgid = 300;
        t.start_time = 6000;
        sys_rw(f, &t, ST_NR_WRITE, 1, 1, 400);
    }
    c = counters(f);
    g_assert_cmpuint(c.unpaired, ==, 2);
    /*
     * Decided at entry: dead2 read the secret and is tracked (it was lost
     * when the decision waited for the return); only bytes are missing.
     */
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_UNPAIRED], ==, 0);
    g_assert_nonnull(proc_of(f, &dead2));
    g_assert_cmpuint(find_flow(f, secret, proc_of(f, &dead2)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 0);
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/clone/by-return", test_clone_by_return);
    g_test_add_func("/engine/clone/first-appearance",
                    test_clone_first_appearance);
    g_test_add_func("/engine/clone/thread", test_clone_thread);
    g_test_add_func("/engine/clone/older-child", test_clone_older_child);
    g_test_add_func("/engine/execve", test_execve);
    g_test_add_func("/engine/lazy-task-details", test_lazy_task_details);
    g_test_add_func("/engine/exit/pid-reuse", test_exit_and_pid_reuse);
    g_test_add_func("/engine/exit/thread", test_exit_thread);
    g_test_add_func("/engine/exit/by-signal", test_ended_by_signal);
    g_test_add_func("/engine/unpaired/second-entry",
                    test_unpaired_second_entry);
    g_test_add_func("/engine/unpaired/task-death", test_unpaired_task_death);
    return g_test_run();
}
