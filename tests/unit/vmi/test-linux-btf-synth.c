/*
 * secret-tracker: BTF profiles and the BTF scanner on synthetic BTF
 *
 * The BTF is written here with libbpf's writer API to the synthetic
 * layout (vmi-synth.c), with anonymous unions and structs, a bitfield,
 * and the names of each kernel line: per-CPU variables plain (6.1, 7.x),
 * in pcpu_hot (6.2 to 6.12) or absent (5.10, whose stack top is the
 * TSS's sp1), dentry.d_iname or 7.x's union d_shortname.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"

#include <bpf/btf.h>

typedef struct Types {
    int u8, u16, u32, u64, ptr;
} Types;

static int add_struct(struct btf *btf, const char *name, uint32_t size)
{
    int id = btf__add_struct(btf, name, size);

    g_assert_cmpint(id, >, 0);
    return id;
}

static void field(struct btf *btf, const char *name, int type, uint32_t off)
{
    g_assert_cmpint(btf__add_field(btf, name, type, off * 8, 0), ==, 0);
}

static int array(struct btf *btf, const Types *t, int elem, uint32_t n)
{
    int id = btf__add_array(btf, t->u32, elem, n);

    g_assert_cmpint(id, >, 0);
    return id;
}

static int int_of_size(const Types *t, uint32_t size)
{
    switch (size) {
    case 1:
        return t->u8;
    case 2:
        return t->u16;
    case 4:
        return t->u32;
    default:
        g_assert_cmpuint(size, ==, 8);
        return t->u64;
    }
}

/* The plain (undotted) fields of @in, as in the synthetic profile */
static void plain_fields(struct btf *btf, const Types *t,
                         const StLinuxProfile *p, StLinuxStruct in,
                         const int *struct_type)
{
    unsigned i;

    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxOffsetSpec *spec = &st_linux_offset_specs[i];
        const StLinuxFieldInfo *f = &p->field[i];
        int type;

        if (spec->in != in || strchr(spec->path, '.') || !f->present ||
            i == ST_SOCKET_TYPE) {
            continue;
        }
        switch (f->kind) {
        case ST_FIELD_KIND_PTR:
            type = t->ptr;
            break;
        case ST_FIELD_KIND_ARRAY:
            type = struct_type[i] ? struct_type[i]
                                  : array(btf, t, t->u8, f->size);
            break;
        case ST_FIELD_KIND_STRUCT:
            type = struct_type[i];
            break;
        default:
            type = int_of_size(t, f->size);
        }
        g_assert_cmpint(type, >, 0);
        field(btf, spec->path, type, f->offset);
    }
}

/*
 * Fields go to the last type added, so the types a struct needs (arrays,
 * nested structs) are created before it.
 */
/* Which kernel line's names the synthetic BTF uses */
typedef enum SynthLine {
    LINE_5_10,      /* no per-CPU variables; cpu_tss_rw.x86_tss.sp1 */
    LINE_6_1,       /* current_task, cpu_current_top_of_stack */
    LINE_6_12,      /* pcpu_hot */
    LINE_7,         /* as 6.1, and dentry.d_shortname.string */
} SynthLine;

static struct btf *synth_btf(const StLinuxProfile *p, SynthLine line)
{
    bool pcpu_hot = line == LINE_6_12;
    struct btf *btf = btf__new_empty();
    Types t;
    int st[ST_OFFSET__COUNT] = { 0 };
    int vfsmount, path, qstr, anon_s, anon_u, skc, sock, sun, sun_arr;
    int skc_addr_s, skc_addr_u, skc_port_s, v6, var1, var2, sec, hot = 0;
    int hlist_head, hlist_node, list_head, d_u;
    int i;
    const StLinuxStruct simple[] = {
        ST_STRUCT_TASK_STRUCT, ST_STRUCT_FILES_STRUCT, ST_STRUCT_FDTABLE,
        ST_STRUCT_INODE, ST_STRUCT_SUPER_BLOCK, ST_STRUCT_MOUNT,
        ST_STRUCT_UNIX_SOCK, ST_STRUCT_UNIX_ADDRESS, ST_STRUCT_PT_REGS,
    };

