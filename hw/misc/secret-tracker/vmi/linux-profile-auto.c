/*
 * secret-tracker: the auto profile: BTF and banner found in guest
 * memory from LSTAR, per-CPU offsets from the kernel's kallsyms, kept per
 * kernel banner in a cache; and the profile for a running kernel, auto or
 * from an ISF file
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

#include <bpf/btf.h>

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
    /* the copy keeps the times it took; from_cache says they are old */
    g_mutex_unlock(&st_profile_cache_lock);
}

static bool st_kallsyms_percpu_lookup(void *opaque, const char *var,
                                      uint64_t *offset)
{
    return st_kallsyms_percpu_offset(opaque, var, offset, NULL);
}

bool st_linux_profile_percpu_from_kallsyms(StLinuxProfile *prof,
                                           const StKallsyms *ks,
                                           const struct btf *btf,
                                           uint64_t lstar, GError **errp)
{
    uint64_t value[ST_PERCPU__COUNT], section = 0, btf_off;
    unsigned alt, btf_alt;
    StKallsym start;
    bool checked = false;
    unsigned i;

    /* 7.x: the section is in the image, at __per_cpu_start (relocated) */
    if (st_kallsyms_lookup(ks, "__per_cpu_start", &start)) {
        section = start.value;
    }
    for (i = 0; i < ST_PERCPU__COUNT; i++) {
        const StLinuxPercpuSpec *spec = &st_linux_percpu_specs[i];

        if (!st_linux_percpu_resolve(prof, i, st_kallsyms_percpu_lookup,
                                     (void *)ks, &value[i], &alt)) {
            g_autofree char *vars = st_linux_percpu_describe(i);

            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                        "kallsyms has no per-CPU %s (none of: %s)",
                        spec->name, vars);
            return false;
        }
        prof->percpu_alt[i] = alt;
        if (!value[i]) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_RANGE,
                        "kallsyms gives per-CPU %s at offset 0",
                        spec->alt[alt].var);
            return false;
        }
        if (!btf ||
            !st_linux_profile_percpu_btf(btf, prof, i, &btf_off, &btf_alt) ||
            btf_alt != alt) {
            continue;
        }
        if (value[i] != btf_off && value[i] != section + btf_off) {
            g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                        "kallsyms puts per-CPU %s at 0x%" PRIx64 ", BTF at "
                        "0x%" PRIx64 " in a per-CPU section at 0x%" PRIx64
                        ": they disagree", spec->alt[alt].var, value[i],
                        btf_off, section);
            return false;
        }
        checked = true;
    }
    memcpy(prof->percpu, value, sizeof(value));
    prof->percpu_lstar = lstar;
    prof->percpu_from = checked ? ST_PERCPU_FROM_BOTH
                                : ST_PERCPU_FROM_KALLSYMS;
    return true;
}

/* The profile's members and per-CPU offsets from @btf and kallsyms */
static bool st_profile_build(StLinuxProfile *prof, const StGuestVm *vm,
                             uint64_t lstar, const StKallsyms *ks,
                             const struct btf *btf, GError **errp)
{
    g_autoptr(StKallsyms) own = NULL;
    g_autoptr(GError) ks_err = NULL;
    int64_t t0;

    if (!st_linux_profile_fields_from_btf(prof, btf, errp)) {
        return false;
    }
    if (!ks) {
        t0 = g_get_monotonic_time();
        own = st_kallsyms_find(vm, lstar, NULL, &ks_err);
        prof->kallsyms_time_us = g_get_monotonic_time() - t0;
        ks = own;
    }
    if (ks) {
        return st_linux_profile_percpu_from_kallsyms(prof, ks, btf, lstar,
                                                     errp);
    }
    if (prof->percpu_from == ST_PERCPU_FROM_BTF) {
        /* offsets in BTF's section, taken as from 0 (right up to 6.12) */
        return true;
    }
    g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                "the kernel's BTF has no per-CPU variables (current_task, "
                "pcpu_hot), and its symbol table (kallsyms) was not found: "
                "%s", ks_err ? ks_err->message : "not searched");
    return false;
}

StLinuxProfile *st_linux_profile_auto_kallsyms(const StGuestVm *vm,
                                               uint64_t lstar,
                                               const StKallsyms *ks,
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
            return st_linux_profile_bind(prof, lstar, errp) ?
                   g_steal_pointer(&prof) : NULL;
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
    ok = st_profile_build(prof, vm, lstar, ks, btf, errp);
    btf__free(btf);
    if (!ok || !st_linux_profile_check(prof, errp)) {
        return NULL;
    }
    prof->btf_time_us = g_get_monotonic_time() - t0 - prof->kallsyms_time_us;
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

StLinuxProfile *st_linux_profile_auto(const StGuestVm *vm, uint64_t lstar,
                                      const StBtfScanOptions *opts,
                                      GError **errp)
{
    return st_linux_profile_auto_kallsyms(vm, lstar, NULL, opts, errp);
}

StLinuxProfile *st_linux_profile_for_kernel(const StGuestVm *vm,
                                            uint64_t lstar,
                                            const StLinuxProfile *isf,
                                            const StKallsyms *ks,
                                            GError **errp)
{
    g_autoptr(StLinuxProfile) prof = NULL;
    g_autofree char *banner = NULL;
    uint64_t start;

    if (!isf) {
        return st_linux_profile_auto_kallsyms(vm, lstar, ks, NULL, errp);
    }
    /* A profile made for another kernel is refused, not half-used. */
    if (st_guest_vtop(vm, lstar, &start, NULL, NULL)) {
        banner = st_linux_find_banner(vm->mem, start, NULL, NULL);
    }
    if (!st_linux_profile_check_banner(isf, banner, errp)) {
        return NULL;
    }
    prof = st_linux_profile_copy(isf);
    if (!st_linux_profile_bind(prof, lstar, errp)) {
        g_prefix_error(errp, "profile %s: ", isf->origin);
        return NULL;
    }
    return g_steal_pointer(&prof);
}
