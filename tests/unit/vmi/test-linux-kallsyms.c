/*
 * secret-tracker: the kallsyms reader on real Debian kernels, one per line
 *
 * Each kernel's vmlinux is laid out in a synthetic guest memory at its
 * physical addresses and mapped as the kernel maps itself; the reader
 * then finds the tables from "LSTAR" alone.  What it reports is checked
 * against facts read independently from the ELF file:
 *  - entry_SYSCALL_64: the one "swapgs; mov %rsp, %gs:..." entry whose
 *    exit is a sysretq (the code, not a symbol);
 *  - _text: the start of .text;
 *  - every exported symbol: __ksymtab and __ksymtab_gpl give name and
 *    address of each (place-relative entries, resolved here);
 *  - linux_banner, core_pattern, init_task.comm: the bytes at the address
 *    found ("Linux version RELEASE", "core", "swapper");
 *  - per-CPU offsets of current_task / pcpu_hot: BTF's .data..percpu
 *    DATASEC (libbpf) plus the section's link address.
 * Then again with the kernel moved as KASLR moves it, and with a LSTAR
 * that is not entry_SYSCALL_64.  The kernels come from guest/st-guest.sh;
 * a missing one fails the test, and so does a Debian line left out.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "elf.h"
#include "vmi-synth.h"
#include "kallsyms-synth.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"
#include "profile-gen.h"
#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"

#include <bpf/btf.h>

typedef struct Kernel {
    const char *name;       /* build/guest/NAME */
    char *release;
    uint8_t *elf;
    size_t elf_len;
    struct btf *btf;
    uint64_t text, text_size;
    uint64_t percpu_section;    /* link address of .data..percpu */
    uint64_t entry;             /* entry_SYSCALL_64, from its code */
} Kernel;

static const char *guest_dir;

static char *kernel_release(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "kernel.txt", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned i;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return NULL;
    }
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "release=")) {
            return g_strdup(lines[i] + strlen("release="));
        }
    }
    return NULL;
}

/*
 * The ELF file read directly (x86-64 host, little-endian like the
 * kernel); the headers were checked once by st_synth_from_vmlinux().
 */
static const Elf64_Ehdr *elf_header(const Kernel *k)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)k->elf;

    g_assert_cmpuint(k->elf_len, >, sizeof(*eh));
    g_assert_cmpuint(eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
                     <=, k->elf_len);
    g_assert_cmpuint(eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr),
                     <=, k->elf_len);
    return eh;
}

/* The bytes of the ELF file at virtual address @va (in a PT_LOAD) */
static const uint8_t *elf_at(const Kernel *k, uint64_t va, size_t len)
{
    const Elf64_Ehdr *eh = elf_header(k);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(k->elf + eh->e_phoff);
    unsigned i;

    for (i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr &&
            va + len <= ph[i].p_vaddr + ph[i].p_filesz) {
            return k->elf + ph[i].p_offset + (va - ph[i].p_vaddr);
        }
    }
    return NULL;
}

/* Section @name of the ELF: its address, size and bytes */
static const uint8_t *elf_section(const Kernel *k, const char *name,
                                  uint64_t *addr, uint64_t *size)
{
    const Elf64_Ehdr *eh = elf_header(k);
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(k->elf + eh->e_shoff);
    const char *names;
    unsigned i;

    g_assert_cmpuint(eh->e_shstrndx, <, eh->e_shnum);
    names = (const char *)k->elf + sh[eh->e_shstrndx].sh_offset;
    for (i = 0; i < eh->e_shnum; i++) {
        if (strcmp(names + sh[i].sh_name, name) == 0) {
            g_assert_cmpuint(sh[i].sh_offset + sh[i].sh_size, <=,
                             k->elf_len);
            *addr = sh[i].sh_addr;
            *size = sh[i].sh_size;
            return k->elf + sh[i].sh_offset;
        }
    }
    return NULL;
}

/*
 * entry_SYSCALL_64 from its code: [endbr64;] swapgs; mov %rsp, %gs:...,
 * the one such place whose exit is a sysretq.
 */
