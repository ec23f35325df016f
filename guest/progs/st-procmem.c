/*
 * st-procmem MODE SRC DST: move SRC's bytes between two processes'
 * memories with no read() or write() between them.
 *
 *   vmreadv    a child reads SRC; its parent copies the child's buffer
 *              with process_vm_readv and writes DST
 *   vmwritev   the parent reads SRC and process_vm_writev()s it into a
 *              waiting child, which writes DST
 *   peek       a traced child reads SRC and stops; its parent copies the
 *              buffer with PTRACE_PEEKDATA and writes DST
 *   poke       a traced child stops; its parent reads SRC, stores it with
 *              PTRACE_POKEDATA and lets it go on to write DST
 *   memread    like vmreadv, through pread() of /proc/PID/mem
 *   memwrite   like vmwritev, through pwrite() of /proc/PID/mem
 *
 * The child waits by spinning on a flag in its own memory, or stopped
 * (SIGSTOP, which no tracker sees as data): nothing else carries bytes.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/param.h>
#include <sys/ptrace.h>

static const char *st_mode = "";

/* A child of this mode names itself MODE-c. */
static void child_comm(void)
{
    char name[16];

    snprintf(name, sizeof(name), "%s-c", st_mode);
    st_comm("pm", name);
}

static char buf[ST_MAX_SECRET] __attribute__((aligned(8)));
static volatile int ready;      /* volatile: set by the parent */

static size_t src_size(const char *src)
{
    struct stat st;

    if (stat(src, &st) < 0) {
        st_die("stat %s", src);
    }
    return st.st_size;
}

/* Wait until @pid stops (or die). */
static void wait_stop(pid_t pid)
{
    int status;

    if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
        errno = 0;
        st_die("child %d did not stop (status 0x%x)", (int)pid, status);
    }
}

/* Let the stopped child @pid go on to exit (a tracer continues it). */
static void release_child(pid_t pid, bool traced)
{
    if (traced ? ptrace(PTRACE_CONT, pid, NULL, NULL) < 0 :
                 kill(pid, SIGCONT) < 0) {
        st_die("continue child");
    }
    st_wait_child(pid);
}

/* Copy @len bytes at buf from @pid's memory into ours. */
static void fetch(const char *mode, pid_t pid, size_t len)
{
    struct iovec local = { buf, len }, remote = { buf, len };
    size_t i;
    char path[64];
    int fd;

    if (!strcmp(mode, "vmreadv")) {
        st_expect(process_vm_readv(pid, &local, 1, &remote, 1, 0), len,
                  "process_vm_readv");
    } else if (!strcmp(mode, "peek")) {
        for (i = 0; i < len; i += sizeof(long)) {
            long w;

            errno = 0;
            w = ptrace(PTRACE_PEEKDATA, pid, buf + i, NULL);
            if (errno) {
                st_die("PTRACE_PEEKDATA");
            }
            memcpy(buf + i, &w, MIN(sizeof(w), len - i));
        }
    } else {
        snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
        fd = st_open(path, O_RDONLY);
        st_expect(pread(fd, buf, len, (off_t)(uintptr_t)buf), len, "pread");
        close(fd);
    }
}

/* Store @len bytes at buf into @pid's memory, and its ready flag. */
static void store(const char *mode, pid_t pid, size_t len)
{
    struct iovec local = { buf, len }, remote = { buf, len };
    int one = 1;
    char path[64];
    size_t i;
    int fd;

    if (!strcmp(mode, "vmwritev")) {
        st_expect(process_vm_writev(pid, &local, 1, &remote, 1, 0), len,
                  "process_vm_writev");
        local.iov_base = &one;
        local.iov_len = remote.iov_len = sizeof(one);
        remote.iov_base = (void *)&ready;
        st_expect(process_vm_writev(pid, &local, 1, &remote, 1, 0),
                  sizeof(one), "process_vm_writev");
    } else if (!strcmp(mode, "poke")) {
        for (i = 0; i < len; i += sizeof(long)) {
            long w = 0;

            memcpy(&w, buf + i, MIN(sizeof(w), len - i));
            if (ptrace(PTRACE_POKEDATA, pid, buf + i, (void *)w) < 0) {
                st_die("PTRACE_POKEDATA");
            }
        }
    } else {
        snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
        fd = st_open(path, O_RDWR);
        st_expect(pwrite(fd, buf, len, (off_t)(uintptr_t)buf), len,
                  "pwrite");
        st_expect(pwrite(fd, &one, sizeof(one), (off_t)(uintptr_t)&ready),
                  sizeof(one), "pwrite");
        close(fd);
    }
}

/* vmreadv, peek, memread: the child holds the secret. */
static void from_child(const char *mode, const char *src, const char *dst)
{
    size_t len = src_size(src);
    bool traced = !strcmp(mode, "peek");
    pid_t pid = st_fork();

    if (pid == 0) {
        child_comm();
        if (traced && ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
            st_die("PTRACE_TRACEME");
        }
        st_load(src, buf);
        raise(SIGSTOP);
        _exit(0);
    }
    wait_stop(pid);
    memset(buf, 0, len);
    fetch(mode, pid, len);
    release_child(pid, traced);
    st_save(dst, buf, len);
}

/* vmwritev, poke, memwrite: the parent stores the secret in the child. */
static void to_child(const char *mode, const char *src, const char *dst)
{
    size_t len = src_size(src);
    bool traced = !strcmp(mode, "poke");
    pid_t pid = st_fork();

    if (pid == 0) {
        child_comm();
        if (traced && ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
            st_die("PTRACE_TRACEME");
        }
        if (!traced) {
            close(-1);          /* a followed call: seen before the secret */
        }
        raise(SIGSTOP);
        if (!traced) {
            while (!ready) {
                __sync_synchronize();
            }
        }
        st_save(dst, buf, len);
        _exit(0);
    }
    wait_stop(pid);
    st_load(src, buf);
    store(mode, pid, len);
    release_child(pid, traced);
}

int main(int argc, char **argv)
{
    const char *mode;

    st_init(argc, argv, 3, "MODE SRC DST");
    mode = argv[1];
    st_mode = mode;
    st_comm("pm", mode);
    if (!strcmp(mode, "vmreadv") || !strcmp(mode, "peek") ||
        !strcmp(mode, "memread")) {
        from_child(mode, argv[2], argv[3]);
    } else if (!strcmp(mode, "vmwritev") || !strcmp(mode, "poke") ||
               !strcmp(mode, "memwrite")) {
        to_child(mode, argv[2], argv[3]);
    } else {
        errno = 0;
        st_die("unknown mode %s", mode);
    }
    return 0;
}
