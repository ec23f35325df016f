/*
 * secret-tracker: the auto profile and the generated ISF agree, on the
 * real kernel of every Debian line (issue 12)
 *
 * For each kernel: st-profile-gen writes an ISF from its vmlinuz; the
 * vmlinux is laid out in a synthetic guest memory, moved as KASLR moves
 * it; the auto profile is taken from that memory alone (BTF found from
 * LSTAR, per-CPU offsets from the kernel's kallsyms), and the ISF is
 * bound to the same LSTAR.  Both must give the same struct sizes, the
 * same members (offset, size, kind, which alternative name) and the same
 * per-CPU offsets; the per-CPU offsets are also checked against BTF's
 * .data..percpu and the section's link address where BTF has them.  A
 * second boot at another slide is served from the cache, moved.  Then
 * the kernel's BTF is wiped from memory: the auto profile must fail
 * naming BTF and the ISF route, and the ISF must still serve.
 *
 * The kernels come from guest/st-guest.sh; a missing one fails the test,
 * and so does a Debian line left out.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "vmi-synth.h"
#include "profile-gen.h"
#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"

#include <bpf/btf.h>
#include <gelf.h>
#include <libelf.h>

typedef struct Kernel {
    const char *name;       /* build/guest/NAME */
    char *release;
    uint8_t *elf;
    size_t elf_len;
    struct btf *btf;
    StLinuxProfile *isf;
    uint64_t entry;         /* entry_SYSCALL_64, link address */
    uint64_t percpu_section;
} Kernel;

static const char *guest_dir;
static const char *profile_gen;

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

/* The ISF st-profile-gen writes for @vmlinuz, loaded */
static StLinuxProfile *generate_isf(const char *vmlinuz)
{
    g_autofree char *json = NULL, *out = NULL, *errs = NULL;
    const char *argv[] = { profile_gen, vmlinuz, NULL, NULL };
    StLinuxProfile *isf;
    GError *err = NULL;
    int status, fd;

    fd = g_file_open_tmp("st-isf-XXXXXX.json", &json, &err);
    g_assert_no_error(err);
    close(fd);
    argv[2] = json;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                               &out, &errs, &status, &err));
    g_assert_no_error(err);
    g_test_message("%s", errs);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    isf = st_linux_profile_load_isf(json, &err);
    g_assert_no_error(err);
    unlink(json);
    return isf;
}

