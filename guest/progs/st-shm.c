/*
 * st-shm MODE SRC DST: move SRC's bytes to DST through memory that is
 * mapped or shared, never through a read() of SRC by the process that
 * writes DST (except in the prot modes, where no read() happens at all).
 *
 *   prot-write  map SRC PROT_WRITE only (readable on x86), write DST
 *   prot-none   map SRC PROT_NONE, mprotect it PROT_READ, write DST
 *   premap      map DST MAP_SHARED|PROT_WRITE, then read SRC, memcpy
 *   late        a child maps a file (MAP_SHARED, read-only) before its
 *               parent fills it with pwrite(); the child copies it to DST
 *   anon        MAP_SHARED|MAP_ANONYMOUS across fork: the parent reads
 *               SRC into it, the child writes DST
 *   sysv        SysV shared memory: the parent reads SRC into a segment,
 *               a child that attached it itself writes DST
 *   posix       the same through a file in /dev/shm, each mapping it
 *   memfd       the same through a memfd (the child maps its inherited fd)
 *   vfork       a vfork child reads SRC into its parent's memory and
 *               exits; the parent writes DST
 *   clonevm     the same with clone(CLONE_VM) and a child stack
 *   files       the process reads SRC and writes it to fd 9 (/dev/null);
 *               a clone(CLONE_FILES) sibling then closes fd 9 and opens
 *               DST there; the process writes SRC's bytes to fd 9 again
 *
 * Children that wait do so without system calls (they spin on a flag in
 * shared memory) or on a pipe written before the secret is read, so the
 * only way the bytes travel is the mechanism under test.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define FLAG_READY 1

/* What children share with their parent, at the head of a mapping. */
typedef struct Shared {
    volatile int flag;          /* volatile: set by another process */
    size_t len;
    char data[ST_MAX_SECRET];
} Shared;

static const char *st_mode = "";

/* A child of this mode names itself MODE-c. */
static void child_comm(void)
{
    char name[16];

    snprintf(name, sizeof(name), "%s-c", st_mode);
    st_comm("shm", name);
}

static char vm_buf[ST_MAX_SECRET];
static volatile size_t vm_len;  /* volatile: set by a CLONE_VM child */
static const char *vm_src;

static void spin(volatile int *flag)   /* another process sets it */
{
    while (*flag != FLAG_READY) {
        __sync_synchronize();
    }
}

/* The child is past its first system call: wait for its byte. */
static void sync_wait(int *sync)
{
    char c;

    close(sync[1]);
    if (read(sync[0], &c, 1) != 1) {
        st_die("sync read");
    }
    close(sync[0]);
}

static void sync_post(int *sync)
{
    close(sync[0]);
    if (write(sync[1], "x", 1) != 1) {
        st_die("sync write");
    }
    close(sync[1]);
}

static size_t size_of(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        st_die("stat %s", path);
    }
    return st.st_size;
}

static void *map(size_t len, int prot, int flags, int fd)
{
    void *p = mmap(NULL, len, prot, flags, fd, 0);

    if (p == MAP_FAILED) {
        st_die("mmap");
    }
    return p;
}

static void mode_prot(const char *src, const char *dst, bool none)
{
    int fd = st_open(src, O_RDONLY);
    size_t len = st_size(fd);
    char *p = map(len, none ? PROT_NONE : PROT_WRITE, MAP_PRIVATE, fd);

    if (none && mprotect(p, len, PROT_READ) < 0) {
        st_die("mprotect");
    }
    st_save(dst, p, len);
}

