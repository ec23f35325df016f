/*
 * secret-tracker: synthetic guest memory and kernel objects for tests
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"

#include <gelf.h>
#include <libelf.h>

#define PAGE 4096ULL
#define PTE_P_RW 0x3ULL
#define PTE_PS (1ULL << 7)
#define PTE_ADDR 0x000ffffffffff000ULL

static bool st_synth_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    StSynth *s = opaque;
    uint8_t *out = buf;

    while (len) {
        uint64_t off = pa & (PAGE - 1);
        size_t n = MIN(len, PAGE - off);
        uint8_t *page = g_hash_table_lookup(s->pages,
                                            GSIZE_TO_POINTER(pa / PAGE));

        if (!page) {
            return false;
        }
        memcpy(out, page + off, n);
        out += n;
        pa += n;
        len -= n;
    }
    return true;
}

static uint8_t *st_synth_page(StSynth *s, uint64_t pfn)
{
    uint8_t *page = g_hash_table_lookup(s->pages, GSIZE_TO_POINTER(pfn));

    if (!page) {
        page = g_malloc0(PAGE);
        g_hash_table_insert(s->pages, GSIZE_TO_POINTER(pfn), page);
    }
    return page;
}

void st_synth_write_phys(StSynth *s, uint64_t pa, const void *buf, size_t len)
{
    const uint8_t *in = buf;

    while (len) {
        uint64_t off = pa & (PAGE - 1);
        size_t n = MIN(len, PAGE - off);

        memcpy(st_synth_page(s, pa / PAGE) + off, in, n);
        in += n;
        pa += n;
        len -= n;
    }
}

uint64_t st_synth_phys_alloc(StSynth *s, uint64_t size, uint64_t align)
{
    uint64_t pa = (s->next_phys + align - 1) & ~(align - 1);
    uint64_t i;

    s->next_phys = pa + ((size + PAGE - 1) & ~(PAGE - 1));
    /* materialize (zeroed) pages so that they read */
    for (i = 0; i < size; i += PAGE) {
        st_synth_page(s, (pa + i) / PAGE);
    }
    return pa;
}

StSynth *st_synth_new(bool la57)
{
    StSynth *s = g_new0(StSynth, 1);

    s->pages = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                     g_free);
    s->vmap = g_hash_table_new(g_int64_hash, g_int64_equal);
    s->mem.read_phys = st_synth_read;
    s->mem.opaque = s;
    s->next_phys = 0x200000;
    s->next_virt = la57 ? 0xff11000000000000ULL : 0xffff888000000000ULL;
    /* PCID 0x5 and the PTI user bit set: the walker must clear them */
    s->cr3 = st_synth_phys_alloc(s, 2 * PAGE, 2 * PAGE) | 0x1000 | 0x5;
    s->cr4 = la57 ? (1ULL << 12) : 0;
    st_guest_vm_init(&s->vm, &s->mem, s->cr3, s->cr4);
    return s;
}

void st_synth_free(StSynth *s)
{
    GHashTableIter it;
    gpointer key;

    if (!s) {
        return;
    }
    g_hash_table_iter_init(&it, s->vmap);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        g_free(key);
    }
    g_hash_table_destroy(s->vmap);
    g_hash_table_destroy(s->pages);
    g_free(s);
}

static uint64_t st_synth_r64(StSynth *s, uint64_t pa)
{
    uint64_t v = 0;

    g_assert_true(st_synth_read(s, pa, &v, 8));
    return v;
}

/* Physical address of the entry for @va at @level, creating tables */
static uint64_t st_synth_entry(StSynth *s, uint64_t va, int level,
                               bool create)
{
    int top = s->vm.la57 ? 5 : 4;
    uint64_t table = s->vm.root;
    int l;

    for (l = top; l > level; l--) {
        uint64_t epa = table + 8 * ((va >> (12 + 9 * (l - 1))) & 0x1ff);
        uint64_t e = st_synth_r64(s, epa);

        if (!(e & 1)) {
            g_assert_true(create);
            e = st_synth_phys_alloc(s, PAGE, PAGE) | PTE_P_RW;
            st_synth_write_phys(s, epa, &e, 8);
        }
        g_assert_false(e & PTE_PS);
        table = e & PTE_ADDR;
    }
    return table + 8 * ((va >> (12 + 9 * (level - 1))) & 0x1ff);
}

void st_synth_map(StSynth *s, uint64_t va, uint64_t pa, uint64_t size)
{
    int level = size == PAGE ? 1 : size == (2ULL << 20) ? 2 : 3;
    uint64_t e = pa | PTE_P_RW | (level > 1 ? PTE_PS : 0);

    g_assert_true(size == PAGE || size == (2ULL << 20) ||
                  size == (1ULL << 30));
    g_assert_cmphex(va & (size - 1), ==, 0);
    g_assert_cmphex(pa & (size - 1), ==, 0);
    st_synth_write_phys(s, st_synth_entry(s, va, level, true), &e, 8);
}

