/*
 * secret-tracker: Linux x86-64 kernel profile (struct layouts, per-CPU
 * offsets, entry point) from in-guest BTF or a Volatility 3 ISF file
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_PROFILE_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_PROFILE_H

#include "hw/misc/secret-tracker/vmi/guest-mem.h"
#include "hw/misc/secret-tracker/vmi/linux-offsets.h"
#include "hw/misc/secret-tracker/vmi/linux-kallsyms.h"

struct btf;

#define ST_PROFILE_ERROR st_profile_error_quark()
GQuark st_profile_error_quark(void);

typedef enum StProfileErrorCode {
    ST_PROFILE_ERROR_IO,        /* file cannot be read or decompressed */
    ST_PROFILE_ERROR_SYNTAX,    /* not JSON, or truncated */
    ST_PROFILE_ERROR_SHAPE,     /* JSON, but not a usable ISF */
    ST_PROFILE_ERROR_MISSING,   /* a type, field or symbol we need is absent */
    ST_PROFILE_ERROR_RANGE,     /* an offset or size is out of range */
    ST_PROFILE_ERROR_NO_BTF,    /* no kernel BTF found in guest memory */
    ST_PROFILE_ERROR_NO_BANNER, /* no linux_banner found */
    ST_PROFILE_ERROR_WRONG_KERNEL, /* the profile names another kernel */
} StProfileErrorCode;

/* Structs and members are small; anything larger is a broken profile */
#define ST_PROFILE_MAX_STRUCT (1024 * 1024)

typedef struct StLinuxFieldInfo {
    bool present;
    uint8_t kind;           /* StLinuxFieldKind */
    uint8_t bit_shift;      /* bitfields: position inside the bytes read */
    uint8_t bit_size;       /* 0 unless a bitfield */
    uint8_t alt;            /* which alternative of the path it is */
    uint32_t offset;        /* bytes from the start of the struct */
    uint32_t size;          /* bytes (whole array / struct for those) */
} StLinuxFieldInfo;

typedef enum StLinuxProfileSource {
    ST_PROFILE_SOURCE_NONE,
    ST_PROFILE_SOURCE_BTF,      /* found in guest memory */
    ST_PROFILE_SOURCE_BTF_FILE, /* from a vmlinux on the host */
    ST_PROFILE_SOURCE_ISF,      /* Volatility 3 ISF file */
} StLinuxProfileSource;

/* Where the per-CPU offsets came from */
typedef enum StLinuxPercpuSource {
    ST_PERCPU_FROM_NONE,
    ST_PERCPU_FROM_BTF,         /* BTF's .data..percpu section alone */
    ST_PERCPU_FROM_KALLSYMS,    /* the guest's kallsyms alone */
    ST_PERCPU_FROM_BOTH,        /* kallsyms, checked against BTF */
    ST_PERCPU_FROM_ISF,         /* the ISF's symbols */
} StLinuxPercpuSource;

typedef struct StLinuxProfile {
    StLinuxProfileSource source;
    char *origin;                       /* file name, or "guest memory" */
    char *banner;                       /* linux_banner, when known */
    StLinuxFieldInfo field[ST_OFFSET__COUNT];
    uint32_t struct_size[ST_STRUCT__COUNT]; /* 0: struct absent */
    /*
     * Offsets from a CPU's per-CPU base (its GS base in the kernel).  Up
     * to 6.12 the per-CPU area is linked at 0: the offsets are small and
     * KASLR never moves them.  In 7.x it is linked into the kernel image:
     * an offset is the variable's address in the image, and moves with
     * the kernel.  Such offsets are right for the kernel whose
     * entry_SYSCALL_64 is at @percpu_lstar; st_linux_profile_bind()
     * moves them to another.
     */
    uint64_t percpu[ST_PERCPU__COUNT];
    uint64_t percpu_lstar;
    StLinuxPercpuSource percpu_from;
    uint8_t percpu_alt[ST_PERCPU__COUNT];   /* which alternative, each */
    /* unrandomized entry_SYSCALL_64 (ISF only; BTF has no addresses) */
    bool has_entry_syscall;
    uint64_t entry_syscall;
    /* auto profile: where BTF was, and what finding + parsing it cost */
    uint64_t btf_paddr;
    uint64_t btf_size;
    int64_t btf_time_us;
    int64_t kallsyms_time_us;   /* finding kallsyms, when done for this */
    bool from_cache;
} StLinuxProfile;

const char *st_linux_profile_source_name(StLinuxProfileSource source);
const char *st_linux_percpu_source_name(StLinuxPercpuSource source);

/*
 * Alternative @alt (0 first) of member @f's path, e.g. "d_shortname.string"
 * for alternative 1 of ST_DENTRY_D_INAME.  False past the last one.
 */
