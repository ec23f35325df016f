/*
 * secret-tracker: profile generator and BTF scanner on real Debian kernels
 *
 * The expected offsets are read here independently, walking BTF with
 * libbpf directly, and for 6.1.0-56 also against the numbers in the
 * design notes (guest-linux-x86_64.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"
#include "profile-gen.h"

#include <bpf/btf.h>

typedef struct Kernel {
    const char *name;       /* build/guest/NAME */
    char *release;
    uint8_t *elf;
    size_t elf_len;
    char *vmlinux_path;     /* decompressed copy, for btf__parse_elf */
    struct btf *btf;        /* libbpf on the ELF file, our reference */
    StLinuxProfile *isf;    /* st-profile-gen output, loaded */
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

/* Load kernel @name, or fail the test loudly when it is not there */
static Kernel *kernel_load(const char *name)
{
    g_autofree char *dir = g_build_filename(guest_dir, name, NULL);
    g_autofree char *vmlinuz = g_build_filename(dir, "vmlinuz", NULL);
    g_autofree char *image = NULL;
    g_autofree char *json = NULL;
    g_autofree char *out = NULL, *errs = NULL;
    const char *argv[] = { profile_gen, vmlinuz, NULL, NULL };
    Kernel *k;
    gsize len;
    GError *err = NULL;
    int status, fd;

    if (!g_file_get_contents(vmlinuz, &image, &len, NULL)) {
        g_test_message("kernel image %s is missing: build the 'guests' "
                       "targets first (meson compile)", vmlinuz);
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

    fd = g_file_open_tmp("st-vmlinux-XXXXXX", &k->vmlinux_path, &err);
    g_assert_no_error(err);
    close(fd);
    g_assert_true(g_file_set_contents(k->vmlinux_path, (char *)k->elf,
                                      k->elf_len, &err));
    k->btf = btf__parse_elf(k->vmlinux_path, NULL);
    g_assert_nonnull(k->btf);

    fd = g_file_open_tmp("st-isf-XXXXXX.json", &json, &err);
    g_assert_no_error(err);
    close(fd);
    argv[2] = json;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                               &out, &errs, &status, &err));
    g_assert_no_error(err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_test_message("st-profile-gen failed: %s", errs);
        g_assert_not_reached();
    }
    k->isf = st_linux_profile_load_isf(json, &err);
    g_assert_no_error(err);
    unlink(json);
    g_test_message("%s: %s", name, k->release);
    return k;
}

static void kernel_free(Kernel *k)
{
    if (k) {
        unlink(k->vmlinux_path);
        g_free(k->vmlinux_path);
        g_free(k->release);
        g_free(k->elf);
        btf__free(k->btf);
        st_linux_profile_free(k->isf);
        g_free(k);
    }
}

/*
 * Independent reference: offset (bits) of a dotted member path, walking
 * BTF members ourselves, through anonymous structs and unions.
 */
static bool ref_member(const struct btf *btf, int type_id, const char *name,
                       int depth, uint64_t *bits, int *mtype)
{
    const struct btf_type *t;
    const struct btf_member *m;
    int i;

    type_id = btf__resolve_type(btf, type_id);
    t = btf__type_by_id(btf, type_id);
    if (depth > 10 || !t || !(btf_is_struct(t) || btf_is_union(t))) {
        return false;
    }
    m = btf_members(t);
    for (i = 0; i < btf_vlen(t); i++) {
        const char *mn = btf__name_by_offset(btf, m[i].name_off);
        uint64_t sub = 0;

        if (mn && strcmp(mn, name) == 0) {
            *bits += btf_member_bit_offset(t, i);
            *mtype = m[i].type;
            return true;
        }
        if ((!mn || !*mn) &&
            ref_member(btf, m[i].type, name, depth + 1, &sub, mtype)) {
            *bits += btf_member_bit_offset(t, i) + sub;
            return true;
        }
    }
    return false;
}

static bool ref_path(const struct btf *btf, const char *sname,
                     const char *path, uint64_t *offset, int64_t *size)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);
    int type = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
    uint64_t bits = 0;
    unsigned i;

    if (type <= 0) {
        return false;
    }
    for (i = 0; parts[i]; i++) {
        if (!ref_member(btf, type, parts[i], 0, &bits, &type)) {
            return false;
        }
    }
    g_assert_cmpuint(bits % 8, ==, 0);
    *offset = bits / 8;
    *size = btf__resolve_size(btf, type);
    return true;
}

