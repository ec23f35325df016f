/*
 * secret-tracker: Linux kernel profile from BTF, found in guest memory
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

#include <bpf/btf.h>
#include <lzma.h>

GQuark st_profile_error_quark(void)
{
    return g_quark_from_static_string("st-profile-error-quark");
}

const char *const st_linux_struct_names[ST_LS__COUNT] = {
    [ST_LS_TASK_STRUCT] = "task_struct",
    [ST_LS_FILES_STRUCT] = "files_struct",
    [ST_LS_FDTABLE] = "fdtable",
    [ST_LS_FILE] = "file",
    [ST_LS_DENTRY] = "dentry",
    [ST_LS_INODE] = "inode",
    [ST_LS_SUPER_BLOCK] = "super_block",
    [ST_LS_VFSMOUNT] = "vfsmount",
    [ST_LS_MOUNT] = "mount",
    [ST_LS_SOCKET] = "socket",
    [ST_LS_SOCK] = "sock",
    [ST_LS_SOCK_COMMON] = "sock_common",
    [ST_LS_UNIX_SOCK] = "unix_sock",
    [ST_LS_UNIX_ADDRESS] = "unix_address",
    [ST_LS_SOCKADDR_UN] = "sockaddr_un",
    [ST_LS_PT_REGS] = "pt_regs",
    [ST_LS_PCPU_HOT] = "pcpu_hot",
    [ST_LS_FS_STRUCT] = "fs_struct",
};

#define F(s, p) { ST_LS_##s, p, false }
#define OPT(s, p) { ST_LS_##s, p, true }

const StLinuxFieldSpec st_linux_field_specs[ST_LF__COUNT] = {
    [ST_LF_TASK_PID] = F(TASK_STRUCT, "pid"),
    [ST_LF_TASK_TGID] = F(TASK_STRUCT, "tgid"),
    [ST_LF_TASK_REAL_PARENT] = F(TASK_STRUCT, "real_parent"),
    [ST_LF_TASK_MM] = F(TASK_STRUCT, "mm"),
    [ST_LF_TASK_START_TIME] = F(TASK_STRUCT, "start_time"),
    [ST_LF_TASK_COMM] = F(TASK_STRUCT, "comm"),
    [ST_LF_TASK_FS] = F(TASK_STRUCT, "fs"),
    [ST_LF_TASK_FILES] = F(TASK_STRUCT, "files"),
    [ST_LF_FILES_FDT] = F(FILES_STRUCT, "fdt"),
    [ST_LF_FDT_MAX_FDS] = F(FDTABLE, "max_fds"),
    [ST_LF_FDT_FD] = F(FDTABLE, "fd"),
    [ST_LF_FILE_PATH_MNT] = F(FILE, "f_path.mnt"),
    [ST_LF_FILE_PATH_DENTRY] = F(FILE, "f_path.dentry"),
    [ST_LF_FILE_INODE] = F(FILE, "f_inode"),
    [ST_LF_FILE_FLAGS] = F(FILE, "f_flags"),
    [ST_LF_FILE_MODE] = F(FILE, "f_mode"),
    [ST_LF_FILE_PRIVATE_DATA] = F(FILE, "private_data"),
    [ST_LF_DENTRY_PARENT] = F(DENTRY, "d_parent"),
    [ST_LF_DENTRY_NAME_LEN] = F(DENTRY, "d_name.len"),
    [ST_LF_DENTRY_NAME_NAME] = F(DENTRY, "d_name.name"),
    [ST_LF_DENTRY_INODE] = F(DENTRY, "d_inode"),
    [ST_LF_DENTRY_INAME] = F(DENTRY, "d_iname"),
    [ST_LF_INODE_MODE] = F(INODE, "i_mode"),
    [ST_LF_INODE_SB] = F(INODE, "i_sb"),
    [ST_LF_INODE_INO] = F(INODE, "i_ino"),
    [ST_LF_INODE_SIZE] = F(INODE, "i_size"),
    [ST_LF_SB_DEV] = F(SUPER_BLOCK, "s_dev"),
    [ST_LF_SB_ID] = F(SUPER_BLOCK, "s_id"),
    [ST_LF_VFSMOUNT_ROOT] = F(VFSMOUNT, "mnt_root"),
    [ST_LF_MOUNT_PARENT] = F(MOUNT, "mnt_parent"),
    [ST_LF_MOUNT_MOUNTPOINT] = F(MOUNT, "mnt_mountpoint"),
    [ST_LF_MOUNT_MNT] = F(MOUNT, "mnt"),
    [ST_LF_SOCKET_SK] = F(SOCKET, "sk"),
    [ST_LF_SOCKET_FILE] = OPT(SOCKET, "file"),
    [ST_LF_SOCKET_TYPE] = OPT(SOCKET, "type"),
    [ST_LF_SOCK_COMMON] = F(SOCK, "__sk_common"),
    [ST_LF_SKC_DADDR] = F(SOCK_COMMON, "skc_daddr"),
    [ST_LF_SKC_RCV_SADDR] = F(SOCK_COMMON, "skc_rcv_saddr"),
    [ST_LF_SKC_DPORT] = F(SOCK_COMMON, "skc_dport"),
    [ST_LF_SKC_NUM] = F(SOCK_COMMON, "skc_num"),
    [ST_LF_SKC_FAMILY] = F(SOCK_COMMON, "skc_family"),
    [ST_LF_SKC_V6_DADDR] = OPT(SOCK_COMMON, "skc_v6_daddr"),
    [ST_LF_SKC_V6_RCV_SADDR] = OPT(SOCK_COMMON, "skc_v6_rcv_saddr"),
    [ST_LF_UNIX_SK] = OPT(UNIX_SOCK, "sk"),
    [ST_LF_UNIX_ADDR] = OPT(UNIX_SOCK, "addr"),
    [ST_LF_UNIX_PEER] = OPT(UNIX_SOCK, "peer"),
    [ST_LF_UNIX_ADDRESS_LEN] = OPT(UNIX_ADDRESS, "len"),
    [ST_LF_UNIX_ADDRESS_NAME] = OPT(UNIX_ADDRESS, "name"),
    [ST_LF_SOCKADDR_UN_PATH] = OPT(SOCKADDR_UN, "sun_path"),
    [ST_LF_PT_REGS_ORIG_AX] = F(PT_REGS, "orig_ax"),
    [ST_LF_PT_REGS_AX] = F(PT_REGS, "ax"),
    [ST_LF_PT_REGS_DI] = F(PT_REGS, "di"),
    [ST_LF_PT_REGS_SI] = F(PT_REGS, "si"),
    [ST_LF_PT_REGS_DX] = F(PT_REGS, "dx"),
    [ST_LF_PT_REGS_R10] = F(PT_REGS, "r10"),
    [ST_LF_PT_REGS_R8] = F(PT_REGS, "r8"),
    [ST_LF_PT_REGS_R9] = F(PT_REGS, "r9"),
    [ST_LF_PT_REGS_IP] = F(PT_REGS, "ip"),
    [ST_LF_PT_REGS_SP] = F(PT_REGS, "sp"),
    [ST_LF_PCPU_HOT_CURRENT_TASK] = OPT(PCPU_HOT, "current_task"),
    [ST_LF_PCPU_HOT_TOP_OF_STACK] = OPT(PCPU_HOT, "top_of_stack"),
    /* Optional: older profiles without them still load. */
    [ST_LF_TASK_GROUP_LEADER] = OPT(TASK_STRUCT, "group_leader"),
    [ST_LF_FS_PWD_MNT] = OPT(FS_STRUCT, "pwd.mnt"),
    [ST_LF_FS_PWD_DENTRY] = OPT(FS_STRUCT, "pwd.dentry"),
    [ST_LF_SOCK_SOCKET] = OPT(SOCK, "sk_socket"),
};

