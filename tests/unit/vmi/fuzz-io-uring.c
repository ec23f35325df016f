/*
 * secret-tracker: libFuzzer target for the io_uring request decoder at
 * io_issue_sqe(): the io_kiocb, the ring's registered files, the
 * submitter's fd table, its user memory through its own mm->pgd (page
 * tables taken from the image), and the op's user structs
 *
 * Input: a FuzzUringHeader, then the memory image (fuzz-decode-mem.h);
 * kernel pointers in it point into the direct-map window.  The profile
 * is the synthetic one (vmi-synth.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "fuzz-decode-mem.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"
#include "hw/misc/secret-tracker/vmi/linux-io-uring.h"

typedef struct FuzzUringHeader {
    uint64_t holes;
    uint64_t req;       /* offset of the io_kiocb in the image */
} FuzzUringHeader;

static StLinuxProfile *fuzz_profile;

/* The op's user structs, through the submitter's own page tables */
static void fuzz_user(const StLinuxKernel *kernel, const StLinuxIoUringReq *r)
{
    StGuestVm uvm;
    StLinuxMsghdr msg;
    StLinuxSockaddr sa;
    uint64_t bytes;

    if (!st_linux_user_vm(kernel, r->task, &uvm, NULL)) {
        return;
    }
    switch (r->nr) {
    case ST_NR_READV:
    case ST_NR_WRITEV:
        st_linux_iovec_total(&uvm, r->args[1], r->args[2], r->compat, &bytes,
                             NULL);
        break;
    case ST_NR_SENDTO:
        st_linux_sockaddr_decode(&uvm, r->args[4], r->args[5], &sa, NULL);
        break;
    case ST_NR_SENDMSG:
    case ST_NR_RECVMSG:
        st_linux_msghdr_decode(&uvm, r->args[1], r->compat,
                               ST_LINUX_MSG_NAME | ST_LINUX_MSG_IOV, &msg,
                               NULL);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzUringHeader h;
    FuzzDecodeMem m;
    StLinuxKernel kernel;
    StLinuxIoUringReq r;
    StLinuxFile f;
    uint64_t file;

    if (size < sizeof(h)) {
        return 0;
    }
    memcpy(&h, data, sizeof(h));
    fuzz_decode_mem_init(&m, data + sizeof(h), size - sizeof(h), h.holes);
    kernel.vm = &m.vm;
    kernel.prof = fuzz_profile;

    if (!st_linux_io_uring_read_req(&kernel, FUZZ_KERNEL_BASE + h.req, &r,
                                    NULL)) {
        return 0;
    }
    g_assert(r.kind == ST_IO_URING_IGNORED || r.kind == ST_IO_URING_OPEN ||
             r.nr != ST_IO_URING_NR_NONE);
    if (st_linux_io_uring_file(&kernel, &r, ST_IO_URING_TARGET, &file,
                               NULL)) {
        g_assert(st_guest_is_kernel_va(&m.vm, file));
        st_linux_read_file(&kernel, file, &f, NULL);
    }
    if (st_linux_io_uring_file(&kernel, &r, ST_IO_URING_SPLICE_IN, &file,
                               NULL)) {
        st_linux_read_file(&kernel, file, &f, NULL);
    }
    fuzz_user(&kernel, &r);
    return 0;
}

/* Seeds: a consistent little kernel with a ring and a submitting task */
#define SEED_SIZE   0x9000
#define S_REQ       0x0000
#define S_CTX       0x0200
#define S_TASK      0x0800
#define S_FILES     0x0e00
#define S_FDT       0x0f40
#define S_FDS       0x0f80
#define S_FILE      0x1200
#define S_MM        0x1400
#define S_FIXED     0x2000
#define S_PML4      0x4000      /* user tables (8 KiB aligned, as a pgd) */
#define S_USER      0x8000      /* msghdr, sockaddr, iovec */

static void put(uint8_t *img, uint64_t obj, StLinuxOffset f, uint64_t v)
{
    const StLinuxFieldInfo *fi = &fuzz_profile->field[f];

    memcpy(img + obj + fi->offset, &v, MIN(fi->size, 8u));
}

static void put_op(uint8_t *img, StLinuxOffset f, uint64_t v)
{
    put(img, S_REQ + fuzz_profile->field[ST_IO_KIOCB_CMD].offset, f, v);
}

static void seed(const char *dir, const char *name, uint8_t opcode)
{
    g_autofree uint8_t *img = g_malloc0(SEED_SIZE);
    FuzzUringHeader h = { .req = S_REQ };
    const uint64_t k = FUZZ_KERNEL_BASE, u = FUZZ_USER_BASE;
    uint64_t e, i, fixed_stride =
        fuzz_profile->struct_size[ST_STRUCT_IO_FIXED_FILE];

    put(img, S_REQ, ST_IO_KIOCB_OPCODE, opcode);
    put(img, S_REQ, ST_IO_KIOCB_FLAGS, 1 << ST_IOSQE_FIXED_FILE_BIT);
    put(img, S_REQ, ST_IO_KIOCB_CQE_FD, 1);
    put(img, S_REQ, ST_IO_KIOCB_CTX, k + S_CTX);
    put(img, S_REQ, ST_IO_KIOCB_TASK, k + S_TASK);
    if (opcode == ST_IORING_OP_SPLICE) {
        put_op(img, ST_IO_SPLICE_SPLICE_FD_IN, 3);
        put_op(img, ST_IO_SPLICE_LEN, 4096);
    } else {
        put_op(img, ST_IO_SR_MSG_BUF, u + S_USER);
    }
    put(img, S_CTX, ST_IO_RING_CTX_FILE_TABLE_FILES, k + S_FIXED);
    put(img, S_CTX, ST_IO_RING_CTX_NR_USER_FILES, 2);
    memcpy(img + S_FIXED + fixed_stride +
           fuzz_profile->field[ST_IO_FIXED_FILE_FILE_PTR].offset,
           &(uint64_t){ k + S_FILE + 1 }, 8);
    /* the task: fd 3 is the same file; its mm maps user space */
    put(img, S_TASK, ST_TASK_STRUCT_FILES, k + S_FILES);
    put(img, S_TASK, ST_TASK_STRUCT_MM, k + S_MM);
    put(img, S_FILES, ST_FILES_STRUCT_FDT, k + S_FDT);
    put(img, S_FDT, ST_FDTABLE_MAX_FDS, 64);
    put(img, S_FDT, ST_FDTABLE_FD, k + S_FDS);
    memcpy(img + S_FDS + 3 * 8, &(uint64_t){ k + S_FILE }, 8);
    put(img, S_MM, ST_MM_STRUCT_PGD, k + S_PML4);
    /* PML4[0] -> PDPT[1] -> PD[0] -> PT: user 1 GiB + x is image x */
    e = (S_PML4 + 0x1000) | 3;
    memcpy(img + S_PML4, &e, 8);
    e = (S_PML4 + 0x2000) | 3;
    memcpy(img + S_PML4 + 0x1000 + 8, &e, 8);
    e = (S_PML4 + 0x3000) | 3;
    memcpy(img + S_PML4 + 0x2000, &e, 8);
    for (i = 0; i < SEED_SIZE / 4096; i++) {
        e = (i * 4096) | 3;
        memcpy(img + S_PML4 + 0x3000 + 8 * i, &e, 8);
    }
    /* a msghdr naming an AF_INET address, with one iovec */
    memcpy(img + S_USER, &(uint64_t){ u + S_USER + 0x100 }, 8);
    memcpy(img + S_USER + 8, &(uint32_t){ 16 }, 4);
    memcpy(img + S_USER + 16, &(uint64_t){ u + S_USER + 0x200 }, 8);
    memcpy(img + S_USER + 24, &(uint64_t){ 1 }, 8);
    img[S_USER + 0x100] = 2;
    memcpy(img + S_USER + 0x200, &(uint64_t){ u }, 8);
    memcpy(img + S_USER + 0x208, &(uint64_t){ 512 }, 8);
    fuzz_decode_write_seed(dir, name, &h, sizeof(h), img, SEED_SIZE);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = g_getenv("ST_FUZZ_WRITE_SEEDS");

    fuzz_profile = st_synth_profile();
    st_synth_profile_add_decode(fuzz_profile);
    fuzz_decode_corpus_dir(*argc, *argv);
    if (dir) {
        g_mkdir_with_parents(dir, 0755);
        seed(dir, "seed-sendmsg", ST_IORING_OP_SENDMSG);
        seed(dir, "seed-splice", ST_IORING_OP_SPLICE);
        exit(0);
    }
    return 0;
}
