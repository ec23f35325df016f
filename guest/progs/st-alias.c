/*
 * st-alias: read a file under a name other than its own, as an ordinary
 * user or root can, and write its bytes to OUT.
 *
 *   st-alias bind DIR VIEW NAME OUT
 *       As uid/gid 65534, in a new user and mount namespace, bind-mount
 *       DIR on VIEW and copy VIEW/NAME to OUT (process alias-bind).  OUT
 *       is opened first, so that it has its name outside the namespace,
 *       which is gone when the tracker names the file.
 *   st-alias container VOL DIR VIEW NAME OUT
 *       As root, in a new mount namespace, bind-mount VOL/DIR on VIEW,
 *       then unmount VOL (the mount of its filesystem's root) there, as a
 *       container that is given one directory of a volume; copy VIEW/NAME
 *       to OUT (process alias-container).  OUT is opened first.
 *   st-alias handle FILE OUT
 *       Copy FILE opened by its file handle (name_to_handle_at, then
 *       open_by_handle_at on its directory's filesystem; alias-handle).
 *
 * Each copies with one read() and one write() of the whole file.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"
#include <grp.h>
#include <libgen.h>
#include <sched.h>
#include <sys/mount.h>

#define ST_NOBODY 65534

static void st_write_file(const char *path, const char *text)
{
    int fd = st_open(path, O_WRONLY);

    st_write_all(fd, text, strlen(text));
    close(fd);
}

/* Copy @in to @out (both open) with read() and write(). */
static void st_copy(int in, int out)
{
    char *buf = malloc(ST_MAX_SECRET);
    size_t len;

    if (!buf) {
        st_die("malloc");
    }
    len = st_read_all(in, buf, ST_MAX_SECRET);
    st_write_all(out, buf, len);
    if (close(out) < 0) {
        st_die("close");
    }
}

static void st_userns_bind(char **argv)
{
    char map[64], path[4096];
    int in, out;

    st_comm("alias", "bind");
    out = st_create(argv[5]);
    if (setgroups(0, NULL) < 0 || setgid(ST_NOBODY) < 0 ||
        setuid(ST_NOBODY) < 0) {
        st_die("dropping root");
    }
    /* a changed uid makes /proc/self root's until dumpable again */
    if (prctl(PR_SET_DUMPABLE, 1) < 0) {
        st_die("PR_SET_DUMPABLE");
    }
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
        st_die("unshare");
    }
    st_write_file("/proc/self/setgroups", "deny");
    snprintf(map, sizeof(map), "0 %d 1", ST_NOBODY);
    st_write_file("/proc/self/uid_map", map);
    st_write_file("/proc/self/gid_map", map);
    if (mount(argv[2], argv[3], NULL, MS_BIND, NULL) < 0) {
        st_die("bind-mounting %s on %s", argv[2], argv[3]);
    }
    snprintf(path, sizeof(path), "%s/%s", argv[3], argv[4]);
    in = st_open(path, O_RDONLY);
    st_copy(in, out);
}

static void st_container(char **argv)
{
    char path[4096];
    int in, out;

    st_comm("alias", "container");
    out = st_create(argv[6]);
    if (unshare(CLONE_NEWNS) < 0) {
        st_die("unshare");
    }
    /* the bind and the unmount stay in this namespace */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        st_die("making / private");
    }
    snprintf(path, sizeof(path), "%s/%s", argv[2], argv[3]);
    if (mount(path, argv[4], NULL, MS_BIND, NULL) < 0) {
        st_die("bind-mounting %s on %s", path, argv[4]);
    }
    if (umount2(argv[2], MNT_DETACH) < 0) {
        st_die("unmounting %s", argv[2]);
    }
    snprintf(path, sizeof(path), "%s/%s", argv[4], argv[5]);
    in = st_open(path, O_RDONLY);
    st_copy(in, out);
}

static void st_handle(char **argv)
{
    struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
    char *dir = strdup(argv[2]);
    int mount_id, mount_fd, in;

    st_comm("alias", "handle");
    if (!fh || !dir) {
        st_die("malloc");
    }
    fh->handle_bytes = MAX_HANDLE_SZ;
    if (name_to_handle_at(AT_FDCWD, argv[2], fh, &mount_id, 0) < 0) {
        st_die("name_to_handle_at %s", argv[2]);
    }
    mount_fd = st_open(dirname(dir), O_RDONLY | O_DIRECTORY);
    in = open_by_handle_at(mount_fd, fh, O_RDONLY);
    if (in < 0) {
        st_die("open_by_handle_at");
    }
    st_copy(in, st_create(argv[3]));
}

int main(int argc, char **argv)
{
    st_init(argc, argv, -2, "bind DIR VIEW NAME OUT | "
            "container VOL DIR VIEW NAME OUT | handle FILE OUT");
    if (!strcmp(argv[1], "bind") && argc == 6) {
        st_userns_bind(argv);
    } else if (!strcmp(argv[1], "container") && argc == 7) {
        st_container(argv);
    } else if (!strcmp(argv[1], "handle") && argc == 4) {
        st_handle(argv);
    } else {
        errno = 0;
        st_die("usage: st-alias bind DIR VIEW NAME OUT | "
               "container VOL DIR VIEW NAME OUT | handle FILE OUT");
    }
    return 0;
}
