/*
 * secret-tracker: find the kernel's BTF and its banner in guest-physical
 * memory
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

#include <bpf/btf.h>

#define ST_SCAN_CHUNK (1024 * 1024)
#define ST_BTF_HDR_LEN 24

void st_btf_scan_options_default(StBtfScanOptions *opts)
{
    opts->forward = 128 * 1024 * 1024;
    opts->backward = 16 * 1024 * 1024;
    opts->max_size = 64 * 1024 * 1024;
}

/* Called for each match; returns true to stop the scan */
typedef bool (*StScanHit)(const StGuestMem *mem, uint64_t paddr,
                          const uint8_t *here, size_t avail, void *opaque);

/*
 * Look for @pat in [lo, hi) chunk by chunk.  Chunks that cannot be read
 * (holes) are skipped.  Returns true when @hit stopped the scan.
 */
static bool st_scan_range(const StGuestMem *mem, uint64_t lo, uint64_t hi,
                          const uint8_t *pat, size_t pat_len, StScanHit hit,
                          void *opaque)
{
    const size_t overlap = 4096;
    /*
     * No larger than the window: a small scan touches little memory.
     * Zeroed once, so holes are not filled again chunk after chunk.
     */
    g_autofree uint8_t *buf = g_malloc0(MIN(hi - lo, (uint64_t)ST_SCAN_CHUNK) +
                                        overlap);
    size_t stale = 0;   /* past it, buf is all zeroes */
    uint64_t pos;

    for (pos = lo; pos < hi; pos += ST_SCAN_CHUNK) {
        size_t len = MIN(hi - pos, (uint64_t)ST_SCAN_CHUNK + overlap);
        size_t scan_len = MIN(len, (size_t)ST_SCAN_CHUNK + pat_len - 1);
        const uint8_t *p = buf, *end;

        /* a failed read may leave data anywhere: whole only if all stale */
        if (stale < len || !st_guest_read_phys(mem, pos, buf, len, NULL)) {
            /* holes: read page by page, unreadable pages as zeroes */
            uint8_t page[4096];
            size_t off, top = 0;

            for (off = 0; off < len; off += 4096) {
                size_t n = MIN(len - off, (size_t)4096);

                if (st_guest_read_phys(mem, pos + off, page, n, NULL)) {
                    memcpy(buf + off, page, n);
                    top = off + n;
                } else if (off < stale) {
                    memset(buf + off, 0, n);
                }
            }
            stale = stale > len ? stale : top;
            if (!top) {
                continue;
            }
        }
        end = buf + scan_len;
        while (p < end) {
            const uint8_t *m = memmem(p, end - p, pat, pat_len);

            if (!m) {
                break;
            }
            if (hit(mem, pos + (m - buf), m, buf + len - m, opaque)) {
                return true;
            }
            p = m + 1;
        }
    }
    return false;
}

static bool st_scan_around(const StGuestMem *mem, uint64_t start,
                           const StBtfScanOptions *opts, const uint8_t *pat,
                           size_t pat_len, StScanHit hit, void *opaque)
{
    uint64_t page = start & ~0xfffULL;
    uint64_t back = MIN(opts->backward, page);

    if (st_scan_range(mem, page, page + opts->forward, pat, pat_len, hit,
                      opaque)) {
        return true;
    }
    return back && st_scan_range(mem, page - back, page, pat, pat_len, hit,
                                 opaque);
}

typedef struct StBtfScanState {
    const StBtfScanOptions *opts;
    uint8_t *blob;
    size_t size;
    uint64_t paddr;
    unsigned candidates;
    uint64_t copied;    /* bytes copied out for candidates that failed */
} StBtfScanState;

/* A guest can plant fake headers: bound the work they cost */
#define ST_BTF_MAX_CANDIDATES 256
#define ST_BTF_MAX_COPIED_FACTOR 4

