/*
 * st-kstore MODE SRC DST: move SRC's bytes through data the kernel keeps
 * for processes, from the process that read SRC to another that writes
 * DST.
 *
 *   msg        a SysV message queue (the receiver is already blocked in
 *              msgrcv when the message is sent)
 *   mq         a POSIX message queue (the same, in mq_timedreceive)
 *   xattr      an extended attribute (trusted.st) of DST's directory's
 *              /tmp/st-xattr: set by one process, got by the next
 *   key        a "user" key in the user keyring: added by one process,
 *              read by the next (KEYCTL_SEARCH, KEYCTL_READ)
 *   pty        a pseudo-terminal in raw mode: a child writes the slave,
 *              the parent polls and reads the master
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <termios.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/xattr.h>

#define XATTR_FILE "/tmp/st-xattr"
#define XATTR_NAME "trusted.st"
#define KEY_DESC "st-kstore"
#define KEY_SPEC_USER_KEYRING (-4)
#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11

static const char *st_mode = "";

/* A child of this mode names itself MODE-c. */
static void child_comm(void)
{
    char name[16];

    snprintf(name, sizeof(name), "%s-c", st_mode);
    st_comm("ks", name);
}

static char buf[ST_MAX_SECRET];

typedef struct Msg {
    long type;
    char text[ST_MAX_SECRET];
} Msg;

static Msg msg;

/*
 * The receiver is a child blocked in its receive before the parent reads
 * SRC (it posts on a pipe first; a short sleep lets it block).
 */
static void mode_queue(bool posix, const char *src, const char *dst)
{
    int id = -1, sync[2];
    mqd_t q = (mqd_t)-1;
    struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 8192 };
    ssize_t n;
    size_t len;
    pid_t pid;
    char c;

    if (posix) {
        mq_unlink("/st-kstore");
        q = mq_open("/st-kstore", O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
        if (q == (mqd_t)-1) {
            st_die("mq_open");
        }
    } else {
        id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        if (id < 0) {
            st_die("msgget");
        }
    }
    if (pipe(sync) < 0) {
        st_die("pipe");
    }
    pid = st_fork();
    if (pid == 0) {
        child_comm();
        close(sync[0]);
        if (write(sync[1], "x", 1) != 1) {
            st_die("sync");
        }
        n = posix ? mq_receive(q, buf, attr.mq_msgsize, NULL) :
                    msgrcv(id, &msg, sizeof(msg.text), 0, 0);
        if (n <= 0) {
            st_die("receive");
        }
        st_save(dst, posix ? buf : msg.text, n);
        _exit(0);
    }
    close(sync[1]);
    if (read(sync[0], &c, 1) != 1) {
        st_die("sync");
    }
    usleep(200000);             /* the child is in its receive */
    len = st_load(src, buf);
    if (posix) {
        if (mq_send(q, buf, len, 0) < 0) {
            st_die("mq_send");
        }
    } else {
        msg.type = 1;
        memcpy(msg.text, buf, len);
        if (msgsnd(id, &msg, len, 0) < 0) {
            st_die("msgsnd");
        }
    }
    st_wait_child(pid);
    if (posix) {
        /* at once: the tracker names the queue at mq_unlink's entry */
        mq_unlink("/st-kstore");
    } else {
        msgctl(id, IPC_RMID, NULL);
    }
}

static void mode_xattr(bool set, const char *src, const char *dst)
{
    ssize_t n;

    if (set) {
        close(st_create(XATTR_FILE));
        if (setxattr(XATTR_FILE, XATTR_NAME, buf, st_load(src, buf), 0) < 0) {
            st_die("setxattr");
        }
        return;
    }
    n = getxattr(XATTR_FILE, XATTR_NAME, buf, sizeof(buf));
    if (n <= 0) {
        st_die("getxattr");
    }
    st_save(dst, buf, n);
}

static void mode_key(bool add, const char *src, const char *dst)
{
    long id, n;

    if (add) {
        if (syscall(SYS_add_key, "user", KEY_DESC, buf, st_load(src, buf),
                    KEY_SPEC_USER_KEYRING) < 0) {
            st_die("add_key");
        }
        return;
    }
    id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user",
                 KEY_DESC, 0);
    if (id < 0) {
        st_die("KEYCTL_SEARCH");
    }
    n = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof(buf));
    if (n <= 0) {
        st_die("KEYCTL_READ");
    }
    st_save(dst, buf, n);
}

static void mode_pty(const char *src, const char *dst)
{
    struct termios raw;
    struct pollfd pfd;
    size_t len, got = 0;
    int master, slave;
    ssize_t n;
    pid_t pid;

    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
        st_die("posix_openpt");
    }
    slave = st_open(ptsname(master), O_RDWR | O_NOCTTY);
    if (tcgetattr(slave, &raw) < 0) {
        st_die("tcgetattr");
    }
    cfmakeraw(&raw);
    if (tcsetattr(slave, TCSANOW, &raw) < 0) {
        st_die("tcsetattr");
    }
    {
        struct stat st;

        if (stat(src, &st) < 0) {
            st_die("stat %s", src);
        }
        len = st.st_size;
    }
    pid = st_fork();
    if (pid == 0) {
        child_comm();
        close(master);
        len = st_load(src, buf);
        st_expect(write(slave, buf, len), len, "write");
        _exit(0);
    }
    close(slave);
    st_wait_child(pid);
    pfd.fd = master;
    pfd.events = POLLIN;
    while (got < len) {
        if (poll(&pfd, 1, 5000) != 1) {
            st_die("poll");
        }
        n = read(master, buf + got, len - got);
        if (n <= 0) {
            st_die("read master");
        }
        got += n;
    }
    st_save(dst, buf, got);
    /* Paths are named off the hot path: a closed pty has no name left. */
    sleep(2);
}

int main(int argc, char **argv)
{
    const char *mode;

    st_init(argc, argv, 3, "MODE SRC DST");
    mode = argv[1];
    st_mode = mode;
    st_comm("ks", mode);
    if (!strcmp(mode, "msg") || !strcmp(mode, "mq")) {
        mode_queue(!strcmp(mode, "mq"), argv[2], argv[3]);
    } else if (!strcmp(mode, "xattr-set") || !strcmp(mode, "xattr-get")) {
        mode_xattr(!strcmp(mode, "xattr-set"), argv[2], argv[3]);
    } else if (!strcmp(mode, "key-add") || !strcmp(mode, "key-read")) {
        mode_key(!strcmp(mode, "key-add"), argv[2], argv[3]);
    } else if (!strcmp(mode, "pty")) {
        mode_pty(argv[2], argv[3]);
    } else {
        errno = 0;
        st_die("unknown mode %s", mode);
    }
    return 0;
}
