/*
 * st-execveat SRC BEFORE AFTER: read SRC and write its bytes to BEFORE;
 * then execveat() the shell by a name relative to a directory fd of
 * /bin, handing it the bytes as an argument, and the shell writes them
 * to AFTER.  One process throughout: its command name changes at the
 * execveat.  Fact: its pid.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

int main(int argc, char **argv)
{
    char *sh_argv[7];
    int before, dir;
    size_t len;
    char *buf;

    st_init(argc, argv, 3, "SRC BEFORE AFTER");
    dir = open("/bin", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        st_die("open /bin");
    }
    before = st_create(argv[2]);
    st_fact("pid:execveat", "%d", (int)getpid());
    buf = st_slurp(argv[1], &len);
    buf[len] = '\0';
    if (strlen(buf) != len) {
        errno = 0;
        st_die("%s holds a NUL byte", argv[1]);
    }
    st_write_all(before, buf, len);
    close(before);
    sh_argv[0] = "sh";
    sh_argv[1] = "-c";
    sh_argv[2] = "printf %s \"$1\" >\"$2\"";
    sh_argv[3] = "sh";
    sh_argv[4] = buf;
    sh_argv[5] = argv[3];
    sh_argv[6] = NULL;
    syscall(SYS_execveat, dir, "sh", sh_argv, environ, 0);
    st_die("execveat /bin/sh");
}
