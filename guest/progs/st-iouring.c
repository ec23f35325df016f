/*
 * st-iouring MODE SRC DST: copy SRC to DST with one IORING_OP_READ and
 * one IORING_OP_WRITE on an io_uring, never with read(2) or write(2).
 * MODE is "plain" (io_uring_enter submits), "sqpoll" (the kernel's SQPOLL
 * thread submits: no system call moves the data) or "fixed" (both files
 * are registered and named by index).
 *
 * Raw system calls: glibc has no io_uring wrapper, and liburing is not in
 * the guest.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <linux/io_uring.h>
#include <stdbool.h>

typedef struct Ring {
    int fd;
    bool sqpoll;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_flags, *sq_array;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
} Ring;

static void *map_ring(int fd, size_t len, off_t off)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_POPULATE, fd, off);

    if (p == MAP_FAILED) {
        st_die("mmap io_uring at 0x%llx", (unsigned long long)off);
    }
    return p;
}

static void ring_init(Ring *r, bool sqpoll)
{
    struct io_uring_params p = { 0 };
    char *sq, *cq;

    if (sqpoll) {
        p.flags = IORING_SETUP_SQPOLL;
        p.sq_thread_idle = 10000;
    }
    r->fd = syscall(__NR_io_uring_setup, 4, &p);
    if (r->fd < 0) {
        st_die("io_uring_setup");
    }
    r->sqpoll = sqpoll;
    sq = map_ring(r->fd, p.sq_off.array + p.sq_entries * sizeof(unsigned),
                  IORING_OFF_SQ_RING);
    cq = map_ring(r->fd, p.cq_off.cqes +
                  p.cq_entries * sizeof(struct io_uring_cqe),
                  IORING_OFF_CQ_RING);
    r->sqes = map_ring(r->fd, p.sq_entries * sizeof(struct io_uring_sqe),
                       IORING_OFF_SQES);
    r->sq_head = (unsigned *)(sq + p.sq_off.head);
    r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    r->sq_flags = (unsigned *)(sq + p.sq_off.flags);
    r->sq_array = (unsigned *)(sq + p.sq_off.array);
    r->cq_head = (unsigned *)(cq + p.cq_off.head);
    r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

/* Submit one request and wait for its completion; its result. */
static int ring_run(Ring *r, uint8_t op, int fd, bool fixed, void *buf,
                    unsigned len)
{
    unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
    struct io_uring_sqe *sqe = &r->sqes[idx];
    unsigned enter_flags = IORING_ENTER_GETEVENTS;
    int res;

    memset(sqe, 0, sizeof(*sqe));
    sqe->opcode = op;
    sqe->fd = fd;
    sqe->flags = fixed ? IOSQE_FIXED_FILE : 0;
    sqe->addr = (unsigned long)buf;
    sqe->len = len;
    sqe->off = 0;
    r->sq_array[idx] = idx;
    __atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
    if (r->sqpoll) {
        /* the SQPOLL thread submits; wake it only if it sleeps */
        if (__atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE) &
            IORING_SQ_NEED_WAKEUP) {
            enter_flags |= IORING_ENTER_SQ_WAKEUP;
        }
        if (syscall(__NR_io_uring_enter, r->fd, 0, 1, enter_flags, NULL,
                    0) < 0) {
            st_die("io_uring_enter (wait)");
        }
    } else if (syscall(__NR_io_uring_enter, r->fd, 1, 1, enter_flags, NULL,
                       0) != 1) {
        st_die("io_uring_enter (submit)");
    }
    head = *r->cq_head;
    while (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
        if (syscall(__NR_io_uring_enter, r->fd, 0, 1,
                    IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
            st_die("io_uring_enter (wait)");
        }
    }
    res = r->cqes[head & *r->cq_mask].res;
    __atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
    return res;
}

int main(int argc, char **argv)
{
    static char buf[ST_MAX_SECRET];
    bool fixed, sqpoll;
    int files[2], in, out, n, w;
    struct stat st;
    Ring r;

    st_init(argc, argv, 3, "plain|sqpoll|fixed SRC DST");
    fixed = !strcmp(argv[1], "fixed");
    sqpoll = !strcmp(argv[1], "sqpoll");
    if (!fixed && !sqpoll && strcmp(argv[1], "plain")) {
        errno = 0;
        st_die("unknown mode %s", argv[1]);
    }
    files[0] = st_open(argv[2], O_RDONLY);
    files[1] = st_create(argv[3]);
    if (fstat(files[0], &st) || st.st_size > ST_MAX_SECRET) {
        st_die("fstat %s (at most %d bytes)", argv[2], ST_MAX_SECRET);
    }
    ring_init(&r, sqpoll);
    in = files[0];
    out = files[1];
    if (fixed) {
        if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_FILES,
                    files, 2) < 0) {
            st_die("io_uring_register files");
        }
        in = 0;
        out = 1;
    }
    n = ring_run(&r, IORING_OP_READ, in, fixed, buf, st.st_size);
    if (n != st.st_size) {
        errno = n < 0 ? -n : 0;
        st_die("IORING_OP_READ %s: %d of %lld bytes", argv[2], n,
               (long long)st.st_size);
    }
    w = ring_run(&r, IORING_OP_WRITE, out, fixed, buf, n);
    if (w != n) {
        errno = w < 0 ? -w : 0;
        st_die("IORING_OP_WRITE %s: %d of %d bytes", argv[3], w, n);
    }
    return 0;
}