static uint32_t st_le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool st_btf_scan_hit(const StGuestMem *mem, uint64_t paddr,
                            const uint8_t *here, size_t avail, void *opaque)
{
    StBtfScanState *s = opaque;
    uint32_t type_off, type_len, str_off, str_len;
    uint64_t data_len;
    g_autofree uint8_t *blob = NULL;
    struct btf *btf;
    bool ok;

    uint8_t first, last;

    if (s->candidates >= ST_BTF_MAX_CANDIDATES ||
        s->copied > ST_BTF_MAX_COPIED_FACTOR * s->opts->max_size) {
        return true;    /* give up; st_btf_scan() reports it */
    }
    if (avail < ST_BTF_HDR_LEN) {
        return false;
    }
    s->candidates++;
    type_off = st_le32(here + 8);
    type_len = st_le32(here + 12);
    str_off = st_le32(here + 16);
    str_len = st_le32(here + 20);
    data_len = MAX((uint64_t)type_off + type_len, (uint64_t)str_off + str_len);
    if (type_len == 0 || str_len == 0 || type_off % 4 ||
        (uint64_t)type_off + type_len > str_off ||
        ST_BTF_HDR_LEN + data_len > s->opts->max_size) {
        return false;
    }
    /* the string section starts and ends with a NUL: cheap to check */
    if (!st_guest_read_phys(mem, paddr + ST_BTF_HDR_LEN + str_off, &first, 1,
                            NULL) ||
        !st_guest_read_phys(mem, paddr + ST_BTF_HDR_LEN + str_off + str_len -
                            1, &last, 1, NULL) ||
        first || last) {
        return false;
    }
    s->copied += ST_BTF_HDR_LEN + data_len;
    blob = g_try_malloc(ST_BTF_HDR_LEN + data_len);
    if (!blob || !st_guest_read_phys(mem, paddr, blob,
                                     ST_BTF_HDR_LEN + data_len, NULL)) {
        return false;
    }
    /* Module BTF is split BTF: without vmlinux it lacks task_struct */
    btf = btf__new(blob, ST_BTF_HDR_LEN + data_len);
    if (!btf) {
        return false;
    }
    ok = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) > 0;
    btf__free(btf);
    if (ok) {
        s->blob = g_steal_pointer(&blob);
        s->size = ST_BTF_HDR_LEN + data_len;
        s->paddr = paddr;
    }
    return ok;
}

bool st_btf_scan(const StGuestMem *mem, uint64_t start,
                 const StBtfScanOptions *opts, uint8_t **blob, size_t *size,
                 uint64_t *paddr, GError **errp)
{
    /* magic 0xeB9F, version 1, flags 0, hdr_len 24 */
    static const uint8_t pat[] = { 0x9f, 0xeb, 1, 0, 24, 0, 0, 0 };
    StBtfScanOptions defaults;
    StBtfScanState s = { 0 };

    if (!opts) {
        st_btf_scan_options_default(&defaults);
        opts = &defaults;
    }
    s.opts = opts;
    if (!st_scan_around(mem, start, opts, pat, sizeof(pat), st_btf_scan_hit,
                        &s) || !s.blob) {
        if (s.candidates >= ST_BTF_MAX_CANDIDATES ||
            s.copied > ST_BTF_MAX_COPIED_FACTOR * opts->max_size) {
            g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF,
                        "no kernel BTF found: gave up after %u BTF-like "
                        "headers (%" PRIu64 " MiB copied) from 0x%" PRIx64,
                        s.candidates, s.copied >> 20, start);
            return false;
        }
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BTF,
                    "no kernel BTF found in guest memory from 0x%" PRIx64
                    " (-%" PRIu64 " MiB, +%" PRIu64 " MiB; %u candidates)",
                    start, opts->backward >> 20, opts->forward >> 20,
                    s.candidates);
        return false;
    }
    *blob = s.blob;
    *size = s.size;
    *paddr = s.paddr;
    return true;
}

#define ST_BANNER_MAX 512

char *st_linux_banner_in_buffer(const uint8_t *buf, size_t len)
{
    static const char pat[] = "Linux version ";
    const size_t prefix = sizeof(pat) - 1;
    const uint8_t *p = buf, *end = buf + len;

    while (p < end) {
        const uint8_t *m = memmem(p, end - p, pat, prefix);
        size_t n, i;

        if (!m) {
            return NULL;
        }
        n = MIN((size_t)(end - m), (size_t)ST_BANNER_MAX);
        p = m + 1;
        if (n <= prefix || !g_ascii_isdigit(m[prefix])) {
            continue;
        }
        for (i = prefix; i < n; i++) {
            if (m[i] == '\n' || m[i] == 0 || m[i] < 0x20 || m[i] > 0x7e ||
                m[i] == '%') {
                break;
            }
        }
        /* a banner ends with a newline; "%s" means a format string */
        if (i < n && m[i] == '\n') {
            return g_strndup((const char *)m, i);
        }
    }
    return NULL;
}

static bool st_banner_hit(const StGuestMem *mem, uint64_t paddr,
                          const uint8_t *here, size_t avail, void *opaque)
{
    char **out = opaque;

    *out = st_linux_banner_in_buffer(here, MIN(avail, (size_t)ST_BANNER_MAX));
    return *out != NULL;
}

char *st_linux_find_banner(const StGuestMem *mem, uint64_t start,
                           const StBtfScanOptions *opts, GError **errp)
{
    static const char pat[] = "Linux version ";
    StBtfScanOptions defaults;
    char *banner = NULL;

    if (!opts) {
        st_btf_scan_options_default(&defaults);
        opts = &defaults;
    }
    if (!st_scan_around(mem, start, opts, (const uint8_t *)pat,
                        sizeof(pat) - 1, st_banner_hit, &banner)) {
        g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_NO_BANNER,
                    "no Linux banner found in guest memory");
        return NULL;
    }
    return banner;
}