void st_synth_unmap_level(StSynth *s, uint64_t va, int level)
{
    uint64_t epa = st_synth_entry(s, va, level, false);
    uint64_t e = st_synth_r64(s, epa) & ~1ULL;

    st_synth_write_phys(s, epa, &e, 8);
}

uint64_t st_synth_alloc(StSynth *s, uint64_t size)
{
    uint64_t va = s->next_virt, i;

    size = MAX((size + PAGE - 1) & ~(PAGE - 1), PAGE);
    for (i = 0; i < size; i += PAGE) {
        uint64_t pa = st_synth_phys_alloc(s, PAGE, PAGE);
        uint64_t *key = g_new(uint64_t, 1);

        st_synth_map(s, va + i, pa, PAGE);
        *key = (va + i) / PAGE;
        g_hash_table_insert(s->vmap, key, GSIZE_TO_POINTER(pa / PAGE));
    }
    /* leave an unmapped guard page after each object */
    s->next_virt = va + size + PAGE;
    return va;
}

void st_synth_write(StSynth *s, uint64_t va, const void *buf, size_t len)
{
    const uint8_t *in = buf;

    while (len) {
        uint64_t vpage = va / PAGE, off = va & (PAGE - 1);
        size_t n = MIN(len, PAGE - off);
        gpointer ppage;

        g_assert_true(g_hash_table_lookup_extended(s->vmap, &vpage, NULL,
                                                   &ppage));
        st_synth_write_phys(s, GPOINTER_TO_SIZE(ppage) * PAGE + off, in, n);
        in += n;
        va += n;
        len -= n;
    }
}

void st_synth_w64(StSynth *s, uint64_t va, uint64_t v)
{
    st_synth_write(s, va, &v, 8);
}

void st_synth_w32(StSynth *s, uint64_t va, uint32_t v)
{
    st_synth_write(s, va, &v, 4);
}

void st_synth_w16(StSynth *s, uint64_t va, uint16_t v)
{
    st_synth_write(s, va, &v, 2);
}

uint64_t st_synth_user_alloc(StSynth *s, uint64_t va, uint64_t size)
{
    uint64_t i, pa;

    g_assert_cmphex(va & (PAGE - 1), ==, 0);
    size = MAX((size + PAGE - 1) & ~(PAGE - 1), PAGE);
    pa = st_synth_phys_alloc(s, size, PAGE);
    for (i = 0; i < size; i += PAGE) {
        uint64_t *key = g_new(uint64_t, 1);

        st_synth_map(s, va + i, pa + i, PAGE);
        *key = (va + i) / PAGE;
        g_hash_table_replace(s->vmap, key, GSIZE_TO_POINTER((pa + i) / PAGE));
    }
    return pa;
}

uint64_t st_synth_space_new(StSynth *s)
{
    uint64_t root = st_synth_phys_alloc(s, 2 * PAGE, 2 * PAGE);
    uint8_t top[PAGE];

    /* the kernel half (entries 256-511) is shared, as in every mm */
    g_assert_true(st_synth_read(s, s->vm.root, top, PAGE));
    st_synth_write_phys(s, root + PAGE / 2, top + PAGE / 2, PAGE / 2);
    return root;
}

uint64_t st_synth_space_map(StSynth *s, uint64_t root, uint64_t va,
                            uint64_t size)
{
    uint64_t saved = s->vm.root, i, pa;

    g_assert_cmphex(va & (PAGE - 1), ==, 0);
    size = MAX((size + PAGE - 1) & ~(PAGE - 1), PAGE);
    pa = st_synth_phys_alloc(s, size, PAGE);
    s->vm.root = root;
    for (i = 0; i < size; i += PAGE) {
        st_synth_map(s, va + i, pa + i, PAGE);
    }
    s->vm.root = saved;
    return pa;
}

