/*
 * secret-tracker: Linux kernel profile: the members we read, and checks
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

/* cached: a refused profile candidate asks for it each time */
G_DEFINE_QUARK(st_profile_error, st_profile_error)

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
    [ST_STRUCT_TSS_STRUCT] = "tss_struct",
    [ST_STRUCT_FS_STRUCT] = "fs_struct",
    [ST_STRUCT_MM_STRUCT] = "mm_struct",
    [ST_STRUCT_IO_KIOCB] = "io_kiocb",
    [ST_STRUCT_IO_RW] = "io_rw",
    [ST_STRUCT_IO_SR_MSG] = "io_sr_msg",
    [ST_STRUCT_IO_SPLICE] = "io_splice",
    [ST_STRUCT_IO_RING_CTX] = "io_ring_ctx",
    [ST_STRUCT_IO_FIXED_FILE] = "io_fixed_file",
    [ST_STRUCT_COREDUMP_PARAMS] = "coredump_params",
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

const StLinuxPercpuSpec st_linux_percpu_specs[ST_PERCPU__COUNT] = {
    [ST_PERCPU_CURRENT_TASK] = {
        "current_task", {
            { "current_task", -1 },
            { "pcpu_hot", ST_PCPU_HOT_CURRENT_TASK },
        },
    },
    [ST_PERCPU_TOP_OF_STACK] = {
        "cpu_current_top_of_stack", {
            { "cpu_current_top_of_stack", -1 },
            { "pcpu_hot", ST_PCPU_HOT_TOP_OF_STACK },
            { "cpu_tss_rw", ST_TSS_STRUCT_X86_TSS_SP1 },
        },
    },
};

bool st_linux_percpu_resolve(const StLinuxProfile *prof, StLinuxPercpu which,
                             StLinuxPercpuLookup lookup, void *opaque,
                             uint64_t *value, unsigned *alt)
{
    const StLinuxPercpuSpec *spec = &st_linux_percpu_specs[which];
    unsigned i;

    for (i = 0; i < ST_LINUX_PERCPU_ALTS && spec->alt[i].var; i++) {
        const StLinuxPercpuAlt *a = &spec->alt[i];
        uint64_t v;

        if ((a->member < 0 || prof->field[a->member].present) &&
            lookup(opaque, a->var, &v)) {
            *value = v + (a->member < 0 ? 0 : prof->field[a->member].offset);
            if (alt) {
                *alt = i;
            }
            return true;
        }
    }
    return false;
}

char *st_linux_percpu_describe(StLinuxPercpu which)
{
    const StLinuxPercpuSpec *spec = &st_linux_percpu_specs[which];
    g_autoptr(GString) s = g_string_new(NULL);
    unsigned i;

    for (i = 0; i < ST_LINUX_PERCPU_ALTS && spec->alt[i].var; i++) {
        const StLinuxPercpuAlt *a = &spec->alt[i];

        g_string_append_printf(s, "%s%s%s%s", i ? ", " : "", a->var,
                               a->member < 0 ? "" : ".",
                               a->member < 0 ? "" :
                               st_linux_offset_specs[a->member].path);
    }
    return g_string_free(g_steal_pointer(&s), false);
}

static const char *const st_linux_feature_names[ST_FEATURE__COUNT] = {
    [ST_FEATURE_THREAD_GROUPS] = "thread-groups",
    [ST_FEATURE_RELATIVE_PATHS] = "relative-paths",
    [ST_FEATURE_IPV6_ADDRESSES] = "ipv6-addresses",
    [ST_FEATURE_UNIX_SOCKETS] = "unix-sockets",
    [ST_FEATURE_UNIX_PEER_INODES] = "unix-peer-inodes",
    [ST_FEATURE_CORE_DUMPS] = "core-dumps",
    [ST_FEATURE_SIGNAL_DEATHS] = "signal-deaths",
    [ST_FEATURE_HARD_LINKS] = "hard-links",
    [ST_FEATURE_OTHER_MOUNTS] = "other-mounts",
    [ST_FEATURE_DCACHE_LOOKUP] = "dcache-lookup",
};

