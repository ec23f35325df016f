/*
 * secret-tracker test guests: helpers shared by the guest programs
 *
 * Each guest/progs/st-NAME.c is a small program that runs in the test
 * guest as /bin/st-NAME and moves a secret's bytes with one system call
 * (or one evasion mechanism) that busybox cannot produce.  A program
 * either succeeds, having moved exactly the bytes it was asked to, or
 * exits 1 with a message: a scenario never rests on a call that failed.
 *
 * A process that has read a secret is tracked, and whatever it then
 * writes, also to the console, is a flow.  So a program prints its facts
 * (st_fact()) before it touches a secret, and nothing after it.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef ST_PROG_H
#define ST_PROG_H

/* Programs include this header first. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* The largest secret a program handles (the test secret is 54 bytes). */
#define ST_MAX_SECRET 65536

#define ST_UNUSED __attribute__((unused))

static const char *st_name = "st-prog";

/* Print "NAME: message: errno text" on stderr and exit 1. */
static ST_UNUSED __attribute__((noreturn, format(printf, 1, 2)))
void st_die(const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    fprintf(stderr, "%s: ", st_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, err ? ": %s\n" : "\n", strerror(err));
    exit(1);
}

/*
 * Take the program's name for messages and check the number of
 * arguments: @nargs exactly, or at least -@nargs if it is negative.
 */
static ST_UNUSED void st_init(int argc, char **argv, int nargs,
                              const char *usage)
{
    const char *slash = strrchr(argv[0], '/');

    st_name = slash ? slash + 1 : argv[0];
    if (nargs >= 0 ? argc != nargs + 1 : argc < 1 - nargs) {
        errno = 0;
        st_die("usage: %s %s", st_name, usage);
    }
}

/*
 * Name the process @prefix-@name (its comm, at most 15 bytes), before it
 * touches a secret: programs with several modes and processes give each
 * its own name, so the host-side check tells them apart by name.
 */
static ST_UNUSED void st_comm(const char *prefix, const char *name)
{
    char comm[64];

    snprintf(comm, sizeof(comm), "%s-%s", prefix, name);
    comm[15] = '\0';
    if (prctl(PR_SET_NAME, comm) < 0) {
        st_die("PR_SET_NAME");
    }
}

/*
 * A fact for the host-side test, on the console: its name and value.
 * Only before the program touches a secret (see above).
 */
static ST_UNUSED __attribute__((format(printf, 2, 3)))
void st_fact(const char *name, const char *fmt, ...)
{
    va_list ap;

    printf("SECRET-TRACKER-FACT %s ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* Die unless the call that returned @got moved exactly @want bytes. */
static ST_UNUSED void st_expect(long got, size_t want, const char *what)
{
    if (got < 0) {
        st_die("%s", what);
    }
    if ((size_t)got != want) {
        errno = 0;
        st_die("%s moved %ld bytes, not %zu", what, got, want);
    }
}

static ST_UNUSED int st_open(const char *path, int flags)
{
    int fd = open(path, flags, 0644);

    if (fd < 0) {
        st_die("open %s", path);
    }
    return fd;
}

static ST_UNUSED int st_create(const char *path)
{
    return st_open(path, O_WRONLY | O_CREAT | O_TRUNC);
}

/* read() @fd to its end into @buf; returns the length. */
static ST_UNUSED size_t st_read_all(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    ssize_t n;

    do {
        if (len == cap) {
            errno = 0;
            st_die("input longer than %zu bytes", cap);
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0) {
            st_die("read");
        }
        len += n;
    } while (n > 0);
    return len;
}

/* write() all of @buf to @fd. */
static ST_UNUSED void st_write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n <= 0) {
            st_die("write");
        }
        buf += n;
        len -= n;
    }
}

/*
 * Read the file at @path with read() (one call for a small file, then
 * the call that returns 0) into a new buffer; its length in @len.
 */
