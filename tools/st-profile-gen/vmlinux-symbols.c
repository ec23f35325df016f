/*
 * st-profile-gen: the symbols an ISF needs, from a vmlinux whose symbol
 * table is stripped (Debian's): entry_SYSCALL_64 from its code, and the
 * per-CPU variables from the kernel's own kallsyms tables, read by the
 * same reader the tracker uses on guest memory, here on the vmlinux laid
 * out at its physical addresses and mapped as the kernel maps itself.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"
#include "profile-gen.h"

#include <bpf/btf.h>
#include <gelf.h>
#include <libelf.h>

#define ST_VM_PAGE 4096ULL
#define ST_VM_HUGE (2ULL * 1024 * 1024)
/* Page-table pages: one PML4, and a few PDPTs and PDs for the image */
#define ST_VM_MAX_TABLES 64
#define ST_VM_MAX_SEGMENTS 16
#define ST_PTE_P 0x1ULL
#define ST_PTE_W 0x2ULL
#define ST_PTE_PS 0x80ULL
#define ST_PTE_ADDR 0x000ffffffffff000ULL

typedef struct StVmSegment {
    uint64_t paddr, vaddr, filesz, memsz;
    const uint8_t *data;
} StVmSegment;

typedef struct StVmlinuxMem {
    StGuestMem mem;
    StGuestVm vm;
    StVmSegment seg[ST_VM_MAX_SEGMENTS];
    unsigned n_seg;
    uint64_t tables_pa;
    unsigned n_tables;
    uint64_t tables[ST_VM_MAX_TABLES][512];
} StVmlinuxMem;

/* One contiguous piece of [pa, pa + len): from a segment or a table */
static bool st_vm_read_piece(StVmlinuxMem *m, uint64_t pa, uint8_t *buf,
                             uint64_t len, uint64_t *done)
{
    uint64_t tables_end = m->tables_pa + m->n_tables * ST_VM_PAGE;
    unsigned i;

    if (pa >= m->tables_pa && pa < tables_end) {
        *done = MIN(len, tables_end - pa);
        memcpy(buf, (uint8_t *)m->tables + (pa - m->tables_pa), *done);
        return true;
    }
    for (i = 0; i < m->n_seg; i++) {
        const StVmSegment *s = &m->seg[i];
        uint64_t off = pa - s->paddr;

        if (pa < s->paddr || off >= s->memsz) {
            continue;
        }
        *done = MIN(len, s->memsz - off);
        if (off < s->filesz) {
            uint64_t n = MIN(*done, s->filesz - off);

            memcpy(buf, s->data + off, n);
            memset(buf + n, 0, *done - n);
        } else {
            memset(buf, 0, *done);
        }
        return true;
    }
    return false;
}

static bool st_vm_read_phys(void *opaque, uint64_t pa, void *buf, size_t len)
{
    StVmlinuxMem *m = opaque;
    uint8_t *out = buf;
    uint64_t done;

    while (len) {
        if (!st_vm_read_piece(m, pa, out, len, &done)) {
            return false;
        }
        out += done;
        pa += done;
        len -= done;
    }
    return true;
}

/* The table entry @idx of table @t points to (a new table if none yet) */
static uint64_t *st_vm_next_table(StVmlinuxMem *m, uint64_t *t, unsigned idx)
{
    if (!(t[idx] & ST_PTE_P)) {
        if (m->n_tables == ST_VM_MAX_TABLES) {
            return NULL;
        }
        t[idx] = (m->tables_pa + m->n_tables * ST_VM_PAGE) | ST_PTE_P |
                 ST_PTE_W;
        m->n_tables++;
    }
    return m->tables[((t[idx] & ST_PTE_ADDR) - m->tables_pa) / ST_VM_PAGE];
}

static bool st_vm_map_huge(StVmlinuxMem *m, uint64_t va, uint64_t pa)
{
    uint64_t *pdpt = st_vm_next_table(m, m->tables[0], (va >> 39) & 511);
    uint64_t *pd = pdpt ? st_vm_next_table(m, pdpt, (va >> 30) & 511) : NULL;

    if (!pd) {
        return false;
    }
    pd[(va >> 21) & 511] = pa | ST_PTE_P | ST_PTE_W | ST_PTE_PS;
    return true;
}

/*
 * The vmlinux's PT_LOAD segments at their physical addresses, the kernel
 * image mapped by 2 MiB pages at its link address (no KASLR), page tables
 * above the image.  @elf must outlive @m.
 */