/* Offsets deliberately unlike any real kernel */
static const struct {
    StLinuxOffset f;
    uint8_t kind;
    uint32_t offset, size;
} st_synth_layout[] = {
    { ST_TASK_STRUCT_PID, ST_FIELD_KIND_INT, 0x21c, 4 },
    { ST_TASK_STRUCT_TGID, ST_FIELD_KIND_INT, 0x220, 4 },
    { ST_TASK_STRUCT_REAL_PARENT, ST_FIELD_KIND_PTR, 0x1a0, 8 },
    { ST_TASK_STRUCT_MM, ST_FIELD_KIND_PTR, 0x38, 8 },
    { ST_TASK_STRUCT_START_TIME, ST_FIELD_KIND_INT, 0x3f0, 8 },
    { ST_TASK_STRUCT_COMM, ST_FIELD_KIND_ARRAY, 0x4a4, 16 },
    { ST_TASK_STRUCT_FS, ST_FIELD_KIND_PTR, 0x4c8, 8 },
    { ST_TASK_STRUCT_FILES, ST_FIELD_KIND_PTR, 0x4d0, 8 },
    { ST_FILES_STRUCT_FDT, ST_FIELD_KIND_PTR, 0x48, 8 },
    { ST_FDTABLE_MAX_FDS, ST_FIELD_KIND_INT, 0x10, 4 },
    { ST_FDTABLE_FD, ST_FIELD_KIND_PTR, 0x20, 8 },
    { ST_FILE_F_PATH_MNT, ST_FIELD_KIND_PTR, 0x30, 8 },
    { ST_FILE_F_PATH_DENTRY, ST_FIELD_KIND_PTR, 0x38, 8 },
    { ST_FILE_F_INODE, ST_FIELD_KIND_PTR, 0x50, 8 },
    { ST_FILE_F_FLAGS, ST_FIELD_KIND_INT, 0x6c, 4 },
    { ST_FILE_F_MODE, ST_FIELD_KIND_INT, 0x70, 4 },
    { ST_FILE_PRIVATE_DATA, ST_FIELD_KIND_PTR, 0xe8, 8 },
    { ST_DENTRY_D_PARENT, ST_FIELD_KIND_PTR, 0x40, 8 },
    { ST_DENTRY_D_NAME_LEN, ST_FIELD_KIND_INT, 0x4c, 4 },
    { ST_DENTRY_D_NAME_NAME, ST_FIELD_KIND_PTR, 0x50, 8 },
    { ST_DENTRY_D_INODE, ST_FIELD_KIND_PTR, 0x60, 8 },
    { ST_DENTRY_D_INAME, ST_FIELD_KIND_ARRAY, 0x80, 40 },
    { ST_INODE_I_MODE, ST_FIELD_KIND_INT, 0x6, 2 },
    { ST_INODE_I_SB, ST_FIELD_KIND_PTR, 0x48, 8 },
    { ST_INODE_I_INO, ST_FIELD_KIND_INT, 0x88, 8 },
    { ST_INODE_I_SIZE, ST_FIELD_KIND_INT, 0x98, 8 },
    { ST_SUPER_BLOCK_S_DEV, ST_FIELD_KIND_INT, 0x24, 4 },
    { ST_SUPER_BLOCK_S_ID, ST_FIELD_KIND_ARRAY, 0x410, 32 },
    { ST_VFSMOUNT_MNT_ROOT, ST_FIELD_KIND_PTR, 0x8, 8 },
    { ST_MOUNT_MNT_PARENT, ST_FIELD_KIND_PTR, 0x18, 8 },
    { ST_MOUNT_MNT_MOUNTPOINT, ST_FIELD_KIND_PTR, 0x28, 8 },
    { ST_MOUNT_MNT, ST_FIELD_KIND_STRUCT, 0x38, 0x20 },
    { ST_SOCKET_SK, ST_FIELD_KIND_PTR, 0x28, 8 },
    { ST_SOCKET_FILE, ST_FIELD_KIND_PTR, 0x20, 8 },
    { ST_SOCKET_TYPE, ST_FIELD_KIND_INT, 0x4, 2 },
    { ST_SOCK_SK_COMMON, ST_FIELD_KIND_STRUCT, 0x10, 0x90 },
    { ST_SOCK_COMMON_SKC_DADDR, ST_FIELD_KIND_INT, 0x8, 4 },
    { ST_SOCK_COMMON_SKC_RCV_SADDR, ST_FIELD_KIND_INT, 0xc, 4 },
    { ST_SOCK_COMMON_SKC_DPORT, ST_FIELD_KIND_INT, 0x14, 2 },
    { ST_SOCK_COMMON_SKC_NUM, ST_FIELD_KIND_INT, 0x16, 2 },
    { ST_SOCK_COMMON_SKC_FAMILY, ST_FIELD_KIND_INT, 0x1a, 2 },
    { ST_SOCK_COMMON_SKC_V6_DADDR, ST_FIELD_KIND_ARRAY, 0x40, 16 },
    { ST_SOCK_COMMON_SKC_V6_RCV_SADDR, ST_FIELD_KIND_ARRAY, 0x58, 16 },
    { ST_UNIX_SOCK_SK, ST_FIELD_KIND_STRUCT, 0x8, 0x3a0 },
    { ST_UNIX_SOCK_ADDR, ST_FIELD_KIND_PTR, 0x3b0, 8 },
    { ST_UNIX_SOCK_PEER, ST_FIELD_KIND_PTR, 0x400, 8 },
    { ST_UNIX_ADDRESS_LEN, ST_FIELD_KIND_INT, 0x4, 4 },
    { ST_UNIX_ADDRESS_NAME, ST_FIELD_KIND_ARRAY, 0xc, 0x6e },
    { ST_SOCKADDR_UN_SUN_PATH, ST_FIELD_KIND_ARRAY, 0x2, 108 },
    { ST_PT_REGS_ORIG_AX, ST_FIELD_KIND_INT, 0x10, 8 },
    { ST_PT_REGS_AX, ST_FIELD_KIND_INT, 0x18, 8 },
    { ST_PT_REGS_DI, ST_FIELD_KIND_INT, 0x20, 8 },
    { ST_PT_REGS_SI, ST_FIELD_KIND_INT, 0x28, 8 },
    { ST_PT_REGS_DX, ST_FIELD_KIND_INT, 0x30, 8 },
    { ST_PT_REGS_R10, ST_FIELD_KIND_INT, 0x38, 8 },
    { ST_PT_REGS_R8, ST_FIELD_KIND_INT, 0x40, 8 },
    { ST_PT_REGS_R9, ST_FIELD_KIND_INT, 0x48, 8 },
    { ST_PT_REGS_IP, ST_FIELD_KIND_INT, 0x88, 8 },
    { ST_PT_REGS_SP, ST_FIELD_KIND_INT, 0xa0, 8 },
    { ST_TASK_STRUCT_GROUP_LEADER, ST_FIELD_KIND_PTR, 0x1b8, 8 },
    { ST_FS_STRUCT_PWD_MNT, ST_FIELD_KIND_PTR, 0x28, 8 },
    { ST_FS_STRUCT_PWD_DENTRY, ST_FIELD_KIND_PTR, 0x30, 8 },
    { ST_SOCK_SK_SOCKET, ST_FIELD_KIND_PTR, 0x2f0, 8 },
    { ST_COREDUMP_PARAMS_FILE, ST_FIELD_KIND_PTR, 0x8, 8 },
    { ST_TASK_STRUCT_EXIT_STATE, ST_FIELD_KIND_INT, 0x1c0, 4 },
    { ST_INODE_I_DENTRY_FIRST, ST_FIELD_KIND_PTR, 0x130, 8 },
    { ST_DENTRY_D_ALIAS_NEXT, ST_FIELD_KIND_PTR, 0xb0, 8 },
    { ST_SUPER_BLOCK_S_MOUNTS, ST_FIELD_KIND_PTR, 0xc0, 8 },
    { ST_MOUNT_MNT_SB_NEXT, ST_FIELD_KIND_PTR, 0x70, 8 },
    /* children lists: list_heads (hlists from 6.8, alternative 1) */
    { ST_FS_STRUCT_ROOT_MNT, ST_FIELD_KIND_PTR, 0x18, 8 },
    { ST_DENTRY_D_SUBDIRS, ST_FIELD_KIND_PTR, 0x10, 8 },
    { ST_DENTRY_D_CHILD, ST_FIELD_KIND_PTR, 0x20, 8 },
    { ST_MOUNT_MNT_MOUNTS, ST_FIELD_KIND_PTR, 0x80, 8 },
    { ST_MOUNT_MNT_CHILD, ST_FIELD_KIND_PTR, 0x90, 8 },
};