static uint64_t find_entry(Kernel *k)
{
    static const uint8_t entry[] = { 0x0f, 0x01, 0xf8, 0x65, 0x48, 0x89 };
    static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
    const uint8_t *text = k->elf, *p;
    uint64_t addr, size, found = 0;
    unsigned hits = 0;

    text = elf_section(k, ".text", &addr, &size);
    g_assert_nonnull(text);
    for (p = text + 4; (p = memmem(p, text + size - p, entry,
                                   sizeof(entry))); p++) {
        const uint8_t *start = memcmp(p - 4, endbr64, 4) ? p : p - 4;
        uint64_t off;

        if (text + size - start >= ST_SITES_CODE_LEN &&
            st_linux_find_sysret(start, ST_SITES_CODE_LEN, &off, NULL)) {
            hits++;
            found = addr + (start - text);
        }
    }
    g_assert_cmpuint(hits, ==, 1);
    return found;
}

static Kernel *kernel_load(const char *name)
{
    g_autofree char *dir = g_build_filename(guest_dir, name, NULL);
    g_autofree char *vmlinuz = g_build_filename(dir, "vmlinuz", NULL);
    g_autofree char *image = NULL;
    const uint8_t *btf_data;
    size_t btf_len;
    uint64_t size;
    Kernel *k;
    gsize len;
    GError *err = NULL;

    if (!g_file_get_contents(vmlinuz, &image, &len, NULL)) {
        g_test_message("kernel image %s is missing: build the guests "
                       "first (meson compile; guest_kernels_lines)", vmlinuz);
        g_test_fail();
        return NULL;
    }
    k = g_new0(Kernel, 1);
    k->name = name;
    k->release = kernel_release(dir);
    g_assert_nonnull(k->release);
    g_assert_true(st_linux_image_to_vmlinux((uint8_t *)image, len, &k->elf,
                                            &k->elf_len, &err));
    g_assert_no_error(err);
    g_assert_true(st_linux_vmlinux_btf(k->elf, k->elf_len, &btf_data,
                                       &btf_len, &err));
    g_assert_no_error(err);
    k->btf = btf__new(btf_data, btf_len);
    g_assert_nonnull(k->btf);
    g_assert_nonnull(elf_section(k, ".text", &k->text, &k->text_size));
    g_assert_nonnull(elf_section(k, ".data..percpu", &k->percpu_section,
                                 &size));
    k->entry = find_entry(k);
    return k;
}

static void kernel_free(Kernel *k)
{
    if (k) {
        g_free(k->release);
        g_free(k->elf);
        btf__free(k->btf);
        g_free(k);
    }
}

static bool btf_percpu(const struct btf *btf, const char *var, uint64_t *off)
{
    int id = btf__find_by_name_kind(btf, ".data..percpu", BTF_KIND_DATASEC);
    const struct btf_type *t = btf__type_by_id(btf, id);
    const struct btf_var_secinfo *vs;
    int i;

    if (id <= 0) {
        return false;
    }
    vs = btf_var_secinfos(t);
    for (i = 0; i < btf_vlen(t); i++) {
        const struct btf_type *v = btf__type_by_id(btf, vs[i].type);

        if (strcmp(btf__name_by_offset(btf, v->name_off), var) == 0) {
            *off = vs[i].offset;
            return true;
        }
    }
    return false;
}

static uint64_t btf_member_offset(const struct btf *btf, const char *sname,
                                  const char *member)
{
    int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
    const struct btf_type *t = btf__type_by_id(btf, id);
    const struct btf_member *m = btf_members(t);
    int i;

    g_assert_cmpint(id, >, 0);
    for (i = 0; i < btf_vlen(t); i++) {
        if (strcmp(btf__name_by_offset(btf, m[i].name_off), member) == 0) {
            return btf_member_bit_offset(t, i) / 8;
        }
    }
    g_assert_not_reached();
}