/* What is lost without the feature, for the report */
static const char *const st_linux_feature_effects[ST_FEATURE__COUNT] = {
    [ST_FEATURE_THREAD_GROUPS] = "each thread counts as a process of its own",
    [ST_FEATURE_RELATIVE_PATHS] = "names relative to the working directory "
                                  "are not resolved",
    [ST_FEATURE_IPV6_ADDRESSES] = "IPv6 endpoints have no addresses",
    [ST_FEATURE_UNIX_SOCKETS] = "unix sockets have no paths and no peers",
    [ST_FEATURE_UNIX_PEER_INODES] = "unix socket peers are matched by path "
                                    "alone",
    [ST_FEATURE_CORE_DUMPS] = "core dumps are not followed",
    [ST_FEATURE_SIGNAL_DEATHS] = "a process killed by a signal stays "
                                 "listed as live",
    [ST_FEATURE_HARD_LINKS] = "a file first read through a hard link is "
                              "not known by its other names",
    [ST_FEATURE_OTHER_MOUNTS] = "a file first read through a bind mount is "
                                "not known by its path in a namespace that "
                                "mounts its filesystem's root",
    [ST_FEATURE_DCACHE_LOOKUP] = "a secret's file is labelled when it is "
                                 "first used, not at registration",
};

static const struct {
    StLinuxFeature feature;
    StLinuxOffset member;
} st_linux_feature_members[] = {
#define ST_LINUX_FEATURE_MEMBER(feat, member) \
    { ST_FEATURE_##feat, ST_##member },
    ST_LINUX_FEATURE_MEMBERS(ST_LINUX_FEATURE_MEMBER)
#undef ST_LINUX_FEATURE_MEMBER
};

bool st_linux_offset_path(StLinuxOffset f, unsigned alt, char *buf,
                          size_t len)
{
    const char *p = st_linux_offset_specs[f].path, *end;

    for (; alt; alt--) {
        p = strchr(p, '|');
        if (!p) {
            return false;
        }
        p++;
    }
    end = strchrnul(p, '|');
    if ((size_t)(end - p) >= len) {
        return false;
    }
    memcpy(buf, p, end - p);
    buf[end - p] = 0;
    return true;
}

char *st_linux_offset_describe(StLinuxOffset f)
{
    const StLinuxOffsetSpec *spec = &st_linux_offset_specs[f];
    g_autoptr(GString) s = g_string_new(st_linux_struct_names[spec->in]);
    char alt[64];
    unsigned i;

    for (i = 0; st_linux_offset_path(f, i, alt, sizeof(alt)); i++) {
        g_string_append_printf(s, "%s%s", i == 0 ? "." : i == 1 ? " (or " :
                               ", or ", alt);
    }
    if (i > 1) {
        g_string_append_c(s, ')');
    }
    return g_string_free(g_steal_pointer(&s), false);
}

bool st_linux_field_by_alternatives(StLinuxOffset f, const char *source,
                                    StLinuxFieldTry try_path, void *opaque,
                                    StLinuxFieldInfo *fi, GError **errp)
{
    GError *first = NULL;
    char path[64];
    unsigned alt;

    for (alt = 0; alt < ST_LINUX_MAX_ALTS &&
                  st_linux_offset_path(f, alt, path, sizeof(path)); alt++) {
        GError *err = NULL;

        if (try_path(opaque, f, path, fi, &err)) {
            fi->alt = alt;
            return true;
        }
        if (err->code != ST_PROFILE_ERROR_MISSING) {
            g_clear_error(&first);
            g_propagate_error(errp, err);
            return false;
        }
        if (first) {
            g_error_free(err);
        } else {
            first = err;
        }
    }
    /* the first name's error, saying which others were tried */
    if (alt > 1) {
        g_autofree char *name = st_linux_offset_describe(f);

        g_prefix_error(&first, "%s has none of %s: ", source, name);
    }
    g_propagate_error(errp, first);
    return false;
}

const char *st_linux_feature_name(StLinuxFeature feature)
{
    return feature < ST_FEATURE__COUNT ? st_linux_feature_names[feature]
                                       : "?";
}

char *st_linux_profile_feature_missing(const StLinuxProfile *prof,
                                       StLinuxFeature feature)
{
    g_autoptr(GString) lacks = g_string_new(NULL);
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(st_linux_feature_members); i++) {
        StLinuxOffset m = st_linux_feature_members[i].member;

        if (st_linux_feature_members[i].feature == feature &&
            !prof->field[m].present) {
            g_autofree char *name = st_linux_offset_describe(m);

            g_string_append_printf(lacks, "%s%s", lacks->len ? ", " : "",
                                   name);
        }
    }
    if (!lacks->len) {
        return NULL;
    }
    return g_strdup_printf("the kernel profile has no %s: %s", lacks->str,
                           st_linux_feature_effects[feature]);
}

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