    g_assert_nonnull(btf);
    t.u8 = btf__add_int(btf, "unsigned char", 1, 0);
    t.u16 = btf__add_int(btf, "short unsigned int", 2, 0);
    t.u32 = btf__add_int(btf, "unsigned int", 4, 0);
    t.u64 = btf__add_int(btf, "long long unsigned int", 8, 0);
    t.ptr = btf__add_ptr(btf, 0);

    vfsmount = add_struct(btf, "vfsmount", p->struct_size[ST_STRUCT_VFSMOUNT]);
    field(btf, "mnt_root", t.ptr, p->field[ST_VFSMOUNT_MNT_ROOT].offset);
    path = add_struct(btf, "path", 16);
    field(btf, "mnt", t.ptr, 0);
    field(btf, "dentry", t.ptr, 8);

    /*
     * struct qstr {
     *     union { struct { u32 hash, len; }; u64 hash_len; };
     *     const unsigned char *name;
     * };
     */
    anon_s = add_struct(btf, NULL, 8);
    field(btf, "hash", t.u32, 0);
    field(btf, "len", t.u32, 4);
    anon_u = btf__add_union(btf, NULL, 8);
    field(btf, NULL, anon_s, 0);
    field(btf, "hash_len", t.u64, 0);
    qstr = add_struct(btf, "qstr", 16);
    field(btf, NULL, anon_u, 0);
    field(btf, "name", t.ptr, 8);

    /* sock_common with its anonymous address and port unions */
    skc_addr_s = add_struct(btf, NULL, 8);
    field(btf, "skc_daddr", t.u32, 0);
    field(btf, "skc_rcv_saddr", t.u32, 4);
    skc_addr_u = btf__add_union(btf, NULL, 8);
    field(btf, "skc_addrpair", t.u64, 0);
    field(btf, NULL, skc_addr_s, 0);
    skc_port_s = add_struct(btf, NULL, 4);
    field(btf, "skc_dport", t.u16, 0);
    field(btf, "skc_num", t.u16, 2);
    v6 = array(btf, &t, t.u8, 16);
    skc = add_struct(btf, "sock_common", p->struct_size[ST_STRUCT_SOCK_COMMON]);
    field(btf, NULL, skc_addr_u, p->field[ST_SOCK_COMMON_SKC_DADDR].offset);
    field(btf, NULL, skc_port_s, p->field[ST_SOCK_COMMON_SKC_DPORT].offset);
    field(btf, "skc_family", t.u16, p->field[ST_SOCK_COMMON_SKC_FAMILY].offset);
    field(btf, "skc_v6_daddr", v6,
          p->field[ST_SOCK_COMMON_SKC_V6_DADDR].offset);
    field(btf, "skc_v6_rcv_saddr", v6,
          p->field[ST_SOCK_COMMON_SKC_V6_RCV_SADDR].offset);
    sock = add_struct(btf, "sock", p->struct_size[ST_STRUCT_SOCK]);
    field(btf, "__sk_common", skc, p->field[ST_SOCK_SK_COMMON].offset);
    field(btf, "sk_socket", t.ptr, p->field[ST_SOCK_SK_SOCKET].offset);
    add_struct(btf, "fs_struct", p->struct_size[ST_STRUCT_FS_STRUCT]);
    field(btf, "pwd", path, p->field[ST_FS_STRUCT_PWD_MNT].offset);
    field(btf, "root", path, p->field[ST_FS_STRUCT_ROOT_MNT].offset);

    i = array(btf, &t, t.u8, 108);
    sun = add_struct(btf, "sockaddr_un", p->struct_size[ST_STRUCT_SOCKADDR_UN]);
    field(btf, "sun_family", t.u16, 0);
    field(btf, "sun_path", i, p->field[ST_SOCKADDR_UN_SUN_PATH].offset);
    sun_arr = array(btf, &t, sun, 1);

    /* socket: "type" is a 16-bit bitfield here */
    add_struct(btf, "socket", p->struct_size[ST_STRUCT_SOCKET]);
    field(btf, "sk", t.ptr, p->field[ST_SOCKET_SK].offset);
    field(btf, "file", t.ptr, p->field[ST_SOCKET_FILE].offset);
    g_assert_cmpint(btf__add_field(btf, "type", t.u32,
                                   p->field[ST_SOCKET_TYPE].offset * 8, 16),
                    ==, 0);