static ST_UNUSED char *st_slurp(const char *path, size_t *len)
{
    char *buf = malloc(ST_MAX_SECRET);
    int fd = st_open(path, O_RDONLY);

    if (!buf) {
        st_die("malloc");
    }
    *len = st_read_all(fd, buf, ST_MAX_SECRET);
    close(fd);
    return buf;
}

static ST_UNUSED size_t st_size(int fd)
{
    struct stat st;

    if (fstat(fd, &st) < 0) {
        st_die("fstat");
    }
    return st.st_size;
}

/* A socket address from "tcp:A.B.C.D:PORT", "udp:..." or "unix:PATH". */
static ST_UNUSED socklen_t st_sockaddr(const char *spec, int *type,
                                       int *family,
                                       struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (!strncmp(spec, "unix:", 5) || !strncmp(spec, "unixdg:", 7)) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        const char *path = strchr(spec, ':') + 1;

        if (strlen(path) >= sizeof(un->sun_path)) {
            errno = 0;
            st_die("socket path %s too long", path);
        }
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, path);
        *family = AF_UNIX;
        *type = spec[4] == ':' ? SOCK_STREAM : SOCK_DGRAM;
        return sizeof(*un);
    }
    if (!strncmp(spec, "tcp:", 4) || !strncmp(spec, "udp:", 4)) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        char host[64];
        const char *colon = strrchr(spec + 4, ':');

        if (!colon || colon - (spec + 4) >= (long)sizeof(host)) {
            errno = 0;
            st_die("bad address %s", spec);
        }
        memcpy(host, spec + 4, colon - (spec + 4));
        host[colon - (spec + 4)] = '\0';
        in->sin_family = AF_INET;
        in->sin_port = htons(atoi(colon + 1));
        if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
            errno = 0;
            st_die("bad address %s", spec);
        }
        *family = AF_INET;
        *type = spec[0] == 't' ? SOCK_STREAM : SOCK_DGRAM;
        return sizeof(*in);
    }
    errno = 0;
    st_die("not an address: %s", spec);
}

/* A socket connected to @spec (see st_sockaddr()). */
static ST_UNUSED int st_connect(const char *spec)
{
    struct sockaddr_storage ss;
    int type, family;
    socklen_t len = st_sockaddr(spec, &type, &family, &ss);
    int fd = socket(family, type, 0);

    if (fd < 0) {
        st_die("socket");
    }
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        st_die("connect %s", spec);
    }
    return fd;
}

/* A writable fd for @target: a socket address (st_sockaddr) or a path. */
static ST_UNUSED int st_open_target(const char *target)
{
    if (!strncmp(target, "tcp:", 4) || !strncmp(target, "udp:", 4) ||
        !strncmp(target, "unix:", 5) || !strncmp(target, "unixdg:", 7)) {
        return st_connect(target);
    }
    return st_create(target);
}

/* fork(), or die. */
static ST_UNUSED pid_t st_fork(void)
{
    pid_t pid = fork();

    if (pid < 0) {
        st_die("fork");
    }
    return pid;
}

/* Read the file at @path with one read() into @buf; its length. */
static ST_UNUSED size_t st_load(const char *path, char *buf)
{
    int fd = st_open(path, O_RDONLY);
    size_t len = st_size(fd);

    if (len > ST_MAX_SECRET) {
        errno = 0;
        st_die("%s is longer than %d bytes", path, ST_MAX_SECRET);
    }
    st_expect(read(fd, buf, len), len, "read");
    close(fd);
    return len;
}

/* Create @path and write @buf to it with one write(). */
static ST_UNUSED void st_save(const char *path, const char *buf, size_t len)
{
    int fd = st_create(path);

    st_expect(write(fd, buf, len), len, "write");
    close(fd);
}

/* Wait for child @pid; die unless it exited 0. */
static ST_UNUSED void st_wait_child(pid_t pid)
{
    int status;

    if (waitpid(pid, &status, 0) != pid) {
        st_die("waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = 0;
        st_die("child %d failed (status 0x%x)", (int)pid, status);
    }
}

#endif
