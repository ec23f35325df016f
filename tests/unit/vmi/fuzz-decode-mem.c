/*
 * secret-tracker: guest memory for the decoder fuzz targets
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "fuzz-decode-mem.h"

#define PAGE 4096ULL
/*
 * Tables, above any image: the top table, one PDPT for both windows,
 * one PD, then 512 page tables of 4 KiB pages (1 GiB).
 */
#define T_BASE  0x100000000000ULL
#define T_TOP   (T_BASE)
#define T_PDPT  (T_BASE + PAGE)
#define T_PD    (T_BASE + 2 * PAGE)
#define T_PT    (T_BASE + 3 * PAGE)
#define T_END   (T_PT + 512 * PAGE)

static uint64_t fuzz_entry(const FuzzDecodeMem *m, uint64_t pa)
{
    uint64_t index = (pa & (PAGE - 1)) / 8;

    if (pa < T_PDPT) {
        /* user window and direct map share the PDPT */
        if (index == ((FUZZ_USER_BASE >> 39) & 0x1ff) ||
            index == ((FUZZ_KERNEL_BASE >> 39) & 0x1ff)) {
            return T_PDPT | 0x3;
        }
        return 0;
    }
    if (pa < T_PD) {
        if (index == ((FUZZ_USER_BASE >> 30) & 0x1ff) ||
            index == ((FUZZ_KERNEL_BASE >> 30) & 0x1ff)) {
            return T_PD | 0x3;
        }
        return 0;
    }
    if (pa < T_PT) {
        return (T_PT + index * PAGE) | 0x3;
    }
    /* a page table: 512 pages of the image */
    {
        uint64_t pfn = ((pa - T_PT) / PAGE) * 512 + index;

        if (m->holes & (1ULL << (pfn % 64))) {
            return 0;
        }
        return (pfn * PAGE) | 0x3;
    }
}

static bool fuzz_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    const FuzzDecodeMem *m = opaque;
    uint8_t *out = buf;

    if (pa >= T_BASE && pa < T_END) {
        size_t i;

        if (pa % 8 || len % 8 || len > T_END - pa) {
            return false;
        }
        for (i = 0; i < len; i += 8) {
            uint64_t e = fuzz_entry(m, pa + i);

            memcpy(out + i, &e, 8);
        }
        return true;
    }
    if (pa >= m->size || len > m->size - pa) {
        return false;
    }
    memcpy(out, m->image + pa, len);
    return true;
}

void fuzz_decode_mem_init(FuzzDecodeMem *m, const uint8_t *image,
                          size_t size, uint64_t holes)
{
    m->image = image;
    m->size = size;
    m->holes = holes;
    m->mem.read_phys = fuzz_read;
    m->mem.opaque = m;
    st_guest_vm_init(&m->vm, &m->mem, T_TOP, 0);
}

const char *fuzz_decode_corpus_dir(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (argv[i][0] != '-') {
            g_mkdir_with_parents(argv[i], 0755);
            return argv[i];
        }
    }
    return NULL;
}

void fuzz_decode_write_seed(const char *dir, const char *name,
                            const void *hdr, size_t hlen,
                            const void *image, size_t ilen)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree uint8_t *buf = g_malloc(hlen + ilen);

    memcpy(buf, hdr, hlen);
    memcpy(buf + hlen, image, ilen);
    if (!g_file_set_contents(path, (char *)buf, hlen + ilen, NULL)) {
        fprintf(stderr, "cannot write the seed %s\n", path);
        abort();
    }
}
