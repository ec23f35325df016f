/*
 * secret-tracker: numbers from the host's own kernel headers, the
 * oracle of test-linux-abi.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef SECRET_TRACKER_TEST_LINUX_ABI_H
#define SECRET_TRACKER_TEST_LINUX_ABI_H

typedef struct TestAbiNumber {
    const char *name;
    long value;
} TestAbiNumber;

/* i386 syscall numbers by name (<asm/unistd_32.h>), NULL-terminated */
extern const TestAbiNumber test_abi_nr32[];
/* socketcall numbers by name (<linux/net.h> SYS_*), NULL-terminated */
extern const TestAbiNumber test_abi_socketcall[];

#endif
