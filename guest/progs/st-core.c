/*
 * st-core MODE ARGS: a process that has read SRC dumps core, and the
 * kernel writes its memory, SRC's bytes among it, with no system call.
 * Where the core goes is core_pattern's business: the scenario sets it
 * to a file, or to a "|helper" pipe that runs this program's helper mode.
 *
 *   dump SRC NAME        fork a child named core-NAME that reads SRC
 *                        into its memory and aborts, with RLIMIT_CORE
 *                        raised; check that it dumped core
 *   helper OUT           a |helper core_pattern's program (core-helper):
 *                        copy stdin, the kernel's pipe, to OUT
 *   check SRC CORE NAME  as core-NAME: exit 0 only if CORE holds SRC's
 *                        bytes
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <signal.h>
#include <sys/resource.h>

/* The largest core we check (a static program's is well under 1 MiB) */
#define MAX_CORE (64 << 20)

/* The secret, in memory the core holds */
static char *volatile held;

static void dump(const char *src, const char *name)
{
    struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
    size_t len;
    pid_t pid;
    int status;

    pid = fork();
    if (pid < 0) {
        st_die("fork");
    }
    if (pid == 0) {
        st_comm("core", name);
        if (setrlimit(RLIMIT_CORE, &unlimited) < 0) {
            st_die("setrlimit(RLIMIT_CORE)");
        }
        if (prctl(PR_SET_DUMPABLE, 1) < 0) {
            st_die("PR_SET_DUMPABLE");
        }
        held = st_slurp(src, &len);
        if (!len) {
            errno = 0;
            st_die("%s is empty", src);
        }
        abort();
    }
    if (waitpid(pid, &status, 0) != pid) {
        st_die("waitpid");
    }
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
        !WCOREDUMP(status)) {
        errno = 0;
        st_die("core-%s did not dump core (wait status 0x%x)", name, status);
    }
}

static void helper(const char *out)
{
    static char buf[65536];
    int fd;
    ssize_t n;

    st_comm("core", "helper");
    fd = st_create(out);
    while ((n = read(0, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            st_die("read(stdin)");
        }
        st_write_all(fd, buf, n);
    }
    if (close(fd) < 0) {
        st_die("close(%s)", out);
    }
}

/* The whole of @path (at most MAX_CORE bytes) */
static char *slurp_big(const char *path, size_t *len)
{
    int fd = st_open(path, O_RDONLY);
    size_t cap = st_size(fd);
    char *buf;

    if (!cap || cap > MAX_CORE) {
        errno = 0;
        st_die("%s is %zu bytes", path, cap);
    }
    buf = malloc(cap + 1);      /* room to see the end of the file */
    if (!buf) {
        st_die("malloc");
    }
    *len = st_read_all(fd, buf, cap + 1);
    close(fd);
    return buf;
}

static void check(const char *src, const char *core, const char *name)
{
    size_t src_len, core_len;
    char *want, *got;

    st_comm("core", name);
    want = st_slurp(src, &src_len);
    got = slurp_big(core, &core_len);
    if (!memmem(got, core_len, want, src_len)) {
        errno = 0;
        st_die("%s (%zu bytes) does not hold %s's %zu bytes", core,
               core_len, src, src_len);
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (!strcmp(mode, "dump")) {
        st_init(argc, argv, 3, "dump SRC NAME");
        dump(argv[2], argv[3]);
    } else if (!strcmp(mode, "helper")) {
        st_init(argc, argv, 2, "helper OUT");
        helper(argv[2]);
    } else if (!strcmp(mode, "check")) {
        st_init(argc, argv, 4, "check SRC CORE NAME");
        check(argv[2], argv[3], argv[4]);
    } else {
        st_init(argc, argv, 99, "dump|helper|check ...");
    }
    return 0;
}