#undef F
#undef OPT

/* Fields are small; anything past this is a broken profile */
#define ST_PROFILE_MAX_STRUCT (1024 * 1024)

const char *st_linux_profile_source_name(StLinuxProfileSource source)
{
    switch (source) {
    case ST_PROFILE_SOURCE_BTF:
        return "btf";
    case ST_PROFILE_SOURCE_BTF_FILE:
        return "btf-file";
    case ST_PROFILE_SOURCE_ISF:
        return "isf";
    default:
        return "none";
    }
}

char *st_linux_profile_describe(const StLinuxProfile *prof)
{
    GString *s = g_string_new(st_linux_profile_source_name(prof->source));

    if (prof->origin) {
        g_string_append_printf(s, " (%s)", prof->origin);
    }
    if (prof->banner) {
        g_string_append_printf(s, ", kernel \"%s\"", prof->banner);
    }
    if (prof->source == ST_PROFILE_SOURCE_BTF) {
        g_string_append_printf(s, ", BTF %" PRIu64 " bytes at guest-physical"
                               " 0x%" PRIx64 ", found and parsed in %.1f ms%s",
                               prof->btf_size, prof->btf_paddr,
                               prof->btf_time_us / 1000.0,
                               prof->from_cache ? " (cached)" : "");
    }
    return g_string_free(s, false);
}

