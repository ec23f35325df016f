/*
 * st-fuse MODE SRC DST: move SRC's bytes through a FUSE file system, from
 * the process that read SRC to another that writes DST.  The file system
 * is served by a daemon written against the raw kernel protocol (no
 * libfuse), mounted on /mnt/st-fuse with one regular file, f.  Both modes
 * mount it, then fork the daemon, which posts on a sync pipe (a system
 * call, so the tracker sees it) before its first read of /dev/fuse, and
 * all of this before anything reads SRC.  f is opened with
 * FOPEN_DIRECT_IO: every read and write of it is a request to the daemon.
 *
 *   write  a FUSE daemon carries what a process writes: the parent opens
 *          f (the daemon serves LOOKUP and OPEN), waits 200 ms so that
 *          the daemon is blocked in its next read of /dev/fuse, reads SRC
 *          and writes it to f in one write(); the daemon takes the data
 *          from the WRITE request it reads and writes it to DST
 *   read   a FUSE daemon serves what it reads, and a reader gets it under
 *          another name: f has SRC's size; on the first READ the daemon
 *          reads SRC and replies with its bytes; the parent reads f in
 *          one read() and writes what it got to DST
 *
 * The tracker test depends on the order: the daemon has made a system
 * call and is blocked in its read of /dev/fuse before the secret is read.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <linux/fuse.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>

#define MNT_DIR "/mnt/st-fuse"
#define FILE_NAME "f"
#define FILE_PATH MNT_DIR "/" FILE_NAME
#define FILE_ID 2
/* The highest protocol minor the daemon speaks (the kernel's if lower). */
#define MAX_MINOR 31
/* The lowest: fuse_attr, fuse_read_in and fuse_write_in as of 7.9. */
#define MIN_MINOR 12
/* fuse_init_out grew to its 64 bytes in 7.23; 24 bytes before. */
#define FULL_INIT_MINOR 23
#define MAX_WRITE 65536
#define UMOUNT_TRIES 50

/* The kernel needs a read buffer of at least max_write + headers. */
static char req[1024 * 1024 + 4096];
static char reply[sizeof(struct fuse_out_header) + ST_MAX_SECRET];
static char buf[ST_MAX_SECRET];

static const char *st_mode = "";
static int write_mode;
static const char *src_path;
static const char *dst_path;
static size_t src_size;         /* SRC's size, from stat() at start */
static uint64_t file_size;      /* f's size */
static int wrote;               /* the daemon wrote DST */
static int loaded;              /* the daemon read SRC into buf */
static size_t loaded_len;
static int mounted;             /* this process unmounts at exit */

/* The daemon of this mode names itself MODE-d. */
static void daemon_comm(void)
{
    char name[16];

    snprintf(name, sizeof(name), "%s-d", st_mode);
    st_comm("fuse", name);
}

/* At exit, a mount left by a failure goes (lazily: files may be open). */
static void cleanup(void)
{
    if (mounted) {
        umount2(MNT_DIR, MNT_DETACH);
    }
}

static void mkdir_p(const char *path)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        st_die("mkdir %s", path);
    }
}

