/*
 * st-tf SRC DST: copy SRC to DST with a read and a write each entered
 * with the trap flag (RFLAGS.TF) set, so that the kernel returns from
 * them through iret instead of sysretq and a SIGTRAP follows.
 *
 * A tracker that pairs each entry with a return at sysretq misses both
 * returns.  The program counts the traps: fewer than one per call means
 * the mechanism did not happen, and it fails.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <signal.h>
#include <ucontext.h>

#define TF 0x100

static volatile sig_atomic_t traps;

/* The trap after the call: count it and single-step no further. */
static void on_trap(int sig ST_UNUSED, siginfo_t *si ST_UNUSED, void *ctx)
{
    ucontext_t *uc = ctx;

    traps++;
    uc->uc_mcontext.gregs[REG_EFL] &= ~TF;
}

static long syscall_tf(long nr, long a, long b, long c)
{
    long ret;

    /* below the red zone: the compiler may keep locals there */
    asm volatile("lea -128(%%rsp), %%rsp\n\t"
                 "pushfq\n\t"
                 "orq $0x100, (%%rsp)\n\t"
                 "popfq\n\t"
                 "syscall\n\t"
                 "lea 128(%%rsp), %%rsp"
                 : "=a"(ret)
                 : "a"(nr), "D"(a), "S"(b), "d"(c)
                 : "rcx", "r11", "memory", "cc");
    return ret;
}

int main(int argc, char **argv)
{
    struct sigaction sa = { 0 };
    static char buf[ST_MAX_SECRET];
    long n, w;
    int in, out;

    st_init(argc, argv, 2, "SRC DST");
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGTRAP, &sa, NULL)) {
        st_die("sigaction");
    }
    in = st_open(argv[1], O_RDONLY);
    out = st_create(argv[2]);
    n = syscall_tf(SYS_read, in, (long)buf, sizeof(buf));
    if (n <= 0) {
        errno = n ? -n : 0;
        st_die("read %s with TF", argv[1]);
    }
    w = syscall_tf(SYS_write, out, (long)buf, n);
    if (w != n) {
        errno = w < 0 ? -w : 0;
        st_die("write %s with TF: %ld of %ld bytes", argv[2], w, n);
    }
    if (traps < 2) {
        errno = 0;
        st_die("%d traps for 2 calls with TF: the mechanism did not run",
               (int)traps);
    }
    return 0;
}