StLinuxProfile *st_linux_profile_new(void)
{
    return g_new0(StLinuxProfile, 1);
}

StLinuxProfile *st_linux_profile_copy(const StLinuxProfile *prof)
{
    StLinuxProfile *copy = g_memdup2(prof, sizeof(*prof));

    copy->origin = g_strdup(prof->origin);
    copy->banner = g_strdup(prof->banner);
    return copy;
}

void st_linux_profile_free(StLinuxProfile *prof)
{
    if (prof) {
        g_free(prof->origin);
        g_free(prof->banner);
        g_free(prof);
    }
}

bool st_linux_profile_check(const StLinuxProfile *prof, GError **errp)
{
    unsigned i;

    for (i = 0; i < ST_LF__COUNT; i++) {
        const StLinuxFieldSpec *spec = &st_linux_field_specs[i];
        const StLinuxFieldInfo *f = &prof->field[i];
        const char *sname = st_linux_struct_names[spec->in];
        uint32_t ssize = prof->struct_size[spec->in];

        if (!f->present) {
            if (spec->optional) {
                continue;
            }
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "profile lacks %s.%s", sname, spec->path);
            return false;
        }
        if (ssize == 0 || ssize > ST_PROFILE_MAX_STRUCT) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "profile has no sane size for struct %s (%u)",
                        sname, ssize);
            return false;
        }
        /* a flexible array member has size 0 */
        if ((f->size == 0 && f->kind != ST_LK_ARRAY) ||
            (uint64_t)f->offset + f->size > ssize ||
            ((f->kind == ST_LK_INT || f->kind == ST_LK_PTR) && f->size > 8) ||
            (f->kind == ST_LK_PTR && f->size != 8) ||
            f->bit_shift + f->bit_size > f->size * 8) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "profile field %s.%s (offset %u, size %u) does not "
                        "fit in struct %s (size %u)", sname, spec->path,
                        f->offset, f->size, sname, ssize);
            return false;
        }
    }
    if (prof->percpu[ST_LP_CURRENT_TASK] == 0 ||
        prof->percpu[ST_LP_TOP_OF_STACK] == 0) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "profile lacks the per-CPU offset of %s",
                    prof->percpu[ST_LP_CURRENT_TASK] == 0 ?
                    "current_task (or pcpu_hot.current_task)" :
                    "cpu_current_top_of_stack (or pcpu_hot.top_of_stack)");
        return false;
    }
    if (prof->has_entry_syscall &&
        (prof->entry_syscall >> 47) != 0x1ffff) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "profile entry_SYSCALL_64 0x%" PRIx64
                    " is not a kernel address", prof->entry_syscall);
        return false;
    }
    return true;
}

bool st_linux_profile_check_banner(const StLinuxProfile *prof,
                                   const char *guest_banner, GError **errp)
{
    if (!prof->banner || !guest_banner ||
        strcmp(prof->banner, guest_banner) == 0) {
        return true;
    }
    g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_WRONG_KERNEL,
                "profile %s is for \"%s\", but the guest runs \"%s\"",
                prof->origin ? prof->origin : "(unnamed)", prof->banner,
                guest_banner);
    return false;
}

/* BTF: member lookup through anonymous structs and unions */

#define ST_BTF_MAX_ANON_DEPTH 8

