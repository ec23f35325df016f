/*
 * st-kexec KERNEL INITRD CMDLINE: load KERNEL and INITRD with
 * kexec_file_load() and boot them with reboot(LINUX_REBOOT_CMD_KEXEC).
 *
 * busybox has no kexec applet.  On success this never returns; any
 * failure exits 1 with a message, so a kexec test cannot pass on a
 * second boot that did not happen.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "st-prog.h"

#include <linux/reboot.h>

int main(int argc, char **argv)
{
    const char *cmdline;
    int kernel, initrd;

    st_init(argc, argv, 3, "KERNEL INITRD CMDLINE");
    kernel = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (kernel < 0) {
        st_die("open %s", argv[1]);
    }
    initrd = open(argv[2], O_RDONLY | O_CLOEXEC);
    if (initrd < 0) {
        st_die("open %s", argv[2]);
    }
    cmdline = argv[3];
    /* the length counts the terminating NUL */
    if (syscall(SYS_kexec_file_load, kernel, initrd, strlen(cmdline) + 1,
                cmdline, 0UL) != 0) {
        st_die("kexec_file_load");
    }
    sync();
    syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
            LINUX_REBOOT_CMD_KEXEC, NULL);
    st_die("reboot(LINUX_REBOOT_CMD_KEXEC) returned");
}
