/*
 * secret-tracker: libFuzzer target for the decoders of user structs:
 * user strings, iovecs, socket addresses, msghdr, mmsghdr, AIO iocbs and
 * the data-moving ioctls, native and compat, on random user memory
 *
 * Input: a FuzzUserHeader, then the memory image (fuzz-decode-mem.h).
 * Every decoder runs on every input, each from its own pointer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "fuzz-decode-mem.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/vmi/linux-decode.h"

typedef struct FuzzUserHeader {
    uint64_t holes;
    uint64_t ptr[6];    /* offsets in the user window, or raw (flags) */
    uint64_t arg[4];    /* lengths, counts, ioctl command */
    uint32_t flags;     /* bit 0: compat; bits 8-13: raw ptr[i] */
    uint32_t pad;
} FuzzUserHeader;

#define MAX_MSGS 256
#define MAX_IOCBS 64

static uint64_t fuzz_ptr(const FuzzUserHeader *h, unsigned i)
{
    return (h->flags & (0x100u << i)) ? h->ptr[i]
                                       : FUZZ_USER_BASE + h->ptr[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static StLinuxMsghdr msgs[MAX_MSGS];
    static StLinuxIocb iocbs[MAX_IOCBS];
    FuzzUserHeader h;
    FuzzDecodeMem m;
    StLinuxSockaddr sa;
    StLinuxMsghdr msg;
    StLinuxIoctl ioc;
    char str[4096];
    uint64_t bytes;
    uint8_t head[64];
    size_t got;
    unsigned n;
    bool compat;

    if (size < sizeof(h)) {
        return 0;
    }
    memcpy(&h, data, sizeof(h));
    compat = h.flags & 1;
    fuzz_decode_mem_init(&m, data + sizeof(h), size - sizeof(h), h.holes);

    st_linux_user_string(&m.vm, fuzz_ptr(&h, 0), str,
                         1 + h.arg[3] % sizeof(str), NULL, NULL);
    st_linux_iovec_total(&m.vm, fuzz_ptr(&h, 1), h.arg[0], compat, &bytes,
                         NULL);
    if (st_linux_iovec_head(&m.vm, fuzz_ptr(&h, 1), h.arg[0], compat, head,
                            h.arg[3] % (sizeof(head) + 1), &got, NULL) &&
        got > h.arg[3] % (sizeof(head) + 1)) {
        abort();
    }
    if (st_linux_sockaddr_decode(&m.vm, fuzz_ptr(&h, 2), h.arg[1], &sa,
                                 NULL)) {
        g_free(st_linux_sockaddr_describe(&sa));
    }
    if (st_linux_msghdr_decode(&m.vm, fuzz_ptr(&h, 3), compat,
                               ST_LINUX_MSG_NAME | ST_LINUX_MSG_IOV, &msg,
                               NULL) && msg.has_dest) {
        g_free(st_linux_sockaddr_describe(&msg.dest));
    }
    st_linux_mmsghdr_decode(&m.vm, fuzz_ptr(&h, 3), h.arg[2], compat,
                            ST_LINUX_MSG_NAME | ST_LINUX_MSG_IOV, msgs,
                            MAX_MSGS, &n, NULL);
    g_assert(n <= MAX_MSGS);
    st_linux_aio_decode(&m.vm, fuzz_ptr(&h, 4), h.arg[2], compat, iocbs,
                        MAX_IOCBS, &n, NULL);
    g_assert(n <= MAX_IOCBS);
    if (st_linux_ioctl_decode(&m.vm, h.arg[3], fuzz_ptr(&h, 5), &ioc,
                              NULL)) {
        g_assert(ioc.n_dest <= ST_FIDEDUPERANGE_MAX_DEST);
    }
    return 0;
}

/* Seeds: one well-formed instance of each struct, for each layout */
static void seed(const char *dir, bool compat)
{
    FuzzUserHeader h = { .flags = compat };
    g_autofree uint8_t *img = g_malloc0(0x3000);
    const uint64_t u = FUZZ_USER_BASE;
    uint8_t *p;
    unsigned i;

    memcpy(img, "/etc/secret", 12);
    h.ptr[0] = 0;
    h.arg[3] = 4095;
    /* two iovecs at 0x100 */
    p = img + 0x100;
    for (i = 0; i < 2; i++) {
        uint64_t base = u + 0x800, len = 64 * (i + 1);

        if (compat) {
            memcpy(p + 8 * i, &base, 4);
            memcpy(p + 8 * i + 4, &len, 4);
        } else {
            memcpy(p + 16 * i, &base, 8);
            memcpy(p + 16 * i + 8, &len, 8);
        }
    }
    h.ptr[1] = 0x100;
    h.arg[0] = 2;
    /* a sockaddr_in6 at 0x200 */
    img[0x200] = ST_AF_INET6;
    img[0x203] = 80;
    img[0x208 + 15] = 1;
    h.ptr[2] = 0x200;
    h.arg[1] = ST_SOCKADDR_IN6_LEN;
    /* two (m)msghdrs at 0x400 naming it, with the iovecs */
    for (i = 0; i < 2; i++) {
        uint64_t name = u + 0x200, iov = u + 0x100, iovlen = 2;
        uint32_t namelen = ST_SOCKADDR_IN6_LEN;

        p = img + 0x400 + i * (compat ? ST_COMPAT_MMSGHDR_SIZE :
                               ST_MMSGHDR_SIZE);
        if (compat) {
            memcpy(p, &name, 4);
            memcpy(p + 4, &namelen, 4);
            memcpy(p + 8, &iov, 4);
            memcpy(p + 12, &iovlen, 4);
        } else {
            memcpy(p, &name, 8);
            memcpy(p + 8, &namelen, 4);
            memcpy(p + 16, &iov, 8);
            memcpy(p + 24, &iovlen, 8);
        }
    }
    h.ptr[3] = 0x400;
    h.arg[2] = 2;
    /* two iocb pointers at 0x600 to a PWRITE and a PREADV at 0x700 */
    for (i = 0; i < 2; i++) {
        uint64_t cb = u + 0x700 + 64 * i, buf = u + (i ? 0x100 : 0x800);
        uint64_t nbytes = i ? 2 : 100;
        uint16_t op = i ? ST_IOCB_CMD_PREADV : ST_IOCB_CMD_PWRITE;

        memcpy(img + 0x600 + (compat ? 4 : 8) * i, &cb, compat ? 4 : 8);
        memcpy(img + 0x700 + 64 * i + 16, &op, 2);
        img[0x700 + 64 * i + 20] = 3 + i;
        memcpy(img + 0x700 + 64 * i + 24, &buf, 8);
        memcpy(img + 0x700 + 64 * i + 32, &nbytes, 8);
    }
    h.ptr[4] = 0x600;
    /* a file_dedupe_range with two destinations at 0x1000 */
    img[0x1000 + 16] = 2;
    img[0x1000 + 24] = 5;
    img[0x1000 + 56] = 6;
    h.ptr[5] = 0x1000;
    h.arg[3] = ST_FIDEDUPERANGE;
    /* the page after the image's first two is a hole */
    h.holes = 1ULL << 2;
    fuzz_decode_write_seed(dir, compat ? "seed-compat" : "seed-native", &h,
                           sizeof(h), img, 0x3000);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = g_getenv("ST_FUZZ_WRITE_SEEDS");

    fuzz_decode_corpus_dir(*argc, *argv);
    if (dir) {
        g_mkdir_with_parents(dir, 0755);
        seed(dir, false);
        seed(dir, true);
        exit(0);
    }
    return 0;
}