static bool st_btf_find_member(const struct btf *btf, uint32_t type_id,
                               const char *name, int depth,
                               uint32_t *bit_off, uint32_t *bitfield_size,
                               uint32_t *member_type)
{
    const struct btf_type *t = btf__type_by_id(btf, type_id);
    const struct btf_member *m;
    unsigned i, n;

    if (!t || !btf_is_composite(t) || depth > ST_BTF_MAX_ANON_DEPTH) {
        return false;
    }
    m = btf_members(t);
    n = btf_vlen(t);
    for (i = 0; i < n; i++, m++) {
        const char *mname = btf__name_by_offset(btf, m->name_off);
        uint32_t sub_off, sub_bits, sub_type;
        int sub;

        if (mname && *mname) {
            if (strcmp(mname, name) == 0) {
                *bit_off = btf_member_bit_offset(t, i);
                *bitfield_size = btf_member_bitfield_size(t, i);
                *member_type = m->type;
                return true;
            }
            continue;
        }
        sub = btf__resolve_type(btf, m->type);
        if (sub > 0 && st_btf_find_member(btf, sub, name, depth + 1,
                                          &sub_off, &sub_bits, &sub_type)) {
            *bit_off = btf_member_bit_offset(t, i) + sub_off;
            *bitfield_size = sub_bits;
            *member_type = sub_type;
            return true;
        }
    }
    return false;
}

static int st_btf_find_struct(const struct btf *btf, const char *name)
{
    int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

    if (id <= 0) {
        id = btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
    }
    return id;
}

bool st_btf_resolve_path(const struct btf *btf, const char *struct_name,
                         const char *path, StBtfStep *steps,
                         unsigned *n_steps, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", ST_BTF_MAX_STEPS + 1);
    int cur = st_btf_find_struct(btf, struct_name);
    unsigned i;

    if (cur <= 0) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "BTF has no struct %s", struct_name);
        return false;
    }
    if (g_strv_length(parts) > ST_BTF_MAX_STEPS) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "member path %s is too long", path);
        return false;
    }
    for (i = 0; parts[i]; i++) {
        StBtfStep *s = &steps[i];

        if (cur <= 0 || !btf_is_composite(btf__type_by_id(btf, cur))) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "BTF: %s.%s goes through a non-struct member",
                        struct_name, path);
            return false;
        }
        s->container_id = cur;
        if (g_strlcpy(s->name, parts[i], sizeof(s->name)) >= sizeof(s->name)) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "member name %s is too long", parts[i]);
            return false;
        }
        if (!st_btf_find_member(btf, cur, parts[i], 0, &s->bit_offset,
                                &s->bitfield_size, &s->type_id)) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "BTF: struct %s has no member %s", struct_name,
                        path);
            return false;
        }
        cur = btf__resolve_type(btf, s->type_id);
    }
    *n_steps = i;
    return true;
}

bool st_btf_datasec_offset(const struct btf *btf, const char *sec,
                           const char *var, uint64_t *offset, GError **errp)
{
    int id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
    const struct btf_type *t;
    const struct btf_var_secinfo *vi;
    unsigned i, n;

    if (id <= 0) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "BTF has no section %s", sec);
        return false;
    }
    t = btf__type_by_id(btf, id);
    vi = btf_var_secinfos(t);
    n = btf_vlen(t);
    for (i = 0; i < n; i++, vi++) {
        const struct btf_type *v = btf__type_by_id(btf, vi->type);
        const char *name = v ? btf__name_by_offset(btf, v->name_off) : NULL;

        if (name && strcmp(name, var) == 0) {
            *offset = vi->offset;
            return true;
        }
    }
    g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                "BTF section %s has no variable %s", sec, var);
    return false;
}

/* Turn a resolved member into the profile's field description */
static bool st_btf_field_info(const struct btf *btf, const StBtfStep *steps,
                              unsigned n, StLinuxFieldInfo *f, GError **errp)
{
    uint64_t bits = 0;
    const StBtfStep *last = &steps[n - 1];
    int type = btf__resolve_type(btf, last->type_id);
    const struct btf_type *t = type > 0 ? btf__type_by_id(btf, type) : NULL;
    int64_t size = type > 0 ? btf__resolve_size(btf, type) : -1;
    unsigned i;

    for (i = 0; i < n; i++) {
        bits += steps[i].bit_offset;
    }
    if (!t || size < 0 || (size == 0 && !btf_is_array(t)) ||
        size > ST_PROFILE_MAX_STRUCT) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "BTF: member has no usable type");
        return false;
    }
    memset(f, 0, sizeof(*f));
    f->present = true;
    if (last->bitfield_size) {
        f->kind = ST_LK_INT;
        f->offset = bits / 8;
        f->bit_shift = bits % 8;
        f->bit_size = last->bitfield_size;
        f->size = (f->bit_shift + f->bit_size + 7) / 8;
        if (f->size > 8) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "BTF: bitfield wider than 64 bits");
            return false;
        }
        return true;
    }
    if (bits % 8) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "BTF: member is not byte aligned");
        return false;
    }
    f->offset = bits / 8;
    f->size = size;
    if (btf_is_ptr(t)) {
        f->kind = ST_LK_PTR;
    } else if (btf_is_array(t)) {
        f->kind = ST_LK_ARRAY;
    } else if (btf_is_composite(t)) {
        f->kind = ST_LK_STRUCT;
    } else {
        f->kind = ST_LK_INT;
    }
    return true;
}

