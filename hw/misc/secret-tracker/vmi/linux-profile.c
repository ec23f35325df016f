/*
 * secret-tracker: Linux kernel profile: the members we read, and checks
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

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