static const uint32_t st_synth_sizes[ST_STRUCT__COUNT] = {
    [ST_STRUCT_TASK_STRUCT] = 0x600, [ST_STRUCT_FILES_STRUCT] = 0x140,
    [ST_STRUCT_FDTABLE] = 0x38,      [ST_STRUCT_FILE] = 0x120,
    [ST_STRUCT_DENTRY] = 0xd8,       [ST_STRUCT_INODE] = 0x2b0,
    [ST_STRUCT_SUPER_BLOCK] = 0x500, [ST_STRUCT_VFSMOUNT] = 0x20,
    [ST_STRUCT_MOUNT] = 0x140,       [ST_STRUCT_SOCKET] = 0x80,
    [ST_STRUCT_SOCK] = 0x3a0,        [ST_STRUCT_SOCK_COMMON] = 0x90,
    [ST_STRUCT_UNIX_SOCK] = 0x440,   [ST_STRUCT_UNIX_ADDRESS] = 0x80,
    [ST_STRUCT_SOCKADDR_UN] = 0x6e,  [ST_STRUCT_PT_REGS] = 0xc0,
    [ST_STRUCT_FS_STRUCT] = 0x38,    [ST_STRUCT_COREDUMP_PARAMS] = 0x48,
};

StLinuxProfile *st_synth_profile(void)
{
    StLinuxProfile *p = st_linux_profile_new();
    GError *err = NULL;
    unsigned i;

    memcpy(p->struct_size, st_synth_sizes, sizeof(p->struct_size));
    for (i = 0; i < G_N_ELEMENTS(st_synth_layout); i++) {
        StLinuxFieldInfo *f = &p->field[st_synth_layout[i].f];

        f->present = true;
        f->kind = st_synth_layout[i].kind;
        f->offset = st_synth_layout[i].offset;
        f->size = st_synth_layout[i].size;
    }
    p->percpu[ST_PERCPU_CURRENT_TASK] = 0x2a340;
    p->percpu[ST_PERCPU_TOP_OF_STACK] = 0x2a358;
    p->source = ST_PROFILE_SOURCE_ISF;
    p->origin = g_strdup("synthetic");
    g_assert_true(st_linux_profile_check(p, &err));
    g_assert_no_error(err);
    return p;
}

