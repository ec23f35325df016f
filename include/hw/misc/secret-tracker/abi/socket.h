/*
 * secret-tracker: Linux socket address families, as the kernel numbers
 * them.  The only place they are written.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_ABI_SOCKET_H
#define HW_MISC_SECRET_TRACKER_ABI_SOCKET_H

#define ST_AF_UNSPEC    0
#define ST_AF_UNIX      1
#define ST_AF_INET      2
#define ST_AF_INET6     10
#define ST_AF_NETLINK   16
#define ST_AF_PACKET    17
#define ST_AF_VSOCK     40
#define ST_AF_XDP       44

/* sockaddr sizes the decoders accept */
#define ST_SOCKADDR_IN_LEN      16
#define ST_SOCKADDR_IN6_LEN     28

#endif /* HW_MISC_SECRET_TRACKER_ABI_SOCKET_H */
