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
    uint32_t offset;        /* bytes from the start of the struct */
    uint32_t size;          /* bytes (whole array / struct for those) */
} StLinuxFieldInfo;

typedef enum StLinuxProfileSource {
    ST_PROFILE_SOURCE_NONE,
    ST_PROFILE_SOURCE_BTF,      /* found in guest memory */
    ST_PROFILE_SOURCE_BTF_FILE, /* from a vmlinux on the host */
    ST_PROFILE_SOURCE_ISF,      /* Volatility 3 ISF file */
} StLinuxProfileSource;

typedef struct StLinuxProfile {
    StLinuxProfileSource source;
    char *origin;                       /* file name, or "guest memory" */
    char *banner;                       /* linux_banner, when known */
    StLinuxFieldInfo field[ST_OFFSET__COUNT];
    uint32_t struct_size[ST_STRUCT__COUNT]; /* 0: struct absent */
    /* offsets into the per-CPU area (never slid by KASLR) */
    uint64_t percpu[ST_PERCPU__COUNT];
    /* unrandomized entry_SYSCALL_64 (ISF only; BTF has no addresses) */
    bool has_entry_syscall;
    uint64_t entry_syscall;
    /* auto profile: where BTF was, and what finding + parsing it cost */
    uint64_t btf_paddr;
    uint64_t btf_size;
    int64_t btf_time_us;
    bool from_cache;
} StLinuxProfile;

const char *st_linux_profile_source_name(StLinuxProfileSource source);
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

/* Fill @prof from parsed kernel BTF (types and the per-CPU DATASEC) */
bool st_linux_profile_from_btf(StLinuxProfile *prof, const struct btf *btf,
                               GError **errp);

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
 * The auto profile: from LSTAR, find banner and BTF in guest memory.  A
 * kernel whose banner was seen before is served from an in-memory cache.
 */
StLinuxProfile *st_linux_profile_auto(const StGuestVm *vm, uint64_t lstar,
                                      const StBtfScanOptions *opts,
                                      GError **errp);
void st_linux_profile_cache_clear(void);

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
