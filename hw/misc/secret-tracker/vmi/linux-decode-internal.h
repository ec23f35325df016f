/*
 * secret-tracker: helpers of the syscall-argument decoders (private to
 * vmi/linux-user.c, linux-syscall-decode.c, linux-decode-aio.c,
 * linux-compat.c and linux-io-uring.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_DECODE_INTERNAL_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_DECODE_INTERNAL_H

#include "hw/misc/secret-tracker/vmi/linux-decode.h"

/* Little-endian loads from a buffer already read from the guest */
static inline uint16_t st_ld16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static inline uint32_t st_ld32(const uint8_t *p)
{
    return (uint32_t)st_ld16(p) | (uint32_t)st_ld16(p + 2) << 16;
}

static inline uint64_t st_ld64(const uint8_t *p)
{
    return (uint64_t)st_ld32(p) | (uint64_t)st_ld32(p + 4) << 32;
}

/* Big-endian (network order) 16-bit load */
static inline uint16_t st_ldbe16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

/*
 * Integer or pointer member @f of an object already copied to @buf
 * (@len bytes), found @base bytes into it (a member of a struct embedded
 * there, such as an op in io_kiocb's cmd area).  Bitfields are
 * extracted; a pointer that is not NULL must be a kernel address.
 */
bool st_decode_field(const StLinuxKernel *kernel, StLinuxOffset f,
                     const uint8_t *buf, size_t len, size_t base,
                     uint64_t *val, GError **errp);

/* As st_decode_field(), for a member that holds a user pointer */
bool st_decode_user_field(const StLinuxKernel *kernel, StLinuxOffset f,
                          const uint8_t *buf, size_t len, size_t base,
                          uint64_t *val, GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_DECODE_INTERNAL_H */