/* The members of the syscall decoders, also unlike any real kernel */
static const struct {
    StLinuxOffset f;
    uint8_t kind;
    uint32_t offset, size;
    uint8_t bit_shift, bit_size;
} st_synth_decode_layout[] = {
    /* syscall decoding; cs a u16 as with FRED (6.9+) */
    { ST_MM_STRUCT_PGD, ST_FIELD_KIND_PTR, 0x58, 8 },
    { ST_PT_REGS_BX, ST_FIELD_KIND_INT, 0x50, 8 },
    { ST_PT_REGS_CX, ST_FIELD_KIND_INT, 0x58, 8 },
    { ST_PT_REGS_BP, ST_FIELD_KIND_INT, 0x60, 8 },
    { ST_PT_REGS_CS, ST_FIELD_KIND_INT, 0x90, 2 },
    { ST_PT_REGS_FLAGS, ST_FIELD_KIND_INT, 0x98, 8 },
    /* io_uring: the file/cmd union 0x10 in, unlike the kernel's */
    { ST_IO_KIOCB_FILE, ST_FIELD_KIND_PTR, 0x10, 8 },
    { ST_IO_KIOCB_CMD, ST_FIELD_KIND_STRUCT, 0x10, 0x48 },
    { ST_IO_KIOCB_OPCODE, ST_FIELD_KIND_INT, 0x5c, 1 },
    { ST_IO_KIOCB_FLAGS, ST_FIELD_KIND_INT, 0x60, 8 },
    { ST_IO_KIOCB_CQE_FD, ST_FIELD_KIND_INT, 0x74, 4 },
    { ST_IO_KIOCB_CTX, ST_FIELD_KIND_PTR, 0x80, 8 },
    { ST_IO_KIOCB_TASK, ST_FIELD_KIND_PTR, 0x90, 8 },
    { ST_IO_RW_ADDR, ST_FIELD_KIND_INT, 0x30, 8 },
    { ST_IO_RW_LEN, ST_FIELD_KIND_INT, 0x38, 4 },
    { ST_IO_SR_MSG_BUF, ST_FIELD_KIND_PTR, 0x18, 8 },
    { ST_IO_SR_MSG_LEN, ST_FIELD_KIND_INT, 0x20, 4 },
    { ST_IO_SR_MSG_MSG_FLAGS, ST_FIELD_KIND_INT, 0x28, 4 },
    { ST_IO_SR_MSG_ADDR, ST_FIELD_KIND_PTR, 0x38, 8 },
    { ST_IO_SR_MSG_ADDR_LEN, ST_FIELD_KIND_INT, 0x30, 2 },
    { ST_IO_SPLICE_LEN, ST_FIELD_KIND_INT, 0x18, 8 },
    { ST_IO_SPLICE_SPLICE_FD_IN, ST_FIELD_KIND_INT, 0x24, 4 },
    { ST_IO_SPLICE_FLAGS, ST_FIELD_KIND_INT, 0x28, 4 },
    { ST_IO_RING_CTX_COMPAT, ST_FIELD_KIND_INT, 0x14, 1, 3, 1 },
    { ST_IO_RING_CTX_FILE_TABLE_FILES, ST_FIELD_KIND_PTR, 0x208, 8 },
    { ST_IO_RING_CTX_NR_USER_FILES, ST_FIELD_KIND_INT, 0x220, 4 },
    { ST_IO_FIXED_FILE_FILE_PTR, ST_FIELD_KIND_INT, 0x8, 8 },
};

static const struct {
    StLinuxStruct in;
    uint32_t size;
} st_synth_decode_sizes[] = {
    { ST_STRUCT_MM_STRUCT, 0x400 }, { ST_STRUCT_IO_KIOCB, 0x120 },
    { ST_STRUCT_IO_RW, 0x48 }, { ST_STRUCT_IO_SR_MSG, 0x48 },
    { ST_STRUCT_IO_SPLICE, 0x30 }, { ST_STRUCT_IO_RING_CTX, 0x600 },
    { ST_STRUCT_IO_FIXED_FILE, 0x10 },
};