    add_struct(btf, "coredump_params",
               p->struct_size[ST_STRUCT_COREDUMP_PARAMS]);
    field(btf, "file", t.ptr, p->field[ST_COREDUMP_PARAMS_FILE].offset);

    add_struct(btf, "file", p->struct_size[ST_STRUCT_FILE]);
    field(btf, "f_path", path, p->field[ST_FILE_F_PATH_MNT].offset);
    field(btf, "f_inode", t.ptr, p->field[ST_FILE_F_INODE].offset);
    field(btf, "f_flags", t.u32, p->field[ST_FILE_F_FLAGS].offset);
    field(btf, "f_mode", t.u32, p->field[ST_FILE_F_MODE].offset);
    field(btf, "private_data", t.ptr, p->field[ST_FILE_PRIVATE_DATA].offset);

    i = array(btf, &t, t.u8, p->field[ST_DENTRY_D_INAME].size);
    if (line == LINE_7) {
        /* union shortname_store { unsigned char string[]; ... } */
        int words = array(btf, &t, t.u64,
                          p->field[ST_DENTRY_D_INAME].size / 8);

        anon_u = btf__add_union(btf, "shortname_store",
                                p->field[ST_DENTRY_D_INAME].size);
        field(btf, "string", i, 0);
        field(btf, "words", words, 0);
        i = anon_u;
    }
    /* hard links: dentry.d_u.d_alias, inode.i_dentry (lists) */
    hlist_head = add_struct(btf, "hlist_head", 8);
    field(btf, "first", t.ptr, 0);
    hlist_node = add_struct(btf, "hlist_node", 16);
    field(btf, "next", t.ptr, 0);
    field(btf, "pprev", t.ptr, 8);
    list_head = add_struct(btf, "list_head", 16);
    field(btf, "next", t.ptr, 0);
    field(btf, "prev", t.ptr, 8);
    d_u = btf__add_union(btf, NULL, 16);
    field(btf, "d_alias", hlist_node, 0);
    add_struct(btf, "dentry", p->struct_size[ST_STRUCT_DENTRY]);
    field(btf, "d_parent", t.ptr, p->field[ST_DENTRY_D_PARENT].offset);
    field(btf, "d_name", qstr, p->field[ST_DENTRY_D_NAME_LEN].offset - 4);
    field(btf, "d_inode", t.ptr, p->field[ST_DENTRY_D_INODE].offset);
    field(btf, line == LINE_7 ? "d_shortname" : "d_iname", i,
          p->field[ST_DENTRY_D_INAME].offset);
    field(btf, "d_u", d_u, p->field[ST_DENTRY_D_ALIAS_NEXT].offset);
    /* children: list_heads up to 6.7, hlists from 6.8 */
    field(btf, line >= LINE_6_12 ? "d_children" : "d_subdirs",
          line >= LINE_6_12 ? hlist_head : list_head,
          p->field[ST_DENTRY_D_SUBDIRS].offset);
    field(btf, line >= LINE_6_12 ? "d_sib" : "d_child",
          line >= LINE_6_12 ? hlist_node : list_head,
          p->field[ST_DENTRY_D_CHILD].offset);

    st[ST_MOUNT_MNT] = vfsmount;
    st[ST_UNIX_SOCK_SK] = sock;
    st[ST_UNIX_ADDRESS_NAME] = sun_arr;
    st[ST_TASK_STRUCT_COMM] = array(btf, &t, t.u8, 16);
    st[ST_SUPER_BLOCK_S_ID] = array(btf, &t, t.u8, 32);
    for (i = 0; i < (int)G_N_ELEMENTS(simple); i++) {
        add_struct(btf, st_linux_struct_names[simple[i]],
                   p->struct_size[simple[i]]);
        plain_fields(btf, &t, p, simple[i], st);
        if (simple[i] == ST_STRUCT_INODE) {
            field(btf, "i_dentry", hlist_head,
                  p->field[ST_INODE_I_DENTRY_FIRST].offset);
        }
        /* a filesystem's mounts: lists up to 6.x, then pointers */
        if (simple[i] == ST_STRUCT_SUPER_BLOCK) {
            field(btf, "s_mounts", line == LINE_7 ? t.ptr : list_head,
                  p->field[ST_SUPER_BLOCK_S_MOUNTS].offset);
        }
        if (simple[i] == ST_STRUCT_MOUNT) {
            field(btf, line == LINE_7 ? "mnt_next_for_sb" : "mnt_instance",
                  line == LINE_7 ? t.ptr : list_head,
                  p->field[ST_MOUNT_MNT_SB_NEXT].offset);
            field(btf, "mnt_mounts", list_head,
                  p->field[ST_MOUNT_MNT_MOUNTS].offset);
            field(btf, "mnt_child", list_head,
                  p->field[ST_MOUNT_MNT_CHILD].offset);
        }
    }

