/*
 * secret-tracker: vmlinux and its BTF from a kernel image on the host
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "profile-gen.h"

#include <gelf.h>
#include <libelf.h>
#include <zstd.h>

/* A decompressed vmlinux with debug info stripped is well below this */
#define ST_VMLINUX_MAX (1024ULL * 1024 * 1024)

static bool st_is_elf64(const uint8_t *p, size_t len)
{
    return len > 64 && memcmp(p, ELFMAG, SELFMAG) == 0 &&
           p[EI_CLASS] == ELFCLASS64;
}

/* Decompress the zstd frame at @in (data may follow it) */
static bool st_zstd_decompress(const uint8_t *in, size_t in_len,
                               size_t max_out, uint8_t **out,
                               size_t *out_len)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    ZSTD_inBuffer ib = { in, in_len, 0 };
    size_t cap = 64 * 1024 * 1024;
    ZSTD_outBuffer ob = { g_malloc(cap), cap, 0 };
    size_t ret;

    /* kernels are compressed with --ultra -22: a large window */
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 31);
    for (;;) {
        ret = ZSTD_decompressStream(dctx, &ob, &ib);
        if (ZSTD_isError(ret)) {
            break;
        }
        if (ret == 0) {
            ZSTD_freeDCtx(dctx);
            *out = ob.dst;
            *out_len = ob.pos;
            return true;
        }
        if (ob.pos == ob.size) {
            if (cap >= max_out) {
                break;
            }
            cap = MIN(cap * 2, max_out);
            ob.dst = g_realloc(ob.dst, cap);
            ob.size = cap;
        } else if (ib.pos == ib.size) {
            break;  /* truncated */
        }
    }
    ZSTD_freeDCtx(dctx);
    g_free(ob.dst);
    return false;
}

bool st_linux_image_to_vmlinux(const uint8_t *image, size_t len,
                               uint8_t **elf, size_t *elf_len, GError **errp)
{
    static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
    static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
    const uint8_t *p, *end = image + len;
    unsigned tries = 0;
    int method;

    if (st_is_elf64(image, len)) {
        *elf = g_memdup2(image, len);
        *elf_len = len;
        return true;
    }
    /* bzImage: the payload is an xz or zstd stream somewhere inside */
    for (method = 0; method < 2; method++) {
        const uint8_t *magic = method ? zstd_magic : xz_magic;
        size_t magic_len = method ? sizeof(zstd_magic) : sizeof(xz_magic);

        for (p = image; p < end && tries < 16;) {
            const uint8_t *m = memmem(p, end - p, magic, magic_len);
            uint8_t *out;
            size_t out_len;
            bool ok;

            if (!m) {
                break;
            }
            tries++;
            ok = method ? st_zstd_decompress(m, end - m, ST_VMLINUX_MAX,
                                             &out, &out_len)
                        : st_xz_decompress(m, end - m, ST_VMLINUX_MAX, &out,
                                           &out_len, NULL);
            if (ok) {
                if (st_is_elf64(out, out_len)) {
                    *elf = out;
                    *elf_len = out_len;
                    return true;
                }
                g_free(out);
            }
            p = m + 1;
        }
    }
    g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                "not a vmlinux ELF, and no xz- or zstd-compressed vmlinux "
                "inside (%u streams tried); for other compressions, "
                "decompress the kernel first (extract-vmlinux)", tries);
    return false;
}

bool st_linux_vmlinux_btf(const uint8_t *elf_data, size_t len,
                          const uint8_t **btf, size_t *btf_len,
                          GError **errp)
{
    Elf *elf;
    Elf_Scn *scn = NULL;
    size_t shstrndx;
    bool found = false;

    elf_version(EV_CURRENT);
    elf = elf_memory((char *)elf_data, len);
    if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "cannot read the vmlinux ELF: %s", elf_errmsg(-1));
        if (elf) {
            elf_end(elf);
        }
        return false;
    }
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr shdr;
        const char *name;

        if (!gelf_getshdr(scn, &shdr)) {
            continue;
        }
        name = elf_strptr(elf, shstrndx, shdr.sh_name);
        if (name && strcmp(name, ".BTF") == 0 && shdr.sh_type != SHT_NOBITS &&
            shdr.sh_offset <= len && shdr.sh_size <= len - shdr.sh_offset) {
            *btf = elf_data + shdr.sh_offset;
            *btf_len = shdr.sh_size;
            found = true;
            break;
        }
    }
    elf_end(elf);
    if (!found) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF,
                    "the vmlinux has no .BTF section (kernel built without "
                    "CONFIG_DEBUG_INFO_BTF): use dwarf2json on a vmlinux "
                    "with debug info instead");
    }
    return found;
}
