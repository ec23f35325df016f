/*
 * secret-tracker: Linux x86-64 kernel profile (struct layouts, per-CPU
 * offsets, entry point) from in-guest BTF or a Volatility 3 ISF file
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_LINUX_PROFILE_H
#define HW_MISC_SECRET_TRACKER_VMI_LINUX_PROFILE_H

#include "hw/misc/secret-tracker/vmi/guest-mem.h"

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

/* Structs we read; their sizes bound the field offsets */
typedef enum StLinuxStruct {
    ST_LS_TASK_STRUCT,
    ST_LS_FILES_STRUCT,
    ST_LS_FDTABLE,
    ST_LS_FILE,
    ST_LS_DENTRY,
    ST_LS_INODE,
    ST_LS_SUPER_BLOCK,
    ST_LS_VFSMOUNT,
    ST_LS_MOUNT,
    ST_LS_SOCKET,
    ST_LS_SOCK,
    ST_LS_SOCK_COMMON,
    ST_LS_UNIX_SOCK,
    ST_LS_UNIX_ADDRESS,
    ST_LS_SOCKADDR_UN,
    ST_LS_PT_REGS,
    ST_LS_PCPU_HOT,
    ST_LS_FS_STRUCT,
    ST_LS__COUNT
} StLinuxStruct;

/* Fields we read, each an offset from the start of its struct */
typedef enum StLinuxField {
    ST_LF_TASK_PID,
    ST_LF_TASK_TGID,
    ST_LF_TASK_REAL_PARENT,
    ST_LF_TASK_MM,
    ST_LF_TASK_START_TIME,
    ST_LF_TASK_COMM,
    ST_LF_TASK_FS,
    ST_LF_TASK_FILES,
    ST_LF_FILES_FDT,
    ST_LF_FDT_MAX_FDS,
    ST_LF_FDT_FD,
    ST_LF_FILE_PATH_MNT,
    ST_LF_FILE_PATH_DENTRY,
    ST_LF_FILE_INODE,
    ST_LF_FILE_FLAGS,
    ST_LF_FILE_MODE,
    ST_LF_FILE_PRIVATE_DATA,
    ST_LF_DENTRY_PARENT,
    ST_LF_DENTRY_NAME_LEN,
    ST_LF_DENTRY_NAME_NAME,
    ST_LF_DENTRY_INODE,
    ST_LF_DENTRY_INAME,
    ST_LF_INODE_MODE,
    ST_LF_INODE_SB,
    ST_LF_INODE_INO,
    ST_LF_INODE_SIZE,
    ST_LF_SB_DEV,
    ST_LF_SB_ID,
    ST_LF_VFSMOUNT_ROOT,
    ST_LF_MOUNT_PARENT,
    ST_LF_MOUNT_MOUNTPOINT,
    ST_LF_MOUNT_MNT,
    ST_LF_SOCKET_SK,
    ST_LF_SOCKET_FILE,
    ST_LF_SOCKET_TYPE,
    ST_LF_SOCK_COMMON,
    ST_LF_SKC_DADDR,
    ST_LF_SKC_RCV_SADDR,
    ST_LF_SKC_DPORT,
    ST_LF_SKC_NUM,
    ST_LF_SKC_FAMILY,
    ST_LF_SKC_V6_DADDR,
    ST_LF_SKC_V6_RCV_SADDR,
    ST_LF_UNIX_SK,
    ST_LF_UNIX_ADDR,
    ST_LF_UNIX_PEER,
    ST_LF_UNIX_ADDRESS_LEN,
    ST_LF_UNIX_ADDRESS_NAME,
    ST_LF_SOCKADDR_UN_PATH,
    ST_LF_PT_REGS_ORIG_AX,
    ST_LF_PT_REGS_AX,
    ST_LF_PT_REGS_DI,
    ST_LF_PT_REGS_SI,
    ST_LF_PT_REGS_DX,
    ST_LF_PT_REGS_R10,
    ST_LF_PT_REGS_R8,
    ST_LF_PT_REGS_R9,
    ST_LF_PT_REGS_IP,
    ST_LF_PT_REGS_SP,
    ST_LF_PCPU_HOT_CURRENT_TASK,
    ST_LF_PCPU_HOT_TOP_OF_STACK,
    ST_LF_TASK_GROUP_LEADER,
    ST_LF_FS_PWD_MNT,
    ST_LF_FS_PWD_DENTRY,
    ST_LF_SOCK_SOCKET,
    ST_LF__COUNT
} StLinuxField;

typedef enum StLinuxFieldKind {
    ST_LK_INT,      /* integer, enum or bitfield */
    ST_LK_PTR,
    ST_LK_ARRAY,
    ST_LK_STRUCT,   /* an embedded struct or union */
} StLinuxFieldKind;

/* Which struct member a field is: a dotted path from the struct */
typedef struct StLinuxFieldSpec {
    StLinuxStruct in;
    const char *path;   /* e.g. "f_path.mnt", "d_name.len" */
    bool optional;
} StLinuxFieldSpec;

extern const char *const st_linux_struct_names[ST_LS__COUNT];
extern const StLinuxFieldSpec st_linux_field_specs[ST_LF__COUNT];

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

/* Per-CPU variables whose offset we need */
typedef enum StLinuxPercpu {
    ST_LP_CURRENT_TASK,
    ST_LP_TOP_OF_STACK,
    ST_LP__COUNT
} StLinuxPercpu;

typedef struct StLinuxProfile {
    StLinuxProfileSource source;
    char *origin;                       /* file name, or "guest memory" */
    char *banner;                       /* linux_banner, when known */
    StLinuxFieldInfo field[ST_LF__COUNT];
    uint32_t struct_size[ST_LS__COUNT]; /* 0: struct absent */
    /* offsets into the per-CPU area (never slid by KASLR) */
    uint64_t percpu[ST_LP__COUNT];
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
