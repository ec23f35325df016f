/*
 * secret-tracker: member access for the readers of Linux kernel objects
 * (private to vmi/linux-readers*.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_READERS_INTERNAL_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_READERS_INTERNAL_H

#include "hw/misc/secret-tracker/vmi/linux-readers.h"

/* "struct.member.path" of @f, for messages; returns @buf */
const char *st_offset_name(StLinuxOffset f, char *buf, size_t len);

/* The profile's description of @f; an error if the profile lacks it */
const StLinuxFieldInfo *st_field_info(const StLinuxKernel *kernel,
                                      StLinuxOffset f, GError **errp);

/*
 * Read integer or pointer member @f of the object at @base (a bitfield
 * is extracted).  A pointer that is not NULL must be a kernel address.
 */
bool st_read_field(const StLinuxKernel *kernel, uint64_t base,
                   StLinuxOffset f, uint64_t *val, GError **errp);

/* As st_read_field(), for a pointer member that must not be NULL */
bool st_read_pointer(const StLinuxKernel *kernel, uint64_t base,
                     StLinuxOffset f, uint64_t *val, GError **errp);

/* Read the bytes of array member @f: @len, or its size if smaller */
bool st_read_bytes(const StLinuxKernel *kernel, uint64_t base,
                   StLinuxOffset f, void *buf, size_t len, GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_READERS_INTERNAL_H */