bool st_linux_offset_path(StLinuxOffset f, unsigned alt, char *buf,
                          size_t len);
#define ST_LINUX_MAX_ALTS 4
/* "dentry.d_iname (or d_shortname.string)", for messages; g_free() */
char *st_linux_offset_describe(StLinuxOffset f);

/*
 * Member @f by the first of its alternative paths that @try_path finds in
 * a profile source (@source names it in errors: "BTF", "ISF").  @try_path
 * fails with ST_PROFILE_ERROR_MISSING for a path the source lacks; any
 * other error stops the search.
 */
typedef bool (*StLinuxFieldTry)(void *opaque, StLinuxOffset f,
                                const char *path, StLinuxFieldInfo *fi,
                                GError **errp);
bool st_linux_field_by_alternatives(StLinuxOffset f, const char *source,
                                    StLinuxFieldTry try_path, void *opaque,
                                    StLinuxFieldInfo *fi, GError **errp);

/* A feature's name for reports, e.g. "ipv6-addresses" */
const char *st_linux_feature_name(StLinuxFeature feature);
/*
 * NULL when @prof has every member @feature needs; else why it is off,
 * naming the members the profile lacks (g_free() it)
 */
char *st_linux_profile_feature_missing(const StLinuxProfile *prof,
                                       StLinuxFeature feature);

/*
 * Per-CPU value @which by the first of its alternatives @lookup knows:
 * @lookup gives a per-CPU variable's offset (BTF's section, kallsyms,
 * ISF symbols); members inside it come from @prof.  *@alt (if not NULL)
 * says which alternative.
 */
typedef bool (*StLinuxPercpuLookup)(void *opaque, const char *var,
                                    uint64_t *offset);
bool st_linux_percpu_resolve(const StLinuxProfile *prof, StLinuxPercpu which,
                             StLinuxPercpuLookup lookup, void *opaque,
                             uint64_t *value, unsigned *alt);
/* "current_task, pcpu_hot.current_task", for messages; g_free() */
char *st_linux_percpu_describe(StLinuxPercpu which);

/* A per-CPU offset that is an address in the kernel image (7.x)? */
static inline bool st_linux_percpu_in_image(uint64_t offset)
{
    return (offset >> 47) == 0x1ffff;
}

/*
 * Make @prof's per-CPU offsets right for the kernel whose entry_SYSCALL_64
 * is at @lstar: those that are addresses in the kernel image move by the
 * distance the kernel moved (a multiple of 2 MiB).
 */
bool st_linux_profile_bind(StLinuxProfile *prof, uint64_t lstar,
                           GError **errp);

/* What building @prof from guest memory cost (0 when it was cached) */
int64_t st_linux_profile_time_us(const StLinuxProfile *prof);
/* One line for status: source, origin, banner, BTF size/time; g_free() */
char *st_linux_profile_describe(const StLinuxProfile *prof);
StLinuxProfile *st_linux_profile_new(void);
StLinuxProfile *st_linux_profile_copy(const StLinuxProfile *prof);
void st_linux_profile_free(StLinuxProfile *prof);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StLinuxProfile, st_linux_profile_free)

/*
 * Check completeness and bounds: required fields present, every field
 * inside its struct, per-CPU offsets set.  Loaders call it last.
 */
bool st_linux_profile_check(const StLinuxProfile *prof, GError **errp);

/*
 * A profile that carries a banner (ISF linux_banner) must name the
 * running kernel, whose banner is @guest_banner.  Passes when either is
 * unknown: then only st_linux_validate() can tell.
 */
bool st_linux_profile_check_banner(const StLinuxProfile *prof,
                                   const char *guest_banner, GError **errp);

/*
 * Fill @prof from parsed kernel BTF (types and the per-CPU DATASEC), each
 * member by the first of its alternative paths BTF has, and check it
 */
bool st_linux_profile_from_btf(StLinuxProfile *prof, const struct btf *btf,
                               GError **errp);
/* The same, unchecked: per-CPU offsets may be missing or need kallsyms */
bool st_linux_profile_fields_from_btf(StLinuxProfile *prof,
                                      const struct btf *btf, GError **errp);
/*
 * Per-CPU value @which in BTF's .data..percpu, by the first of its
 * alternatives there: its offset in that section.  False if BTF has none
 * (5.10 has no per-CPU variables in BTF).
 */
bool st_linux_profile_percpu_btf(const struct btf *btf,
                                 const StLinuxProfile *prof,
                                 StLinuxPercpu which, uint64_t *offset,
                                 unsigned *alt);

/*
 * One step of a member path resolved in BTF: member @name of the struct
 * or union type @container_id sits @bit_offset bits in (summed through
 * anonymous members), with type @type_id.
 */