/* Open /dev/fuse and mount a FUSE file system served through it. */
static int fuse_mount(void)
{
    char opts[128];
    int fd;

    mkdir_p("/mnt");
    mkdir_p(MNT_DIR);
    fd = st_open("/dev/fuse", O_RDWR);
    snprintf(opts, sizeof(opts),
             "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
    if (mount("st-fuse", MNT_DIR, "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
        st_die("mount fuse on %s (%s)", MNT_DIR, opts);
    }
    mounted = 1;
    return fd;
}

static void fuse_umount(void)
{
    int i;

    for (i = 0; umount(MNT_DIR) < 0; i++) {
        if (errno != EBUSY || i == UMOUNT_TRIES) {
            st_die("umount %s", MNT_DIR);
        }
        usleep(100000);
    }
    mounted = 0;
}

/*
 * Reply to request @unique: @error (0 or a negative errno) and @len bytes
 * of @body, the header and the body in one write().
 */
static void send_reply(int fd, uint64_t unique, int error,
                       const void *body, size_t len)
{
    struct fuse_out_header oh;
    ssize_t n;

    if (len > sizeof(reply) - sizeof(oh)) {
        errno = 0;
        st_die("reply of %zu bytes too long", len);
    }
    memset(&oh, 0, sizeof(oh));
    oh.len = sizeof(oh) + len;
    oh.error = error;
    oh.unique = unique;
    memcpy(reply, &oh, sizeof(oh));
    if (len) {
        memcpy(reply + sizeof(oh), body, len);
    }
    n = write(fd, reply, oh.len);
    if (n < 0 && errno == ENOENT) {
        return;                 /* the request was interrupted or aborted */
    }
    st_expect(n, oh.len, "write /dev/fuse");
}

static void send_error(int fd, uint64_t unique, int err)
{
    send_reply(fd, unique, -err, NULL, 0);
}

/* Copy the request's first @size argument bytes (of @len) into @arg. */
static void get_arg(const char *args, size_t len, void *arg, size_t size,
                    const char *what)
{
    if (len < size) {
        errno = 0;
        st_die("malformed %s request (%zu argument bytes)", what, len);
    }
    memcpy(arg, args, size);
}

/*
 * Each mode's file has its own inode number: a file system mounted again
 * may get the same device number, and the tracker keys files by both.
 */
static uint64_t file_ino = FILE_ID;

static void fill_attr(uint64_t node, struct fuse_attr *attr)
{
    memset(attr, 0, sizeof(*attr));
    attr->ino = node == FUSE_ROOT_ID ? node : file_ino;
    attr->blksize = 4096;
    if (node == FUSE_ROOT_ID) {
        attr->mode = S_IFDIR | 0755;
        attr->nlink = 2;
    } else {
        attr->mode = S_IFREG | 0644;
        attr->nlink = 1;
        attr->size = file_size;
        attr->blocks = (file_size + 511) / 512;
    }
}

static void do_init(int fd, uint64_t unique, const char *args, size_t len)
{
    struct fuse_init_out out;
    struct fuse_init_in in;
    uint32_t minor;

    memset(&in, 0, sizeof(in));
    get_arg(args, len, &in, offsetof(struct fuse_init_in, flags2), "INIT");
    if (in.major != FUSE_KERNEL_VERSION) {
        errno = 0;
        st_die("kernel FUSE protocol %u.%u, not %d.x", in.major, in.minor,
               FUSE_KERNEL_VERSION);
    }
    if (in.minor < MIN_MINOR) {
        errno = 0;
        st_die("kernel FUSE protocol 7.%u, older than 7.%d", in.minor,
               MIN_MINOR);
    }
    minor = in.minor < MAX_MINOR ? in.minor : MAX_MINOR;
    memset(&out, 0, sizeof(out));
    out.major = FUSE_KERNEL_VERSION;
    out.minor = minor;
    out.max_readahead = in.max_readahead;
    out.flags = 0;              /* no async read, no writeback cache */
    out.max_write = MAX_WRITE;
    out.time_gran = 1;
    /* The kernel takes a short reply, but not a longer one. */
    send_reply(fd, unique, 0, &out, minor >= FULL_INIT_MINOR ?
               sizeof(out) : FUSE_COMPAT_22_INIT_OUT_SIZE);
}

static void do_lookup(int fd, const struct fuse_in_header *ih,
                      const char *args, size_t len)
{
    struct fuse_entry_out out;

    if (!len || !memchr(args, '\0', len)) {
        errno = 0;
        st_die("malformed LOOKUP request (%zu argument bytes)", len);
    }
    if (ih->nodeid != FUSE_ROOT_ID || strcmp(args, FILE_NAME)) {
        send_error(fd, ih->unique, ENOENT);
        return;
    }
    memset(&out, 0, sizeof(out));
    out.nodeid = FILE_ID;
    out.generation = 1;
    fill_attr(FILE_ID, &out.attr);
    send_reply(fd, ih->unique, 0, &out, sizeof(out));
}

static void send_attr(int fd, uint64_t unique, uint64_t node)
{
    struct fuse_attr_out out;

    memset(&out, 0, sizeof(out));
    fill_attr(node, &out.attr);
    send_reply(fd, unique, 0, &out, sizeof(out));
}

static void do_setattr(int fd, const struct fuse_in_header *ih,
                       const char *args, size_t len)
{
    struct fuse_setattr_in in;

    get_arg(args, len, &in, sizeof(in), "SETATTR");
    if (ih->nodeid != FILE_ID) {
        send_error(fd, ih->unique, EPERM);
        return;
    }
    if (in.valid & FATTR_SIZE) {
        file_size = in.size;
    }
    send_attr(fd, ih->unique, FILE_ID);
}

static void do_open(int fd, const struct fuse_in_header *ih)
{
    struct fuse_open_out out;

    if (ih->nodeid != FILE_ID) {
        send_error(fd, ih->unique, ENOENT);
        return;
    }
    memset(&out, 0, sizeof(out));
    out.fh = 1;
    out.open_flags = FOPEN_DIRECT_IO;
    send_reply(fd, ih->unique, 0, &out, sizeof(out));
}

/* Write mode: the first WRITE's data to DST, once. */
static void do_write(int fd, const struct fuse_in_header *ih,
                     const char *args, size_t len)
{
    struct fuse_write_out out;
    struct fuse_write_in in;

    get_arg(args, len, &in, sizeof(in), "WRITE");
    if (in.size > len - sizeof(in)) {
        errno = 0;
        st_die("malformed WRITE request (%u bytes, %zu sent)", in.size,
               len - sizeof(in));
    }
    if (ih->nodeid != FILE_ID || !write_mode) {
        send_error(fd, ih->unique, EPERM);
        return;
    }
    if (wrote || in.offset) {
        errno = 0;
        st_die("a second WRITE or one at offset %llu",
               (unsigned long long)in.offset);
    }
    st_save(dst_path, args + sizeof(in), in.size);
    wrote = 1;
    if (in.offset + in.size > file_size) {
        file_size = in.offset + in.size;
    }
    memset(&out, 0, sizeof(out));
    out.size = in.size;
    send_reply(fd, ih->unique, 0, &out, sizeof(out));
}

/* Read mode: SRC's bytes, SRC read (once) at the first READ. */
static void do_read(int fd, const struct fuse_in_header *ih,
                    const char *args, size_t len)
{
    struct fuse_read_in in;
    size_t n = 0;

    get_arg(args, len, &in, sizeof(in), "READ");
    if (ih->nodeid != FILE_ID || write_mode) {
        send_error(fd, ih->unique, EPERM);
        return;
    }
    if (!loaded) {
        loaded_len = st_load(src_path, buf);
        loaded = 1;
        if (loaded_len != src_size) {
            errno = 0;
            st_die("%s changed size", src_path);
        }
    }
    if (in.offset < loaded_len) {
        n = loaded_len - in.offset;
        if (n > in.size) {
            n = in.size;
        }
    }
    send_reply(fd, ih->unique, 0, buf + (n ? in.offset : 0), n);
}

/* Serve one request, @n bytes in req. */
static void serve(int fd, size_t n)
{
    struct fuse_in_header ih;
    const char *args = req + sizeof(ih);
    size_t len;

    if (n < sizeof(ih)) {
        errno = 0;
        st_die("malformed request (%zu bytes)", n);
    }
    memcpy(&ih, req, sizeof(ih));
    if (ih.len != n) {
        errno = 0;
        st_die("malformed request (%u bytes, %zu read)", ih.len, n);
    }
    len = n - sizeof(ih);
    switch (ih.opcode) {
    case FUSE_INIT:
        do_init(fd, ih.unique, args, len);
        break;
    case FUSE_LOOKUP:
        do_lookup(fd, &ih, args, len);
        break;
    case FUSE_GETATTR:
        if (ih.nodeid == FUSE_ROOT_ID || ih.nodeid == FILE_ID) {
            send_attr(fd, ih.unique, ih.nodeid);
        } else {
            send_error(fd, ih.unique, ENOENT);
        }
        break;
    case FUSE_SETATTR:
        do_setattr(fd, &ih, args, len);
        break;
    case FUSE_OPEN:
        do_open(fd, &ih);
        break;
    case FUSE_WRITE:
        do_write(fd, &ih, args, len);
        break;
    case FUSE_READ:
        do_read(fd, &ih, args, len);
        break;
    case FUSE_FLUSH:
    case FUSE_RELEASE:
        send_error(fd, ih.unique, 0);
        break;
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET:
    case FUSE_INTERRUPT:
        break;                  /* no reply */
    case FUSE_DESTROY:
        send_error(fd, ih.unique, 0);
        _exit(0);
    default:
        send_error(fd, ih.unique, ENOSYS);
        break;
    }
}

/*
 * The daemon: post on @sync (a system call before anything reads SRC),
 * then serve requests from @fd until the file system is unmounted.
 */
static void fuse_daemon(int sync, int fd)
{
    ssize_t n;

    if (write(sync, "x", 1) != 1) {
        st_die("sync");
    }
    close(sync);
    for (;;) {
        n = read(fd, req, sizeof(req));
        if (n >= 0) {
            serve(fd, n);
        } else if (errno == ENODEV || errno == ECONNABORTED) {
            _exit(0);           /* unmounted */
        } else if (errno != EINTR && errno != EAGAIN && errno != ENOENT) {
            st_die("read /dev/fuse");
        }
    }
}

/* Write mode: SRC, read after the open, into f with one write(). */
static void mode_write(void)
{
    int fd = st_open(FILE_PATH, O_WRONLY);
    size_t len;

    usleep(200000);             /* the daemon is in its read of /dev/fuse */
    len = st_load(src_path, buf);
    st_expect(write(fd, buf, len), len, "write " FILE_PATH);
    if (close(fd) < 0) {
        st_die("close " FILE_PATH);
    }
    /*
     * The tracker names files off its hook path, within a second or so;
     * an unmounted file has no name left (the docs' Limits).
     */
    sleep(2);
}

/* Read mode: f, with one read(), to DST. */
static void mode_read(void)
{
    int fd = st_open(FILE_PATH, O_RDONLY);

    st_expect(read(fd, buf, sizeof(buf)), src_size, "read " FILE_PATH);
    st_save(dst_path, buf, src_size);
    if (close(fd) < 0) {
        st_die("close " FILE_PATH);
    }
}

int main(int argc, char **argv)
{
    struct stat st;
    int sync[2], fd;
    pid_t pid;
    char c;

    st_init(argc, argv, 3, "MODE SRC DST");
    st_mode = argv[1];
    src_path = argv[2];
    dst_path = argv[3];
    st_comm("fuse", st_mode);
    if (strcmp(st_mode, "read") && strcmp(st_mode, "write")) {
        errno = 0;
        st_die("unknown mode %s", st_mode);
    }
    write_mode = !strcmp(st_mode, "write");
    file_ino = write_mode ? FILE_ID : FILE_ID + 1;
    if (stat(src_path, &st) < 0) {
        st_die("stat %s", src_path);
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
        st.st_size > ST_MAX_SECRET) {
        errno = 0;
        st_die("%s is not a regular file of 1 to %d bytes", src_path,
               ST_MAX_SECRET);
    }
    src_size = st.st_size;
    file_size = write_mode ? 0 : src_size;
    if (pipe(sync) < 0) {
        st_die("pipe");
    }
    if (atexit(cleanup)) {
        errno = 0;
        st_die("atexit");
    }
    fd = fuse_mount();
    pid = st_fork();
    if (pid == 0) {
        mounted = 0;
        daemon_comm();
        close(sync[0]);
        fuse_daemon(sync[1], fd);
    }
    /* Only the daemon holds /dev/fuse: if it dies, requests fail. */
    close(fd);
    close(sync[1]);
    if (read(sync[0], &c, 1) != 1) {
        st_die("sync");
    }
    close(sync[0]);
    if (write_mode) {
        mode_write();
    } else {
        mode_read();
    }
    fuse_umount();
    st_wait_child(pid);
    return 0;
}