bool st_linux_profile_from_btf(StLinuxProfile *prof, const struct btf *btf,
                               GError **errp)
{
    uint64_t hot;
    unsigned i;

    for (i = 0; i < ST_LS__COUNT; i++) {
        int id = st_btf_find_struct(btf, st_linux_struct_names[i]);
        int64_t size = id > 0 ? btf__resolve_size(btf, id) : 0;

        prof->struct_size[i] = size > 0 && size <= ST_PROFILE_MAX_STRUCT ?
                               size : 0;
    }
    for (i = 0; i < ST_LF__COUNT; i++) {
        const StLinuxFieldSpec *spec = &st_linux_field_specs[i];
        StBtfStep steps[ST_BTF_MAX_STEPS];
        unsigned n;
        GError *err = NULL;

        prof->field[i].present = false;
        if (!prof->struct_size[spec->in] && spec->optional) {
            continue;
        }
        if (!st_btf_resolve_path(btf, st_linux_struct_names[spec->in],
                                 spec->path, steps, &n, &err) ||
            !st_btf_field_info(btf, steps, n, &prof->field[i], &err)) {
            if (spec->optional) {
                g_clear_error(&err);
                continue;
            }
            g_propagate_error(errp, err);
            return false;
        }
    }

    /* current_task and the stack top moved into pcpu_hot in 6.2 */
    if (!st_btf_datasec_offset(btf, ".data..percpu", "current_task",
                               &prof->percpu[ST_LP_CURRENT_TASK], NULL) &&
        st_btf_datasec_offset(btf, ".data..percpu", "pcpu_hot", &hot, NULL) &&
        prof->field[ST_LF_PCPU_HOT_CURRENT_TASK].present) {
        prof->percpu[ST_LP_CURRENT_TASK] =
            hot + prof->field[ST_LF_PCPU_HOT_CURRENT_TASK].offset;
    }
    if (!st_btf_datasec_offset(btf, ".data..percpu",
                               "cpu_current_top_of_stack",
                               &prof->percpu[ST_LP_TOP_OF_STACK], NULL) &&
        st_btf_datasec_offset(btf, ".data..percpu", "pcpu_hot", &hot, NULL) &&
        prof->field[ST_LF_PCPU_HOT_TOP_OF_STACK].present) {
        prof->percpu[ST_LP_TOP_OF_STACK] =
            hot + prof->field[ST_LF_PCPU_HOT_TOP_OF_STACK].offset;
    }
    return st_linux_profile_check(prof, errp);
}

/* Scanning guest-physical memory for the kernel's BTF and banner */

#define ST_SCAN_CHUNK (1024 * 1024)
#define ST_BTF_HDR_LEN 24

void st_btf_scan_options_default(StBtfScanOptions *opts)
{
    opts->forward = 128 * 1024 * 1024;
    opts->backward = 16 * 1024 * 1024;
    opts->max_size = 64 * 1024 * 1024;
}

/* Called for each match; returns true to stop the scan */
typedef bool (*StScanHit)(const StGuestMem *mem, uint64_t paddr,
                          const uint8_t *here, size_t avail, void *opaque);

/*
 * Look for @pat in [lo, hi) chunk by chunk.  Chunks that cannot be read
 * (holes) are skipped.  Returns true when @hit stopped the scan.
 */
