/*
 * secret-tracker: libFuzzer target for the page walk, readers, path
 * walker and dentry cache lookup on random guest memory
 *
 * The input is a small header and a guest-physical memory image.  Page
 * tables are either taken from the image (exercising the walker) or
 * synthesized to map the kernel direct-map window linearly onto the image
 * with 2 MiB pages, so that pointers in the image reach other objects in
 * it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/vmi/linux-sites.h"

#define FUZZ_TABLES 0x40000000ULL   /* synthesized tables live here */
#define FUZZ_DIRECT_MAP 0xffff888000000000ULL
#define FUZZ_DIRECT_MAP_57 0xff11000000000000ULL

typedef struct FuzzHeader {
    uint8_t mode;       /* bit 0: LA57, bit 1: tables from the image */
    uint8_t fd;
    uint8_t pad[6];
    uint64_t cr3;
    uint64_t percpu;    /* offset in the image (direct map) */
    uint64_t dentry;
    uint64_t vfsmount;
} FuzzHeader;

typedef struct FuzzMem {
    const uint8_t *image;
    size_t size;
    bool la57;
    bool synth_tables;
} FuzzMem;

/* One synthesized table entry: PML5/PML4 -> PDPT -> PD of 2 MiB pages */
static uint64_t fuzz_table_entry(const FuzzMem *m, uint64_t pa)
{
    uint64_t table = (pa - FUZZ_TABLES) / 4096, index = (pa / 8) & 0x1ff;
    uint64_t va = m->la57 ? FUZZ_DIRECT_MAP_57 : FUZZ_DIRECT_MAP;
    int top = m->la57 ? 5 : 4;
    int level = top - table;

    if (level < 2) {
        return 0;
    }
    if (level == 2) {
        /* 1 GiB of 2 MiB pages onto the image at physical 0 */
        return (index << 21) | 0x83;
    }
    if (index != ((va >> (12 + 9 * (level - 1))) & 0x1ff)) {
        return 0;
    }
    return (FUZZ_TABLES + (table + 1) * 4096) | 0x3;
}

static bool fuzz_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    const FuzzMem *m = opaque;
    uint8_t *out = buf;

    if (m->synth_tables && pa >= FUZZ_TABLES && pa < FUZZ_TABLES + 5 * 4096) {
        size_t i;

        if (pa % 8 || len % 8 || pa + len > FUZZ_TABLES + 5 * 4096) {
            return false;
        }
        for (i = 0; i < len; i += 8) {
            uint64_t e = fuzz_table_entry(m, pa + i);

            memcpy(out + i, &e, 8);
        }
        return true;
    }
    if (pa >= m->size || len > m->size - pa) {
        return false;
    }
    memcpy(out, m->image + pa, len);
    return true;
}

static StLinuxProfile *fuzz_profile;

/*
 * Seeds: a consistent little kernel in the direct-map layout (a task
 * with a file under a mount, its dentries linked as the cache keeps them,
 * a unix socket and an overlayfs view of the file), so that mutations
 * start from inputs that reach every reader.
 */
#define SEED_SIZE 0x3700

static void seed_set(uint8_t *img, uint64_t obj, StLinuxOffset f, uint64_t v)
{
    const StLinuxFieldInfo *fi = &fuzz_profile->field[f];

    memcpy(img + obj + fi->offset, &v, MIN(fi->size, 8u));
}

/* @child the only entry of @parent's list of children (list_heads) */
static void seed_ring(uint8_t *img, uint64_t b, uint64_t parent,
                      uint64_t child)
{
    const StLinuxFieldInfo *f = fuzz_profile->field;
    uint64_t head = parent + f[ST_DENTRY_D_SUBDIRS].offset;
    uint64_t link = child + f[ST_DENTRY_D_CHILD].offset;

    memcpy(img + head, &(uint64_t){ b + link }, 8);
    memcpy(img + head + 8, &(uint64_t){ b + link }, 8);
    memcpy(img + link, &(uint64_t){ b + head }, 8);
    memcpy(img + link + 8, &(uint64_t){ b + head }, 8);
}

