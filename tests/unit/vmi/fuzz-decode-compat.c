/*
 * secret-tracker: libFuzzer target for the syscall entry path of the
 * decoders: struct pt_regs read from kernel memory, the i386 call
 * translated (socketcall and the old mmap included), then the
 * translated call's own arguments decoded, as the probe will
 *
 * Input: a FuzzCompatHeader, then the memory image (fuzz-decode-mem.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "fuzz-decode-mem.h"
#include "vmi-synth.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/vmi/linux-compat.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"

typedef struct FuzzCompatHeader {
    uint64_t holes;
    uint64_t regs[6];   /* bx, cx, dx, si, di, bp */
    uint64_t pt_regs;   /* offset of a struct pt_regs in the image */
    uint32_t nr32;
    uint32_t pad;
} FuzzCompatHeader;

#define MAX_MSGS 64
#define MAX_IOCBS 64

static StLinuxProfile *fuzz_profile;

/* Decode what the translated call points to */
static void fuzz_args(const StGuestVm *uvm, const StLinuxSyscall *sc)
{
    static StLinuxMsghdr msgs[MAX_MSGS];
    static StLinuxIocb iocbs[MAX_IOCBS];
    const uint64_t *a = sc->args;
    StLinuxSockaddr sa;
    StLinuxMsghdr msg;
    StLinuxIoctl ioc;
    char path[4096];
    uint64_t bytes;
    unsigned n;

    switch (sc->nr) {
    case ST_NR_READV:
    case ST_NR_WRITEV:
    case ST_NR_PREADV:
    case ST_NR_PWRITEV:
    case ST_NR_PREADV2:
    case ST_NR_PWRITEV2:
    case ST_NR_VMSPLICE:
        st_linux_iovec_total(uvm, a[1], a[2], sc->compat, &bytes, NULL);
        break;
    case ST_NR_SENDTO:
        st_linux_sockaddr_decode(uvm, a[4], a[5], &sa, NULL);
        break;
    case ST_NR_CONNECT:
    case ST_NR_BIND:
        st_linux_sockaddr_decode(uvm, a[1], a[2], &sa, NULL);
        break;
    case ST_NR_SENDMSG:
    case ST_NR_RECVMSG:
        st_linux_msghdr_decode(uvm, a[1], sc->compat,
                               ST_LINUX_MSG_NAME | ST_LINUX_MSG_IOV, &msg,
                               NULL);
        break;
    case ST_NR_SENDMMSG:
    case ST_NR_RECVMMSG:
        st_linux_mmsghdr_decode(uvm, a[1], a[2], sc->compat,
                                ST_LINUX_MSG_NAME | ST_LINUX_MSG_IOV, msgs,
                                MAX_MSGS, &n, NULL);
        break;
    case ST_NR_IO_SUBMIT:
        st_linux_aio_decode(uvm, a[2], a[1], sc->compat, iocbs, MAX_IOCBS,
                            &n, NULL);
        break;
    case ST_NR_IOCTL:
        st_linux_ioctl_decode(uvm, a[1], a[2], &ioc, NULL);
        break;
    case ST_NR_OPEN:
    case ST_NR_CREAT:
    case ST_NR_EXECVE:
    case ST_NR_UNLINK:
    case ST_NR_RENAME:
        st_linux_user_string(uvm, a[0], path, sizeof(path), NULL, NULL);
        break;
    case ST_NR_OPENAT:
    case ST_NR_OPENAT2:
    case ST_NR_UNLINKAT:
    case ST_NR_RENAMEAT:
    case ST_NR_RENAMEAT2:
    case ST_NR_EXECVEAT:
        st_linux_user_string(uvm, a[1], path, sizeof(path), NULL, NULL);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzCompatHeader h;
    FuzzDecodeMem m;
    StLinuxKernel kernel;
    StLinuxSyscallRegs r;
    StLinuxSyscall sc;

    if (size < sizeof(h)) {
        return 0;
    }
    memcpy(&h, data, sizeof(h));
    fuzz_decode_mem_init(&m, data + sizeof(h), size - sizeof(h), h.holes);
    kernel.vm = &m.vm;
    kernel.prof = fuzz_profile;

    st_linux_compat_native_nr(h.nr32);
    if (st_linux_compat_syscall(&m.vm, h.nr32, h.regs, &sc, NULL)) {
        g_assert(sc.compat);
        fuzz_args(&m.vm, &sc);
    }
    /* the registers saved in kernel memory, as ia32_sys_call gets them */
    if (st_linux_read_syscall_regs(&kernel, FUZZ_KERNEL_BASE + h.pt_regs,
                                   &r, NULL)) {
        unsigned i;

        for (i = 0; i < 6; i++) {
            g_assert(r.compat[i] <= UINT32_MAX);
        }
        if (st_linux_compat_syscall(&m.vm, r.orig_ax, r.compat, &sc, NULL)) {
            fuzz_args(&m.vm, &sc);
        }
    }
    return 0;
}

/* Seeds: a socketcall(sendmsg) and a compat writev, from registers */
static void seeds(const char *dir)
{
    const StLinuxProfile *p = fuzz_profile;
    g_autofree uint8_t *img = g_malloc0(0x2000);
    FuzzCompatHeader h = { .nr32 = ST_NR32_SOCKETCALL };
    const uint64_t u = FUZZ_USER_BASE;
    uint32_t words[3] = { 3, u + 0x200, 0 };
    uint32_t msg[7] = { u + 0x300, 16, u + 0x400, 1, 0, 0, 0 };
    uint32_t iov[2] = { u + 0x500, 100 };
    uint16_t family = 2;
    uint64_t v;

    memcpy(img + 0x100, words, sizeof(words));
    memcpy(img + 0x200, msg, sizeof(msg));
    memcpy(img + 0x300, &family, 2);
    memcpy(img + 0x400, iov, sizeof(iov));
    h.regs[0] = ST_SOCKETCALL_SENDMSG;
    h.regs[1] = u + 0x100;
    /* pt_regs at 0x1000: writev(3, iov, 1) from a 32-bit process */
    h.pt_regs = 0x1000;
    v = ST_NR32_WRITEV;
    memcpy(img + 0x1000 + p->field[ST_PT_REGS_ORIG_AX].offset, &v, 8);
    v = 3;
    memcpy(img + 0x1000 + p->field[ST_PT_REGS_BX].offset, &v, 8);
    v = u + 0x400;
    memcpy(img + 0x1000 + p->field[ST_PT_REGS_CX].offset, &v, 8);
    v = 1;
    memcpy(img + 0x1000 + p->field[ST_PT_REGS_DX].offset, &v, 8);
    v = 0x23;
    memcpy(img + 0x1000 + p->field[ST_PT_REGS_CS].offset, &v, 2);
    fuzz_decode_write_seed(dir, "seed-socketcall", &h, sizeof(h), img,
                           0x2000);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = g_getenv("ST_FUZZ_WRITE_SEEDS");

    fuzz_profile = st_synth_profile();
    st_synth_profile_add_decode(fuzz_profile);
    fuzz_decode_corpus_dir(*argc, *argv);
    if (dir) {
        g_mkdir_with_parents(dir, 0755);
        seeds(dir);
        exit(0);
    }
    return 0;
}