/* Every exported symbol of @section has the address kallsyms gives */
static unsigned check_ksymtab(const Kernel *k, const StKallsyms *ks,
                              const char *section, int64_t slide)
{
    uint64_t addr, size, i, percpu = 0;
    const uint8_t *tab = elf_section(k, section, &addr, &size);
    unsigned n = 0;

    if (!tab) {
        g_test_message("%s: no %s", k->release, section);
        return 0;
    }
    g_assert_cmpuint(size % 12, ==, 0);
    for (i = 0; i < size; i += 12) {
        uint64_t value = addr + i + (int32_t)ldl_le_p(tab + i);
        uint64_t name_va = addr + i + 4 + (int32_t)ldl_le_p(tab + i + 4);
        const char *name = (const char *)elf_at(k, name_va, 1);
        StKallsym sym;

        g_assert_nonnull(name);
        if (!st_kallsyms_lookup(ks, name, &sym)) {
            g_test_message("%s: exported %s is not in kallsyms", k->release,
                           name);
            g_test_fail();
            continue;
        }
        if (sym.percpu) {
            /* the relocated per-CPU symbols move with the kernel */
            percpu++;
            g_assert_cmphex(sym.value, ==, value + (value >> 63 ? slide : 0));
        } else {
            g_assert_cmphex(sym.value, ==, value + slide);
        }
        n++;
    }
    g_test_message("%s: %s: %u exported symbols agree (%" PRIu64
                   " per-CPU)", k->release, section, n, percpu);
    return n;
}

static void check_bytes(const Kernel *k, const StKallsyms *ks,
                        const char *name, uint64_t delta, const char *prefix)
{
    uint64_t addr;
    const uint8_t *p;
    GError *err = NULL;

    g_assert_true(st_kallsyms_address(ks, name, &addr, &err));
    g_assert_no_error(err);
    p = elf_at(k, addr + delta, strlen(prefix));
    g_assert_nonnull(p);
    g_assert_cmpmem(p, strlen(prefix), prefix, strlen(prefix));
}

/* One of @names (alternatives across versions) is a symbol */
static void need_one(const Kernel *k, const StKallsyms *ks,
                     const char *const *names, bool percpu, StKallsym *sym)
{
    unsigned i;

    for (i = 0; names[i]; i++) {
        if (st_kallsyms_lookup(ks, names[i], sym)) {
            g_assert_cmpint(sym->percpu, ==, percpu);
            g_test_message("%s: %s %c 0x%" PRIx64, k->release, sym->name,
                           sym->type, sym->value);
            return;
        }
    }
    g_test_message("%s: none of %s ... is a symbol", k->release, names[0]);
    g_assert_not_reached();
}

/* The per-CPU offsets agree with BTF (where BTF has the variable) */
static void check_percpu(const Kernel *k, const StKallsyms *ks,
                         int64_t slide)
{
    static const char *const vars[] = { "current_task", "pcpu_hot",
                                        "cpu_current_top_of_stack",
                                        "this_cpu_off", NULL };
    static const char *const cur[] = { "current_task", "pcpu_hot", NULL };
    unsigned i, checked = 0;
    StKallsym sym;

    need_one(k, ks, cur, true, &sym);
    for (i = 0; vars[i]; i++) {
        uint64_t off, want;
        GError *err = NULL;

        if (!btf_percpu(k->btf, vars[i], &want)) {
            continue;
        }
        /* linked in the image (7.x), the section moves with it */
        want += k->percpu_section + (k->percpu_section >> 63 ? slide : 0);
        g_assert_true(st_kallsyms_percpu_offset(ks, vars[i], &off, &err));
        g_assert_no_error(err);
        g_assert_cmphex(off, ==, want);
        checked++;
    }
    if (!checked) {
        g_test_message("%s: BTF has no per-CPU variables to check",
                       k->release);
    }
}

/*
 * The probe hooks the one direct call in do_syscall_64 to the syscall
 * dispatcher x64_sys_call (its return site), or on a kernel without one
 * (5.10) to syscall_enter_from_user_mode (its return site is the entry
 * hook, after ptrace).  Every kernel has one of the two.  On 5.10 the
 * next function, do_int80_syscall_32, calls it too: the code searched
 * ends where the next symbol starts.
 */
