/*
 * secret-tracker: x86-64 page walk and bounded guest-memory reads
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/guest-mem.h"

#define ST_PTE_PRESENT   (1ULL << 0)
#define ST_PTE_PS        (1ULL << 7)
#define ST_PTE_ADDR_MASK 0x000ffffffffff000ULL
#define ST_CR3_ADDR_MASK 0x000ffffffffff000ULL
#define ST_CR3_PTI_USER  0x1000ULL
#define ST_CR4_LA57      (1ULL << 12)

/* cached: failed reads ask for it often, and errp is often NULL */
G_DEFINE_QUARK(st_guest_error, st_guest_error)

uint64_t st_guest_kernel_root(uint64_t cr3)
{
    return cr3 & ST_CR3_ADDR_MASK & ~ST_CR3_PTI_USER;
}

uint64_t st_guest_cr3_table(uint64_t cr3)
{
    return cr3 & ST_CR3_ADDR_MASK;
}

bool st_guest_pti_user_half(const StGuestVm *vm, StGuestVm *user)
{
    /* the slot of the user stack's top: 255 (4-level), 0 (5-level) */
    uint64_t slot = vm->la57 ? 0 : 255;
    uint64_t kroot = vm->root & ~ST_CR3_PTI_USER;
    uint64_t k, u;

    if (!st_guest_read_phys(vm->mem, kroot + slot * 8, &k, sizeof(k),
                            NULL) ||
        !st_guest_read_phys(vm->mem, (kroot | ST_CR3_PTI_USER) + slot * 8,
                            &u, sizeof(u), NULL)) {
        return false;
    }
    k = GUINT64_FROM_LE(k);
    u = GUINT64_FROM_LE(u);
    if (!(u & ST_PTE_PRESENT) ||
        ((k & ST_PTE_PRESENT) &&
         (k & ST_PTE_ADDR_MASK) != (u & ST_PTE_ADDR_MASK))) {
        return false;
    }
    *user = *vm;
    user->root = kroot | ST_CR3_PTI_USER;
    user->tlb = NULL;
    return true;
}

void st_guest_vm_init(StGuestVm *vm, const StGuestMem *mem, uint64_t cr3,
                      uint64_t cr4)
{
    vm->mem = mem;
    /*
     * An odd frame is the user half of a PTI pair, which maps little of
     * the kernel, or (no PTI) a table of its own: try it first.
     */
    vm->root = st_guest_cr3_table(cr3);
    vm->pti_kernel = vm->root & ST_CR3_PTI_USER ? st_guest_kernel_root(cr3)
                                                : 0;
    vm->la57 = !!(cr4 & ST_CR4_LA57);
    vm->tlb = NULL;
}

bool st_guest_is_kernel_va(const StGuestVm *vm, uint64_t va)
{
    /* The kernel half starts where the top implemented bit is set */
    unsigned bits = vm->la57 ? 57 : 48;

    return (int64_t)va >> (bits - 1) == -1;
}

static bool st_guest_is_canonical(const StGuestVm *vm, uint64_t va)
{
    unsigned bits = vm->la57 ? 57 : 48;
    int64_t top = (int64_t)va >> (bits - 1);

    return top == 0 || top == -1;
}

bool st_guest_read_phys(const StGuestMem *mem, uint64_t paddr, void *buf,
                        size_t len, GError **errp)
{
    if (len > ST_GUEST_MAX_READ) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "guest read of %zu bytes is too large", len);
        return false;
    }
    if (paddr + len < paddr ||
        !mem->read_phys(mem->opaque, paddr, buf, len)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED,
                    "cannot read %zu bytes of guest-physical memory at 0x%"
                    PRIx64, len, paddr);
        return false;
    }
    return true;
}

void st_guest_tlb_flush(StGuestTlb *tlb)
{
    memset(tlb->entry, 0, sizeof(tlb->entry));
}

/* The slot a large page of @size at @va would use */
static StGuestTlbEntry *st_guest_tlb_slot(StGuestTlb *tlb, uint64_t va,
                                          uint64_t size)
{
    uint64_t page = va & ~(size - 1);

    return &tlb->entry[((page >> 21) ^ (size >> 30)) % ST_GUEST_TLB_SIZE];
}

static bool st_guest_tlb_lookup(StGuestTlb *tlb, uint64_t va,
                                uint64_t *paddr, uint64_t *page_size)
{
    static const uint64_t sizes[] = { 1ULL << 21, 1ULL << 30 };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
        StGuestTlbEntry *e = st_guest_tlb_slot(tlb, va, sizes[i]);

        if (e->size == sizes[i] && e->va == (va & ~(sizes[i] - 1))) {
            *paddr = e->pa | (va & (sizes[i] - 1));
            if (page_size) {
                *page_size = sizes[i];
            }
            tlb->hits++;
            return true;
        }
    }
    tlb->misses++;
    return false;
}

