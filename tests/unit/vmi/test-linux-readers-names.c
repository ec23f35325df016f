/*
 * secret-tracker: unit tests of a file's other names on synthetic memory:
 * the mount of its filesystem's root, in this namespace or another, and
 * its other hard links
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"

/*
 * A file's other names: the mount of its filesystem's root above a bind
 * mount, and its inode's cached dentries (a bounded walk of a list the
 * guest can make circular).
 */
static void test_other_names(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    uint64_t off = p->field[ST_MOUNT_MNT].offset;
    uint64_t link_off = p->field[ST_DENTRY_D_ALIAS_NEXT].offset;
    uint64_t home_vfs = k->home_mnt + off, root_vfs = k->root_mnt + off;
    uint64_t bob, view, bind, stray, inode, link, out[64];
    GError *err = NULL;
    char *path;

    bob = st_synth_dentry(k, k->home_root, "bob", 0);
    view = st_synth_dentry(k, k->root_dentry, "view", 0);
    bind = st_synth_mount(k, k->home_mnt, bob, k->user_dentry) + off;
    stray = st_synth_mount(k, k->root_mnt, view, k->user_dentry) + off;
    path = st_linux_path(&k->kernel, k->secret_dentry, bind, &err);
    g_assert_cmpstr(path, ==, "/home/bob/secret.txt");
    g_free(path);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, bind, &err), ==, home_vfs);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, home_vfs, &err), ==,
                    home_vfs);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, root_vfs, &err), ==,
                    root_vfs);
    g_assert_no_error(err);
    /* no mount of /home's root above it: a limit, reported */
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray, &err), ==, 0);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);

    /* secret.txt and the hard link /home/link */
    g_assert_true(st_guest_read_u64(&k->s->vm, k->secret_dentry +
                                    p->field[ST_DENTRY_D_INODE].offset,
                                    &inode, NULL));
    link = st_synth_dentry(k, k->home_root, "link", inode);
    st_synth_set(k->s, p, inode, ST_INODE_I_DENTRY_FIRST,
                 k->secret_dentry + link_off);
    st_synth_set(k->s, p, k->secret_dentry, ST_DENTRY_D_ALIAS_NEXT,
                 link + link_off);
    st_synth_set(k->s, p, link, ST_DENTRY_D_ALIAS_NEXT, 0);
    g_assert_cmpint(st_linux_dentry_aliases(&k->kernel, link, out, 64, &err),
                    ==, 2);
    g_assert_no_error(err);
    g_assert_cmphex(out[0], ==, k->secret_dentry);
    g_assert_cmphex(out[1], ==, link);
    g_assert_cmpint(st_linux_dentry_aliases(&k->kernel, link, out, 1, &err),
                    ==, 1);
    /* a circular list ends at @max */
    st_synth_set(k->s, p, link, ST_DENTRY_D_ALIAS_NEXT,
                 k->secret_dentry + link_off);
    g_assert_cmpint(st_linux_dentry_aliases(&k->kernel, link, out, 64, &err),
                    ==, 64);
    /* an unreadable node, or no such member */
    st_synth_set(k->s, p, link, ST_DENTRY_D_ALIAS_NEXT, 0x1000);
    g_assert_cmpint(st_linux_dentry_aliases(&k->kernel, link, out, 64, &err),
                    ==, -1);
    g_clear_error(&err);
    k->prof->field[ST_INODE_I_DENTRY_FIRST].present = false;
    g_assert_cmpint(st_linux_dentry_aliases(&k->kernel, link, out, 64, &err),
                    ==, -1);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE);
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

/*
 * A bind mount in a namespace that does not see its filesystem's root:
 * the root's mount in another namespace, from the super block's list of
 * mounts, in both layouts (a list_head through the mounts, a NULL-ended
 * chain); an attached mount before a detached one; a bounded walk.
 */