    if (line == LINE_5_10) {
        /* struct tss_struct { struct x86_hw_tss x86_tss; } (packed) */
        hot = add_struct(btf, "x86_hw_tss", 0x68);
        field(btf, "sp0", t.u64, 4);
        field(btf, "sp1", t.u64, 0xc);
        add_struct(btf, "tss_struct", 0x5000);
        field(btf, "x86_tss", hot, 0);
        return btf;     /* 5.10's BTF has no per-CPU variables */
    }
    if (pcpu_hot) {
        hot = add_struct(btf, "pcpu_hot", 64);
        field(btf, "current_task", t.ptr, 0);
        field(btf, "top_of_stack", t.u64, 0x18);
        var1 = btf__add_var(btf, "pcpu_hot", BTF_VAR_GLOBAL_ALLOCATED, hot);
        var2 = btf__add_var(btf, "cpu_number", BTF_VAR_GLOBAL_ALLOCATED,
                            t.u32);
    } else {
        var1 = btf__add_var(btf, "current_task", BTF_VAR_GLOBAL_ALLOCATED,
                            t.ptr);
        var2 = btf__add_var(btf, "cpu_current_top_of_stack",
                            BTF_VAR_GLOBAL_ALLOCATED, t.u64);
    }
    sec = btf__add_datasec(btf, ".data..percpu", 0x10000);
    g_assert_cmpint(sec, >, 0);
    if (pcpu_hot) {
        g_assert_cmpint(btf__add_datasec_var_info(btf, var1, 0x32100, 64),
                        ==, 0);
        g_assert_cmpint(btf__add_datasec_var_info(btf, var2, 0x32200, 4),
                        ==, 0);
    } else {
        g_assert_cmpint(btf__add_datasec_var_info(
            btf, var1, p->percpu[ST_PERCPU_CURRENT_TASK], 8), ==, 0);
        g_assert_cmpint(btf__add_datasec_var_info(
            btf, var2, p->percpu[ST_PERCPU_TOP_OF_STACK], 8), ==, 0);
    }
    return btf;
}

/*
 * With ST_FUZZ_SEED_DIR set, BTF made here is also written out as a seed
 * for the fuzz-btf-profile target (data/fuzz-btf-profile).
 */
static void write_seed(const char *name, struct btf *btf)
{
    const char *dir = g_getenv("ST_FUZZ_SEED_DIR");
    g_autofree char *sub = NULL, *path = NULL;
    const void *raw;
    uint32_t len;

    if (!dir) {
        return;
    }
    raw = btf__raw_data(btf, &len);
    sub = g_build_filename(dir, "fuzz-btf-profile", NULL);
    path = g_build_filename(sub, name, NULL);
    g_mkdir_with_parents(sub, 0755);
    g_assert_true(g_file_set_contents(path, raw, len, NULL));
}

static void check_profile(const StLinuxProfile *got, const StLinuxProfile *p)
{
    unsigned i;

    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        if (i == ST_PCPU_HOT_CURRENT_TASK || i == ST_PCPU_HOT_TOP_OF_STACK ||
            i == ST_TSS_STRUCT_X86_TSS_SP1) {
            continue;
        }
        g_assert_cmpint(got->field[i].present, ==, p->field[i].present);
        g_assert_cmphex(got->field[i].offset, ==, p->field[i].offset);
        g_assert_cmpuint(got->field[i].size, ==, p->field[i].size);
        g_assert_cmpuint(got->field[i].kind, ==, p->field[i].kind);
        g_assert_cmpuint(got->field[i].bit_size, ==,
                         i == ST_SOCKET_TYPE ? 16 : 0);
    }
}

