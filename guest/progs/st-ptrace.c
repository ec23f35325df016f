/*
 * st-ptrace SRC DST: a child reads SRC and write()s its bytes to
 * /dev/null; its parent, tracing it, rewrites that write's fd at the
 * system call's entry stop to DST's, so the bytes land in DST.
 *
 * A tracker that takes a call's arguments before ptrace has had its say
 * records a write to /dev/null.  The program fails unless it rewrote one
 * write (the guest then checks DST's bytes).
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <stdbool.h>

static void child(const char *src, int null)
{
    size_t len;
    char *buf;

    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
        st_die("PTRACE_TRACEME");
    }
    raise(SIGSTOP);
    buf = st_slurp(src, &len);
    st_expect(write(null, buf, len), len, "write");
    exit(0);
}

int main(int argc, char **argv)
{
    struct user_regs_struct regs;
    bool entry = false;
    int dst, null, status, rewrote = 0;
    pid_t pid;

    st_init(argc, argv, 2, "SRC DST");
    dst = st_create(argv[2]);
    null = st_open("/dev/null", O_WRONLY);
    pid = fork();
    if (pid < 0) {
        st_die("fork");
    }
    if (pid == 0) {
        child(argv[1], null);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
        ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_O_TRACESYSGOOD)) {
        st_die("attach to the child");
    }
    for (;;) {
        if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) ||
            waitpid(pid, &status, 0) != pid) {
            st_die("PTRACE_SYSCALL");
        }
        if (WIFEXITED(status)) {
            break;
        }
        if (!WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80)) {
            continue;
        }
        entry = !entry;     /* stops alternate: entry, exit, entry... */
        if (!entry || ptrace(PTRACE_GETREGS, pid, NULL, &regs)) {
            continue;
        }
        if (regs.orig_rax == SYS_write && (int)regs.rdi == null) {
            regs.rdi = dst;
            if (ptrace(PTRACE_SETREGS, pid, NULL, &regs)) {
                st_die("PTRACE_SETREGS");
            }
            rewrote++;
        }
    }
    if (WEXITSTATUS(status) || rewrote != 1) {
        errno = 0;
        st_die("child exited %d, %d writes rewritten (1 expected)",
               WEXITSTATUS(status), rewrote);
    }
    return 0;
}