static void test_other_mounts(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    StLinuxProfile *p = k->prof;
    uint64_t off = p->field[ST_MOUNT_MNT].offset;
    uint64_t head = k->sb_home + p->field[ST_SUPER_BLOCK_S_MOUNTS].offset;
    uint64_t link = p->field[ST_MOUNT_MNT_SB_NEXT].offset;
    uint64_t home_vfs = k->home_mnt + off;
    uint64_t view, stray, gone, ns_root;
    GError *err = NULL;
    char *path;

    view = st_synth_dentry(k, k->root_dentry, "view", 0);
    /* alice's directory bound on /view, /home not mounted above it */
    stray = st_synth_mount(k, k->root_mnt, view, k->user_dentry);
    /* a detached mount of /home's root: its own parent */
    gone = st_synth_mount(k, 0, 0, k->home_root);

    /* an empty list: not found, as without the members */
    st_synth_w64(k->s, head, head);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray + off, &err), ==, 0);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);

    /* s_mounts -> gone -> stray -> home -> s_mounts */
    st_synth_w64(k->s, head, gone + link);
    st_synth_w64(k->s, gone + link, stray + link);
    st_synth_w64(k->s, stray + link, k->home_mnt + link);
    st_synth_w64(k->s, k->home_mnt + link, head);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray + off, &err), ==,
                    home_vfs);
    g_assert_no_error(err);
    path = st_linux_path(&k->kernel, k->secret_dentry, home_vfs, &err);
    g_assert_cmpstr(path, ==, "/home/alice/secret.txt");
    g_free(path);

    /* only the detached one: better than nothing */
    st_synth_w64(k->s, stray + link, head);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray + off, &err), ==,
                    gone + off);
    g_assert_no_error(err);

    /* a circle that never comes back to the head: bounded */
    st_synth_w64(k->s, head, stray + link);
    st_synth_w64(k->s, stray + link, stray + link);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray + off, &err), ==, 0);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);

    /* an unreadable node */
    st_synth_w64(k->s, head, 0x1000);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray + off, &err), ==, 0);
    g_assert_nonnull(err);
    g_clear_error(&err);

    /* the newer chain: pointers to the mounts themselves, NULL-ended */
    p->field[ST_MOUNT_MNT_SB_NEXT].alt = 1;
    ns_root = st_synth_mount(k, 0, 0, k->home_root);
    st_synth_w64(k->s, head, stray);
    st_synth_w64(k->s, stray + link, ns_root);
    st_synth_w64(k->s, ns_root + link, k->home_mnt);
    st_synth_w64(k->s, k->home_mnt + link, 0);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray + off, &err), ==,
                    home_vfs);
    g_assert_no_error(err);
    st_synth_w64(k->s, ns_root + link, 0);
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray + off, &err), ==,
                    ns_root + off);
    g_assert_no_error(err);

    /* a profile without the list: the limit, reported */
    p->field[ST_SUPER_BLOCK_S_MOUNTS].present = false;
    g_assert_cmphex(st_linux_fs_mount(&k->kernel, stray + off, &err), ==, 0);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

/*
 * Does @file, whose own inode is (@dev, @ino), read as an overlayfs view
 * of alice's secret, at @mnt?
 */
static void assert_view_of_secret(StSynthKernel *k, uint64_t file,
                                  uint64_t mnt, uint32_t dev, uint64_t ino)
{
    StLinuxFile f;
    GError *err = NULL;
    g_autofree char *path = NULL;

    g_assert_true(st_linux_read_file(&k->kernel, file, &f, &err));
    g_assert_no_error(err);
    g_assert_true(f.view);
    g_assert_cmphex(f.view_dev, ==, dev);
    g_assert_cmpuint(f.view_ino, ==, ino);
    g_assert_cmphex(f.file, ==, file);
    g_assert_cmphex(f.dev, ==, ST_SYNTH_HOME_DEV);
    g_assert_cmpuint(f.ino, ==, ST_SYNTH_SECRET_INO);
    g_assert_cmphex(f.dentry, ==, k->secret_dentry);
    g_assert_cmphex(f.vfsmount, ==, mnt);
    g_assert_cmpint(f.type, ==, ST_LINUX_FT_REGULAR);
    g_assert_cmpuint(f.f_flags, ==, 0x8000);
    path = st_linux_path(&k->kernel, f.dentry, f.vfsmount, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, "/home/alice/secret.txt");
}

/* Does @file read as itself: an overlay file that is no view? */
static void assert_not_view(StSynthKernel *k, uint64_t file, uint32_t dev,
                            uint64_t ino)
{
    StLinuxFile f;
    GError *err = NULL;

    g_assert_true(st_linux_read_file(&k->kernel, file, &f, &err));
    g_assert_no_error(err);
    g_assert_false(f.view);
    g_assert_cmphex(f.dev, ==, dev);
    g_assert_cmpuint(f.ino, ==, ino);
}

/*
 * An overlayfs file is a view of the real file overlayfs opened on a
 * layer, through a private clone of the layer's mount: its identity and
 * path are the real file's, in both layouts of private_data (the real
 * file, or a struct ovl_file whose first member is), a real file that
 * shows the view's path (up to 6.5: found by its inode), stacked two deep.
 * A candidate that is not a real file (the overlay's own, one whose inode
 * is not its dentry's, unreadable) is refused; a loop of views ends.
 */