static bool ref_percpu(const struct btf *btf, const char *var, uint64_t *off)
{
    int id = btf__find_by_name_kind(btf, ".data..percpu", BTF_KIND_DATASEC);
    const struct btf_type *t = btf__type_by_id(btf, id);
    const struct btf_var_secinfo *vs = btf_var_secinfos(t);
    int i;

    for (i = 0; i < btf_vlen(t); i++) {
        const struct btf_type *v = btf__type_by_id(btf, vs[i].type);

        if (strcmp(btf__name_by_offset(btf, v->name_off), var) == 0) {
            *off = vs[i].offset;
            return true;
        }
    }
    return false;
}

/* Every field of a profile equals the libbpf reference */
static void check_against_btf(const StLinuxProfile *p, const struct btf *btf)
{
    uint64_t off, hot;
    int64_t size;
    unsigned i;

    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        int id = btf__find_by_name_kind(btf, st_linux_struct_names[i],
                                        BTF_KIND_STRUCT);

        g_assert_cmpint(p->struct_size[i], ==,
                        id > 0 ? btf__resolve_size(btf, id) : 0);
    }
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxOffsetSpec *spec = &st_linux_offset_specs[i];
        char path[64];
        unsigned alt;
        bool have = false;

        /* the first of the member's names this kernel has */
        for (alt = 0; !have && st_linux_offset_path(i, alt, path,
                                                    sizeof(path)); alt++) {
            have = ref_path(btf, st_linux_struct_names[spec->in], path,
                            &off, &size);
        }

        if (!have) {
            g_test_message("%s.%s: not in this kernel",
                           st_linux_struct_names[spec->in], spec->path);
            g_assert_true(spec->optional);
        }
        g_assert_cmpint(p->field[i].present, ==, have);
        if (have) {
            g_assert_cmphex(p->field[i].offset, ==, off);
            g_assert_cmpint(p->field[i].size, ==, size);
        }
    }
    if (ref_percpu(btf, "current_task", &off)) {
        g_assert_cmphex(p->percpu[ST_PERCPU_CURRENT_TASK], ==, off);
    } else {
        g_assert_true(ref_percpu(btf, "pcpu_hot", &hot));
        g_assert_true(ref_path(btf, "pcpu_hot", "current_task", &off, &size));
        g_assert_cmphex(p->percpu[ST_PERCPU_CURRENT_TASK], ==, hot + off);
    }
    if (ref_percpu(btf, "cpu_current_top_of_stack", &off)) {
        g_assert_cmphex(p->percpu[ST_PERCPU_TOP_OF_STACK], ==, off);
    } else {
        g_assert_true(ref_percpu(btf, "pcpu_hot", &hot));
        g_assert_true(ref_path(btf, "pcpu_hot", "top_of_stack", &off, &size));
        g_assert_cmphex(p->percpu[ST_PERCPU_TOP_OF_STACK], ==, hot + off);
    }
}