static bool st_scan_range(const StGuestMem *mem, uint64_t lo, uint64_t hi,
                          const uint8_t *pat, size_t pat_len, StScanHit hit,
                          void *opaque)
{
    g_autofree uint8_t *buf = g_malloc(ST_SCAN_CHUNK + 4096);
    const size_t overlap = 4096;
    uint64_t pos;

    for (pos = lo; pos < hi; pos += ST_SCAN_CHUNK) {
        size_t len = MIN(hi - pos, (uint64_t)ST_SCAN_CHUNK + overlap);
        size_t scan_len = MIN(len, (size_t)ST_SCAN_CHUNK + pat_len - 1);
        const uint8_t *p = buf, *end;

        if (!st_guest_read_phys(mem, pos, buf, len, NULL)) {
            /* holes: read page by page, unreadable pages as zeroes */
            size_t off;
            bool any = false;

            for (off = 0; off < len; off += 4096) {
                size_t n = MIN(len - off, (size_t)4096);

                if (st_guest_read_phys(mem, pos + off, buf + off, n, NULL)) {
                    any = true;
                } else {
                    memset(buf + off, 0, n);
                }
            }
            if (!any) {
                continue;
            }
        }
        end = buf + scan_len;
        while (p < end) {
            const uint8_t *m = memmem(p, end - p, pat, pat_len);

            if (!m) {
                break;
            }
            if (hit(mem, pos + (m - buf), m, buf + len - m, opaque)) {
                return true;
            }
            p = m + 1;
        }
    }
    return false;
}

static bool st_scan_around(const StGuestMem *mem, uint64_t start,
                           const StBtfScanOptions *opts, const uint8_t *pat,
                           size_t pat_len, StScanHit hit, void *opaque)
{
    uint64_t page = start & ~0xfffULL;
    uint64_t back = MIN(opts->backward, page);

    if (st_scan_range(mem, page, page + opts->forward, pat, pat_len, hit,
                      opaque)) {
        return true;
    }
    return back && st_scan_range(mem, page - back, page, pat, pat_len, hit,
                                 opaque);
}

typedef struct StBtfScanState {
    const StBtfScanOptions *opts;
    uint8_t *blob;
    size_t size;
    uint64_t paddr;
    unsigned candidates;
    uint64_t copied;    /* bytes copied out for candidates that failed */
} StBtfScanState;

/* A guest can plant fake headers: bound the work they cost */
#define ST_BTF_MAX_CANDIDATES 256
#define ST_BTF_MAX_COPIED_FACTOR 4

static uint32_t st_le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool st_btf_scan_hit(const StGuestMem *mem, uint64_t paddr,
                            const uint8_t *here, size_t avail, void *opaque)
{
    StBtfScanState *s = opaque;
    uint32_t type_off, type_len, str_off, str_len;
    uint64_t data_len;
    g_autofree uint8_t *blob = NULL;
    struct btf *btf;
    bool ok;

    uint8_t first, last;

    if (s->candidates >= ST_BTF_MAX_CANDIDATES ||
        s->copied > ST_BTF_MAX_COPIED_FACTOR * s->opts->max_size) {
        return true;    /* give up; st_btf_scan() reports it */
    }
    if (avail < ST_BTF_HDR_LEN) {
        return false;
    }
    s->candidates++;
    type_off = st_le32(here + 8);
    type_len = st_le32(here + 12);
    str_off = st_le32(here + 16);
    str_len = st_le32(here + 20);
    data_len = MAX((uint64_t)type_off + type_len, (uint64_t)str_off + str_len);
    if (type_len == 0 || str_len == 0 || type_off % 4 ||
        (uint64_t)type_off + type_len > str_off ||
        ST_BTF_HDR_LEN + data_len > s->opts->max_size) {
        return false;
    }
    /* the string section starts and ends with a NUL: cheap to check */
    if (!st_guest_read_phys(mem, paddr + ST_BTF_HDR_LEN + str_off, &first, 1,
                            NULL) ||
        !st_guest_read_phys(mem, paddr + ST_BTF_HDR_LEN + str_off + str_len -
                            1, &last, 1, NULL) ||
        first || last) {
        return false;
    }
    s->copied += ST_BTF_HDR_LEN + data_len;
    blob = g_try_malloc(ST_BTF_HDR_LEN + data_len);
    if (!blob || !st_guest_read_phys(mem, paddr, blob,
                                     ST_BTF_HDR_LEN + data_len, NULL)) {
        return false;
    }
    /* Module BTF is split BTF: without vmlinux it lacks task_struct */
    btf = btf__new(blob, ST_BTF_HDR_LEN + data_len);
    if (!btf) {
        return false;
    }
    ok = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) > 0;
    btf__free(btf);
    if (ok) {
        s->blob = g_steal_pointer(&blob);
        s->size = ST_BTF_HDR_LEN + data_len;
        s->paddr = paddr;
    }
    return ok;
}

