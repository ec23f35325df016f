/*
 * secret-tracker: libFuzzer target for the kallsyms reader
 *
 * The input is a header (KsFuzzHeader) and a guest memory image.  The
 * image is at guest-physical FUZZ_IMAGE_PA, mapped with 2 MiB pages at
 * the header's kernel address (made 2 MiB-aligned); page tables are
 * synthesized.
 * LSTAR is an offset into the image.  The seeds (data/fuzz-kallsyms/)
 * are real kernels' tables cut down to a few hundred symbols, written by
 * test-linux-kallsyms with ST_KALLSYMS_SEED_DIR set.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "kallsyms-synth.h"
#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"

#define FUZZ_TABLES_PA 0x40000000ULL    /* one table per level */
#define FUZZ_IMAGE_PA KS_FUZZ_IMAGE_PA
#define FUZZ_PAGE KS_FUZZ_PAGE
#define FUZZ_MAX_IMAGE (16ULL << 20)

typedef struct FuzzKsMem {
    const uint8_t *image;
    size_t size;
    uint64_t base;
    bool la57;
} FuzzKsMem;

/* Entry @index of the table at level @level (top = 4 or 5, PD = 2) */
static uint64_t fuzz_entry(const FuzzKsMem *m, int level, unsigned index)
{
    unsigned first = (m->base >> 21) & 0x1ff;
    int top = m->la57 ? 5 : 4;

    if (level == 2) {
        uint64_t page = index - first;

        if (index < first || page * FUZZ_PAGE >= m->size) {
            return 0;
        }
        return (FUZZ_IMAGE_PA + page * FUZZ_PAGE) | 0x83;
    }
    if (index != ((m->base >> (12 + 9 * (level - 1))) & 0x1ff)) {
        return 0;
    }
    return (FUZZ_TABLES_PA + (top - level + 1) * 4096ULL) | 0x3;
}

static bool fuzz_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    const FuzzKsMem *m = opaque;
    int top = m->la57 ? 5 : 4;
    uint8_t *out = buf;

    if (pa >= FUZZ_TABLES_PA && pa < FUZZ_TABLES_PA + 5 * 4096) {
        size_t i;

        if (pa % 8 || len % 8 || pa + len > FUZZ_TABLES_PA + (top - 1) * 4096) {
            return false;
        }
        for (i = 0; i < len; i += 8) {
            uint64_t off = pa + i - FUZZ_TABLES_PA;
            uint64_t e = cpu_to_le64(fuzz_entry(m, top - off / 4096,
                                                (off % 4096) / 8));

            memcpy(out + i, &e, 8);
        }
        return true;
    }
    if (pa < FUZZ_IMAGE_PA || pa - FUZZ_IMAGE_PA >= m->size ||
        len > m->size - (pa - FUZZ_IMAGE_PA)) {
        return false;
    }
    memcpy(out, m->image + (pa - FUZZ_IMAGE_PA), len);
    return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int i;

    /* the first non-option argument is the corpus it writes to */
    for (i = 1; i < *argc; i++) {
        if ((*argv)[i][0] != '-') {
            g_mkdir_with_parents((*argv)[i], 0755);
            break;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    KsFuzzHeader h;
    FuzzKsMem m;
    StGuestMem mem = { fuzz_read, &m };
    StGuestVm vm = { 0 };
    StKallsymsOptions o;
    StKallsyms *ks;
    StKallsym sym;
    uint64_t v;
    uint32_t i;

    if (size < sizeof(h) || size - sizeof(h) > FUZZ_MAX_IMAGE) {
        return 0;
    }
    memcpy(&h, data, sizeof(h));
    m.image = data + sizeof(h);
    m.size = size - sizeof(h);
    m.la57 = h.flags & 1;
    /* a 2 MiB-aligned address in the top 2 GiB, where kernels are */
    m.base = 0xffffffff80000000ULL | (le64_to_cpu(h.base) & 0x7fe00000ULL);
    vm.mem = &mem;
    vm.root = FUZZ_TABLES_PA;
    vm.la57 = m.la57;

    st_kallsyms_options_default(&o);
    /* nothing is readable past the image: do not zero-fill it */
    o.forward = MIN(1 << 20, m.size + 4096);
    o.backward = 64 << 10;
    o.max_syms = 1 << 12;
    o.max_work = 16 << 20;
    ks = st_kallsyms_find(&vm, m.base + le32_to_cpu(h.lstar) % (m.size + 1),
                          &o, NULL);
    if (!ks) {
        return 0;
    }
    /* every symbol can be looked up again, and gives what it gave */
    for (i = 0; st_kallsyms_nth(ks, i, &sym); i++) {
        StKallsym again;

        if (!st_kallsyms_lookup(ks, sym.name, &again)) {
            abort();
        }
        if (sym.percpu) {
            st_kallsyms_percpu_offset(ks, sym.name, &v, NULL);
        } else {
            st_kallsyms_address(ks, sym.name, &v, NULL);
        }
    }
    if (i != st_kallsyms_count(ks) ||
        !st_kallsyms_address(ks, "entry_SYSCALL_64", &v, NULL) ||
        v != st_kallsyms_layout(ks)->entry_syscall_64) {
        abort();
    }
    st_kallsyms_free(ks);
    return 0;
}
