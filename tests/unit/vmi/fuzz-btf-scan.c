/*
 * secret-tracker: libFuzzer target for the BTF and banner scan and the
 * auto profile (linux-btf-scan.c, linux-profile-auto.c)
 *
 * The input is a StFuzzScanHeader and a guest-physical image at physical
 * 0, which the kernel text mapping (2 MiB pages from 0xffffffff80000000,
 * page tables synthesized here) covers.  LSTAR points into the image;
 * the scan windows come from the header, clamped so that one input costs
 * little.  Seeds (data/fuzz-btf-scan): images with a banner and the
 * cut-down BTF of real Debian kernels (written by test-linux-btf).
 *
 * Checked: an accepted profile passes st_linux_profile_check(); a second
 * call for a kernel with a banner is served from the cache with the same
 * profile; a refusal says why.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"
#include "btf-cut.h"

#include <bpf/libbpf.h>

#define FUZZ_TABLES 0x40000000ULL
#define FUZZ_KERNEL_VA 0xffffffff80000000ULL

typedef struct FuzzMem {
    const uint8_t *image;
    size_t size;
} FuzzMem;

/* PML4 -> PDPT -> PD of 2 MiB pages, mapping the kernel VA onto 0 */
static uint64_t table_entry(uint64_t pa)
{
    uint64_t table = (pa - FUZZ_TABLES) / 4096, index = (pa / 8) & 0x1ff;
    int level = 4 - table;

    if (level == 2) {
        return (index << 21) | 0x83;
    }
    if (index != ((FUZZ_KERNEL_VA >> (12 + 9 * (level - 1))) & 0x1ff)) {
        return 0;
    }
    return (FUZZ_TABLES + (table + 1) * 4096) | 0x3;
}

static bool fuzz_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    const FuzzMem *m = opaque;
    uint8_t *out = buf;
    size_t i;

    if (pa >= FUZZ_TABLES && pa < FUZZ_TABLES + 3 * 4096) {
        if (pa % 8 || len % 8 || pa + len > FUZZ_TABLES + 3 * 4096) {
            return false;
        }
        for (i = 0; i < len; i += 8) {
            uint64_t e = table_entry(pa + i);

            memcpy(out + i, &e, 8);
        }
        return true;
    }
    if (pa >= m->size || len > m->size - pa) {
        return false;
    }
    memcpy(out, m->image + pa, len);
    return true;
}

static int quiet(enum libbpf_print_level level, const char *fmt,
                 va_list args)
{
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    libbpf_set_print(quiet);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    StFuzzScanHeader h;
    FuzzMem m;
    StGuestMem mem = { .read_phys = fuzz_read, .opaque = &m };
    StGuestVm vm;
    StBtfScanOptions opts;
    g_autoptr(StLinuxProfile) p = NULL, again = NULL;
    GError *err = NULL;
    uint64_t lstar;

    if (size < sizeof(h)) {
        return 0;
    }
    memcpy(&h, data, sizeof(h));
    m.image = data + sizeof(h);
    m.size = size - sizeof(h);
    /* past the image nothing is readable: a page of that is enough */
    opts.forward = MIN(MIN(h.forward, (uint32_t)(256 * 1024)), m.size + 8192);
    opts.backward = MIN(MIN(h.backward, (uint32_t)(64 * 1024)), m.size + 8192);
    opts.max_size = MIN(h.max_size, (uint32_t)(1024 * 1024));
    lstar = FUZZ_KERNEL_VA + h.lstar % (m.size + 8192);
    st_guest_vm_init(&vm, &mem, FUZZ_TABLES, 0);

    st_linux_profile_cache_clear();
    p = st_linux_profile_auto(&vm, lstar, &opts, &err);
    if (!p) {
        if (!err || !*err->message) {
            abort();
        }
        g_clear_error(&err);
        return 0;
    }
    if (err || !st_linux_profile_check(p, NULL) ||
        p->source != ST_PROFILE_SOURCE_BTF || p->from_cache ||
        p->btf_paddr >= m.size) {
        abort();
    }
    again = st_linux_profile_auto(&vm, lstar, &opts, &err);
    if (!again || again->from_cache != !!p->banner ||
        memcmp(again->field, p->field, sizeof(p->field)) ||
        memcmp(again->percpu, p->percpu, sizeof(p->percpu))) {
        abort();
    }
    st_linux_profile_cache_clear();
    return 0;
}
