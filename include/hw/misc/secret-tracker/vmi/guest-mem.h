/*
 * secret-tracker: bounded access to x86-64 guest memory
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_VMI_GUEST_MEM_H
#define HW_MISC_SECRET_TRACKER_VMI_GUEST_MEM_H

#define ST_GUEST_ERROR st_guest_error_quark()
GQuark st_guest_error_quark(void);

typedef enum StGuestErrorCode {
    ST_GUEST_ERROR_UNMAPPED,  /* a guest address does not translate/read */
    ST_GUEST_ERROR_BOUNDS,    /* a length or count from the guest is absurd */
    ST_GUEST_ERROR_CORRUPT,   /* guest data is inconsistent (loops, ...) */
    ST_GUEST_ERROR_NOT_FOUND, /* something searched for is absent */
    ST_GUEST_ERROR_PROFILE,   /* the profile lacks what is needed */
} StGuestErrorCode;

/* Largest single virtual read we agree to do (the BTF copy is the biggest) */
#define ST_GUEST_MAX_READ (64 * 1024 * 1024)

/*
 * Physical memory as seen by the introspection code.  read_phys() must
 * copy exactly @len bytes or fail; it never sees @len above
 * ST_GUEST_MAX_READ.  It alone decides what is readable: guest RAM is not
 * one range below the RAM size (on pc and q35 it is split around the PCI
 * hole, the rest above 4 GiB), so only the machine's memory map can tell.
 */
typedef struct StGuestMem {
    bool (*read_phys)(void *opaque, uint64_t paddr, void *buf, size_t len);
    void *opaque;
} StGuestMem;

/*
 * A small translation cache for one thread's walks: only 2 MiB and 1 GiB
 * mappings are kept (the kernel image and its direct map of RAM, which do
 * not move while a kernel runs); 4 KiB mappings (vmalloc, kernel stacks,
 * user memory) come and go and are always walked.  Flush it when the
 * kernel changes (reset, kexec).
 */
#define ST_GUEST_TLB_SIZE 32

typedef struct StGuestTlbEntry {
    uint64_t va;        /* page-aligned; 0: empty */
    uint64_t pa;
    uint64_t size;
} StGuestTlbEntry;

typedef struct StGuestTlb {
    StGuestTlbEntry entry[ST_GUEST_TLB_SIZE];
    uint64_t hits;
    uint64_t misses;
} StGuestTlb;

void st_guest_tlb_flush(StGuestTlb *tlb);

/* A kernel virtual address space: the memory plus its page-table root. */
typedef struct StGuestVm {
    const StGuestMem *mem;
    uint64_t root;  /* physical address of the top-level table */
    /*
     * 0, or the kernel half of the PTI pair whose user half may be @root:
     * kernel addresses @root does not map are walked from here.
     */
    uint64_t pti_kernel;
    bool la57;      /* 5-level paging */
    StGuestTlb *tlb;    /* optional; not shared between threads */
} StGuestVm;

/* Kernel page-table root from CR3: PCID bits and the PTI user bit cleared */
uint64_t st_guest_kernel_root(uint64_t cr3);

/*
 * The top table CR3 names, PCID bits cleared only: without PTI it may be
 * at an odd frame, and either PTI half maps user space.
 */
uint64_t st_guest_cr3_table(uint64_t cr3);

/*
 * The user half of the PTI pair whose kernel half is @vm's root, in
 * @user: the top-level entry that maps the top of user space must be
 * present there and, if the kernel half has it, name the same table (the
 * kernel copy only adds NX); else false.  A kernel half may lack user
 * mappings its user half has (seen on Debian's 7.x).  Without PTI the
 * next page is not a page table: only ask when the kernel half failed,
 * for a pointer the kernel will then refuse anyway.
 */
bool st_guest_pti_user_half(const StGuestVm *vm, StGuestVm *user);

void st_guest_vm_init(StGuestVm *vm, const StGuestMem *mem, uint64_t cr3,
                      uint64_t cr4);

/* Is @va a canonical address in the kernel half for this paging mode? */
bool st_guest_is_kernel_va(const StGuestVm *vm, uint64_t va);

bool st_guest_read_phys(const StGuestMem *mem, uint64_t paddr, void *buf,
                        size_t len, GError **errp);

/*
 * Translate @va.  On success *paddr is its physical address, and
 * *page_size (if not NULL) the size of the page that maps it.
 */
bool st_guest_vtop(const StGuestVm *vm, uint64_t va, uint64_t *paddr,
                   uint64_t *page_size, GError **errp);

/*
 * Read a virtual range, possibly crossing pages.  False if any of it
 * cannot be read; @buf may then hold part of the range.
 */
bool st_guest_read(const StGuestVm *vm, uint64_t va, void *buf, size_t len,
                   GError **errp);
bool st_guest_read_u64(const StGuestVm *vm, uint64_t va, uint64_t *val,
                       GError **errp);
bool st_guest_read_u32(const StGuestVm *vm, uint64_t va, uint32_t *val,
                       GError **errp);
bool st_guest_read_u16(const StGuestVm *vm, uint64_t va, uint16_t *val,
                       GError **errp);
/* Read an unsigned integer of @size (1, 2, 4 or 8) bytes */
bool st_guest_read_uint(const StGuestVm *vm, uint64_t va, unsigned size,
                        uint64_t *val, GError **errp);
/* Read a kernel pointer: fails unless it is NULL or a kernel address */
bool st_guest_read_kptr(const StGuestVm *vm, uint64_t va, uint64_t *ptr,
                        GError **errp);

#endif /* HW_MISC_SECRET_TRACKER_VMI_GUEST_MEM_H */
