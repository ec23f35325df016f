/*
 * secret-tracker: libFuzzer target for BTF -> profile
 * (linux-profile-btf.c over libbpf's btf__new())
 *
 * The input is a raw BTF blob, as the scanner hands it over from guest
 * memory.  Seeds (data/fuzz-btf-profile): the synthetic BTF of the unit
 * tests, cut-down BTF of real Debian kernels (only the types a profile
 * reads, with their real layout), and the hostile shapes of issue 10.
 *
 * Checked: a profile that is accepted passes st_linux_profile_check()
 * again and has every present field inside its struct; a refusal says
 * why.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

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

static void check_profile(const StLinuxProfile *p)
{
    unsigned i;

    if (!st_linux_profile_check(p, NULL)) {
        abort();
    }
    for (i = 0; i < ST_OFFSET__COUNT; i++) {
        const StLinuxFieldInfo *f = &p->field[i];
        uint32_t in = p->struct_size[st_linux_offset_specs[i].in];

        if (f->present && (!in || f->offset > in || f->size > in - f->offset ||
                           f->bit_shift + f->bit_size > f->size * 8)) {
            fprintf(stderr, "field %u at %u+%u outside its struct (%u)\n",
                    i, f->offset, f->size, in);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct btf *btf = btf__new(data, size);
    g_autoptr(StLinuxProfile) prof = NULL;
    StBtfStep steps[ST_BTF_MAX_STEPS];
    GError *err = NULL;
    uint64_t off;
    unsigned n;

    if (!btf) {
        return 0;
    }
    prof = st_linux_profile_new();
    if (st_linux_profile_from_btf(prof, btf, &err)) {
        if (err) {
            abort();
        }
        check_profile(prof);
    } else if (!err || !*err->message) {
        abort();
    }
    g_clear_error(&err);

    /* the lookups on their own, on paths a profile does not take */
    if (st_btf_resolve_path(btf, "dentry", "d_name.name", steps, &n, NULL) &&
        (n != 2 || steps[1].container_id == 0)) {
        abort();
    }
    st_btf_resolve_path(btf, "task_struct", "a.b.c.d.e", steps, &n, NULL);
    st_btf_datasec_offset(btf, ".data..percpu", "pcpu_hot", &off, NULL);
    btf__free(btf);
    return 0;
}