void st_synth_profile_add_decode(StLinuxProfile *p)
{
    GError *err = NULL;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(st_synth_decode_sizes); i++) {
        p->struct_size[st_synth_decode_sizes[i].in] =
            st_synth_decode_sizes[i].size;
    }
    for (i = 0; i < G_N_ELEMENTS(st_synth_decode_layout); i++) {
        StLinuxFieldInfo *f = &p->field[st_synth_decode_layout[i].f];

        f->present = true;
        f->kind = st_synth_decode_layout[i].kind;
        f->offset = st_synth_decode_layout[i].offset;
        f->size = st_synth_decode_layout[i].size;
        f->bit_shift = st_synth_decode_layout[i].bit_shift;
        f->bit_size = st_synth_decode_layout[i].bit_size;
    }
    g_assert_true(st_linux_profile_check(p, &err));
    g_assert_no_error(err);
}

void st_synth_set(StSynth *s, const StLinuxProfile *p, uint64_t base,
                  StLinuxOffset f, uint64_t v)
{
    const StLinuxFieldInfo *fi = &p->field[f];

    g_assert_true(fi->present && fi->size <= 8);
    st_synth_write(s, base + fi->offset, &v, fi->size);
}

void st_synth_set_bytes(StSynth *s, const StLinuxProfile *p, uint64_t base,
                        StLinuxOffset f, const void *buf, size_t len)
{
    const StLinuxFieldInfo *fi = &p->field[f];

    g_assert_true(fi->present && len <= fi->size);
    st_synth_write(s, base + fi->offset, buf, len);
}

uint64_t st_synth_inode(StSynthKernel *k, uint64_t sb, uint16_t mode,
                        uint64_t ino)
{
    uint64_t inode = st_synth_alloc(k->s,
                                    k->prof->struct_size[ST_STRUCT_INODE]);

    st_synth_set(k->s, k->prof, inode, ST_INODE_I_MODE, mode);
    st_synth_set(k->s, k->prof, inode, ST_INODE_I_SB, sb);
    st_synth_set(k->s, k->prof, inode, ST_INODE_I_INO, ino);
    st_synth_set(k->s, k->prof, inode, ST_INODE_I_SIZE, 4096);
    return inode;
}

uint64_t st_synth_dentry(StSynthKernel *k, uint64_t parent, const char *name,
                         uint64_t inode)
{
    const StLinuxProfile *p = k->prof;
    uint64_t d = st_synth_alloc(k->s, p->struct_size[ST_STRUCT_DENTRY]);
    size_t len = strlen(name);
    uint64_t name_va;

    if (len < p->field[ST_DENTRY_D_INAME].size) {
        /* short names live inline, as in the kernel */
        name_va = d + p->field[ST_DENTRY_D_INAME].offset;
    } else {
        name_va = st_synth_alloc(k->s, len + 1);
    }
    st_synth_write(k->s, name_va, name, len + 1);
    st_synth_set(k->s, p, d, ST_DENTRY_D_PARENT, parent ? parent : d);
    st_synth_set(k->s, p, d, ST_DENTRY_D_NAME_LEN, len);
    st_synth_set(k->s, p, d, ST_DENTRY_D_NAME_NAME, name_va);
    st_synth_set(k->s, p, d, ST_DENTRY_D_INODE, inode);
    return d;
}

uint64_t st_synth_file(StSynthKernel *k, uint64_t mount, uint64_t dentry,
                       uint32_t flags)
{
    const StLinuxProfile *p = k->prof;
    uint64_t f = st_synth_alloc(k->s, p->struct_size[ST_STRUCT_FILE]);
    uint64_t at = dentry + p->field[ST_DENTRY_D_INODE].offset;
    uint64_t inode = 0;

    g_assert_true(st_guest_read_u64(&k->s->vm, at, &inode, NULL));
    st_synth_set(k->s, p, f, ST_FILE_F_PATH_MNT,
                 mount + p->field[ST_MOUNT_MNT].offset);
    st_synth_set(k->s, p, f, ST_FILE_F_PATH_DENTRY, dentry);
    st_synth_set(k->s, p, f, ST_FILE_F_INODE, inode);
    st_synth_set(k->s, p, f, ST_FILE_F_FLAGS, flags);
    st_synth_set(k->s, p, f, ST_FILE_F_MODE, 0x1d);
    return f;
}

void st_synth_install_fd(StSynthKernel *k, int fd, uint64_t file)
{
    st_synth_w64(k->s, k->fd_array + 8 * fd, file);
}