static void seed_write(const char *dir, int fd)
{
    g_autofree uint8_t *buf = g_malloc0(sizeof(FuzzHeader) + SEED_SIZE);
    g_autofree char *path = g_strdup_printf("%s/seed-fd%d", dir, fd);
    FuzzHeader *h = (FuzzHeader *)buf;
    uint8_t *img = buf + sizeof(*h);
    const uint64_t b = FUZZ_DIRECT_MAP;
    const StLinuxProfile *p = fuzz_profile;
    uint64_t mnt_off = p->field[ST_MOUNT_MNT].offset;
    uint64_t top = b + 0x3000 + p->struct_size[ST_STRUCT_PT_REGS];

    h->fd = fd;
    h->percpu = 0x100 - p->percpu[ST_PERCPU_CURRENT_TASK];
    h->dentry = 0x1e00;
    h->vfsmount = 0x1f00 + mnt_off;
    memcpy(img + 0x100, &(uint64_t){ b + 0x200 }, 8);
    memcpy(img + 0x100 + p->percpu[ST_PERCPU_TOP_OF_STACK] -
           p->percpu[ST_PERCPU_CURRENT_TASK], &top, 8);
    /* task, parent, files, fdtable, fd array */
    seed_set(img, 0x200, ST_TASK_STRUCT_PID, 42);
    seed_set(img, 0x200, ST_TASK_STRUCT_TGID, 42);
    seed_set(img, 0x200, ST_TASK_STRUCT_REAL_PARENT, b + 0x800);
    seed_set(img, 0x200, ST_TASK_STRUCT_FILES, b + 0xe00);
    memcpy(img + 0x200 + p->field[ST_TASK_STRUCT_COMM].offset, "fuzz", 5);
    seed_set(img, 0x800, ST_TASK_STRUCT_TGID, 1);
    seed_set(img, 0xe00, ST_FILES_STRUCT_FDT, b + 0xf40);
    seed_set(img, 0xf40, ST_FDTABLE_MAX_FDS, 64);
    seed_set(img, 0xf40, ST_FDTABLE_FD, b + 0xf80);
    memcpy(img + 0xf80 + 8 * 3, &(uint64_t){ b + 0x1200 }, 8);
    memcpy(img + 0xf80 + 8 * 4, &(uint64_t){ b + 0x2100 }, 8);
    memcpy(img + 0xf80 + 8 * 5, &(uint64_t){ b + 0x2e00 }, 8);
    /* /dir/file on a root mount */
    seed_set(img, 0x1200, ST_FILE_F_PATH_MNT, b + 0x1f00 + mnt_off);
    seed_set(img, 0x1200, ST_FILE_F_PATH_DENTRY, b + 0x1e00);
    seed_set(img, 0x1200, ST_FILE_F_INODE, b + 0x1900);
    seed_set(img, 0x1400, ST_SUPER_BLOCK_S_DEV, 0x800001);
    seed_set(img, 0x1900, ST_INODE_I_MODE, 0100644);
    seed_set(img, 0x1900, ST_INODE_I_SB, b + 0x1400);
    seed_set(img, 0x1900, ST_INODE_I_INO, 12);
    seed_set(img, 0x1c00, ST_DENTRY_D_PARENT, b + 0x1c00);
    seed_set(img, 0x1d00, ST_DENTRY_D_PARENT, b + 0x1c00);
    seed_set(img, 0x1d00, ST_DENTRY_D_NAME_LEN, 3);
    seed_set(img, 0x1d00, ST_DENTRY_D_NAME_NAME, b + 0x1d00 + 0xc0);
    memcpy(img + 0x1d00 + 0xc0, "dir", 3);
    seed_set(img, 0x1e00, ST_DENTRY_D_PARENT, b + 0x1d00);
    seed_set(img, 0x1e00, ST_DENTRY_D_NAME_LEN, 4);
    seed_set(img, 0x1e00, ST_DENTRY_D_NAME_NAME, b + 0x1e00 + 0xc0);
    memcpy(img + 0x1e00 + 0xc0, "file", 4);
    seed_set(img, 0x1f00, ST_MOUNT_MNT_PARENT, b + 0x1f00);
    seed_set(img, 0x1f00 + mnt_off, ST_VFSMOUNT_MNT_ROOT, b + 0x1c00);
    /* the cache: / -> dir -> file, rings of d_subdirs and d_child */
    seed_set(img, 0x200, ST_TASK_STRUCT_FS, b + 0x3100);
    seed_set(img, 0x3100, ST_FS_STRUCT_ROOT_MNT, b + 0x1f00 + mnt_off);
    seed_ring(img, b, 0x1c00, 0x1d00);
    seed_ring(img, b, 0x1d00, 0x1e00);
    seed_set(img, 0x1e00, ST_DENTRY_D_INODE, b + 0x1900);
    seed_set(img, 0x1d00, ST_DENTRY_D_INODE, b + 0x3400);
    seed_set(img, 0x3400, ST_INODE_I_MODE, 0040755);
    seed_set(img, 0x3400, ST_INODE_I_SB, b + 0x1400);
    /* fd 5: an overlayfs file whose real file is fd 3's */
    seed_set(img, 0x2e00, ST_FILE_F_PATH_MNT, b + 0x1f00 + mnt_off);
    seed_set(img, 0x2e00, ST_FILE_F_PATH_DENTRY, b + 0x1e00);
    seed_set(img, 0x2e00, ST_FILE_F_INODE, b + 0x2f00);
    seed_set(img, 0x2e00, ST_FILE_PRIVATE_DATA, b + 0x1200);
    seed_set(img, 0x2f00, ST_INODE_I_MODE, 0100644);
    seed_set(img, 0x2f00, ST_INODE_I_SB, b + 0x3200);
    seed_set(img, 0x2f00, ST_INODE_I_INO, 77);
    seed_set(img, 0x3200, ST_SUPER_BLOCK_S_DEV, 0x2d);
    memcpy(img + 0x3200 + p->field[ST_SUPER_BLOCK_S_ID].offset, "overlay", 8);
    /* a unix socket bound to /s */
    seed_set(img, 0x2100, ST_FILE_F_PATH_MNT, b + 0x1f00 + mnt_off);
    seed_set(img, 0x2100, ST_FILE_F_PATH_DENTRY, b + 0x1c00);
    seed_set(img, 0x2100, ST_FILE_F_INODE, b + 0x2300);
    seed_set(img, 0x2100, ST_FILE_PRIVATE_DATA, b + 0x2600);
    seed_set(img, 0x2300, ST_INODE_I_MODE, 0140777);
    seed_set(img, 0x2300, ST_INODE_I_SB, b + 0x1400);
    seed_set(img, 0x2600, ST_SOCKET_SK,
             b + 0x2700 + p->field[ST_UNIX_SOCK_SK].offset);
    seed_set(img, 0x2700 + p->field[ST_UNIX_SOCK_SK].offset +
             p->field[ST_SOCK_SK_COMMON].offset, ST_SOCK_COMMON_SKC_FAMILY, 1);
    seed_set(img, 0x2700, ST_UNIX_SOCK_ADDR, b + 0x2c00);
    seed_set(img, 0x2700, ST_UNIX_SOCK_PEER,
             b + 0x2700 + p->field[ST_UNIX_SOCK_SK].offset);
    seed_set(img, 0x2c00, ST_UNIX_ADDRESS_LEN,
             p->field[ST_SOCKADDR_UN_SUN_PATH].offset + 3);
    memcpy(img + 0x2c00 + p->field[ST_UNIX_ADDRESS_NAME].offset +
           p->field[ST_SOCKADDR_UN_SUN_PATH].offset, "/s", 3);
    g_file_set_contents(path, (char *)buf, sizeof(*h) + SEED_SIZE, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int i;

    fuzz_profile = st_synth_profile();
    /* the first non-option argument is the corpus directory */
    for (i = 1; i < *argc; i++) {
        if ((*argv)[i][0] != '-') {
            g_mkdir_with_parents((*argv)[i], 0755);
            seed_write((*argv)[i], 3);
            seed_write((*argv)[i], 4);
            seed_write((*argv)[i], 5);
            break;
        }
    }
    return 0;
}

static void fuzz_dcache_hit(void *opaque, const char *path, uint64_t dev,
                            uint64_t ino)
{
    (*(unsigned *)opaque)++;
    g_assert(path[0] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzHeader h;
    FuzzMem m;
    StGuestMem mem = { .read_phys = fuzz_read, .opaque = &m };
    StGuestVm vm = { 0 };
    StLinuxKernel kernel;
    StLinuxTask t;
    StLinuxFile f;
    StLinuxSocket so;
    StLinuxPtRegs regs;
    StLinuxDcacheStats stats;
    unsigned hits = 0;
    /* the scan in depth is fuzz-btf-scan's; here only over the image */
    StBtfScanOptions scan = { .forward = 16384, .backward = 0,
                              .max_size = 16384 };
    uint64_t task, file, off, base, paddr;
    uint8_t *blob;
    size_t blob_len;
    char *s;

    if (size < sizeof(h)) {
        return 0;
    }
    memcpy(&h, data, sizeof(h));
    m.image = data + sizeof(h);
    m.size = size - sizeof(h);
    m.la57 = h.mode & 1;
    m.synth_tables = !(h.mode & 2);
    st_guest_vm_init(&vm, &mem, m.synth_tables ? FUZZ_TABLES : h.cr3,
                     m.la57 ? 1 << 12 : 0);
    kernel.vm = &vm;
    kernel.prof = fuzz_profile;
    base = m.la57 ? FUZZ_DIRECT_MAP_57 : FUZZ_DIRECT_MAP;

    if (st_linux_current_task(&kernel, base + h.percpu, &task, NULL)) {
        st_linux_read_task(&kernel, task, &t, NULL);
        g_free(st_linux_cwd(&kernel, task, NULL));
        st_linux_dcache_find(&kernel, task, "/" "*" "/" "*", fuzz_dcache_hit,
                             &hits, &stats, NULL);
        st_linux_dcache_find(&kernel, task, "/d[a-z]r/f?le", fuzz_dcache_hit,
                             &hits, &stats, NULL);
        if (st_linux_fd_file(&kernel, task, h.fd, &file, NULL)) {
            st_linux_read_file(&kernel, file, &f, NULL);
            g_free(st_linux_file_path(&kernel, file, NULL));
            if (st_linux_read_socket(&kernel, file, &so, NULL)) {
                st_linux_socket_clear(&so);
            }
        }
    }
    st_linux_validate(&kernel, base + h.percpu, NULL, NULL);
    st_linux_read_pt_regs(&kernel, base + h.percpu, &regs, NULL);
    s = st_linux_path(&kernel, base + h.dentry, base + h.vfsmount, NULL);
    g_free(s);
    s = st_linux_path(&kernel, h.dentry, h.vfsmount, NULL);
    g_free(s);

    st_linux_find_sysret(m.image, MIN(m.size, (size_t)ST_SITES_CODE_LEN),
                         &off, NULL);
    g_free(st_linux_banner_in_buffer(m.image, m.size));
    if (st_btf_scan(&mem, 0, &scan, &blob, &blob_len, &paddr, NULL)) {
        g_free(blob);
    }
    return 0;
}