const char *st_linux_percpu_source_name(StLinuxPercpuSource source)
{
    switch (source) {
    case ST_PERCPU_FROM_BTF:
        return "btf";
    case ST_PERCPU_FROM_KALLSYMS:
        return "kallsyms";
    case ST_PERCPU_FROM_BOTH:
        return "kallsyms+btf";
    case ST_PERCPU_FROM_ISF:
        return "isf";
    default:
        return "none";
    }
}

int64_t st_linux_profile_time_us(const StLinuxProfile *prof)
{
    return prof->from_cache ? 0 : prof->btf_time_us + prof->kallsyms_time_us;
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
    g_string_append_printf(s, ", per-CPU offsets from %s",
                           st_linux_percpu_source_name(prof->percpu_from));
    if (prof->kallsyms_time_us) {
        g_string_append_printf(s, " (kallsyms searched in %.1f ms)",
                               prof->kallsyms_time_us / 1000.0);
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
            g_autofree char *name = NULL;

            if (spec->optional) {
                continue;
            }
            name = st_linux_offset_describe(i);
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "profile lacks %s, which the tracker needs", name);
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
            g_autofree char *name = st_linux_offset_describe(i);

            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "profile field %s (offset %u, size %u) does not "
                        "fit in struct %s (size %u)", name,
                        f->offset, f->size, sname, ssize);
            return false;
        }
    }
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        if (prof->percpu[i] == 0) {
            g_autofree char *vars = st_linux_percpu_describe(i);

            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "profile lacks the per-CPU offset of %s (one of: "
                        "%s)", st_linux_percpu_specs[i].name, vars);
            return false;
        }
    }
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        if (st_linux_percpu_in_image(prof->percpu[i]) &&
            !st_linux_percpu_in_image(prof->percpu_lstar)) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "profile gives the per-CPU %s as an address in the "
                        "kernel image (0x%" PRIx64 "), but not the "
                        "entry_SYSCALL_64 it goes with: it cannot follow "
                        "KASLR", st_linux_percpu_specs[i].name,
                        prof->percpu[i]);
            return false;
        }
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

bool st_linux_profile_bind(StLinuxProfile *prof, uint64_t lstar,
                           GError **errp)
{
    int64_t moved = lstar - prof->percpu_lstar;
    unsigned i;
    bool any = false;

    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        any |= st_linux_percpu_in_image(prof->percpu[i]);
    }
    if (!any) {
        return true;
    }
    if (!st_linux_percpu_in_image(prof->percpu_lstar) ||
        !st_linux_percpu_in_image(lstar) || moved % (2 * 1024 * 1024)) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                    "per-CPU offsets made for entry_SYSCALL_64 at 0x%" PRIx64
                    " do not fit a kernel entered at 0x%" PRIx64 " (not a "
                    "multiple of 2 MiB away): profile for another kernel?",
                    prof->percpu_lstar, lstar);
        return false;
    }
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        if (st_linux_percpu_in_image(prof->percpu[i])) {
            prof->percpu[i] += moved;
        }
    }
    prof->percpu_lstar = lstar;
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
