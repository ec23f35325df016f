/*
 * secret-tracker: guest memory for the decoder fuzz targets
 *
 * The input's bytes after a target's header are one guest-physical
 * image, mapped twice with 4 KiB pages by page tables computed on the
 * fly: at FUZZ_USER_BASE (user space) and at FUZZ_KERNEL_BASE (the
 * kernel's direct map).  Pages whose number (mod 64) has its bit set in
 * @holes are not present, so arrays and strings can run into a hole
 * anywhere, not only at the end of the image.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef SECRET_TRACKER_FUZZ_DECODE_MEM_H
#define SECRET_TRACKER_FUZZ_DECODE_MEM_H

#include "hw/misc/secret-tracker/vmi/guest-mem.h"

#define FUZZ_USER_BASE   0x40000000ULL           /* 1 GiB */
#define FUZZ_KERNEL_BASE 0xffff888000000000ULL   /* the direct map */
#define FUZZ_WINDOW      (1ULL << 30)            /* each window: 1 GiB */

typedef struct FuzzDecodeMem {
    const uint8_t *image;
    size_t size;
    uint64_t holes;
    StGuestMem mem;
    StGuestVm vm;       /* both windows, as a process's kernel tables */
} FuzzDecodeMem;

void fuzz_decode_mem_init(FuzzDecodeMem *m, const uint8_t *image,
                          size_t size, uint64_t holes);

/*
 * The corpus directory (the first argument that is not an option) is
 * created, so that libFuzzer can write to it; returns it or NULL.
 */
const char *fuzz_decode_corpus_dir(int argc, char **argv);

/* Write @hdr (@hlen bytes) then @image (@ilen) to @dir/@name */
void fuzz_decode_write_seed(const char *dir, const char *name,
                            const void *hdr, size_t hlen,
                            const void *image, size_t ilen);

#endif
