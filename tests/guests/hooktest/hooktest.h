/*
 * hooktest: the info block the guest fills in at HT_INFO_ADDR.  Shared by
 * the guest (assembly) and by tests/qtest/exec-hook-test.c, so plain
 * numbers only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HOOKTEST_H
#define HOOKTEST_H

#define HT_INFO_ADDR     0x200000
#define HT_INFO_MAGIC    0x31544b48     /* "HKT1" */
#define HT_DONE_MAGIC    0x454e4f44     /* "DONE" */
#define HT_BASE_MAGIC    0x5e000000
#define HT_LOOPS_N       1000

/* The hooked sites, placed by hooktest.ld and .org. */
#define HT_SITES_BASE    0x101000
#define HT_SITE0_ADDR    0x101040
#define HT_SITE1_ADDR    0x101080
#define HT_SITE2_ADDR    0x1010c0
#define HT_GDBSITE_ADDR  0x101100

#define HT_MAGIC         0
#define HT_N             4
#define HT_SITE0         8
#define HT_SITE1         12
#define HT_SITE2         16
#define HT_GDBSITE       20
#define HT_DONE          24
#define HT_LOOPS         28
#define HT_COUNT0        32
#define HT_COUNT1        36
#define HT_COUNT2        40
#define HT_COUNT3        44
#define HT_DB_COUNT      48
#define HT_DB_OTHER      52
#define HT_DR_BEFORE     56
#define HT_DR7_BEFORE    60
#define HT_DR0_READBACK  64
#define HT_DR7_READBACK  68
#define HT_FAULT         72
#define HT_MAGIC_BASE    76
#define HT_DR_AFTER      80
#define HT_DR7_AFTER     84
#define HT_LAST_DR6      88
#define HT_INFO_SIZE     96

#endif
