/*
 * secret-tracker: vmlinux and its BTF from a kernel image on the host
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "profile-gen.h"

#include <gelf.h>
#include <libelf.h>
#include <lz4.h>
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

/*
 * LZ4's legacy frame, as the kernel's "make bzImage" with CONFIG_KERNEL_LZ4
 * writes it (Debian's cloud kernels of 5.10 and 6.1): the magic, then
 * blocks of at most 8 MiB of output, each a u32 (LE) compressed size and
 * the block.  The frame has no end mark: it ends where the next word is
 * not a plausible block (the bzImage appends the output size after it).
 */
#define ST_LZ4_LEGACY_BLOCK (8 * 1024 * 1024)

static bool st_lz4_legacy_decompress(const uint8_t *in, size_t in_len,
                                     size_t max_out, uint8_t **out,
                                     size_t *out_len)
{
    size_t pos = 4, cap = 0, len = 0;
    uint8_t *buf = NULL;

    while (in_len - pos >= 4) {
        uint32_t csize = ldl_le_p(in + pos);
        int n;

        if (csize == 0 || csize > (uint32_t)LZ4_compressBound(
                ST_LZ4_LEGACY_BLOCK) || csize > in_len - pos - 4 ||
            len + ST_LZ4_LEGACY_BLOCK > max_out) {
            break;
        }
        if (cap - len < ST_LZ4_LEGACY_BLOCK) {
            cap = MAX(cap * 2, len + ST_LZ4_LEGACY_BLOCK);
            buf = g_realloc(buf, cap);
        }
        n = LZ4_decompress_safe((const char *)in + pos + 4,
                                (char *)buf + len, csize,
                                ST_LZ4_LEGACY_BLOCK);
        if (n < 0) {
            break;  /* not a block: the frame ended before it */
        }
        len += n;
        pos += 4 + csize;
        if (n < ST_LZ4_LEGACY_BLOCK) {
            break;  /* only the last block is short */
        }
    }
    if (!len) {
        g_free(buf);
        return false;
    }
    *out = buf;
    *out_len = len;
    return true;
}

bool st_linux_image_to_vmlinux(const uint8_t *image, size_t len,
                               uint8_t **elf, size_t *elf_len, GError **errp)
{
    static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
    static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
    static const uint8_t lz4_magic[4] = { 0x02, 0x21, 0x4c, 0x18 };
    static const struct {
        const uint8_t *magic;
        size_t len;
    } methods[] = {
        { xz_magic, sizeof(xz_magic) },
        { zstd_magic, sizeof(zstd_magic) },
        { lz4_magic, sizeof(lz4_magic) },
    };
    const uint8_t *p, *end = image + len;
    unsigned tries = 0, method;

    if (st_is_elf64(image, len)) {
        *elf = g_memdup2(image, len);
        *elf_len = len;
        return true;
    }
    /* bzImage: the payload is an xz, zstd or lz4 stream somewhere inside */
    for (method = 0; method < G_N_ELEMENTS(methods); method++) {
        for (p = image; p < end && tries < 16;) {
            const uint8_t *m = memmem(p, end - p, methods[method].magic,
                                      methods[method].len);
            uint8_t *out;
            size_t out_len;
            bool ok;

            if (!m) {
                break;
            }
            tries++;
            switch (method) {
            case 0:
                ok = st_xz_decompress(m, end - m, ST_VMLINUX_MAX, &out,
                                      &out_len, NULL);
                break;
            case 1:
                ok = st_zstd_decompress(m, end - m, ST_VMLINUX_MAX, &out,
                                        &out_len);
                break;
            default:
                ok = st_lz4_legacy_decompress(m, end - m, ST_VMLINUX_MAX,
                                              &out, &out_len);
            }
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
                "not a vmlinux ELF, and no xz-, zstd- or lz4-compressed "
                "vmlinux inside (%u streams tried); for other compressions, "
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