static void check_return_site(const Kernel *k, const StKallsyms *ks,
                              int64_t slide)
{
    uint64_t callee, caller, end, after;
    const char *name = "x64_sys_call";
    const uint8_t *code;
    size_t len = 1024;
    GError *err = NULL;

    if (!st_kallsyms_address(ks, name, &callee, NULL)) {
        name = "syscall_enter_from_user_mode";
        g_assert_true(st_kallsyms_address(ks, name, &callee, &err));
        g_assert_no_error(err);
    }
    g_assert_true(st_kallsyms_address(ks, "do_syscall_64", &caller, &err));
    g_assert_no_error(err);
    g_assert_true(st_linux_symbol_end(ks, caller, &end));
    g_assert_cmphex(end, >, caller);
    len = MIN(len, end - caller);
    code = elf_at(k, caller - slide, len);
    g_assert_nonnull(code);
    g_assert_true(st_linux_find_call(code, len, caller, callee, 64, &after,
                                     &err));
    g_assert_no_error(err);
    g_assert_cmphex(after, >, caller);
    g_test_message("%s: %s returns to do_syscall_64+0x%" PRIx64
                   " (of 0x%" PRIx64 ")", k->release, name, after - caller,
                   end - caller);
}

static void check_kernel(const Kernel *k, const StKallsyms *ks,
                         int64_t slide)
{
    /* functions, with their other names across versions */
    static const char *const functions[][3] = {
        { "entry_SYSCALL_64" }, { "io_issue_sqe" },
        { "vfs_coredump", "do_coredump" },
        /* 5.10 still calls through the tables */
        { "x64_sys_call", "sys_call_table" },
        { "ia32_sys_call", "ia32_sys_call_table" },
    };
    const StKallsymsLayout *l = st_kallsyms_layout(ks);
    uint64_t addr, comm;
    unsigned i;
    GError *err = NULL;

    g_assert_cmphex(l->entry_syscall_64, ==, k->entry + slide);
    g_assert_cmphex(l->text, ==, k->text + slide);
    g_assert_cmpuint(st_kallsyms_count(ks), ==, l->num_syms);
    g_assert_cmpuint(l->num_syms, >, 50000);
    g_assert_cmpuint(l->num_syms, <, 1000000);
    for (i = 0; i < G_N_ELEMENTS(functions); i++) {
        StKallsym sym;

        need_one(k, ks, functions[i], false, &sym);
        if (sym.type == 'T' || sym.type == 't') {
            g_assert_cmphex(sym.value, >=, k->text + slide);
            g_assert_cmphex(sym.value, <, k->text + k->text_size + slide);
        } else {
            g_assert_true(g_str_has_suffix(sym.name, "_table"));
        }
    }
    check_return_site(k, ks, slide);
    check_bytes(k, ks, "linux_banner", -slide, "Linux version ");
    g_assert_true(st_kallsyms_address(ks, "linux_banner", &addr, &err));
    g_assert_nonnull(strstr((const char *)elf_at(k, addr - slide, 256),
                            k->release));
    check_bytes(k, ks, "core_pattern", -slide, "core");
    comm = btf_member_offset(k->btf, "task_struct", "comm");
    check_bytes(k, ks, "init_task", comm - slide, "swapper");
    g_assert_true(st_kallsyms_address(ks, "init_top_pgt", &addr, &err));
    g_assert_cmpuint(addr % 4096, ==, 0);
    check_percpu(k, ks, slide);
    /* 7.x has one table for both */
    g_assert_cmpuint(check_ksymtab(k, ks, "__ksymtab", slide) +
                     check_ksymtab(k, ks, "__ksymtab_gpl", slide), >, 5000);
}

/* Mean time of a lookup by name, over every symbol's name (reported) */
static double lookup_ns(const StKallsyms *ks)
{
    uint32_t i, n = st_kallsyms_count(ks);
    int64_t t0 = g_get_monotonic_time();
    StKallsym sym, found;

    for (i = 0; i < n; i++) {
        g_assert_true(st_kallsyms_nth(ks, i, &sym));
        g_assert_true(st_kallsyms_lookup(ks, sym.name, &found));
        g_assert_cmpstr(found.name, ==, sym.name);
    }
    return (g_get_monotonic_time() - t0) * 1000.0 / n;
}

/*
 * Map the kernel again @slide higher, as KASLR does, and relocate what
 * the kernel relocates in kallsyms: kallsyms_relative_base.
 */