uint64_t st_synth_mount(StSynthKernel *k, uint64_t parent,
                        uint64_t mountpoint, uint64_t root)
{
    const StLinuxProfile *p = k->prof;
    uint64_t m = st_synth_alloc(k->s, p->struct_size[ST_STRUCT_MOUNT]);

    st_synth_set(k->s, p, m, ST_MOUNT_MNT_PARENT, parent ? parent : m);
    st_synth_set(k->s, p, m, ST_MOUNT_MNT_MOUNTPOINT,
                 mountpoint ? mountpoint : root);
    st_synth_set(k->s, p, m + p->field[ST_MOUNT_MNT].offset,
                 ST_VFSMOUNT_MNT_ROOT, root);
    return m;
}

uint64_t st_synth_sb(StSynthKernel *k, uint32_t dev, const char *id)
{
    uint64_t sb = st_synth_alloc(k->s,
                                 k->prof->struct_size[ST_STRUCT_SUPER_BLOCK]);

    st_synth_set(k->s, k->prof, sb, ST_SUPER_BLOCK_S_DEV, dev);
    st_synth_set_bytes(k->s, k->prof, sb, ST_SUPER_BLOCK_S_ID, id,
                       strlen(id) + 1);
    return sb;
}

StSynthKernel *st_synth_kernel_new(bool la57)
{
    StSynthKernel *k = g_new0(StSynthKernel, 1);
    const StLinuxProfile *p;
    StSynth *s;
    uint64_t ino;
    char comm[16] = ST_SYNTH_COMM;

    k->s = s = st_synth_new(la57);
    k->prof = st_synth_profile();
    p = k->prof;
    k->kernel.vm = &s->vm;
    k->kernel.prof = p;

    k->percpu = st_synth_alloc(s, 0x30000);
    k->task = st_synth_alloc(s, p->struct_size[ST_STRUCT_TASK_STRUCT]);
    k->parent = st_synth_alloc(s, p->struct_size[ST_STRUCT_TASK_STRUCT]);
    st_synth_w64(s, k->percpu + p->percpu[ST_PERCPU_CURRENT_TASK], k->task);

    st_synth_set(s, p, k->parent, ST_TASK_STRUCT_PID, ST_SYNTH_PPID);
    st_synth_set(s, p, k->parent, ST_TASK_STRUCT_TGID, ST_SYNTH_PPID);
    st_synth_set(s, p, k->task, ST_TASK_STRUCT_PID, ST_SYNTH_PID);
    st_synth_set(s, p, k->task, ST_TASK_STRUCT_TGID, ST_SYNTH_TGID);
    st_synth_set(s, p, k->task, ST_TASK_STRUCT_START_TIME, ST_SYNTH_START);
    st_synth_set(s, p, k->task, ST_TASK_STRUCT_REAL_PARENT, k->parent);
    /* a thread: its process is keyed by the leader's start time */
    k->leader = st_synth_alloc(s, p->struct_size[ST_STRUCT_TASK_STRUCT]);
    st_synth_set(s, p, k->leader, ST_TASK_STRUCT_PID, ST_SYNTH_TGID);
    st_synth_set(s, p, k->leader, ST_TASK_STRUCT_TGID, ST_SYNTH_TGID);
    st_synth_set(s, p, k->leader, ST_TASK_STRUCT_START_TIME,
                 ST_SYNTH_LEADER_START);
    st_synth_set(s, p, k->leader, ST_TASK_STRUCT_GROUP_LEADER, k->leader);
    st_synth_set(s, p, k->leader, ST_TASK_STRUCT_REAL_PARENT, k->parent);
    st_synth_set(s, p, k->task, ST_TASK_STRUCT_GROUP_LEADER, k->leader);
    st_synth_set(s, p, k->task, ST_TASK_STRUCT_MM, st_synth_alloc(s, 64));
    st_synth_set_bytes(s, p, k->task, ST_TASK_STRUCT_COMM, comm, sizeof(comm));

    k->files = st_synth_alloc(s, p->struct_size[ST_STRUCT_FILES_STRUCT]);
    k->fdt = st_synth_alloc(s, p->struct_size[ST_STRUCT_FDTABLE]);
    k->fd_array = st_synth_alloc(s, 8 * ST_SYNTH_MAX_FDS);
    st_synth_set(s, p, k->task, ST_TASK_STRUCT_FILES, k->files);
    st_synth_set(s, p, k->files, ST_FILES_STRUCT_FDT, k->fdt);
    st_synth_set(s, p, k->fdt, ST_FDTABLE_MAX_FDS, ST_SYNTH_MAX_FDS);
    st_synth_set(s, p, k->fdt, ST_FDTABLE_FD, k->fd_array);

    /* / on sda1, /home on sda3, /home/alice/secret.txt */
    k->sb_root = st_synth_sb(k, 0x800001, "sda1");
    k->sb_home = st_synth_sb(k, ST_SYNTH_HOME_DEV, "sda3");
    ino = st_synth_inode(k, k->sb_root, 0040755, 2);
    k->root_dentry = st_synth_dentry(k, 0, "/", ino);
    ino = st_synth_inode(k, k->sb_root, 0040755, 12);
    k->home_dentry = st_synth_dentry(k, k->root_dentry, "home", ino);
    ino = st_synth_inode(k, k->sb_home, 0040755, 2);
    k->home_root = st_synth_dentry(k, 0, "/", ino);
    ino = st_synth_inode(k, k->sb_home, 0040700, 4001);
    k->user_dentry = st_synth_dentry(k, k->home_root, "alice", ino);
    ino = st_synth_inode(k, k->sb_home, 0100600, ST_SYNTH_SECRET_INO);
    k->secret_dentry = st_synth_dentry(k, k->user_dentry, "secret.txt", ino);
    k->root_mnt = st_synth_mount(k, 0, 0, k->root_dentry);
    k->home_mnt = st_synth_mount(k, k->root_mnt, k->home_dentry,
                                 k->home_root);

    /* current directory: /home/alice */
    k->fs = st_synth_alloc(s, p->struct_size[ST_STRUCT_FS_STRUCT]);
    st_synth_set(s, p, k->task, ST_TASK_STRUCT_FS, k->fs);
    st_synth_set(s, p, k->fs, ST_FS_STRUCT_PWD_MNT,
                 k->home_mnt + p->field[ST_MOUNT_MNT].offset);
    st_synth_set(s, p, k->fs, ST_FS_STRUCT_PWD_DENTRY, k->user_dentry);
    st_synth_set(s, p, k->fs, ST_FS_STRUCT_ROOT_MNT,
                 k->root_mnt + p->field[ST_MOUNT_MNT].offset);
    return k;
}