/* Numbers from guest-linux-x86_64.md, for linux-image-6.1.0-56-amd64 */
static const struct {
    StLinuxOffset f;
    uint32_t offset;
} oracle_6_1_0_56[] = {
    { ST_TASK_STRUCT_PID, 0x970 },
    { ST_TASK_STRUCT_TGID, 0x974 },
    { ST_TASK_STRUCT_REAL_PARENT, 0x980 },
    { ST_TASK_STRUCT_MM, 0x8e0 },
    { ST_TASK_STRUCT_START_TIME, 0xad8 },
    { ST_TASK_STRUCT_COMM, 0xba0 },
    { ST_TASK_STRUCT_FS, 0xbe0 },
    { ST_TASK_STRUCT_FILES, 0xbe8 },
    { ST_FILES_STRUCT_FDT, 0x20 },
    { ST_FDTABLE_MAX_FDS, 0x0 },
    { ST_FDTABLE_FD, 0x8 },
    { ST_FILE_F_PATH_MNT, 0x10 },
    { ST_FILE_F_PATH_DENTRY, 0x18 },
    { ST_FILE_F_INODE, 0x20 },
    { ST_FILE_F_FLAGS, 0x40 },
    { ST_FILE_F_MODE, 0x44 },
    { ST_FILE_PRIVATE_DATA, 0xc8 },
    { ST_DENTRY_D_PARENT, 0x18 },
    { ST_DENTRY_D_NAME_LEN, 0x24 },
    { ST_DENTRY_D_NAME_NAME, 0x28 },
    { ST_DENTRY_D_INODE, 0x30 },
    { ST_DENTRY_D_INAME, 0x38 },
    { ST_INODE_I_MODE, 0x0 },
    { ST_INODE_I_SB, 0x28 },
    { ST_INODE_I_INO, 0x40 },
    { ST_INODE_I_SIZE, 0x50 },
    { ST_SUPER_BLOCK_S_DEV, 0x10 },
    { ST_SUPER_BLOCK_S_ID, 0x3c8 },
    { ST_MOUNT_MNT_PARENT, 0x10 },
    { ST_MOUNT_MNT_MOUNTPOINT, 0x18 },
    { ST_MOUNT_MNT, 0x20 },
    { ST_SOCKET_SK, 0x18 },
    { ST_SOCK_COMMON_SKC_DADDR, 0x0 },
    { ST_SOCK_COMMON_SKC_RCV_SADDR, 0x4 },
    { ST_SOCK_COMMON_SKC_DPORT, 0xc },
    { ST_SOCK_COMMON_SKC_NUM, 0xe },
    { ST_SOCK_COMMON_SKC_FAMILY, 0x10 },
    { ST_SOCK_COMMON_SKC_V6_DADDR, 0x38 },
};

static void check_oracle_6_1_0_56(const StLinuxProfile *p)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(oracle_6_1_0_56); i++) {
        g_assert_true(p->field[oracle_6_1_0_56[i].f].present);
        g_assert_cmphex(p->field[oracle_6_1_0_56[i].f].offset, ==,
                        oracle_6_1_0_56[i].offset);
    }
    g_assert_cmpuint(p->field[ST_TASK_STRUCT_COMM].size, ==, 16);
    g_assert_cmpuint(p->field[ST_FDTABLE_MAX_FDS].size, ==, 4);
    g_assert_cmpuint(p->field[ST_INODE_I_MODE].size, ==, 2);
    g_assert_cmpuint(p->field[ST_SUPER_BLOCK_S_DEV].size, ==, 4);
    g_assert_cmphex(p->percpu[ST_PERCPU_CURRENT_TASK], ==, 0x1fb80);
}

static void test_generator(gconstpointer data)
{
    Kernel *k = kernel_load(data);

    if (!k) {
        return;
    }
    check_against_btf(k->isf, k->btf);
    g_assert_nonnull(k->isf->banner);
    g_assert_true(g_str_has_prefix(k->isf->banner, "Linux version "));
    g_assert_nonnull(strstr(k->isf->banner, k->release));
    if (strcmp(k->release, "6.1.0-56-amd64") == 0) {
        check_oracle_6_1_0_56(k->isf);
    } else {
        g_test_message("%s: no oracle numbers for this kernel, libbpf only",
                       k->release);
    }
    kernel_free(k);
}

