/*
 * secret-tracker: the auto profile: BTF and banner found in guest
 * memory from LSTAR, kept per kernel banner in a cache
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
