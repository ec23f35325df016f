/*
 * secret-tracker: synthetic guest memory and kernel objects for tests
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef SECRET_TRACKER_VMI_SYNTH_H
#define SECRET_TRACKER_VMI_SYNTH_H

#include "hw/misc/secret-tracker/vmi/linux-readers.h"

/*
 * Sparse guest-physical memory (4 KiB pages in a hash table) with page
 * tables built by the test.  Physical pages never written read as absent.
 */
typedef struct StSynth {
    StGuestMem mem;
    GHashTable *pages;      /* pfn -> 4 KiB */
    GHashTable *vmap;       /* virtual page -> physical page (4 KiB maps) */
    uint64_t next_phys;     /* bump allocator for tables and data */
    uint64_t next_virt;     /* bump allocator for st_synth_alloc() */
    uint64_t cr3;
    uint64_t cr4;
    StGuestVm vm;
} StSynth;

StSynth *st_synth_new(bool la57);
void st_synth_free(StSynth *s);

uint64_t st_synth_phys_alloc(StSynth *s, uint64_t size, uint64_t align);
void st_synth_write_phys(StSynth *s, uint64_t pa, const void *buf,
                         size_t len);
/* Map @va to @pa with a 4K, 2M or 1G page (flags: extra PTE bits) */
void st_synth_map(StSynth *s, uint64_t va, uint64_t pa, uint64_t size);
/* Clear the present bit of the entry at @level (1 = PTE) for @va */
void st_synth_unmap_level(StSynth *s, uint64_t va, int level);

/* Allocate zeroed, mapped kernel memory (4 KiB pages) */
uint64_t st_synth_alloc(StSynth *s, uint64_t size);
void st_synth_write(StSynth *s, uint64_t va, const void *buf, size_t len);
void st_synth_w64(StSynth *s, uint64_t va, uint64_t v);
void st_synth_w32(StSynth *s, uint64_t va, uint32_t v);
void st_synth_w16(StSynth *s, uint64_t va, uint16_t v);

/*
 * User memory: map zeroed, physically contiguous pages at user address
 * @va in the test's address space (st_synth_write() reaches them);
 * returns the physical address of @va.
 */
uint64_t st_synth_user_alloc(StSynth *s, uint64_t va, uint64_t size);
/*
 * Another address space, as another mm: a new top-level table sharing
 * the kernel half of the test's one; returns its physical address.
 */
uint64_t st_synth_space_new(StSynth *s);
/* Map zeroed pages at @va in that space; returns their physical address */
uint64_t st_synth_space_map(StSynth *s, uint64_t root, uint64_t va,
                            uint64_t size);

/*
 * Guest-physical memory laid out from a vmlinux's PT_LOAD segments at
 * their physical addresses, with the kernel mapped by 2 MiB pages as the
 * kernel does it.  Returns where .text and .BTF are.
 */
StSynth *st_synth_from_vmlinux(const uint8_t *elf, size_t len,
                               uint64_t *text, uint64_t *text_size,
                               uint64_t *btf_va, uint64_t *btf_size,
                               uint64_t *btf_pa);

/* A profile whose offsets match no real kernel */
StLinuxProfile *st_synth_profile(void);
/* Add the optional members of the syscall decoders to it */
void st_synth_profile_add_decode(StLinuxProfile *p);

/* Write integer field @f of the object at @base */
void st_synth_set(StSynth *s, const StLinuxProfile *p, uint64_t base,
                  StLinuxOffset f, uint64_t v);
void st_synth_set_bytes(StSynth *s, const StLinuxProfile *p, uint64_t base,
                        StLinuxOffset f, const void *buf, size_t len);

/* A small consistent kernel: one task with open files under mounts */
typedef struct StSynthKernel {
    StSynth *s;
    StLinuxProfile *prof;
    StLinuxKernel kernel;
    uint64_t percpu;        /* KERNEL_GS_BASE */
    uint64_t task, parent, leader;
    uint64_t fs;
    uint64_t files, fdt, fd_array;
    uint64_t root_mnt, home_mnt;        /* struct mount */
    uint64_t root_dentry, home_dentry;  /* mountpoint /home in root fs */
    uint64_t home_root;                 /* root dentry of the home fs */
    uint64_t user_dentry, secret_dentry;
    uint64_t sb_root, sb_home;
} StSynthKernel;

#define ST_SYNTH_PID 4242
#define ST_SYNTH_TGID 4240
#define ST_SYNTH_PPID 77
#define ST_SYNTH_START 123456789ULL
#define ST_SYNTH_LEADER_START 120000000ULL
#define ST_SYNTH_COMM "secret-reader"
#define ST_SYNTH_MAX_FDS 64
#define ST_SYNTH_HOME_DEV 0x800003
#define ST_SYNTH_SECRET_INO 131077

StSynthKernel *st_synth_kernel_new(bool la57);
void st_synth_kernel_free(StSynthKernel *k);

uint64_t st_synth_dentry(StSynthKernel *k, uint64_t parent, const char *name,
                         uint64_t inode);
uint64_t st_synth_inode(StSynthKernel *k, uint64_t sb, uint16_t mode,
                        uint64_t ino);
uint64_t st_synth_file(StSynthKernel *k, uint64_t mount, uint64_t dentry,
                       uint32_t flags);
void st_synth_install_fd(StSynthKernel *k, int fd, uint64_t file);
/* A super block of device @dev whose s_id is @id */
uint64_t st_synth_sb(StSynthKernel *k, uint32_t dev, const char *id);
/* A struct mount of @root at @mountpoint in @parent (0: a root mount) */
uint64_t st_synth_mount(StSynthKernel *k, uint64_t parent,
                        uint64_t mountpoint, uint64_t root);

#endif