static void test_profile_from_btf(void)
{
    g_autoptr(StLinuxProfile) p = st_synth_profile();
    g_autoptr(StLinuxProfile) got = st_linux_profile_new();
    struct btf *btf = synth_btf(p, LINE_6_1);
    GError *err = NULL;

    write_seed("synth", btf);
    g_assert_true(st_linux_profile_from_btf(got, btf, &err));
    g_assert_no_error(err);
    check_profile(got, p);
    g_assert_cmphex(got->percpu[ST_PERCPU_CURRENT_TASK], ==,
                    p->percpu[ST_PERCPU_CURRENT_TASK]);
    g_assert_cmphex(got->percpu[ST_PERCPU_TOP_OF_STACK], ==,
                    p->percpu[ST_PERCPU_TOP_OF_STACK]);
    g_assert_cmpuint(got->field[ST_DENTRY_D_SUBDIRS].alt, ==, 0);
    g_assert_false(got->field[ST_PCPU_HOT_CURRENT_TASK].present);
    btf__free(btf);
}

static void test_pcpu_hot(void)
{
    g_autoptr(StLinuxProfile) p = st_synth_profile();
    g_autoptr(StLinuxProfile) got = st_linux_profile_new();
    struct btf *btf = synth_btf(p, LINE_6_12);
    GError *err = NULL;

    write_seed("synth-pcpu-hot", btf);
    g_assert_true(st_linux_profile_from_btf(got, btf, &err));
    g_assert_no_error(err);
    check_profile(got, p);
    g_assert_cmphex(got->percpu[ST_PERCPU_CURRENT_TASK], ==, 0x32100);
    g_assert_cmphex(got->percpu[ST_PERCPU_TOP_OF_STACK], ==, 0x32118);
    /* 6.8+: the children hlists, by their alternative names */
    g_assert_cmpuint(got->field[ST_DENTRY_D_SUBDIRS].alt, ==, 1);
    g_assert_cmpuint(got->field[ST_DENTRY_D_CHILD].alt, ==, 1);
    btf__free(btf);
}

/* 7.x: dentry.d_iname is d_shortname.string, by the alternative name */
static void test_d_shortname(void)
{
    g_autoptr(StLinuxProfile) p = st_synth_profile();
    g_autoptr(StLinuxProfile) got = st_linux_profile_new();
    struct btf *btf = synth_btf(p, LINE_7);
    GError *err = NULL;

    g_assert_true(st_linux_profile_from_btf(got, btf, &err));
    g_assert_no_error(err);
    check_profile(got, p);
    g_assert_cmpuint(got->field[ST_DENTRY_D_INAME].alt, ==, 1);
    g_assert_cmpuint(got->field[ST_DENTRY_D_INAME].kind, ==,
                     ST_FIELD_KIND_ARRAY);
    btf__free(btf);
}