typedef struct StBtfStep {
    uint32_t container_id;
    char name[64];
    uint32_t bit_offset;
    uint32_t bitfield_size;
    uint32_t type_id;
} StBtfStep;

#define ST_BTF_MAX_STEPS 4

/*
 * Members examined while looking up one member name (through anonymous
 * members, BTF and ISF alike); Debian's 6.1 and 6.12 kernels need at most
 * 131 (task_struct.files).  Beyond this the profile is refused as hostile.
 */
#define ST_BTF_MAX_SEARCH_STEPS 16384

/* Resolve a dotted member path from struct @struct_name */
bool st_btf_resolve_path(const struct btf *btf, const char *struct_name,
                         const char *path, StBtfStep *steps,
                         unsigned *n_steps, GError **errp);

/* Offset of a variable in BTF DATASEC @sec (e.g. ".data..percpu") */
bool st_btf_datasec_offset(const struct btf *btf, const char *sec,
                           const char *var, uint64_t *offset, GError **errp);

/*
 * Find the kernel's BTF in guest-physical memory, scanning forward from
 * @start (then a little backwards) within the kernel image.  Returns a
 * copy of the blob.
 */
typedef struct StBtfScanOptions {
    uint64_t forward;   /* bytes to scan after @start */
    uint64_t backward;  /* bytes to scan before @start */
    uint64_t max_size;  /* largest BTF blob accepted */
} StBtfScanOptions;

void st_btf_scan_options_default(StBtfScanOptions *opts);

bool st_btf_scan(const StGuestMem *mem, uint64_t start,
                 const StBtfScanOptions *opts, uint8_t **blob, size_t *size,
                 uint64_t *paddr, GError **errp);

/* The first "Linux version <digit>..." line in @buf, or NULL */
char *st_linux_banner_in_buffer(const uint8_t *buf, size_t len);

/* Find "Linux version ..." (linux_banner) near @start; g_free() it */
char *st_linux_find_banner(const StGuestMem *mem, uint64_t start,
                           const StBtfScanOptions *opts, GError **errp);

/*
 * Per-CPU offsets from the kernel's kallsyms (@prof's fields already
 * filled): kallsyms knows every per-CPU variable, also where BTF has none
 * (5.10), and gives 7.x's in-image offsets at their KASLR-moved address.
 * Where @btf has the variable too, both must agree.  @lstar is the
 * kernel's entry_SYSCALL_64, as kallsyms was found from it.
 */
bool st_linux_profile_percpu_from_kallsyms(StLinuxProfile *prof,
                                           const StKallsyms *ks,
                                           const struct btf *btf,
                                           uint64_t lstar, GError **errp);

/*
 * The auto profile: from LSTAR, find banner and BTF in guest memory, and
 * the per-CPU offsets in the kernel's kallsyms @ks (when the caller has
 * found it; NULL: found here, and BTF's per-CPU section is the fallback).
 * A kernel whose banner was seen before is served from an in-memory
 * cache, bound to @lstar.
 */
StLinuxProfile *st_linux_profile_auto_kallsyms(const StGuestVm *vm,
                                               uint64_t lstar,
                                               const StKallsyms *ks,
                                               const StBtfScanOptions *opts,
                                               GError **errp);
/* The same, finding kallsyms itself */
StLinuxProfile *st_linux_profile_auto(const StGuestVm *vm, uint64_t lstar,
                                      const StBtfScanOptions *opts,
                                      GError **errp);
void st_linux_profile_cache_clear(void);

/*
 * The profile for the kernel whose entry_SYSCALL_64 is at @lstar, ready
 * for the readers; a new one, st_linux_profile_free() it.  With @isf (the
 * profile= file): a copy of it, refused when its banner names another
 * kernel, bound to @lstar.  Without: the auto profile, with kallsyms @ks
 * if the caller has it (NULL: found here).
 */
StLinuxProfile *st_linux_profile_for_kernel(const StGuestVm *vm,
                                            uint64_t lstar,
                                            const StLinuxProfile *isf,
                                            const StKallsyms *ks,
                                            GError **errp);

/*
 * Volatility 3 ISF (JSON, or .json.xz): loaded with QEMU's qobject, in
 * linux-profile-isf.c.
 */
StLinuxProfile *st_linux_profile_load_isf(const char *filename,
                                          GError **errp);
StLinuxProfile *st_linux_profile_parse_isf(const char *json, size_t len,
                                           const char *origin, GError **errp);

/* Decompress an .xz buffer (bounded by @max_out) */
bool st_xz_decompress(const uint8_t *in, size_t in_len, size_t max_out,
                      uint8_t **out, size_t *out_len, GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_LINUX_PROFILE_H */