static void test_overlay_view(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    uint64_t off = p->field[ST_MOUNT_MNT].offset;
    uint64_t head = k->sb_home + p->field[ST_SUPER_BLOCK_S_MOUNTS].offset;
    uint64_t link = p->field[ST_MOUNT_MNT_SB_NEXT].offset;
    uint64_t sb_ovl, sb_top, ovl_root, merged, ovl_mnt, top_mnt, clone;
    uint64_t ino, dentry, real, view, of, top, bad, loop, fake, secret_inode;
    g_autofree char *path = NULL;
    StLinuxFile f;
    GError *err = NULL;

    /* overlay on /merged; its lower layer /home/alice, privately cloned */
    sb_ovl = st_synth_sb(k, 0x2d, "overlay");
    ino = st_synth_inode(k, sb_ovl, 0040755, 1);
    ovl_root = st_synth_dentry(k, 0, "/", ino);
    merged = st_synth_dentry(k, k->root_dentry, "merged", 0);
    ovl_mnt = st_synth_mount(k, k->root_mnt, merged, ovl_root);
    ino = st_synth_inode(k, sb_ovl, 0100600, 77);
    dentry = st_synth_dentry(k, ovl_root, "secret.txt", ino);
    clone = st_synth_mount(k, 0, 0, k->user_dentry);
    st_synth_w64(k->s, head, k->home_mnt + link);
    st_synth_w64(k->s, k->home_mnt + link, head);

    real = st_synth_file(k, clone, k->secret_dentry, 0);
    g_assert_true(st_guest_read_u64(&k->s->vm, real +
                                    p->field[ST_FILE_F_INODE].offset,
                                    &secret_inode, NULL));
    view = st_synth_file(k, ovl_mnt, dentry, 0x8000);
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, real);
    assert_view_of_secret(k, view, k->home_mnt + off, 0x2d, 77);
    /* the path the process sees stays the view's */
    path = st_linux_file_path(&k->kernel, view, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, "/merged/secret.txt");

    /* 6.13 on: a struct ovl_file { realfile; upperfile; } */
    of = st_synth_alloc(k->s, 16);
    st_synth_w64(k->s, of, real);
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, of);
    assert_view_of_secret(k, view, k->home_mnt + off, 0x2d, 77);

    /* up to 6.5: the real file shows the view's path */
    fake = st_synth_file(k, ovl_mnt, dentry, 0);
    st_synth_set(k->s, p, fake, ST_FILE_F_INODE, secret_inode);
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, fake);
    st_synth_set(k->s, p, secret_inode, ST_INODE_I_DENTRY_FIRST,
                 k->secret_dentry + p->field[ST_DENTRY_D_ALIAS_NEXT].offset);
    assert_view_of_secret(k, view, k->home_mnt + off, 0x2d, 77);
    /* no cached name of the real inode: its identity, the view's path */
    st_synth_set(k->s, p, secret_inode, ST_INODE_I_DENTRY_FIRST, 0);
    g_assert_true(st_linux_read_file(&k->kernel, view, &f, &err));
    g_assert_no_error(err);
    g_assert_true(f.view);
    g_assert_cmpuint(f.ino, ==, ST_SYNTH_SECRET_INO);
    g_assert_cmphex(f.dentry, ==, dentry);
    g_assert_cmphex(f.vfsmount, ==, ovl_mnt + off);
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, real);

    /* an overlay on that overlay: followed down two levels */
    sb_top = st_synth_sb(k, 0x2e, "overlay");
    ino = st_synth_inode(k, sb_top, 0040755, 1);
    top_mnt = st_synth_mount(k, 0, 0, st_synth_dentry(k, 0, "/", ino));
    ino = st_synth_inode(k, sb_top, 0100600, 78);
    top = st_synth_file(k, top_mnt, st_synth_dentry(k, 0, "s", ino), 0x8000);
    st_synth_set(k->s, p, top, ST_FILE_PRIVATE_DATA, view);
    assert_view_of_secret(k, top, k->home_mnt + off, 0x2e, 78);

    /* no mount of the layer's root anywhere: the clone's path */
    st_synth_w64(k->s, head, head);
    g_assert_true(st_linux_read_file(&k->kernel, view, &f, &err));
    g_assert_no_error(err);
    g_assert_true(f.view);
    g_assert_cmphex(f.vfsmount, ==, clone + off);
    st_synth_w64(k->s, head, k->home_mnt + link);

    /* not real files: the view keeps its own identity */
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, 0);
    assert_not_view(k, view, 0x2d, 77);
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA,
                 0xffffc90000000000ULL);
    assert_not_view(k, view, 0x2d, 77);
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, view);
    assert_not_view(k, view, 0x2d, 77);
    bad = st_synth_file(k, ovl_mnt, dentry, 0);     /* the overlay's own */
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, bad);
    assert_not_view(k, view, 0x2d, 77);
    bad = st_synth_file(k, clone, k->secret_dentry, 0);
    st_synth_set(k->s, p, bad, ST_FILE_F_INODE,
                 st_synth_inode(k, k->sb_home, 0100600, 5));
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, bad);
    assert_not_view(k, view, 0x2d, 77);

    /* two views of each other: the walk is bounded */
    loop = st_synth_file(k, top_mnt, dentry, 0);
    st_synth_set(k->s, p, loop, ST_FILE_F_INODE,
                 st_synth_inode(k, sb_top, 0100600, 79));
    st_synth_set(k->s, p, loop, ST_FILE_PRIVATE_DATA, view);
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, loop);
    assert_not_view(k, view, 0x2d, 77);

    /* a file on another filesystem named "overlay..." is not one */
    st_synth_set(k->s, p, view, ST_FILE_PRIVATE_DATA, real);
    st_synth_set_bytes(k->s, p, sb_ovl, ST_SUPER_BLOCK_S_ID, "overlayX", 9);
    assert_not_view(k, view, 0x2d, 77);
    st_synth_kernel_free(k);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/readers/other-names", test_other_names);
    g_test_add_func("/vmi/readers/other-mounts", test_other_mounts);
    g_test_add_func("/vmi/readers/overlay-view", test_overlay_view);
    return g_test_run();
}