static void test_scanner(gconstpointer data)
{
    Kernel *k = kernel_load(data);
    uint64_t text, text_size, btf_va, btf_size, btf_pa, lstar;
    g_autoptr(StLinuxProfile) p = NULL, again = NULL;
    g_autofree char *banner = NULL;
    StBtfScanOptions small;
    StSynth *s;
    GError *err = NULL;

    if (!k) {
        return;
    }
    s = st_synth_from_vmlinux(k->elf, k->elf_len, &text, &text_size,
                              &btf_va, &btf_size, &btf_pa);
    /* a "LSTAR" three quarters into .text, where the entry code lives */
    lstar = text + (text_size * 3 / 4 & ~0xfULL);

    st_linux_profile_cache_clear();
    p = st_linux_profile_auto(&s->vm, lstar, NULL, &err);
    g_assert_no_error(err);
    g_assert_nonnull(p);
    g_assert_false(p->from_cache);
    g_assert_cmpint(p->source, ==, ST_PROFILE_SOURCE_BTF);
    g_assert_cmphex(p->btf_paddr, ==, btf_pa);
    g_assert_cmpuint(p->btf_size, ==, btf_size);
    check_against_btf(p, k->btf);
    banner = st_linux_banner_in_buffer(k->elf, k->elf_len);
    g_assert_cmpstr(p->banner, ==, banner);
    g_assert_cmpstr(p->banner, ==, k->isf->banner);
    /* reported, never asserted */
    g_test_message("%s: BTF (%" PRIu64 " bytes at phys 0x%" PRIx64
                   ") found and parsed in %" PRId64 " us",
                   k->release, p->btf_size, p->btf_paddr, p->btf_time_us);
    printf("# TIMING %s: find+parse BTF %.1f ms (%" PRIu64 " bytes)\n",
           k->release, p->btf_time_us / 1000.0, p->btf_size);

    /* the same kernel again: from the cache */
    again = st_linux_profile_auto(&s->vm, lstar, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(again->from_cache);
    g_assert_cmpmem(again->field, sizeof(again->field), p->field,
                    sizeof(p->field));

    /* a window that does not reach BTF: a clear error naming profile= */
    st_linux_profile_cache_clear();
    st_btf_scan_options_default(&small);
    small.forward = 1 << 20;
    small.backward = 0;
    g_assert_null(st_linux_profile_auto(&s->vm, text, &small, &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF);
    g_assert_nonnull(strstr(err->message, "profile="));
    g_assert_nonnull(strstr(err->message, "st-profile-gen"));
    g_clear_error(&err);

    st_synth_free(s);
    kernel_free(k);
}

/*
 * The real entry_SYSCALL_64: [endbr64;] swapgs; mov %rsp, %gs:...  The
 * vmlinux file is not patched by alternatives, unlike guest memory.
 */
static void test_real_sites(gconstpointer data)
{
    static const uint8_t entry[] = { 0x0f, 0x01, 0xf8, 0x65, 0x48, 0x89 };
    static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
    Kernel *k = kernel_load(data);
    const uint8_t *p, *end;
    unsigned found = 0;
    uint64_t site = 0;

    if (!k) {
        return;
    }
    end = k->elf + k->elf_len;
    for (p = k->elf + 4; (p = memmem(p, end - p, entry, sizeof(entry)));
         p++) {
        const uint8_t *start = memcmp(p - 4, endbr64, 4) ? p : p - 4;
        uint64_t off;
        GError *err = NULL;

        if (end - start >= ST_SITES_CODE_LEN &&
            st_linux_find_sysret(start, ST_SITES_CODE_LEN, &off, &err)) {
            found++;
            site = off;
        }
        g_clear_error(&err);
    }
    g_assert_cmpuint(found, ==, 1);
    g_test_message("%s: sysretq at entry_SYSCALL_64 + 0x%" PRIx64,
                   k->release, site);
    printf("# SITE %s: sysretq at entry_SYSCALL_64 + 0x%" PRIx64 "\n",
           k->release, site);
    if (strcmp(k->release, "6.1.0-56-amd64") == 0) {
        g_assert_cmphex(site, ==, 0x1a7);
    }
    kernel_free(k);
}

int main(int argc, char **argv)
{
    static const char *const kernels[] = { "demo", "extra1" };
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    guest_dir = g_getenv("ST_GUEST_DIR");
    profile_gen = g_getenv("ST_PROFILE_GEN");
    if (!guest_dir || !profile_gen) {
        fprintf(stderr, "set ST_GUEST_DIR and ST_PROFILE_GEN\n");
        return 1;
    }
    for (i = 0; i < G_N_ELEMENTS(kernels); i++) {
        g_autofree char *gen = g_strdup_printf("/vmi/btf/%s/generator-oracle",
                                               kernels[i]);
        g_autofree char *scan = g_strdup_printf("/vmi/btf/%s/scanner",
                                                kernels[i]);
        g_autofree char *sites = g_strdup_printf("/vmi/btf/%s/sysret-site",
                                                 kernels[i]);

        g_test_add_data_func(gen, kernels[i], test_generator);
        g_test_add_data_func(scan, kernels[i], test_scanner);
        g_test_add_data_func(sites, kernels[i], test_real_sites);
    }
    return g_test_run();
}