/* Section @name's address and size (the ELF's own headers) */
static bool elf_section(const Kernel *k, const char *name, uint64_t *addr,
                        uint64_t *size)
{
    Elf *elf = elf_memory((char *)k->elf, k->elf_len);
    Elf_Scn *scn = NULL;
    size_t shstrndx;
    bool found = false;

    g_assert_nonnull(elf);
    g_assert_cmpint(elf_getshdrstrndx(elf, &shstrndx), ==, 0);
    while (!found && (scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;

        g_assert_nonnull(gelf_getshdr(scn, &sh));
        if (strcmp(elf_strptr(elf, shstrndx, sh.sh_name), name) == 0) {
            *addr = sh.sh_addr;
            *size = sh.sh_size;
            found = true;
        }
    }
    elf_end(elf);
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
    g_assert_true(st_vmlinux_entry_syscall(k->elf, k->elf_len, &k->entry,
                                           &err));
    g_assert_no_error(err);
    g_assert_true(elf_section(k, ".data..percpu", &k->percpu_section,
                              &size));
    k->isf = generate_isf(vmlinuz);
    return k;
}

static void kernel_free(Kernel *k)
{
    if (k) {
        g_free(k->release);
        g_free(k->elf);
        btf__free(k->btf);
        st_linux_profile_free(k->isf);
        g_free(k);
    }
}

/*
 * Map the kernel image again @slide higher, as KASLR does, and relocate
 * what the kernel relocates in kallsyms: kallsyms_relative_base (@l: the
 * layout found in the unmoved kernel)
 */
static void kaslr(const Kernel *k, StSynth *s, const StKallsymsLayout *l,
                  int64_t slide)
{
    Elf *elf = elf_memory((char *)k->elf, k->elf_len);
    size_t n, i;
    uint64_t va, pa;

    g_assert_cmpint(elf_getphdrnum(elf, &n), ==, 0);
    for (i = 0; i < n; i++) {
        GElf_Phdr ph;

        g_assert_nonnull(gelf_getphdr(elf, i, &ph));
        if (ph.p_type != PT_LOAD || !(ph.p_vaddr >> 63)) {
            continue;
        }
        for (va = ph.p_vaddr & ~0x1fffffULL; va < ph.p_vaddr + ph.p_memsz;
             va += 2 << 20) {
            st_synth_map(s, va + slide, va - ph.p_vaddr + ph.p_paddr,
                         2 << 20);
        }
    }
    elf_end(elf);
    if (l->relative_base_va) {
        g_assert_true(st_guest_vtop(&s->vm, l->relative_base_va, &pa, NULL,
                                    NULL));
        va = cpu_to_le64(l->relative_base + slide);
        st_synth_write_phys(s, pa, &va, 8);
    }
}

/* The two profiles give the same layout */
static void check_same(const StLinuxProfile *a, const StLinuxProfile *b)
{
    unsigned i;

    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        /* the ISF has a struct only where a member we read needs it */
        if (b->struct_size[i]) {
            g_assert_cmpuint(a->struct_size[i], ==, b->struct_size[i]);
        }
    }
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxFieldInfo *x = &a->field[i], *y = &b->field[i];
        g_autofree char *name = st_linux_offset_describe(i);

        if (x->present != y->present) {
            g_test_message("%s: %s in one profile only", name,
                           x->present ? "auto" : "ISF");
        }
        g_assert_cmpint(x->present, ==, y->present);
        if (!x->present) {
            continue;
        }
        g_assert_cmpuint(x->alt, ==, y->alt);
        g_assert_cmphex(x->offset, ==, y->offset);
        g_assert_cmpuint(x->size, ==, y->size);
        g_assert_cmpuint(x->kind, ==, y->kind);
        g_assert_cmpuint(x->bit_shift, ==, y->bit_shift);
        g_assert_cmpuint(x->bit_size, ==, y->bit_size);
    }
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        g_assert_cmpuint(a->percpu_alt[i], ==, b->percpu_alt[i]);
        g_assert_cmphex(a->percpu[i], ==, b->percpu[i]);
    }
    g_assert_cmpstr(a->banner, ==, b->banner);
}

/*
 * Where BTF has the per-CPU variable: its offset in .data..percpu plus
 * the section's address, which moves with the kernel when it is in the
 * image (7.x) and is 0 otherwise.
 */
static void check_percpu_btf(const Kernel *k, const StLinuxProfile *p,
                             int64_t slide)
{
    uint64_t off, section = k->percpu_section;
    unsigned i, alt;

    if (section >> 63) {
        section += slide;
    }
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        if (!st_linux_profile_percpu_btf(k->btf, p, i, &off, &alt)) {
            g_test_message("%s: BTF has no per-CPU %s", k->release,
                           st_linux_percpu_specs[i].name);
            continue;
        }
        g_assert_cmphex(p->percpu[i], ==, section + off);
    }
}

/*
 * Which name each renamed member has here (reported); every member of
 * every feature is there on Debian's kernels
 */
static void report_names(const Kernel *k, const StLinuxProfile *p)
{
    g_autoptr(GString) s = g_string_new(NULL);
    char path[64];
    unsigned i;

    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        if (strchr(st_linux_offset_specs[i].path, '|') &&
            p->field[i].present &&
            st_linux_offset_path(i, p->field[i].alt, path, sizeof(path))) {
            g_string_append_printf(s, " %s.%s",
                st_linux_struct_names[st_linux_offset_specs[i].in], path);
        }
    }
    for (i = 0; i < ST_FEATURE__COUNT; i++) {
        g_autofree char *why = st_linux_profile_feature_missing(p, i);

        if (why) {
            g_test_message("%s: %s is off: %s", k->release,
                           st_linux_feature_name(i), why);
            g_test_fail();
        }
    }
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        const StLinuxPercpuAlt *a =
            &st_linux_percpu_specs[i].alt[p->percpu_alt[i]];

        g_string_append_printf(s, " %s%s%s = 0x%" PRIx64, a->var,
                               a->member < 0 ? "" : ".",
                               a->member < 0 ? "" :
                               st_linux_offset_specs[a->member].path,
                               p->percpu[i]);
    }
    printf("# NAMES %s:%s (per-CPU from %s)\n", k->release, s->str,
           st_linux_percpu_source_name(p->percpu_from));
}

