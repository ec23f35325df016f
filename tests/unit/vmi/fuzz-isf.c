/*
 * secret-tracker: libFuzzer target for the ISF profile loader
 * (linux-profile-isf.c, isf-json.c) and its xz decoder
 *
 * The input is an ISF file as profile=FILE would give it: JSON text, or
 * xz data (decompressed with a small bound first).  Seeds
 * (data/fuzz-isf): the synthetic fixture, st-profile-gen's ISF of two
 * real Debian kernels, the fixture compressed, and the hostile shapes of
 * issue 10 (anonymous members that fan out or contain their own type).
 *
 * Checked: an accepted profile passes st_linux_profile_check() and comes
 * from an ISF; a refusal carries an ST_PROFILE_ERROR that says why.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/vmi/linux-profile.h"

#define FUZZ_MAX_XZ_OUT (4 * 1024 * 1024)

static void parse(const char *text, size_t len)
{
    g_autoptr(StLinuxProfile) p = NULL;
    GError *err = NULL;

    p = st_linux_profile_parse_isf(text, len, "fuzz", &err);
    if (!p) {
        if (!err || err->domain != ST_PROFILE_ERROR || !*err->message) {
            abort();
        }
        g_error_free(err);
        return;
    }
    if (err || p->source != ST_PROFILE_SOURCE_ISF ||
        strcmp(p->origin, "fuzz") || !st_linux_profile_check(p, NULL)) {
        abort();
    }
    if (!st_linux_profile_check_banner(p, p->banner, NULL)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *plain;
    size_t plain_len;
    GError *err = NULL;

    if (size >= 6 && memcmp(data, "\xfd" "7zXZ\0", 6) == 0) {
        if (st_xz_decompress(data, size, FUZZ_MAX_XZ_OUT, &plain, &plain_len,
                             &err)) {
            if (plain_len > FUZZ_MAX_XZ_OUT) {
                abort();
            }
            parse((const char *)plain, plain_len);
            g_free(plain);
        } else if (!err) {
            abort();
        }
        g_clear_error(&err);
        return 0;
    }
    parse((const char *)data, size);
    return 0;
}
