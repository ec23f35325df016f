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

/*
 * What the kernel accepts, per family (sendto/connect/bind addresses and
 * msg_name): at most a sockaddr_storage, and at least the family's own
 * sockaddr.
 */
#define ST_SOCKADDR_STORAGE_LEN 128
#define ST_SOCKADDR_FAMILY_LEN  2       /* sa_family_t */
#define ST_SIN6_LEN_RFC2133     24      /* sockaddr_in6 without scope id */
#define ST_SOCKADDR_UN_LEN      110     /* family + sun_path[108] */
#define ST_SOCKADDR_VM_LEN      16      /* AF_VSOCK */
#define ST_SOCKADDR_LL_LEN      20      /* AF_PACKET */
#define ST_SOCKADDR_XDP_LEN     16
#define ST_SOCKADDR_NL_LEN      12      /* AF_NETLINK */

#endif /* HW_MISC_SECRET_TRACKER_ABI_SOCKET_H */