/* 5.10: no per-CPU variables in BTF; the TSS member resolves */
static void test_no_percpu(void)
{
    g_autoptr(StLinuxProfile) p = st_synth_profile();
    g_autoptr(StLinuxProfile) got = st_linux_profile_new();
    struct btf *btf = synth_btf(p, LINE_5_10);
    GError *err = NULL;

    g_assert_false(st_linux_profile_from_btf(got, btf, &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING);
    g_assert_nonnull(strstr(err->message, "per-CPU"));
    g_assert_nonnull(strstr(err->message, "pcpu_hot.current_task"));
    g_clear_error(&err);
    g_assert_true(st_linux_profile_fields_from_btf(got, btf, &err));
    g_assert_no_error(err);
    g_assert_cmpint(got->percpu_from, ==, ST_PERCPU_FROM_NONE);
    g_assert_true(got->field[ST_TSS_STRUCT_X86_TSS_SP1].present);
    g_assert_cmphex(got->field[ST_TSS_STRUCT_X86_TSS_SP1].offset, ==, 0xc);
    check_profile(got, p);
    btf__free(btf);
}

/* Missing optional members turn off their feature, and only it */
static void test_features(void)
{
    g_autoptr(StLinuxProfile) p = st_synth_profile();
    g_autofree char *why = NULL;
    GError *err = NULL;
    char path[64];
    unsigned i;

    for (i = 0; i < ST_FEATURE__COUNT; i++) {
        g_assert_null(st_linux_profile_feature_missing(p, i));
    }
    p->field[ST_SOCK_COMMON_SKC_V6_RCV_SADDR].present = false;
    for (i = 0; i < ST_FEATURE__COUNT; i++) {
        g_autofree char *r = st_linux_profile_feature_missing(p, i);

        g_assert_cmpint(r != NULL, ==, i == ST_FEATURE_IPV6_ADDRESSES);
    }
    why = st_linux_profile_feature_missing(p, ST_FEATURE_IPV6_ADDRESSES);
    g_assert_nonnull(strstr(why, "sock_common.skc_v6_rcv_saddr"));
    g_assert_null(strstr(why, "skc_v6_daddr"));
    g_assert_cmpstr(st_linux_feature_name(ST_FEATURE_IPV6_ADDRESSES), ==,
                    "ipv6-addresses");
    /* optional: the profile is still complete */
    g_assert_true(st_linux_profile_check(p, NULL));
    p->field[ST_DENTRY_D_INAME].present = false;
    g_assert_false(st_linux_profile_check(p, &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING);
    g_assert_cmpstr(err->message, ==, "profile lacks dentry.d_iname (or "
                    "d_shortname.string), which the tracker needs");
    g_clear_error(&err);

    /* the alternatives of a path, one by one */
    g_assert_true(st_linux_offset_path(ST_DENTRY_D_INAME, 1, path,
                                       sizeof(path)));
    g_assert_cmpstr(path, ==, "d_shortname.string");
    g_assert_false(st_linux_offset_path(ST_DENTRY_D_INAME, 2, path,
                                        sizeof(path)));
    g_assert_false(st_linux_offset_path(ST_DENTRY_D_INAME, 1, path, 8));
}

static void test_missing_member(void)
{
    g_autoptr(StLinuxProfile) p = st_synth_profile();
    g_autoptr(StLinuxProfile) got = st_linux_profile_new();
    struct btf *btf = btf__new_empty();
    GError *err = NULL;

    /* a task_struct without pid */
    btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
    btf__add_struct(btf, "task_struct", 64);
    btf__add_field(btf, "tgid", 1, 0, 0);
    g_assert_false(st_linux_profile_from_btf(got, btf, &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING);
    g_assert_nonnull(strstr(err->message, "pid"));
    g_clear_error(&err);
    btf__free(btf);
}

/*
 * Hostile anonymous members (issue 10 item 3): a guest's BTF is guest
 * data.  Without a visited set the member search is exponential (32
 * anonymous members per level, 8 levels), so each case hangs before the
 * fix; the test harness's timeout catches that.
 */
static void anon_fields(struct btf *btf, int type, int n, uint32_t off)
{
    int i;

    for (i = 0; i < n; i++) {
        g_assert_cmpint(btf__add_field(btf, NULL, type, off * 8, 0), ==, 0);
    }
}

/*
 * task_struct (with tgid, without pid unless @pid) over a fan-out: 32
 * anonymous members of fan0 at offset 8, fan0..fan6 each 32 of the next,
 * fan7 holding pid at 4 when @pid.  Type ids are known in advance, since
 * fields go to the last type added: int is 1, fan7 2, ..., fan0 9.
 */
static struct btf *fan_btf(bool pid)
{
    struct btf *btf = btf__new_empty();
    int i, id;

    g_assert_cmpint(btf__add_int(btf, "int", 4, BTF_INT_SIGNED), ==, 1);
    for (i = 7; i >= 0; i--) {
        g_autofree char *name = g_strdup_printf("fan%d", i);

        id = add_struct(btf, name, 64);
        g_assert_cmpint(id, ==, 9 - i);
        if (i == 7) {
            if (pid) {
                field(btf, "pid", 1, 4);
            }
        } else {
            anon_fields(btf, id - 1, 32, 8);
        }
    }
    add_struct(btf, "task_struct", 256);
    field(btf, "tgid", 1, 0);
    anon_fields(btf, 9, 32, 8);
    return btf;
}

static void test_hostile_anonymous(void)
{
    struct btf *btf = btf__new_empty();
    StBtfStep steps[ST_BTF_MAX_STEPS];
    GError *err = NULL;
    unsigned n;
    int ts;

    /* task_struct holds itself 32 times, and has no pid */
    btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
    ts = add_struct(btf, "task_struct", 64);
    field(btf, "tgid", 1, 0);
    anon_fields(btf, ts, 32, 0);
    write_seed("regress-anonymous-self", btf);
    g_assert_false(st_btf_resolve_path(btf, "task_struct", "pid", steps, &n,
                                       &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_SHAPE);
    g_assert_nonnull(strstr(err->message, "contains itself"));
    g_assert_nonnull(strstr(err->message, "task_struct"));
    g_clear_error(&err);
    btf__free(btf);

    /* a fan-out 9 levels deep without pid: missing, found out quickly */
    btf = fan_btf(false);
    write_seed("regress-anonymous-fan-out", btf);
    g_assert_false(st_btf_resolve_path(btf, "task_struct", "pid", steps, &n,
                                       &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING);
    g_clear_error(&err);
    btf__free(btf);

    /* with pid at the bottom: found, at the summed offset */
    btf = fan_btf(true);
    g_assert_true(st_btf_resolve_path(btf, "task_struct", "pid", steps, &n,
                                      &err));
    g_assert_no_error(err);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpuint(steps[0].bit_offset, ==, (8 * 8 + 4) * 8);
    btf__free(btf);
}

/* 10000 distinct anonymous structs: the search budget ends it */
static void test_search_budget(void)
{
    struct btf *btf = btf__new_empty();
    StBtfStep steps[ST_BTF_MAX_STEPS];
    GError *err = NULL;
    unsigned n;
    int i;

    btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
    for (i = 0; i < 10000; i++) {
        add_struct(btf, NULL, 4);
        field(btf, "x", 1, 0);
    }
    add_struct(btf, "task_struct", 64);
    for (i = 0; i < 10000; i++) {
        g_assert_cmpint(btf__add_field(btf, NULL, 2 + i, 0, 0), ==, 0);
    }
    g_assert_false(st_btf_resolve_path(btf, "task_struct", "pid", steps, &n,
                                       &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE);
    g_assert_nonnull(strstr(err->message, "steps"));
    g_clear_error(&err);
    btf__free(btf);
}

#define LSTAR 0xffffffff81e00080ULL
#define KERNEL_PHYS 0x1000000ULL
#define BANNER "Linux version 9.9.9-synthetic (st@test) #1 SMP"

/* Kernel text mapped at 16 MiB, BTF and a banner some MiB later */
static StSynth *kernel_image(const void *raw, uint32_t raw_len,
                             uint64_t btf_pa)
{
    StSynth *s = st_synth_new(false);
    uint64_t va = LSTAR & ~0x1fffffULL;
    static const uint8_t code[] = { 0x0f, 0x01, 0xf8 };

    st_synth_map(s, va, KERNEL_PHYS, 2 << 20);
    st_synth_write_phys(s, KERNEL_PHYS + (LSTAR & 0x1fffff), code, 3);
    st_synth_write_phys(s, btf_pa - 0x10000, BANNER "\n", sizeof(BANNER));
    st_synth_write_phys(s, btf_pa, raw, raw_len);
    return s;
}

static void fake_header(StSynth *s, uint64_t pa, uint32_t type_len,
                        uint32_t str_len)
{
    uint8_t h[24] = { 0x9f, 0xeb, 1, 0, 24, 0, 0, 0 };
    uint32_t v[4] = { 0, type_len, type_len, str_len };

    memcpy(h + 8, v, sizeof(v));
    st_synth_write_phys(s, pa, h, sizeof(h));
}

static void test_scan(void)
{
    g_autoptr(StLinuxProfile) p = st_synth_profile();
    g_autoptr(StLinuxProfile) got = NULL, again = NULL;
    g_autofree char *desc = NULL;
    struct btf *btf = synth_btf(p, LINE_6_1);
    struct btf *other = btf__new_empty();
    uint32_t raw_len, other_len;
    const void *raw = btf__raw_data(btf, &raw_len);
    const void *other_raw;
    uint64_t btf_pa = KERNEL_PHYS + (20 << 20) + 0x1b88;
    StSynth *s = kernel_image(raw, raw_len, btf_pa);
    GError *err = NULL;

    /* before the real one: junk sizes, then a BTF without task_struct */
    fake_header(s, btf_pa - 0x9000, 0x7fffffff, 0x7fffffff);
    fake_header(s, btf_pa - 0x8000, 16, 16);
    btf__add_int(other, "int", 4, BTF_INT_SIGNED);
    other_raw = btf__raw_data(other, &other_len);
    st_synth_write_phys(s, btf_pa - 0x4000, other_raw, other_len);

    st_linux_profile_cache_clear();
    got = st_linux_profile_auto(&s->vm, LSTAR, NULL, &err);
    g_assert_no_error(err);
    g_assert_nonnull(got);
    g_assert_cmphex(got->btf_paddr, ==, btf_pa);
    g_assert_cmpuint(got->btf_size, ==, raw_len);
    g_assert_cmpstr(got->banner, ==, BANNER);
    g_assert_cmpint(got->source, ==, ST_PROFILE_SOURCE_BTF);
    g_assert_false(got->from_cache);
    check_profile(got, p);

    again = st_linux_profile_auto(&s->vm, LSTAR, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(again->from_cache);
    check_profile(again, p);
    desc = st_linux_profile_describe(again);
    g_assert_true(g_str_has_prefix(desc, "btf (guest memory), kernel \""
                                   BANNER "\", per-CPU offsets from btf"));
    g_assert_nonnull(strstr(desc, ", BTF "));
    g_assert_true(g_str_has_suffix(desc, " ms (cached)"));

    /* LSTAR not mapped */
    g_assert_null(st_linux_profile_auto(&s->vm, LSTAR + (2 << 20), NULL,
                                        &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    st_synth_free(s);
    btf__free(btf);
    btf__free(other);
}

static void test_scan_hostile(void)
{
    g_autoptr(StLinuxProfile) p = st_synth_profile();
    struct btf *btf = synth_btf(p, LINE_6_1);
    uint32_t raw_len;
    const void *raw = btf__raw_data(btf, &raw_len);
    uint64_t btf_pa = KERNEL_PHYS + (24 << 20);
    StSynth *s = kernel_image(raw, raw_len, btf_pa);
    uint8_t *blob;
    size_t size;
    uint64_t paddr;
    int64_t t0;
    GError *err = NULL;
    int i;

    /* 300 plausible headers in front of the real BTF: the scan gives up */
    for (i = 0; i < 300; i++) {
        fake_header(s, KERNEL_PHYS + (4 << 20) + i * 0x1000, 64, 64);
    }
    t0 = g_get_monotonic_time();
    g_assert_false(st_btf_scan(&s->mem, KERNEL_PHYS, NULL, &blob, &size,
                               &paddr, &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF);
    g_assert_nonnull(strstr(err->message, "gave up"));
    g_clear_error(&err);
    g_test_message("hostile scan: %" PRId64 " us",
                   g_get_monotonic_time() - t0);

    /* nothing in range at all */
    g_assert_false(st_btf_scan(&s->mem, 0x100000000ULL, NULL, &blob, &size,
                               &paddr, &err));
    g_assert_error(err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF);
    g_clear_error(&err);
    st_synth_free(s);
    btf__free(btf);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/btf-synth/profile", test_profile_from_btf);
    g_test_add_func("/vmi/btf-synth/pcpu-hot", test_pcpu_hot);
    g_test_add_func("/vmi/btf-synth/missing-member", test_missing_member);
    g_test_add_func("/vmi/btf-synth/hostile-anonymous",
                    test_hostile_anonymous);
    g_test_add_func("/vmi/btf-synth/search-budget", test_search_budget);
    g_test_add_func("/vmi/btf-synth/d-shortname", test_d_shortname);
    g_test_add_func("/vmi/btf-synth/no-percpu", test_no_percpu);
    g_test_add_func("/vmi/btf-synth/features", test_features);
    g_test_add_func("/vmi/btf-synth/scan", test_scan);
    g_test_add_func("/vmi/btf-synth/scan-hostile", test_scan_hostile);
    return g_test_run();
}
