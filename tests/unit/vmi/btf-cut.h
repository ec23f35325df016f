/*
 * secret-tracker: cut a kernel's BTF down to what a profile reads, and a
 * compiler-made oracle of member offsets (tests only)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef SECRET_TRACKER_BTF_CUT_H
#define SECRET_TRACKER_BTF_CUT_H

#include "hw/misc/secret-tracker/vmi/linux-profile.h"

struct btf;

/*
 * A small BTF with the real layout of the structs a profile reads: only
 * the members named in a profile path (and the anonymous members that
 * lead to them), pointers as void *, integers and enums as unsigned
 * integers of their size, and the per-CPU variables of .data..percpu.
 * Struct sizes and member offsets are the original ones.
 */
struct btf *st_btf_cut(const struct btf *full);

/* Header of a fuzz-btf-scan input (little endian), then the image */
typedef struct StFuzzScanHeader {
    uint32_t lstar;     /* offset of LSTAR in the image */
    uint32_t forward;   /* scan window, clamped by the fuzzer */
    uint32_t backward;
    uint32_t max_size;
} StFuzzScanHeader;

/*
 * The layout a C compiler gives the types libbpf dumps from @btf as C
 * (btf_dump): for every profile field whose struct is in @btf, its
 * offset and size, -1 where the member does not exist or is a bitfield,
 * and each struct's size.  An oracle that shares no code with the
 * profile loaders.  False (with a message) if the compiler fails.
 */
typedef struct StBtfOracle {
    int64_t offset[ST_OFFSET__COUNT];
    int64_t size[ST_OFFSET__COUNT];
    int64_t struct_size[ST_STRUCT__COUNT];
} StBtfOracle;

bool st_btf_oracle(const struct btf *btf, StBtfOracle *out, GError **errp);

#endif