bool st_btf_scan(const StGuestMem *mem, uint64_t start,
                 const StBtfScanOptions *opts, uint8_t **blob, size_t *size,
                 uint64_t *paddr, GError **errp)
{
    /* magic 0xeB9F, version 1, flags 0, hdr_len 24 */
    static const uint8_t pat[] = { 0x9f, 0xeb, 1, 0, 24, 0, 0, 0 };
    StBtfScanOptions defaults;
    StBtfScanState s = { 0 };

    if (!opts) {
        st_btf_scan_options_default(&defaults);
        opts = &defaults;
    }
    s.opts = opts;
    if (!st_scan_around(mem, start, opts, pat, sizeof(pat), st_btf_scan_hit,
                        &s) || !s.blob) {
        if (s.candidates >= ST_BTF_MAX_CANDIDATES ||
            s.copied > ST_BTF_MAX_COPIED_FACTOR * opts->max_size) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF,
                        "no kernel BTF found: gave up after %u BTF-like "
                        "headers (%" PRIu64 " MiB copied) from 0x%" PRIx64,
                        s.candidates, s.copied >> 20, start);
            return false;
        }
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF,
                    "no kernel BTF found in guest memory from 0x%" PRIx64
                    " (-%" PRIu64 " MiB, +%" PRIu64 " MiB; %u candidates)",
                    start, opts->backward >> 20, opts->forward >> 20,
                    s.candidates);
        return false;
    }
    *blob = s.blob;
    *size = s.size;
    *paddr = s.paddr;
    return true;
}

#define ST_BANNER_MAX 512

char *st_linux_banner_in_buffer(const uint8_t *buf, size_t len)
{
    static const char pat[] = "Linux version ";
    const size_t prefix = sizeof(pat) - 1;
    const uint8_t *p = buf, *end = buf + len;

    while (p < end) {
        const uint8_t *m = memmem(p, end - p, pat, prefix);
        size_t n, i;

        if (!m) {
            return NULL;
        }
        n = MIN((size_t)(end - m), (size_t)ST_BANNER_MAX);
        p = m + 1;
        if (n <= prefix || !g_ascii_isdigit(m[prefix])) {
            continue;
        }
        for (i = prefix; i < n; i++) {
            if (m[i] == '\n' || m[i] == 0 || m[i] < 0x20 || m[i] > 0x7e ||
                m[i] == '%') {
                break;
            }
        }
        /* a banner ends with a newline; "%s" means a format string */
        if (i < n && m[i] == '\n') {
            return g_strndup((const char *)m, i);
        }
    }
    return NULL;
}

static bool st_banner_hit(const StGuestMem *mem, uint64_t paddr,
                          const uint8_t *here, size_t avail, void *opaque)
{
    char **out = opaque;

    *out = st_linux_banner_in_buffer(here, MIN(avail, (size_t)ST_BANNER_MAX));
    return *out != NULL;
}

char *st_linux_find_banner(const StGuestMem *mem, uint64_t start,
                           const StBtfScanOptions *opts, GError **errp)
{
    static const char pat[] = "Linux version ";
    StBtfScanOptions defaults;
    char *banner = NULL;

    if (!opts) {
        st_btf_scan_options_default(&defaults);
        opts = &defaults;
    }
    if (!st_scan_around(mem, start, opts, (const uint8_t *)pat,
                        sizeof(pat) - 1, st_banner_hit, &banner)) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BANNER,
                    "no Linux banner found in guest memory");
        return NULL;
    }
    return banner;
}

/* Profiles found in guest memory, by banner: a reboot costs nothing */
static GMutex st_profile_cache_lock;
static GHashTable *st_profile_cache;

void st_linux_profile_cache_clear(void)
{
    g_mutex_lock(&st_profile_cache_lock);
    if (st_profile_cache) {
        g_hash_table_remove_all(st_profile_cache);
    }
    g_mutex_unlock(&st_profile_cache_lock);
}

static StLinuxProfile *st_profile_cache_get(const char *banner)
{
    StLinuxProfile *prof = NULL, *hit;

    g_mutex_lock(&st_profile_cache_lock);
    hit = st_profile_cache ? g_hash_table_lookup(st_profile_cache, banner)
                           : NULL;
    if (hit) {
        prof = st_linux_profile_copy(hit);
        prof->from_cache = true;
    }
    g_mutex_unlock(&st_profile_cache_lock);
    return prof;
}

