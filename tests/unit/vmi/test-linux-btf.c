/*
 * secret-tracker: profile generator and BTF scanner on real Debian kernels
 *
 * The expected offsets come from two references that share no code with
 * the loaders: a walk of the BTF written here over libbpf, and the layout
 * a C compiler gives the types libbpf dumps as C (btf-cut.c), on every
 * kernel the guests use.  The numbers in the design notes
 * (guest-linux-x86_64.md) were taken from 6.1.0-56; they are checked too,
 * but only when that exact build is the guest's, and the test says so.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-io-uring.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"
#include "profile-gen.h"
#include "btf-cut.h"

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
                       int depth, uint64_t *bits, int *mtype,
                       unsigned *bitfield)
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
            *bitfield = btf_member_bitfield_size(t, i);
            return true;
        }
        if ((!mn || !*mn) &&
            ref_member(btf, m[i].type, name, depth + 1, &sub, mtype,
                       bitfield)) {
            *bits += btf_member_bit_offset(t, i) + sub;
            return true;
        }
    }
    return false;
}

static bool ref_path_bits(const struct btf *btf, const char *sname,
                          const char *path, uint64_t *offset, int64_t *size,
                          unsigned *bit_shift, unsigned *bit_size)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);
    int type = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
    uint64_t bits = 0;
    unsigned i, bitfield = 0;

    if (type <= 0) {
        return false;
    }
    for (i = 0; parts[i]; i++) {
        if (!ref_member(btf, type, parts[i], 0, &bits, &type, &bitfield)) {
            return false;
        }
    }
    *bit_shift = bits % 8;
    *bit_size = bitfield;
    if (bitfield) {
        /* a bitfield: the bytes that hold it (io_ring_ctx.compat) */
        *offset = bits / 8;
        *size = (bits % 8 + bitfield + 7) / 8;
        return true;
    }
    g_assert_cmpuint(bits % 8, ==, 0);
    *offset = bits / 8;
    *size = btf__resolve_size(btf, type);
    return true;
}