void st_synth_kernel_free(StSynthKernel *k)
{
    if (k) {
        st_synth_free(k->s);
        st_linux_profile_free(k->prof);
        g_free(k);
    }
}

StSynth *st_synth_from_vmlinux(const uint8_t *elf_data, size_t len,
                               uint64_t *text, uint64_t *text_size,
                               uint64_t *btf_va, uint64_t *btf_size,
                               uint64_t *btf_pa)
{
    StSynth *s = st_synth_new(false);
    Elf *elf;
    size_t n, i, shstrndx;
    Elf_Scn *scn = NULL;
    uint64_t first_delta = 0;
    bool have_first = false;

    elf_version(EV_CURRENT);
    elf = elf_memory((char *)elf_data, len);
    g_assert_nonnull(elf);
    g_assert_cmpint(elf_getphdrnum(elf, &n), ==, 0);
    for (i = 0; i < n; i++) {
        GElf_Phdr ph;
        uint64_t va;

        g_assert_nonnull(gelf_getphdr(elf, i, &ph));
        if (ph.p_type != PT_LOAD) {
            continue;
        }
        g_assert_cmpuint(ph.p_offset + ph.p_filesz, <=, len);
        /* page tables live below 16 MiB, the kernel above */
        g_assert_cmphex(ph.p_paddr, >=, 16 << 20);
        st_synth_write_phys(s, ph.p_paddr, elf_data + ph.p_offset,
                            ph.p_filesz);
        if (!(ph.p_vaddr >> 63)) {
            continue;   /* .data..percpu: linked at 0, not mapped here */
        }
        for (va = ph.p_vaddr & ~0x1fffffULL; va < ph.p_vaddr + ph.p_memsz;
             va += 2 << 20) {
            st_synth_map(s, va, va - ph.p_vaddr + ph.p_paddr, 2 << 20);
        }
        if (!have_first) {
            /* .BTF is in the first segment */
            first_delta = ph.p_paddr - ph.p_vaddr;
            have_first = true;
        }
    }
    g_assert_true(have_first);
    g_assert_cmpint(elf_getshdrstrndx(elf, &shstrndx), ==, 0);
    *text = *btf_va = 0;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        const char *name;

        g_assert_nonnull(gelf_getshdr(scn, &sh));
        name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (strcmp(name, ".text") == 0) {
            *text = sh.sh_addr;
            *text_size = sh.sh_size;
        } else if (strcmp(name, ".BTF") == 0) {
            *btf_va = sh.sh_addr;
            *btf_size = sh.sh_size;
        }
    }
    g_assert_cmphex(*text, !=, 0);
    g_assert_cmphex(*btf_va, !=, 0);
    *btf_pa = *btf_va + first_delta;
    elf_end(elf);
    return s;
}
