/*
 * secret-tracker: kallsyms tables written for tests, in the layouts of
 * the Debian kernel lines (see hw/misc/secret-tracker/vmi/linux-kallsyms.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef SECRET_TRACKER_TESTS_KALLSYMS_SYNTH_H
#define SECRET_TRACKER_TESTS_KALLSYMS_SYNTH_H

typedef enum KsLayout {
    KS_LAYOUT_5_10,     /* offsets, base, count, names, markers, tokens */
    KS_LAYOUT_6_1,      /* ... markers, seqs, tokens */
    KS_LAYOUT_6_12,     /* count, names, markers, tokens, offsets, base, seqs */
    KS_LAYOUT_7,        /* count, names, markers, tokens, offsets, seqs */
    KS_LAYOUT_ADDRESSES, /* kallsyms_addresses, count, names, ... */
    KS_LAYOUT__COUNT
} KsLayout;

/* A symbol: its name encoded with the token table, type letter first */
typedef struct KsSym {
    uint8_t enc[1100];
    unsigned enc_len;
    uint64_t value;
    bool percpu;
} KsSym;

/* The tables, and where each starts (virtual addresses, 0 if absent) */
typedef struct KsTables {
    GByteArray *bytes;      /* meant to be at va */
    uint64_t va;
    uint64_t num_syms, names, markers, seqs, token_table, token_index;
    uint64_t offsets, relative_base;
} KsTables;

/* A token table: 256 NUL-terminated strings, back to back */
typedef struct KsTokens {
    uint8_t table[16384];
    unsigned size;
    uint16_t index[256];
} KsTokens;

/*
 * Identity tokens for the characters of symbol names, a few longer
 * ones ("entry_", "sys_", "__", ...) and fillers for the rest.
 */
void ks_tokens_simple(KsTokens *t);

/* Encode "Tname" (type letter first) greedily; false if it cannot */
bool ks_encode(const KsTokens *t, const char *typed_name, KsSym *sym);

/* Decode @sym's name without its type letter into @out (1025 bytes) */
void ks_decode(const KsTokens *t, const KsSym *sym, char *out);

/*
 * Write the tables of @n symbols (sorted by value) as @layout lays them
 * out, for virtual address @va; @base is kallsyms_relative_base.
 */
void ks_build(KsTables *out, KsLayout layout, const KsTokens *t,
              const KsSym *syms, unsigned n, uint64_t va, uint64_t base);

/*
 * The input of fuzz-kallsyms: this header, then a guest memory image put
 * at virtual address base (2 MiB-aligned, in the top 2 GiB).
 */
typedef struct KsFuzzHeader {
    uint64_t base;      /* virtual address of the image */
    uint32_t lstar;     /* LSTAR, as an offset in the image */
    uint32_t flags;     /* bit 0: 5-level paging */
} KsFuzzHeader;

#define KS_FUZZ_IMAGE_PA 0x1000000ULL
#define KS_FUZZ_PAGE (2ULL << 20)

/* A fuzzer input with @t at its address, for a kernel at @base */
GByteArray *ks_fuzz_input(const KsTables *t, uint64_t base, uint64_t lstar);

/*
 * Write @in to @dir/@name, after checking that the reader finds its
 * @count symbols when the input is laid out as the fuzzer lays it out.
 */
void ks_fuzz_seed(const char *dir, const char *name, GByteArray *in,
                  unsigned count);

#endif