static bool st_guest_walk(const StGuestVm *vm, uint64_t table, uint64_t va,
                          uint64_t *paddr, uint64_t *page_size, GError **errp)
{
    int level = vm->la57 ? 5 : 4;

    for (; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        uint64_t index = (va >> shift) & 0x1ff;
        uint64_t entry;

        if (!st_guest_read_phys(vm->mem, table + index * 8, &entry,
                                sizeof(entry), NULL)) {
            g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED,
                        "page table at 0x%" PRIx64 " (level %d) for 0x%"
                        PRIx64 " is outside guest memory", table, level, va);
            return false;
        }
        entry = GUINT64_FROM_LE(entry);
        if (!(entry & ST_PTE_PRESENT)) {
            g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED,
                        "guest address 0x%" PRIx64 " is not mapped "
                        "(level %d entry not present)", va, level);
            return false;
        }
        /* 1 GiB pages at level 3, 2 MiB pages at level 2 */
        if (level == 1 || ((level == 2 || level == 3) && (entry & ST_PTE_PS))) {
            uint64_t size = 1ULL << shift;

            *paddr = (entry & ST_PTE_ADDR_MASK & ~(size - 1)) |
                     (va & (size - 1));
            if (page_size) {
                *page_size = size;
            }
            if (vm->tlb && level > 1) {
                StGuestTlbEntry *e = st_guest_tlb_slot(vm->tlb, va, size);

                e->va = va & ~(size - 1);
                e->pa = *paddr & ~(size - 1);
                e->size = size;
            }
            return true;
        }
        table = entry & ST_PTE_ADDR_MASK;
    }
    g_assert_not_reached();
}

bool st_guest_vtop(const StGuestVm *vm, uint64_t va, uint64_t *paddr,
                   uint64_t *page_size, GError **errp)
{
    if (vm->tlb && st_guest_is_canonical(vm, va) &&
        st_guest_tlb_lookup(vm->tlb, va, paddr, page_size)) {
        return true;
    }

    if (!st_guest_is_canonical(vm, va)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED,
                    "guest address 0x%" PRIx64 " is not canonical", va);
        return false;
    }
    if (vm->pti_kernel && st_guest_is_kernel_va(vm, va)) {
        /* the user half maps a copy of what it maps of the kernel */
        return st_guest_walk(vm, vm->root, va, paddr, page_size, NULL) ||
               st_guest_walk(vm, vm->pti_kernel, va, paddr, page_size, errp);
    }
    return st_guest_walk(vm, vm->root, va, paddr, page_size, errp);
}

bool st_guest_read(const StGuestVm *vm, uint64_t va, void *buf, size_t len,
                   GError **errp)
{
    uint8_t *out = buf;

    if (len > ST_GUEST_MAX_READ) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "guest read of %zu bytes at 0x%" PRIx64 " is too large",
                    len, va);
        return false;
    }
    if (va + len < va) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "guest range at 0x%" PRIx64 " wraps around", va);
        return false;
    }
    while (len) {
        uint64_t pa, page_size, chunk;

        if (!st_guest_vtop(vm, va, &pa, &page_size, errp)) {
            return false;
        }
        chunk = page_size - (va & (page_size - 1));
        chunk = MIN(chunk, len);
        if (!st_guest_read_phys(vm->mem, pa, out, chunk, errp)) {
            return false;
        }
        out += chunk;
        va += chunk;
        len -= chunk;
    }
    return true;
}

bool st_guest_read_uint(const StGuestVm *vm, uint64_t va, unsigned size,
                        uint64_t *val, GError **errp)
{
    uint8_t bytes[8];
    uint64_t v = 0;
    unsigned i;

    if (size == 0 || size > 8) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE,
                    "cannot read a %u-byte integer", size);
        return false;
    }
    if (!st_guest_read(vm, va, bytes, size, errp)) {
        return false;
    }
    for (i = 0; i < size; i++) {
        v |= (uint64_t)bytes[i] << (8 * i);
    }
    *val = v;
    return true;
}

bool st_guest_read_u64(const StGuestVm *vm, uint64_t va, uint64_t *val,
                       GError **errp)
{
    return st_guest_read_uint(vm, va, 8, val, errp);
}

bool st_guest_read_u32(const StGuestVm *vm, uint64_t va, uint32_t *val,
                       GError **errp)
{
    uint64_t v;

    if (!st_guest_read_uint(vm, va, 4, &v, errp)) {
        return false;
    }
    *val = v;
    return true;
}

bool st_guest_read_u16(const StGuestVm *vm, uint64_t va, uint16_t *val,
                       GError **errp)
{
    uint64_t v;

    if (!st_guest_read_uint(vm, va, 2, &v, errp)) {
        return false;
    }
    *val = v;
    return true;
}

bool st_guest_read_kptr(const StGuestVm *vm, uint64_t va, uint64_t *ptr,
                        GError **errp)
{
    uint64_t v;

    if (!st_guest_read_u64(vm, va, &v, errp)) {
        return false;
    }
    if (v && !st_guest_is_kernel_va(vm, v)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "pointer 0x%" PRIx64 " read at 0x%" PRIx64
                    " is not a kernel address", v, va);
        return false;
    }
    *ptr = v;
    return true;
}