static void kaslr(const Kernel *k, StSynth *s, const StKallsymsLayout *l,
                  int64_t slide)
{
    const Elf64_Ehdr *eh = elf_header(k);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(k->elf + eh->e_phoff);
    uint64_t va, pa;
    unsigned i;

    for (i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || !(ph[i].p_vaddr >> 63)) {
            continue;
        }
        for (va = ph[i].p_vaddr & ~0x1fffffULL;
             va < ph[i].p_vaddr + ph[i].p_memsz; va += 2 << 20) {
            st_synth_map(s, va + slide, va - ph[i].p_vaddr + ph[i].p_paddr,
                         2 << 20);
        }
    }
    if (l->relative_base_va) {
        g_assert_true(st_guest_vtop(&s->vm, l->relative_base_va, &pa, NULL,
                                    NULL));
        va = cpu_to_le64(l->relative_base + slide);
        st_synth_write_phys(s, pa, &va, 8);
    }
}

/*
 * With ST_KALLSYMS_SEED_DIR set: a fuzzer seed from this kernel's table,
 * its real tokens and encoded names, cut down to a few hundred symbols
 * (the first ones, some from the middle, and a few known ones), in the
 * kernel's own layout.
 */
static void dump_seed(const Kernel *k, StSynth *s, const StKallsyms *ks)
{
    static const char *const keep[] = {
        "entry_SYSCALL_64", "current_task", "pcpu_hot", "__per_cpu_start",
        "__per_cpu_end", "x64_sys_call", "core_pattern", "init_top_pgt",
    };
    const char *dir = g_getenv("ST_KALLSYMS_SEED_DIR");
    const StKallsymsLayout *l = st_kallsyms_layout(ks);
    g_autofree KsTokens *tk = g_new0(KsTokens, 1);
    g_autofree KsSym *syms = NULL;
    g_autofree uint8_t *names = NULL;
    g_autoptr(GByteArray) in = NULL;
    g_autofree char *name = NULL;
    uint8_t index[512];
    uint64_t q = 0, base;
    unsigned i, j, m = 0;
    KsLayout layout;
    KsTables t;

    if (!dir) {
        return;
    }
    tk->size = l->token_table_size;
    g_assert_true(st_guest_read(&s->vm, l->token_table_va, tk->table,
                                tk->size, NULL));
    g_assert_true(st_guest_read(&s->vm, l->token_index_va, index, 512, NULL));
    for (i = 0; i < 256; i++) {
        tk->index[i] = lduw_le_p(index + 2 * i);
    }
    names = g_malloc(l->names_size);
    g_assert_true(st_guest_read(&s->vm, l->names_va, names, l->names_size,
                                NULL));
    syms = g_new0(KsSym, 364 + 4 * G_N_ELEMENTS(keep));
    for (i = 0; i < l->num_syms; i++) {
        unsigned len = names[q], hdr = 1;
        StKallsym sym;
        bool want = i < 64 || (i >= l->num_syms / 2 &&
                               i < l->num_syms / 2 + 300);

        if (len & 0x80) {
            len = (len & 0x7f) | names[q + 1] << 7;
            hdr = 2;
        }
        g_assert_true(st_kallsyms_nth(ks, i, &sym));
        for (j = 0; j < G_N_ELEMENTS(keep); j++) {
            want |= strcmp(sym.name, keep[j]) == 0;
        }
        if (want) {
            g_assert_cmpuint(m, <, 364 + 4 * G_N_ELEMENTS(keep));
            memcpy(syms[m].enc, names + q + hdr, len);
            syms[m].enc_len = len;
            syms[m].value = sym.value;
            syms[m].percpu = sym.percpu &&
                             l->addressing != ST_KALLSYMS_PC_RELATIVE;
            m++;
        }
        q += hdr + len;
    }
    layout = l->addressing == ST_KALLSYMS_PC_RELATIVE ? KS_LAYOUT_7 :
             l->offsets_va > l->token_index_va ? KS_LAYOUT_6_12 :
             l->seqs_of_names_va ? KS_LAYOUT_6_1 : KS_LAYOUT_5_10;
    base = l->entry_syscall_64 & ~(KS_FUZZ_PAGE - 1);
    ks_build(&t, layout, tk, syms, m, base + 0x1000, l->relative_base);
    in = ks_fuzz_input(&t, base, l->entry_syscall_64);
    name = g_strconcat("real-", k->release, NULL);
    ks_fuzz_seed(dir, name, in, m);
    g_byte_array_free(t.bytes, true);
}

