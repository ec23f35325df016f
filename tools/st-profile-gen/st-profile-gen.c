/*
 * st-profile-gen: write a minimal Volatility 3 ISF profile for
 * secret-tracker from a Linux kernel image (Debian vmlinuz or vmlinux)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "profile-gen.h"

#include <bpf/btf.h>

static const char *st_gen_usage =
    "usage: st-profile-gen [--system-map FILE] IMAGE OUTPUT.json\n"
    "\n"
    "IMAGE is a vmlinux, or a bzImage with an xz-, zstd- or lz4-compressed\n"
    "vmlinux inside (Debian's /boot/vmlinuz-*).  The kernel must keep its\n"
    "BTF (CONFIG_DEBUG_INFO_BTF).  OUTPUT '-' writes to stdout.  The\n"
    "unrandomized entry_SYSCALL_64 is found by its code, or taken from\n"
    "the System.map given with --system-map; the per-CPU variables come\n"
    "from the kernel's own kallsyms tables in the image (or from BTF).\n";

static bool st_gen_system_map(const char *path, uint64_t *entry,
                              GError **errp)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned i;

    if (!g_file_get_contents(path, &text, NULL, errp)) {
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit_set(lines[i], " \t", 4);

        if (g_strv_length(f) >= 3 && strcmp(f[2], "entry_SYSCALL_64") == 0) {
            *entry = g_ascii_strtoull(f[0], NULL, 16);
            return true;
        }
    }
    g_set_error(errp, ST_PROFILE_ERROR, ST_PROFILE_ERROR_MISSING,
                "%s has no entry_SYSCALL_64 (Debian's System.map in the "
                "image package is a placeholder)", path);
    return false;
}

int main(int argc, char **argv)
{
    g_autofree char *system_map = NULL;
    GOptionEntry entries[] = {
        { "system-map", 0, 0, G_OPTION_ARG_FILENAME, &system_map,
          "System.map for entry_SYSCALL_64", "FILE" },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("IMAGE OUTPUT");
    g_autofree char *image = NULL, *banner = NULL;
    g_autofree uint8_t *elf = NULL;
    g_autoptr(GString) json = NULL;
    g_autoptr(StLinuxProfile) check = NULL;
    g_autoptr(GArray) syms = g_array_new(false, true, sizeof(StIsfSymbol));
    g_autoptr(GString) notes = g_string_new(NULL);
    const uint8_t *btf_data;
    size_t elf_len, btf_len;
    gsize image_len;
    uint64_t entry = 0;
    struct btf *btf;
    GError *err = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, st_gen_usage);
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 3) {
        fprintf(stderr, "st-profile-gen: %s\n%s",
                err ? err->message : "need IMAGE and OUTPUT", st_gen_usage);
        return 2;
    }
    if (system_map && !st_gen_system_map(system_map, &entry, &err)) {
        goto fail;
    }
    if (!g_file_get_contents(argv[1], &image, &image_len, &err) ||
        !st_linux_image_to_vmlinux((uint8_t *)image, image_len, &elf,
                                   &elf_len, &err) ||
        !st_linux_vmlinux_btf(elf, elf_len, &btf_data, &btf_len, &err)) {
        goto fail;
    }
    btf = btf__new(btf_data, btf_len);
    if (!btf) {
        g_set_error(&err, ST_PROFILE_ERROR, ST_PROFILE_ERROR_IO,
                    "libbpf cannot parse the .BTF section: %s",
                    g_strerror(errno));
        goto fail;
    }
    banner = st_linux_banner_in_buffer(elf, elf_len);
    if (system_map) {
        StIsfSymbol s = { "entry_SYSCALL_64", entry };

        g_array_append_val(syms, s);
    }
    if (!st_vmlinux_symbols(elf, elf_len, btf, syms, notes, &err)) {
        btf__free(btf);
        goto fail;
    }
    json = st_linux_isf_from_btf(btf, banner, (StIsfSymbol *)syms->data,
                                 syms->len, &err);
    btf__free(btf);
    if (!json) {
        goto fail;
    }
    /* what we write must load, and be complete */
    check = st_linux_profile_parse_isf(json->str, json->len, argv[2], &err);
    if (!check) {
        g_prefix_error(&err, "internal error, generated ISF does not load: ");
        goto fail;
    }
    g_string_append_c(json, '\n');
    if (strcmp(argv[2], "-") == 0) {
        fwrite(json->str, 1, json->len, stdout);
    } else if (!g_file_set_contents(argv[2], json->str, json->len, &err)) {
        goto fail;
    }
    fprintf(stderr, "st-profile-gen: %s: %s; %s\n", argv[2],
            banner ? banner : "(no Linux banner found)", notes->str);
    return 0;

fail:
    fprintf(stderr, "st-profile-gen: %s: %s\n", argv[1], err->message);
    g_error_free(err);
    return 1;
}