static bool st_vm_init(StVmlinuxMem *m, const uint8_t *elf_data, size_t len,
                       GError **errp)
{
    Elf *elf;
    size_t n, i;
    uint64_t top = 0, va;
    bool ok = true;

    memset(m, 0, sizeof(*m));
    elf_version(EV_CURRENT);
    elf = elf_memory((char *)elf_data, len);
    if (!elf || elf_getphdrnum(elf, &n) != 0) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "cannot read the vmlinux program headers: %s",
                    elf_errmsg(-1));
        if (elf) {
            elf_end(elf);
        }
        return false;
    }
    for (i = 0; i < n && ok; i++) {
        GElf_Phdr ph;
        StVmSegment *s = &m->seg[m->n_seg];

        if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD) {
            continue;
        }
        if (m->n_seg == ST_VM_MAX_SEGMENTS || ph.p_offset > len ||
            ph.p_filesz > len - ph.p_offset || ph.p_filesz > ph.p_memsz ||
            ph.p_paddr + ph.p_memsz < ph.p_paddr ||
            ph.p_memsz > ST_GUEST_MAX_READ * 16ULL) {
            ok = false;
            break;
        }
        s->paddr = ph.p_paddr;
        s->vaddr = ph.p_vaddr;
        s->filesz = ph.p_filesz;
        s->memsz = ph.p_memsz;
        s->data = elf_data + ph.p_offset;
        m->n_seg++;
        top = MAX(top, ph.p_paddr + ph.p_memsz);
    }
    elf_end(elf);
    if (!ok || !m->n_seg) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "the vmlinux's loadable segments are not a kernel image");
        return false;
    }
    m->tables_pa = ROUND_UP(top, ST_VM_HUGE);
    m->n_tables = 1;
    for (i = 0; i < m->n_seg; i++) {
        const StVmSegment *s = &m->seg[i];

        if ((s->vaddr >> 47) != 0x1ffff) {
            continue;   /* the per-CPU section linked at 0 (up to 6.12) */
        }
        if ((s->vaddr - s->paddr) % ST_VM_HUGE) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                        "a vmlinux segment is not 2 MiB-aligned to its "
                        "physical address");
            return false;
        }
        for (va = s->vaddr & ~(ST_VM_HUGE - 1); va < s->vaddr + s->memsz;
             va += ST_VM_HUGE) {
            if (!st_vm_map_huge(m, va, va - s->vaddr + s->paddr)) {
                g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                            "the vmlinux maps too far apart");
                return false;
            }
        }
    }
    m->mem.read_phys = st_vm_read_phys;
    m->mem.opaque = m;
    m->vm.mem = &m->mem;
    m->vm.root = m->tables_pa;
    m->vm.la57 = false;
    return true;
}

/* Section @name of the vmlinux: address and size (false if absent) */
static bool st_vm_section(const uint8_t *elf_data, size_t len,
                          const char *name, uint64_t *addr, uint64_t *size,
                          const uint8_t **data)
{
    Elf *elf = elf_memory((char *)elf_data, len);
    Elf_Scn *scn = NULL;
    size_t shstrndx;
    bool found = false;

    if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0) {
        if (elf) {
            elf_end(elf);
        }
        return false;
    }
    while (!found && (scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        const char *n;

        if (!gelf_getshdr(scn, &sh)) {
            continue;
        }
        n = elf_strptr(elf, shstrndx, sh.sh_name);
        if (n && strcmp(n, name) == 0 &&
            (sh.sh_type == SHT_NOBITS ||
             (sh.sh_offset <= len && sh.sh_size <= len - sh.sh_offset))) {
            *addr = sh.sh_addr;
            *size = sh.sh_size;
            *data = sh.sh_type == SHT_NOBITS ? NULL : elf_data + sh.sh_offset;
            found = true;
        }
    }
    elf_end(elf);
    return found;
}

bool st_vmlinux_entry_syscall(const uint8_t *elf, size_t len,
                              uint64_t *entry, GError **errp)
{
    /* [endbr64;] swapgs; mov %rsp, %gs:... */
    static const uint8_t code[] = { 0x0f, 0x01, 0xf8, 0x65, 0x48, 0x89 };
    static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
    const uint8_t *text, *p, *end;
    uint64_t addr, size;
    unsigned hits = 0;

    if (!st_vm_section(elf, len, ".text", &addr, &size, &text) || !text ||
        size < sizeof(endbr64)) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE,
                    "the vmlinux has no .text");
        return false;
    }
    end = text + size;
    for (p = text + sizeof(endbr64);
         (p = memmem(p, end - p, code, sizeof(code))); p++) {
        const uint8_t *start = memcmp(p - 4, endbr64, 4) ? p : p - 4;
        uint64_t off;

        /* the one such entry whose exit is a sysretq */
        if (end - start >= ST_SITES_CODE_LEN &&
            st_linux_find_sysret(start, ST_SITES_CODE_LEN, &off, NULL)) {
            hits++;
            *entry = addr + (start - text);
        }
    }
    if (hits != 1) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "entry_SYSCALL_64 not found by its code (%u candidates)",
                    hits);
        return false;
    }
    return true;
}