static void mode_premap(const char *src, const char *dst)
{
    size_t len = size_of(src);
    int fd = st_open(dst, O_RDWR | O_CREAT | O_TRUNC);
    char *p, buf[ST_MAX_SECRET];

    if (ftruncate(fd, len) < 0) {
        st_die("ftruncate");
    }
    p = map(len, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    st_load(src, buf);
    memcpy(p, buf, len);
    if (msync(p, len, MS_SYNC) < 0) {
        st_die("msync");
    }
}

/*
 * The late reader: a child maps FILE read-only, then waits (spinning) for
 * the bytes its parent pwrite()s into the file, and writes them to DST.
 */
static void mode_late(const char *src, const char *dst, const char *file)
{
    size_t len = size_of(src);
    char buf[ST_MAX_SECRET];
    int fd = st_open(file, O_RDWR | O_CREAT | O_TRUNC);
    int sync[2];
    pid_t pid;

    if (ftruncate(fd, len) < 0) {
        st_die("ftruncate");
    }
    if (pipe(sync) < 0) {
        st_die("pipe");
    }
    pid = st_fork();
    if (pid == 0) {
        /* volatile: the parent fills the file */
        volatile char *p = map(len, PROT_READ, MAP_SHARED,
                               st_open(file, O_RDONLY));

        child_comm();
        sync_post(sync);
        while (p[len - 1] == '\0') {
            __sync_synchronize();
        }
        memcpy(buf, (const char *)p, len);
        st_save(dst, buf, len);
        _exit(0);
    }
    sync_wait(sync);
    st_load(src, buf);
    st_expect(pwrite(fd, buf, len, 0), len, "pwrite");
    st_wait_child(pid);
}

/* A child that waits on the shared flag, then writes DST. */
static void shared_child(Shared *sh, int *sync, const char *dst)
{
    sync_post(sync);
    spin(&sh->flag);
    st_save(dst, sh->data, sh->len);
}

static void parent_fill(Shared *sh, const char *src, pid_t pid)
{
    sh->len = st_load(src, sh->data);
    __sync_synchronize();
    sh->flag = FLAG_READY;
    st_wait_child(pid);
}

static void mode_shared(const char *mode, const char *src, const char *dst)
{
    Shared *sh = NULL;
    int sync[2], fd = -1, shmid = -1;
    pid_t pid;

    if (!strcmp(mode, "anon")) {
        sh = map(sizeof(*sh), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1);
    } else if (!strcmp(mode, "sysv")) {
        shmid = shmget(IPC_PRIVATE, sizeof(*sh), IPC_CREAT | 0600);
        if (shmid < 0) {
            st_die("shmget");
        }
    } else if (!strcmp(mode, "posix")) {
        fd = st_open("/dev/shm/st-shm", O_RDWR | O_CREAT | O_TRUNC);
    } else {
        fd = memfd_create("st-memfd", 0);
        if (fd < 0) {
            st_die("memfd_create");
        }
    }
    if (fd >= 0 && ftruncate(fd, sizeof(*sh)) < 0) {
        st_die("ftruncate");
    }
    if (pipe(sync) < 0) {
        st_die("pipe");
    }
    pid = st_fork();
    if (pid == 0) {
        child_comm();
        if (shmid >= 0) {
            sh = shmat(shmid, NULL, 0);
        } else if (!strcmp(mode, "posix")) {
            close(fd);
            fd = st_open("/dev/shm/st-shm", O_RDWR);
        }
        if (sh == (void *)-1) {
            st_die("shmat");
        }
        if (!sh) {
            sh = map(sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd);
        }
        shared_child(sh, sync, dst);
        _exit(0);
    }
    sync_wait(sync);
    if (shmid >= 0) {
        sh = shmat(shmid, NULL, 0);
        if (sh == (void *)-1) {
            st_die("shmat");
        }
        shmctl(shmid, IPC_RMID, NULL);
    } else if (!sh) {
        sh = map(sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    }
    parent_fill(sh, src, pid);
    if (fd >= 0 && !strcmp(mode, "posix")) {
        unlink("/dev/shm/st-shm");
    }
    if (!strcmp(mode, "memfd")) {
        /*
         * The tracker names files off its hook path, within a second or
         * so; a memfd's name goes with its last reference.
         */
        sleep(2);
    }
}

static int vm_child(void *arg ST_UNUSED)
{
    child_comm();
    vm_len = st_load(vm_src, vm_buf);
    return 0;
}

static void mode_vm(const char *src, const char *dst, bool use_vfork)
{
    static char stack[65536] __attribute__((aligned(16)));
    pid_t pid;

    vm_src = src;
    if (use_vfork) {
        pid = vfork();
        if (pid == 0) {
            vm_child(NULL);
            _exit(0);
        }
    } else {
        pid = clone(vm_child, stack + sizeof(stack), CLONE_VM | SIGCHLD,
                    NULL);
    }
    if (pid < 0) {
        st_die(use_vfork ? "vfork" : "clone");
    }
    st_wait_child(pid);
    st_save(dst, vm_buf, vm_len);
}

static const char *files_dst;

static int files_child(void *arg ST_UNUSED)
{
    int fd;

    child_comm();

    close(9);
    fd = st_create(files_dst);
    if (fd != 9 && (dup2(fd, 9) < 0 || close(fd) < 0)) {
        st_die("dup2");
    }
    return 0;
}

static void mode_files(const char *src, const char *dst)
{
    static char stack[65536] __attribute__((aligned(16)));
    char buf[ST_MAX_SECRET];
    size_t len;
    pid_t pid;

    if (dup2(st_open("/dev/null", O_WRONLY), 9) != 9) {
        st_die("dup2");
    }
    len = st_load(src, buf);
    st_expect(write(9, buf, len), len, "write");   /* fd 9 is known */
    files_dst = dst;
    pid = clone(files_child, stack + sizeof(stack), CLONE_FILES | SIGCHLD,
                NULL);
    if (pid < 0) {
        st_die("clone");
    }
    st_wait_child(pid);
    st_expect(write(9, buf, len), len, "write");
}

int main(int argc, char **argv)
{
    const char *mode;

    st_init(argc, argv, -3, "MODE SRC DST [FILE]");
    mode = argv[1];
    st_mode = mode;
    st_comm("shm", mode);
    if (!strcmp(mode, "prot-write") || !strcmp(mode, "prot-none")) {
        mode_prot(argv[2], argv[3], !strcmp(mode, "prot-none"));
    } else if (!strcmp(mode, "premap")) {
        mode_premap(argv[2], argv[3]);
    } else if (!strcmp(mode, "late") && argc == 5) {
        mode_late(argv[2], argv[3], argv[4]);
    } else if (!strcmp(mode, "anon") || !strcmp(mode, "sysv") ||
               !strcmp(mode, "posix") || !strcmp(mode, "memfd")) {
        mode_shared(mode, argv[2], argv[3]);
    } else if (!strcmp(mode, "vfork") || !strcmp(mode, "clonevm")) {
        mode_vm(argv[2], argv[3], !strcmp(mode, "vfork"));
    } else if (!strcmp(mode, "files")) {
        mode_files(argv[2], argv[3]);
    } else {
        errno = 0;
        st_die("unknown mode %s", mode);
    }
    return 0;
}