/*
 * kallsyms and a BTF whose per-CPU section has this kernel's variable at
 * another offset: the profile is refused, not half-used
 */
static void check_disagreement(const Kernel *k, const StLinuxProfile *p,
                               const StKallsyms *ks, uint64_t lstar)
{
    const StLinuxPercpuAlt *a =
        &st_linux_percpu_specs[ST_PERCPU_CURRENT_TASK].alt[
            p->percpu_alt[ST_PERCPU_CURRENT_TASK]];
    g_autoptr(StLinuxProfile) copy = st_linux_profile_copy(p);
    struct btf *btf = btf__new_empty();
    int u64 = btf__add_int(btf, "long unsigned int", 8, 0);
    int var = btf__add_var(btf, a->var, BTF_VAR_GLOBAL_ALLOCATED, u64);
    GError *err = NULL;

    g_assert_cmpint(btf__add_datasec(btf, ".data..percpu", 0x1000), >, 0);
    g_assert_cmpint(btf__add_datasec_var_info(btf, var, 0x10, 8), ==, 0);
    g_assert_false(st_linux_profile_percpu_from_kallsyms(copy, ks, btf, lstar,
                                                         &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_assert_nonnull(strstr(err->message, "disagree"));
    g_clear_error(&err);
    btf__free(btf);
}

static void check_bind(const Kernel *k, const StLinuxProfile *p,
                       uint64_t lstar)
{
    g_autoptr(StLinuxProfile) copy = st_linux_profile_copy(p);
    bool in_image = st_linux_percpu_in_image(p->percpu[0]);
    GError *err = NULL;

    g_assert_cmpint(in_image, ==, k->percpu_section >> 63);
    g_assert_cmpint(st_linux_profile_bind(copy, lstar + 0x1000, &err), ==,
                    !in_image);
    if (in_image) {
        g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE);
        g_clear_error(&err);
    }
    g_assert_cmphex(copy->percpu[0], ==, p->percpu[0]);
}

static void test_line(gconstpointer data)
{
    Kernel *k = kernel_load(data);
    g_autoptr(StKallsyms) ks = NULL, unmoved = NULL;
    g_autoptr(StLinuxProfile) auto_prof = NULL, isf = NULL, again = NULL;
    g_autoptr(StLinuxProfile) given = NULL;
    uint64_t text, text_size, btf_va, btf_size, btf_pa;
    const int64_t slide = 0x1e00000, slide2 = 0x3a400000;
    StSynth *s;
    GError *err = NULL;

    if (!k) {
        return;
    }
    s = st_synth_from_vmlinux(k->elf, k->elf_len, &text, &text_size,
                              &btf_va, &btf_size, &btf_pa);
    unmoved = st_kallsyms_find(&s->vm, k->entry, NULL, &err);
    g_assert_no_error(err);
    kaslr(k, s, st_kallsyms_layout(unmoved), slide);

    st_linux_profile_cache_clear();
    auto_prof = st_linux_profile_auto(&s->vm, k->entry + slide, NULL, &err);
    g_assert_no_error(err);
    g_assert_false(auto_prof->from_cache);
    g_assert_true(auto_prof->percpu_from == ST_PERCPU_FROM_KALLSYMS ||
                  auto_prof->percpu_from == ST_PERCPU_FROM_BOTH);
    isf = st_linux_profile_for_kernel(&s->vm, k->entry + slide, k->isf, NULL,
                                      &err);
    g_assert_no_error(err);
    check_same(auto_prof, isf);
    check_percpu_btf(k, auto_prof, slide);
    report_names(k, auto_prof);
    /* reported, never asserted */
    printf("# PROFILE %s: BTF %.1f ms, kallsyms %.1f ms (synthetic memory)"
           "\n", k->release, auto_prof->btf_time_us / 1000.0,
           auto_prof->kallsyms_time_us / 1000.0);

    /* the probe's kallsyms, given: the same profile, nothing searched */
    st_linux_profile_cache_clear();
    ks = st_kallsyms_find(&s->vm, k->entry + slide, NULL, &err);
    g_assert_no_error(err);
    given = st_linux_profile_for_kernel(&s->vm, k->entry + slide, NULL, ks,
                                        &err);
    g_assert_no_error(err);
    g_assert_cmpint(given->kallsyms_time_us, ==, 0);
    check_same(given, isf);

    /* a BTF that puts the per-CPU variable elsewhere: refused */
    check_disagreement(k, given, ks, k->entry + slide);
    /* in-image per-CPU offsets cannot move by less than 2 MiB */
    check_bind(k, given, k->entry + slide);

    /* another boot, another slide: from the cache, moved with it */
    kaslr(k, s, st_kallsyms_layout(unmoved), slide2);
    again = st_linux_profile_auto(&s->vm, k->entry + slide2, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(again->from_cache);
    g_assert_cmpint(st_linux_profile_time_us(again), ==, 0);
    check_percpu_btf(k, again, slide2);
    st_linux_profile_free(isf);
    isf = st_linux_profile_for_kernel(&s->vm, k->entry + slide2, k->isf,
                                      NULL, &err);
    g_assert_no_error(err);
    check_same(again, isf);
    /* and what the cache moved is what a fresh look finds */
    st_linux_profile_cache_clear();
    st_linux_profile_free(again);
    again = st_linux_profile_auto(&s->vm, k->entry + slide2, NULL, &err);
    g_assert_no_error(err);
    g_assert_false(again->from_cache);
    check_same(again, isf);

    st_synth_free(s);
    kernel_free(k);
}

/*
 * A kernel without BTF (here: its .BTF wiped in memory): the auto profile
 * fails naming BTF and the ISF route; the ISF still serves.
 */
static void test_no_btf(gconstpointer data)
{
    Kernel *k = kernel_load(data);
    g_autoptr(StLinuxProfile) isf = NULL;
    g_autofree uint8_t *zero = NULL;
    uint64_t text, text_size, btf_va, btf_size, btf_pa;
    StSynth *s;
    GError *err = NULL;

    if (!k) {
        return;
    }
    s = st_synth_from_vmlinux(k->elf, k->elf_len, &text, &text_size,
                              &btf_va, &btf_size, &btf_pa);
    zero = g_malloc0(btf_size);
    st_synth_write_phys(s, btf_pa, zero, btf_size);
    st_linux_profile_cache_clear();
    g_assert_null(st_linux_profile_for_kernel(&s->vm, k->entry, NULL, NULL,
                                              &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF);
    g_test_message("%s", err->message);
    g_assert_nonnull(strstr(err->message, "BTF"));
    g_assert_nonnull(strstr(err->message, "profile="));
    g_assert_nonnull(strstr(err->message, "st-profile-gen"));
    g_clear_error(&err);

    isf = st_linux_profile_for_kernel(&s->vm, k->entry, k->isf, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmphex(isf->percpu[ST_PERCPU_CURRENT_TASK], ==,
                    k->isf->percpu[ST_PERCPU_CURRENT_TASK]);
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
    elf_version(EV_CURRENT);
    guest_dir = g_getenv("ST_GUEST_DIR");
    profile_gen = g_getenv("ST_PROFILE_GEN");
    if (!guest_dir || !profile_gen || argc < 2) {
        fprintf(stderr, "usage: ST_GUEST_DIR=DIR ST_PROFILE_GEN=TOOL %s "
                "[--tap] GUEST...\n", argv[0]);
        return 1;
    }
    for (i = 1; i < (unsigned)argc; i++) {
        g_autofree char *path = g_strdup_printf("/vmi/lines/%s", argv[i]);

        g_test_add_data_func(path, argv[i], test_line);
    }
    g_test_add_data_func("/vmi/lines/no-btf", argv[1], test_no_btf);
    g_test_add_data_func("/vmi/lines/every-line", argv + 1,
                         test_every_line);
    return g_test_run();
}
