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

const char *const st_linux_struct_names[ST_STRUCT__COUNT] = {
    [ST_STRUCT_TASK_STRUCT] = "task_struct",
    [ST_STRUCT_FILES_STRUCT] = "files_struct",
    [ST_STRUCT_FDTABLE] = "fdtable",
    [ST_STRUCT_FILE] = "file",
    [ST_STRUCT_DENTRY] = "dentry",
    [ST_STRUCT_INODE] = "inode",
    [ST_STRUCT_SUPER_BLOCK] = "super_block",
    [ST_STRUCT_VFSMOUNT] = "vfsmount",
    [ST_STRUCT_MOUNT] = "mount",
    [ST_STRUCT_SOCKET] = "socket",
    [ST_STRUCT_SOCK] = "sock",
    [ST_STRUCT_SOCK_COMMON] = "sock_common",
    [ST_STRUCT_UNIX_SOCK] = "unix_sock",
    [ST_STRUCT_UNIX_ADDRESS] = "unix_address",
    [ST_STRUCT_SOCKADDR_UN] = "sockaddr_un",
    [ST_STRUCT_PT_REGS] = "pt_regs",
    [ST_STRUCT_PCPU_HOT] = "pcpu_hot",
    [ST_STRUCT_FS_STRUCT] = "fs_struct",
    [ST_STRUCT_MM_STRUCT] = "mm_struct",
    [ST_STRUCT_IO_KIOCB] = "io_kiocb",
    [ST_STRUCT_IO_RW] = "io_rw",
    [ST_STRUCT_IO_SR_MSG] = "io_sr_msg",
    [ST_STRUCT_IO_SPLICE] = "io_splice",
    [ST_STRUCT_IO_RING_CTX] = "io_ring_ctx",
    [ST_STRUCT_IO_FIXED_FILE] = "io_fixed_file",
};

const StLinuxOffsetSpec st_linux_offset_specs[ST_OFFSET__COUNT] = {
#define ST_LINUX_OFFSET_SPEC(name, struct_name, member_path, is_optional) \
    [ST_##name] = { .in = ST_STRUCT_##struct_name, .path = member_path, \
                    .optional = is_optional },
    ST_LINUX_OFFSET_SPECS(ST_LINUX_OFFSET_SPEC)
#undef ST_LINUX_OFFSET_SPEC
};

/*
 * One row per StLinuxOffset: a row naming no entry does not compile
 * above, a doubled row is a duplicate member here, a missing row makes
 * the size wrong.
 */
typedef struct StLinuxOffsetRows {
#define ST_LINUX_OFFSET_ROW(name, struct_name, member_path, is_optional) \
    char name;
    ST_LINUX_OFFSET_SPECS(ST_LINUX_OFFSET_ROW)
#undef ST_LINUX_OFFSET_ROW
} StLinuxOffsetRows;
QEMU_BUILD_BUG_ON(sizeof(StLinuxOffsetRows) != ST_OFFSET__COUNT);

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

    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxOffsetSpec *spec = &st_linux_offset_specs[i];
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
        if ((f->size == 0 && f->kind != ST_FIELD_KIND_ARRAY) ||
            (uint64_t)f->offset + f->size > ssize ||
            ((f->kind == ST_FIELD_KIND_INT || f->kind == ST_FIELD_KIND_PTR) &&
             f->size > 8) ||
            (f->kind == ST_FIELD_KIND_PTR && f->size != 8) ||
            f->bit_shift + f->bit_size > f->size * 8) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "profile field %s.%s (offset %u, size %u) does not "
                        "fit in struct %s (size %u)", sname, spec->path,
                        f->offset, f->size, sname, ssize);
            return false;
        }
    }
    if (prof->percpu[ST_PERCPU_CURRENT_TASK] == 0 ||
        prof->percpu[ST_PERCPU_TOP_OF_STACK] == 0) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                    "profile lacks the per-CPU offset of %s",
                    prof->percpu[ST_PERCPU_CURRENT_TASK] == 0 ?
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