static void st_profile_cache_put(const StLinuxProfile *prof)
{
    g_mutex_lock(&st_profile_cache_lock);
    if (!st_profile_cache) {
        st_profile_cache = g_hash_table_new_full(
            g_str_hash, g_str_equal, g_free,
            (GDestroyNotify)st_linux_profile_free);
    }
    g_hash_table_replace(st_profile_cache, g_strdup(prof->banner),
                         st_linux_profile_copy(prof));
    g_mutex_unlock(&st_profile_cache_lock);
}

StLinuxProfile *st_linux_profile_auto(const StGuestVm *vm, uint64_t lstar,
                                      const StBtfScanOptions *opts,
                                      GError **errp)
{
    g_autoptr(StLinuxProfile) prof = NULL;
    g_autofree uint8_t *blob = NULL;
    g_autofree char *banner = NULL;
    uint64_t start, paddr;
    size_t size;
    int64_t t0;
    struct btf *btf;
    GError *err = NULL;
    bool ok;

    if (!st_guest_vtop(vm, lstar, &start, NULL, &err)) {
        g_propagate_prefixed_error(errp, err, "LSTAR 0x%" PRIx64 ": ", lstar);
        return NULL;
    }
    banner = st_linux_find_banner(vm->mem, start, opts, NULL);
    if (banner) {
        prof = st_profile_cache_get(banner);
        if (prof) {
            return g_steal_pointer(&prof);
        }
    }
    t0 = g_get_monotonic_time();
    if (!st_btf_scan(vm->mem, start, opts, &blob, &size, &paddr, &err)) {
        g_propagate_prefixed_error(errp, err, "%s: ",
            "no profile: the kernel's BTF (CONFIG_DEBUG_INFO_BTF) was not "
            "found; give a Volatility 3 ISF with profile=FILE "
            "(st-profile-gen makes one from the kernel image)");
        return NULL;
    }
    btf = btf__new(blob, size);
    if (!btf) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF,
                    "BTF found in guest memory does not parse (%s)",
                    g_strerror(errno));
        return NULL;
    }
    prof = st_linux_profile_new();
    ok = st_linux_profile_from_btf(prof, btf, errp);
    btf__free(btf);
    if (!ok) {
        return NULL;
    }
    prof->btf_time_us = g_get_monotonic_time() - t0;
    prof->source = ST_PROFILE_SOURCE_BTF;
    prof->origin = g_strdup("guest memory");
    prof->banner = g_steal_pointer(&banner);
    prof->btf_paddr = paddr;
    prof->btf_size = size;
    if (prof->banner) {
        st_profile_cache_put(prof);
    }
    return g_steal_pointer(&prof);
}

bool st_xz_decompress(const uint8_t *in, size_t in_len, size_t max_out,
                      uint8_t **out, size_t *out_len, GError **errp)
{
    lzma_stream strm = LZMA_STREAM_INIT;
    size_t cap = MIN(max_out, MAX(in_len * 4, (size_t)1 << 20));
    uint8_t *buf;
    lzma_ret ret;

    if (lzma_stream_decoder(&strm, UINT64_MAX, 0) != LZMA_OK) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "cannot start the xz decoder");
        return false;
    }
    buf = g_malloc(cap);
    strm.next_in = in;
    strm.avail_in = in_len;
    strm.next_out = buf;
    strm.avail_out = cap;
    for (;;) {
        ret = lzma_code(&strm, LZMA_FINISH);
        if (ret == LZMA_STREAM_END) {
            break;
        }
        if (ret == LZMA_OK && strm.avail_out == 0 && cap < max_out) {
            size_t done = cap;

            cap = MIN(max_out, cap * 2);
            buf = g_realloc(buf, cap);
            strm.next_out = buf + done;
            strm.avail_out = cap - done;
            continue;
        }
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "xz data is %s", ret == LZMA_OK || ret == LZMA_BUF_ERROR ?
                    (strm.avail_out == 0 ? "too large" : "truncated") :
                    "corrupt");
        lzma_end(&strm);
        g_free(buf);
        return false;
    }
    *out_len = strm.total_out;
    *out = buf;
    lzma_end(&strm);
    return true;
}
