/*
 * st-profile-gen: kernel images on the host and the ISF writer.  Built
 * only into the tool and its tests, never into QEMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef ST_PROFILE_GEN_H
#define ST_PROFILE_GEN_H

#include "hw/misc/secret-tracker/vmi/linux-profile.h"

struct btf;

/*
 * Kernel images (linux-image.c): a vmlinux ELF from a bzImage with an xz
 * or zstd payload (Debian's vmlinuz) or a plain vmlinux.
 */
bool st_linux_image_to_vmlinux(const uint8_t *image, size_t len,
                               uint8_t **elf, size_t *elf_len, GError **errp);
/* The .BTF section of a vmlinux (points into @elf) */
bool st_linux_vmlinux_btf(const uint8_t *elf, size_t len,
                          const uint8_t **btf, size_t *btf_len,
                          GError **errp);

/*
 * A minimal ISF (JSON text) for the members the profile reads, from
 * kernel BTF (isf-writer.c)
 */
GString *st_linux_isf_from_btf(const struct btf *btf, const char *banner,
                               bool has_entry_syscall, uint64_t entry_syscall,
                               GError **errp);

#endif
