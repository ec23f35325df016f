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

/* A symbol for the ISF: its link-time address (or per-CPU offset) */
typedef struct StIsfSymbol {
    const char *name;
    uint64_t address;
} StIsfSymbol;

/*
 * A minimal ISF (JSON text) for the members the profile reads, from
 * kernel BTF, each member by the first of its alternative paths BTF has,
 * with the symbols @syms (isf-writer.c)
 */
GString *st_linux_isf_from_btf(const struct btf *btf, const char *banner,
                               const StIsfSymbol *syms, unsigned n_syms,
                               GError **errp);

/*
 * entry_SYSCALL_64's link address in a vmlinux, found by its code: the
 * one "[endbr64;] swapgs; mov %rsp, %gs:..." whose exit is a sysretq
 * (vmlinux-symbols.c)
 */
bool st_vmlinux_entry_syscall(const uint8_t *elf, size_t len,
                              uint64_t *entry, GError **errp);

/*
 * The symbols the ISF of a vmlinux needs (StIsfSymbol, appended to
 * @syms): entry_SYSCALL_64, and the per-CPU variables at their link-time
 * values, from the kernel's kallsyms (checked against BTF where BTF has
 * them) or else from BTF's per-CPU section.  @notes says which.
 */
bool st_vmlinux_symbols(const uint8_t *elf, size_t len, const struct btf *btf,
                        GArray *syms, GString *notes, GError **errp);

#endif