static bool ref_path(const struct btf *btf, const char *sname,
                     const char *path, uint64_t *offset, int64_t *size)
{
    unsigned shift, bits;

    return ref_path_bits(btf, sname, path, offset, size, &shift, &bits);
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
        unsigned shift = 0, bits = 0;
        char path[64];
        unsigned alt;
        bool have = false;

        /* the first of the member's names this kernel has */
        for (alt = 0; !have && st_linux_offset_path(i, alt, path,
                                                    sizeof(path)); alt++) {
            have = ref_path_bits(btf, st_linux_struct_names[spec->in], path,
                                 &off, &size, &shift, &bits);
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
            g_assert_cmpuint(p->field[i].bit_size, ==, bits);
            if (bits) {
                g_assert_cmpuint(p->field[i].bit_shift, ==, shift);
            }
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

/* Every field of a profile equals the compiler's layout */
static void check_against_oracle(const StLinuxProfile *p,
                                 const StBtfOracle *o)
{
    unsigned i, checked = 0;

    for (i = 0; i < ST_STRUCT__COUNT; i++) {
        g_assert_cmpint(p->struct_size[i], ==, MAX(o->struct_size[i], 0));
    }
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxFieldInfo *f = &p->field[i];

        if (o->offset[i] < 0) {
            /* absent, or a bitfield (offsetof cannot take those) */
            g_assert_true(!f->present || f->bit_size);
            continue;
        }
        g_assert_true(f->present);
        g_assert_cmpint(f->offset, ==, o->offset[i]);
        g_assert_cmpint(f->size, ==, o->size[i]);
        checked++;
    }
    /* the required fields at least: a compiler that printed nothing fails */
    g_assert_cmpuint(checked, >=, 30);
}

/* Numbers from guest-linux-x86_64.md, for linux-image-6.1.0-56-amd64 */
#define DESIGN_NOTES_BUILD "6.1.0-56-amd64"
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

/* A named enumerator anywhere in BTF (io_uring_op, the REQ_F bits...) */
static bool ref_enumerator(const struct btf *btf, const char *name,
                           int64_t *value)
{
    uint32_t id, n = btf__type_cnt(btf);

    for (id = 1; id < n; id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        const struct btf_enum *e;
        int i;

        if (!btf_is_enum(t)) {
            continue;
        }
        e = btf_enum(t);
        for (i = 0; i < btf_vlen(t); i++) {
            if (strcmp(btf__name_by_offset(btf, e[i].name_off), name) == 0) {
                *value = e[i].val;
                return true;
            }
        }
    }
    return false;
}

/*
 * The decoders' UAPI constants, in the kernel's own enums; the newest
 * io_uring opcodes only where the kernel has them
 */
static void check_decode_enums(const struct btf *btf, const char *release)
{
    static const struct {
        const char *name;
        int64_t ours;
        bool always;
    } enums[] = {
        { "IORING_OP_READV", ST_IORING_OP_READV, true },
        { "IORING_OP_WRITEV", ST_IORING_OP_WRITEV, true },
        { "IORING_OP_READ_FIXED", ST_IORING_OP_READ_FIXED, true },
        { "IORING_OP_WRITE_FIXED", ST_IORING_OP_WRITE_FIXED, true },
        { "IORING_OP_SENDMSG", ST_IORING_OP_SENDMSG, true },
        { "IORING_OP_RECVMSG", ST_IORING_OP_RECVMSG, true },
        { "IORING_OP_OPENAT", ST_IORING_OP_OPENAT, true },
        { "IORING_OP_READ", ST_IORING_OP_READ, true },
        { "IORING_OP_WRITE", ST_IORING_OP_WRITE, true },
        { "IORING_OP_SEND", ST_IORING_OP_SEND, true },
        { "IORING_OP_RECV", ST_IORING_OP_RECV, true },
        { "IORING_OP_OPENAT2", ST_IORING_OP_OPENAT2, true },
        { "IORING_OP_SPLICE", ST_IORING_OP_SPLICE, true },
        { "IORING_OP_TEE", ST_IORING_OP_TEE, true },
        { "IORING_OP_URING_CMD", ST_IORING_OP_URING_CMD, true },
        { "IORING_OP_SEND_ZC", ST_IORING_OP_SEND_ZC, true },
        { "IORING_OP_SENDMSG_ZC", ST_IORING_OP_SENDMSG_ZC, true },
        { "IORING_OP_READ_MULTISHOT", ST_IORING_OP_READ_MULTISHOT, false },
        { "IORING_OP_FIXED_FD_INSTALL", ST_IORING_OP_FIXED_FD_INSTALL,
          false },
        { "REQ_F_FIXED_FILE_BIT", ST_IOSQE_FIXED_FILE_BIT, true },
        { "IOCB_CMD_PREAD", ST_IOCB_CMD_PREAD, true },
        { "IOCB_CMD_PWRITE", ST_IOCB_CMD_PWRITE, true },
        { "IOCB_CMD_PREADV", ST_IOCB_CMD_PREADV, true },
        { "IOCB_CMD_PWRITEV", ST_IOCB_CMD_PWRITEV, true },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(enums); i++) {
        int64_t v;

        if (!ref_enumerator(btf, enums[i].name, &v)) {
            g_test_message("%s: no %s", release, enums[i].name);
            g_assert_false(enums[i].always);
            continue;
        }
        g_assert_cmpint(v, ==, enums[i].ours);
    }
}

/* Everything the syscall decoders need is there, and where */
static void check_decode_members(const StLinuxProfile *p, const char *release)
{
    static const StLinuxOffset shown[] = {
        ST_IO_KIOCB_OPCODE, ST_IO_KIOCB_FLAGS, ST_IO_KIOCB_CQE_FD,
        ST_IO_KIOCB_CTX, ST_IO_KIOCB_TASK, ST_IO_SR_MSG_ADDR,
        ST_IO_RING_CTX_COMPAT, ST_IO_RING_CTX_FILE_TABLE_FILES,
        ST_IO_RING_CTX_NR_USER_FILES, ST_PT_REGS_CS, ST_MM_STRUCT_PGD,
    };
    GError *err = NULL;
    unsigned i;

    g_assert_true(st_linux_io_uring_supported(p, &err));
    g_assert_no_error(err);
    g_assert_true(st_linux_io_uring_fixed_supported(p, &err));
    g_assert_no_error(err);
    g_assert_true(p->field[ST_MM_STRUCT_PGD].present);
    for (i = ST_PT_REGS_BX; i <= ST_PT_REGS_FLAGS; i++) {
        g_assert_true(p->field[i].present);
    }
    /* req->file and the op structs share the start of the request */
    g_assert_cmpuint(p->field[ST_IO_KIOCB_FILE].offset, ==,
                     p->field[ST_IO_KIOCB_CMD].offset);
    printf("# DECODE %s: io_kiocb %u bytes;", release,
           p->struct_size[ST_STRUCT_IO_KIOCB]);
    for (i = 0; i < G_N_ELEMENTS(shown); i++) {
        const StLinuxOffsetSpec *spec = &st_linux_offset_specs[shown[i]];

        printf(" %s.%s 0x%x/%u", st_linux_struct_names[spec->in], spec->path,
               p->field[shown[i]].offset, p->field[shown[i]].size);
    }
    printf("\n");
}

/*
 * A request laid out as this kernel lays it out (synthetic memory, the
 * kernel's profile), decoded: a fixed-file READV on a compat ring.
 */
static void check_decode_request(const StLinuxProfile *p)
{
    StSynth *s = st_synth_new(false);
    StLinuxKernel kernel = { .vm = &s->vm, .prof = p };
    uint64_t req = st_synth_alloc(s, p->struct_size[ST_STRUCT_IO_KIOCB]);
    uint64_t ctx = st_synth_alloc(s, p->struct_size[ST_STRUCT_IO_RING_CTX]);
    uint64_t task = st_synth_alloc(s, p->struct_size[ST_STRUCT_TASK_STRUCT]);
    uint64_t files = st_synth_alloc(s, 4096), file = st_synth_alloc(s, 64);
    uint64_t cmd = req + p->field[ST_IO_KIOCB_CMD].offset, got;
    const StLinuxFieldInfo *compat = &p->field[ST_IO_RING_CTX_COMPAT];
    uint8_t bits = 1 << compat->bit_shift;
    StLinuxIoUringReq r;
    GError *err = NULL;

    st_synth_set(s, p, req, ST_IO_KIOCB_OPCODE, ST_IORING_OP_READV);
    st_synth_set(s, p, req, ST_IO_KIOCB_FLAGS, 1 << ST_IOSQE_FIXED_FILE_BIT);
    st_synth_set(s, p, req, ST_IO_KIOCB_CQE_FD, 1);
    st_synth_set(s, p, req, ST_IO_KIOCB_CTX, ctx);
    st_synth_set(s, p, req, ST_IO_KIOCB_TASK, task);
    st_synth_set(s, p, cmd, ST_IO_RW_ADDR, 0x7f0000001000ULL);
    st_synth_set(s, p, cmd, ST_IO_RW_LEN, 3);
    st_synth_write(s, ctx + compat->offset, &bits, 1);
    st_synth_set(s, p, ctx, ST_IO_RING_CTX_NR_USER_FILES, 2);
    st_synth_set(s, p, ctx, ST_IO_RING_CTX_FILE_TABLE_FILES, files);
    st_synth_w64(s, files + p->struct_size[ST_STRUCT_IO_FIXED_FILE] +
                 p->field[ST_IO_FIXED_FILE_FILE_PTR].offset, file | 1);

    g_assert_true(st_linux_io_uring_read_req(&kernel, req, &r, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.nr, ==, ST_NR_READV);
    g_assert_cmphex(r.args[1], ==, 0x7f0000001000ULL);
    g_assert_cmphex(r.args[2], ==, 3);
    g_assert_true(r.compat);
    g_assert_true(r.target.fixed);
    g_assert_cmphex(r.task, ==, task);
    g_assert_true(st_linux_io_uring_file(&kernel, &r, ST_IO_URING_TARGET,
                                         &got, &err));
    g_assert_no_error(err);
    g_assert_cmphex(got, ==, file);
    st_synth_free(s);
}

static void test_generator(gconstpointer data)
{
    Kernel *k = kernel_load(data);
    StBtfOracle oracle;
    GError *err = NULL;

    if (!k) {
        return;
    }
    check_against_btf(k->isf, k->btf);
    check_decode_members(k->isf, k->release);
    check_decode_enums(k->btf, k->release);
    g_assert_true(st_btf_oracle(k->btf, &oracle, &err));
    g_assert_no_error(err);
    check_against_oracle(k->isf, &oracle);
    g_assert_nonnull(k->isf->banner);
    g_assert_true(g_str_has_prefix(k->isf->banner, "Linux version "));
    g_assert_nonnull(strstr(k->isf->banner, k->release));
    if (strcmp(k->release, DESIGN_NOTES_BUILD) == 0) {
        check_oracle_6_1_0_56(k->isf);
    } else {
        g_test_message("%s: the design notes' numbers are for "
                       DESIGN_NOTES_BUILD " only, not checked here; the "
                       "compiler's layout and libbpf are", k->release);
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
    check_decode_members(p, k->release);
    check_decode_request(p);
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
    if (strcmp(k->release, DESIGN_NOTES_BUILD) == 0) {
        g_assert_cmphex(site, ==, 0x1a7);
    } else {
        g_test_message("%s: the design notes' sysretq offset is for "
                       DESIGN_NOTES_BUILD " only, not checked here",
                       k->release);
    }
    kernel_free(k);
}

/*
 * The kernel's BTF cut down to the types a profile reads gives the same
 * profile.  With ST_FUZZ_SEED_DIR set, it is written out as seeds for the
 * fuzz-btf-profile and fuzz-btf-scan targets (data/fuzz-*).
 */
static void write_seeds(const char *dir, const Kernel *k, const void *raw,
                        uint32_t len)
{
    g_autofree char *pdir = g_build_filename(dir, "fuzz-btf-profile", NULL);
    g_autofree char *sdir = g_build_filename(dir, "fuzz-btf-scan", NULL);
    g_autofree char *name = g_strdup_printf("real-%s", k->release);
    g_autofree char *ppath = g_build_filename(pdir, name, NULL);
    g_autofree char *spath = g_build_filename(sdir, name, NULL);
    size_t image = 4096 + len;
    g_autofree uint8_t *buf = g_malloc0(sizeof(StFuzzScanHeader) + image);
    StFuzzScanHeader h = {
        .lstar = 0, .forward = image, .backward = 0, .max_size = 1 << 20,
    };
    g_autofree char *banner = g_strdup_printf("%s\n", k->isf->banner);

    g_mkdir_with_parents(pdir, 0755);
    g_mkdir_with_parents(sdir, 0755);
    g_assert_true(g_file_set_contents(ppath, raw, len, NULL));
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h) + 256, banner, strlen(banner));
    memcpy(buf + sizeof(h) + 4096, raw, len);
    g_assert_true(g_file_set_contents(spath, (char *)buf, sizeof(h) + image,
                                      NULL));
    g_test_message("seeds written: %s, %s", ppath, spath);
}

static void test_cut_down(gconstpointer data)
{
    Kernel *k = kernel_load(data);
    g_autoptr(StLinuxProfile) full = st_linux_profile_new();
    g_autoptr(StLinuxProfile) small = st_linux_profile_new();
    const char *seed_dir = g_getenv("ST_FUZZ_SEED_DIR");
    struct btf *cut, *again;
    const void *raw;
    uint32_t len;
    GError *err = NULL;

    if (!k) {
        return;
    }
    cut = st_btf_cut(k->btf);
    raw = btf__raw_data(cut, &len);
    g_assert_nonnull(raw);
    again = btf__new(raw, len);
    g_assert_nonnull(again);
    g_assert_true(st_linux_profile_from_btf(full, k->btf, &err));
    g_assert_no_error(err);
    g_assert_true(st_linux_profile_from_btf(small, again, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(small->field, sizeof(small->field), full->field,
                    sizeof(full->field));
    g_assert_cmpmem(small->struct_size, sizeof(small->struct_size),
                    full->struct_size, sizeof(full->struct_size));
    g_assert_cmpmem(small->percpu, sizeof(small->percpu), full->percpu,
                    sizeof(full->percpu));
    g_test_message("%s: BTF cut down to %u bytes", k->release, len);
    if (seed_dir) {
        write_seeds(seed_dir, k, raw, len);
    }
    btf__free(again);
    btf__free(cut);
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
        g_autofree char *cut = g_strdup_printf("/vmi/btf/%s/cut-down",
                                               kernels[i]);

        g_test_add_data_func(gen, kernels[i], test_generator);
        g_test_add_data_func(scan, kernels[i], test_scanner);
        g_test_add_data_func(sites, kernels[i], test_real_sites);
        g_test_add_data_func(cut, kernels[i], test_cut_down);
    }
    return g_test_run();
}
