/*
 * secret-tracker: libFuzzer target for the page walk (guest-mem.c)
 *
 * The input is a header (CR3, CR4.LA57, eight virtual reads) and a
 * guest-physical image whose page tables are the input's own bytes.  RAM
 * is the image at physical 0 and again at 4 GiB (RAM above the PCI hole);
 * pages the header marks as holes, and everything else, are not readable.
 *
 * Every result is checked against a reference walk written here, byte by
 * byte: st_guest_read() must succeed exactly when every byte of the range
 * translates and is readable, and return those bytes; st_guest_vtop() must
 * give the same address and page size; st_guest_read_kptr() may only
 * return NULL or a kernel address.  A disagreement aborts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/guest-mem.h"

#define FUZZ_READS 8
#define FUZZ_HIGH (4ULL << 30)
#define FUZZ_MAX_LEN 8192

typedef struct FuzzRead {
    uint64_t va;
    uint16_t len;
} QEMU_PACKED FuzzRead;

typedef struct FuzzHeader {
    uint64_t cr3;
    uint8_t la57;
    uint8_t pad[3];
    uint32_t holes;             /* bit i: image page i is a hole */
    FuzzRead reads[FUZZ_READS];
} QEMU_PACKED FuzzHeader;

typedef struct FuzzMem {
    const uint8_t *image;
    size_t size;
    uint32_t holes;
} FuzzMem;

/* The reference memory: one byte at a time */
static bool ref_byte(const FuzzMem *m, uint64_t pa, uint8_t *out)
{
    uint64_t off;

    if (pa < m->size) {
        off = pa;
    } else if (pa >= FUZZ_HIGH && pa - FUZZ_HIGH < m->size) {
        off = pa - FUZZ_HIGH;
    } else {
        return false;
    }
    if (off / 4096 < 32 && (m->holes >> (off / 4096)) & 1) {
        return false;
    }
    *out = m->image[off];
    return true;
}

static bool fuzz_read_phys(void *opaque, uint64_t pa, void *buf, size_t len)
{
    const FuzzMem *m = opaque;
    uint8_t *out = buf;
    size_t i;

    for (i = 0; i < len; i++) {
        if (pa + i < pa || !ref_byte(m, pa + i, &out[i])) {
            return false;
        }
    }
    return true;
}

static bool ref_u64(const FuzzMem *m, uint64_t pa, uint64_t *v)
{
    uint64_t x = 0;
    uint8_t b;
    int i;

    for (i = 0; i < 8; i++) {
        if (pa + i < pa || !ref_byte(m, pa + i, &b)) {
            return false;
        }
        x |= (uint64_t)b << (8 * i);
    }
    *v = x;
    return true;
}

/*
 * The reference walk: canonical check, then 4 or 5 levels, present bit,
 * PS honoured at PDPT (1 GiB) and PD (2 MiB) level only.
 */
static bool ref_vtop(const FuzzMem *m, uint64_t root, bool la57,
                        uint64_t va, uint64_t *pa, uint64_t *size)
{
    int bits = la57 ? 57 : 48;
    uint64_t top = va >> (bits - 1);
    uint64_t table = root, e;
    int level;

    if (top != 0 && top != (~0ULL >> (bits - 1))) {
        return false;
    }
    for (level = la57 ? 5 : 4; level > 0; level--) {
        int shift = 3 + 9 * level;
        uint64_t page = 1ULL << shift;

        if (!ref_u64(m, table + ((va >> shift) & 511) * 8, &e) || !(e & 1)) {
            return false;
        }
        if (level == 1 || (level <= 3 && (e & 0x80))) {
            *pa = (e & 0x000ffffffffff000ULL & ~(page - 1)) |
                  (va & (page - 1));
            *size = page;
            return true;
        }
        table = e & 0x000ffffffffff000ULL;
    }
    return false;
}

/* Kernel addresses the user half of a PTI pair lacks: its kernel half */
static bool ref_vtop_vm(const FuzzMem *m, const StGuestVm *vm, uint64_t va,
                        uint64_t *pa, uint64_t *size)
{
    return ref_vtop(m, vm->root, vm->la57, va, pa, size) ||
           (vm->pti_kernel && (int64_t)va < 0 &&
            ref_vtop(m, vm->pti_kernel, vm->la57, va, pa, size));
}

static void check_read(const StGuestVm *vm, const FuzzMem *m,
                       const FuzzRead *r)
{
    static uint8_t got[FUZZ_MAX_LEN], want[FUZZ_MAX_LEN];
    size_t len = r->len % (FUZZ_MAX_LEN + 1), i;
    uint64_t pa, size, rpa, rsize, ptr;
    bool ok, ref = r->va + len >= r->va;
    GError *err = NULL;

    /* byte by byte; every page size is a multiple of 4 KiB */
    for (i = 0; ref && i < len; i++, rpa++) {
        if (i == 0 || ((r->va + i) & 0xfff) == 0) {
            ref = ref_vtop_vm(m, vm, r->va + i, &rpa, &rsize);
        }
        ref = ref && ref_byte(m, rpa, &want[i]);
    }
    ok = st_guest_read(vm, r->va, got, len, &err);
    if (ok != ref || (ok && memcmp(got, want, len)) || (!ok && !err) ||
        (ok && err)) {
        fprintf(stderr, "read 0x%" PRIx64 "+%zu: %d, reference %d\n",
                r->va, len, ok, ref);
        abort();
    }
    g_clear_error(&err);

    ok = st_guest_vtop(vm, r->va, &pa, &size, NULL);
    ref = ref_vtop_vm(m, vm, r->va, &rpa, &rsize);
    if (ok != ref || (ok && (pa != rpa || size != rsize))) {
        fprintf(stderr, "vtop 0x%" PRIx64 ": %d 0x%" PRIx64 ", reference %d"
                " 0x%" PRIx64 "\n", r->va, ok, pa, ref, rpa);
        abort();
    }
    if (st_guest_read_kptr(vm, r->va, &ptr, NULL) && ptr &&
        !st_guest_is_kernel_va(vm, ptr)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzHeader h;
    FuzzMem m;
    StGuestMem mem = { .read_phys = fuzz_read_phys, .opaque = &m };
    StGuestVm vm;
    int i;

    if (size < sizeof(h)) {
        return 0;
    }
    memcpy(&h, data, sizeof(h));
    m.image = data + sizeof(h);
    m.size = size - sizeof(h);
    m.holes = h.holes;
    st_guest_vm_init(&vm, &mem, h.cr3, (h.la57 & 1) ? 1 << 12 : 0);
    if (vm.root != st_guest_cr3_table(h.cr3) || (vm.root & 0xfff) ||
        vm.pti_kernel != ((vm.root & (1ULL << 12)) ?
                          st_guest_kernel_root(h.cr3) : 0)) {
        abort();
    }
    for (i = 0; i < FUZZ_READS; i++) {
        check_read(&vm, &m, &h.reads[i]);
    }
    return 0;
}