static void test_kernel(gconstpointer data)
{
    Kernel *k = kernel_load(data);
    g_autoptr(StKallsyms) ks = NULL;
    const StKallsymsLayout *l;
    uint64_t text, text_size, btf_va, btf_size, btf_pa;
    const int64_t slide = 0x2a00000;
    StSynth *s;
    GError *err = NULL;

    if (!k) {
        return;
    }
    s = st_synth_from_vmlinux(k->elf, k->elf_len, &text, &text_size,
                              &btf_va, &btf_size, &btf_pa);
    ks = st_kallsyms_find(&s->vm, k->entry, NULL, &err);
    g_assert_no_error(err);
    l = st_kallsyms_layout(ks);
    /* reported, never asserted */
    printf("# KALLSYMS %s: %u symbols, %s, seqs_of_names %s; "
           "find %.1f ms + index %.1f ms (first run)\n", k->release,
           l->num_syms, st_kallsyms_addressing_name(l->addressing),
           l->seqs_of_names_va ? "yes" : "no", l->find_time_us / 1000.0,
           l->index_time_us / 1000.0);
    printf("#   num_syms 0x%" PRIx64 " names 0x%" PRIx64 " markers 0x%"
           PRIx64 " token_table 0x%" PRIx64 " token_index 0x%" PRIx64
           " offsets 0x%" PRIx64 " relative_base 0x%" PRIx64
           " seqs 0x%" PRIx64 " percpu 0x%" PRIx64 "..0x%" PRIx64 "\n",
           l->num_syms_va, l->names_va, l->markers_va, l->token_table_va,
           l->token_index_va, l->offsets_va, l->relative_base_va,
           l->seqs_of_names_va, l->percpu_start, l->percpu_end);
    check_kernel(k, ks, 0);
    dump_seed(k, s, ks);

    /* a LSTAR that is not entry_SYSCALL_64: refused as corrupt */
    g_assert_null(st_kallsyms_find(&s->vm, k->entry + 0x40, NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_assert_nonnull(strstr(err->message, "entry_SYSCALL_64"));
    g_clear_error(&err);

    /* KASLR: everything moves by the slide, per-CPU offsets up to 6.x not */
    kaslr(k, s, l, slide);
    st_kallsyms_free(ks);
    ks = st_kallsyms_find(&s->vm, k->entry + slide, NULL, &err);
    g_assert_no_error(err);
    check_kernel(k, ks, slide);
    l = st_kallsyms_layout(ks);
    printf("# KALLSYMS %s: find %.1f ms + index %.1f ms (again, KASLR); "
           "%.0f ns a lookup\n", k->release, l->find_time_us / 1000.0,
           l->index_time_us / 1000.0, lookup_ns(ks));
    st_synth_free(s);
    kernel_free(k);
}

/* The kernels given cover every Debian line */
static void test_every_line(gconstpointer data)
{
    static const char *const lines[] = { "5.10.", "6.1.", "6.12.", "7." };
    char *const *guests = (char *const *)data;
    unsigned i, j;

    for (i = 0; i < G_N_ELEMENTS(lines); i++) {
        bool seen = false;

        for (j = 0; guests[j]; j++) {
            g_autofree char *dir = g_build_filename(guest_dir, guests[j],
                                                    NULL);
            g_autofree char *release = kernel_release(dir);

            seen |= release && g_str_has_prefix(release, lines[i]);
        }
        if (!seen) {
            g_test_message("no kernel of the %sx line among the guests",
                           lines[i]);
            g_test_fail();
        }
    }
}

int main(int argc, char **argv)
{
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    guest_dir = g_getenv("ST_GUEST_DIR");
    if (!guest_dir || argc < 2) {
        fprintf(stderr, "usage: ST_GUEST_DIR=DIR %s [--tap] GUEST...\n",
                argv[0]);
        return 1;
    }
    for (i = 1; i < (unsigned)argc; i++) {
        g_autofree char *path = g_strdup_printf("/vmi/kallsyms/%s", argv[i]);

        g_test_add_data_func(path, argv[i], test_kernel);
    }
    g_test_add_data_func("/vmi/kallsyms/every-line", argv + 1,
                         test_every_line);
    return g_test_run();
}