/* @name = @address, once */
static void st_add_symbol(GArray *syms, const char *name, uint64_t address)
{
    StIsfSymbol s = { .name = name, .address = address };
    unsigned i;

    for (i = 0; i < syms->len; i++) {
        if (strcmp(g_array_index(syms, StIsfSymbol, i).name, name) == 0) {
            return;
        }
    }
    g_array_append_val(syms, s);
}

/* A per-CPU variable's link-time value, from BTF or from kallsyms */
typedef struct StPercpuLookup {
    const struct btf *btf;
    uint64_t section;           /* .data..percpu's address (BTF only) */
    const StKallsyms *ks;
} StPercpuLookup;

static bool st_percpu_lookup(void *opaque, const char *var, uint64_t *value)
{
    StPercpuLookup *l = opaque;
    uint64_t off;

    if (l->ks) {
        return st_kallsyms_percpu_offset(l->ks, var, value, NULL);
    }
    if (st_btf_datasec_offset(l->btf, ".data..percpu", var, &off, NULL)) {
        *value = l->section + off;
        return true;
    }
    return false;
}

/*
 * Per-CPU value @which by the first of its alternatives: its variable
 * (not the member inside it) becomes a symbol, as in any ISF
 */
static bool st_percpu_symbol(StPercpuLookup *l, const StLinuxProfile *prof,
                             StLinuxPercpu which, GArray *syms)
{
    const StLinuxPercpuAlt *a;
    uint64_t value;
    unsigned alt;

    if (!st_linux_percpu_resolve(prof, which, st_percpu_lookup, l, &value,
                                 &alt)) {
        return false;
    }
    a = &st_linux_percpu_specs[which].alt[alt];
    st_add_symbol(syms, a->var,
                  value - (a->member < 0 ? 0 : prof->field[a->member].offset));
    return true;
}

bool st_vmlinux_symbols(const uint8_t *elf, size_t len, const struct btf *btf,
                        GArray *syms, GString *notes, GError **errp)
{
    g_autoptr(StLinuxProfile) prof = st_linux_profile_new();
    g_autofree StVmlinuxMem *m = g_new0(StVmlinuxMem, 1);
    g_autoptr(StKallsyms) ks = NULL;
    g_autoptr(GArray) from_btf = g_array_new(false, true,
                                             sizeof(StIsfSymbol));
    StPercpuLookup btf_lookup = { .btf = btf }, ks_lookup = { .btf = btf };
    const uint8_t *data;
    uint64_t entry = 0, section = 0, size;
    GError *err = NULL;
    unsigned i;
    bool btf_all = true;

    if (!st_linux_profile_fields_from_btf(prof, btf, errp)) {
        return false;
    }
    st_vm_section(elf, len, ".data..percpu", &section, &size, &data);
    btf_lookup.section = section;
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        btf_all &= st_percpu_symbol(&btf_lookup, prof, i, from_btf);
    }
    if (st_vmlinux_entry_syscall(elf, len, &entry, &err) &&
        st_vm_init(m, elf, len, &err)) {
        ks = st_kallsyms_find(&m->vm, entry, NULL, &err);
    }
    if (entry) {
        st_add_symbol(syms, "entry_SYSCALL_64", entry);
    }
    if (!ks) {
        g_string_append_printf(notes, "no kallsyms in the vmlinux (%s); ",
                               err->message);
        g_clear_error(&err);
        if (!btf_all) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "neither BTF nor kallsyms give every per-CPU "
                        "offset the tracker needs");
            return false;
        }
        g_array_append_vals(syms, from_btf->data, from_btf->len);
        g_string_append(notes, "per-CPU offsets from BTF");
        return true;
    }
    ks_lookup.ks = ks;
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        if (!st_percpu_symbol(&ks_lookup, prof, i, syms)) {
            g_autofree char *vars = st_linux_percpu_describe(i);

            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "kallsyms has no per-CPU %s (none of: %s)",
                        st_linux_percpu_specs[i].name, vars);
            return false;
        }
    }
    /* where BTF has them too, both must say the same */
    for (i = 0; i < from_btf->len; i++) {
        const StIsfSymbol *b = &g_array_index(from_btf, StIsfSymbol, i);
        unsigned j;

        for (j = 0; j < syms->len; j++) {
            const StIsfSymbol *k = &g_array_index(syms, StIsfSymbol, j);

            if (strcmp(k->name, b->name) == 0 && k->address != b->address) {
                g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                            "per-CPU %s: kallsyms says 0x%" PRIx64 ", BTF "
                            "0x%" PRIx64, b->name, k->address, b->address);
                return false;
            }
        }
    }
    g_string_append_printf(notes, "per-CPU offsets from kallsyms%s",
                           from_btf->len ? ", checked against BTF" : "");
    return true;
}
