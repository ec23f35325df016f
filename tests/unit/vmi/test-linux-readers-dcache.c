/*
 * secret-tracker: unit tests of the dentry cache lookup on synthetic
 * memory: globs, mounts crossed, both layouts of the children lists,
 * and guest lists that are broken or circular
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"

/* Globs are split so that no string holds a comment opener. */

typedef struct Found {
    GPtrArray *paths;
    uint64_t dev, ino;          /* of the last one */
} Found;

static void collect(void *opaque, const char *path, uint64_t dev,
                    uint64_t ino)
{
    Found *f = opaque;

    g_ptr_array_add(f->paths, g_strdup(path));
    f->dev = dev;
    f->ino = ino;
}

/*
 * Link @n children into @parent's list: a ring through the head (the
 * list_head of up to 6.7) or, with @hlist, a NULL-ended chain.
 */
static void children(StSynthKernel *k, bool hlist, uint64_t parent,
                     const uint64_t *child, unsigned n)
{
    const StLinuxProfile *p = k->prof;
    uint64_t link = p->field[ST_DENTRY_D_CHILD].offset;
    uint64_t head = parent + p->field[ST_DENTRY_D_SUBDIRS].offset;
    unsigned i;

    st_synth_w64(k->s, head, n ? child[0] + link : (hlist ? 0 : head));
    for (i = 0; i < n; i++) {
        st_synth_w64(k->s, child[i] + link,
                     i + 1 < n ? child[i + 1] + link : (hlist ? 0 : head));
    }
}

/* @child the only mount on @parent (a ring of one) */
static void mount_child(StSynthKernel *k, uint64_t parent, uint64_t child)
{
    const StLinuxProfile *p = k->prof;
    uint64_t head = parent + p->field[ST_MOUNT_MNT_MOUNTS].offset;
    uint64_t link = child + p->field[ST_MOUNT_MNT_CHILD].offset;

    st_synth_w64(k->s, head, link);
    st_synth_w64(k->s, link, head);
}

typedef struct Tree {
    StSynthKernel *k;
    uint64_t notes, sub, gone, cursor, bob;
} Tree;

/*
 * / (root fs) holds home, the mountpoint of the home fs; its root holds
 * alice; alice holds secret.txt, notes (regular), sub (a directory),
 * gone.txt (negative) and a cursor (no name).
 */
static void tree_build(Tree *t, bool hlist)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    uint64_t kids[5];

    t->k = k;
    if (hlist) {
        k->prof->field[ST_DENTRY_D_SUBDIRS].alt = 1;
        k->prof->field[ST_DENTRY_D_CHILD].alt = 1;
    }
    t->notes = st_synth_dentry(k, k->user_dentry, "notes",
                               st_synth_inode(k, k->sb_home, 0100644, 4002));
    t->sub = st_synth_dentry(k, k->user_dentry, "sub",
                             st_synth_inode(k, k->sb_home, 0040755, 4003));
    t->gone = st_synth_dentry(k, k->user_dentry, "gone.txt", 0);
    t->cursor = st_synth_dentry(k, k->user_dentry, "", 0);
    st_synth_set(k->s, k->prof, t->cursor, ST_DENTRY_D_NAME_LEN, 0);
    kids[0] = t->gone;
    kids[1] = t->cursor;
    kids[2] = k->secret_dentry;
    kids[3] = t->notes;
    kids[4] = t->sub;
    children(k, hlist, k->user_dentry, kids, 5);
    children(k, hlist, k->home_root, &k->user_dentry, 1);
    children(k, hlist, k->root_dentry, &k->home_dentry, 1);
    /* sub holds nothing cached; home (the root fs's) nothing either */
    children(k, hlist, t->sub, NULL, 0);
    children(k, hlist, k->home_dentry, NULL, 0);
    mount_child(k, k->root_mnt, k->home_mnt);
    children(k, hlist, k->secret_dentry, NULL, 0);
    children(k, hlist, t->notes, NULL, 0);
}

/* The paths @glob finds, joined by spaces; NULL on an error (in @errp) */
static char *find(Tree *t, const char *glob, StLinuxDcacheStats *stats,
                  GError **errp)
{
    Found f = { .paths = g_ptr_array_new_with_free_func(g_free) };
    StLinuxDcacheStats local;
    char *joined = NULL;

    if (st_linux_dcache_find(&t->k->kernel, t->k->task, glob, collect, &f,
                             stats ? stats : &local, errp)) {
        g_ptr_array_add(f.paths, NULL);
        joined = g_strjoinv(" ", (char **)f.paths->pdata);
    }
    g_ptr_array_free(f.paths, true);
    return joined;
}

static void check(Tree *t, const char *glob, const char *want)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *got = find(t, glob, NULL, &err);

    g_assert_no_error(err);
    g_assert_cmpstr(got, ==, want);
}

static void test_lookup(bool hlist)
{
    Tree t;
    Found f = { .paths = g_ptr_array_new_with_free_func(g_free) };
    StLinuxDcacheStats stats;
    g_autoptr(GError) err = NULL;

    tree_build(&t, hlist);
    /* across the /home mount, with the file's own inode */
    g_assert_true(st_linux_dcache_find(&t.k->kernel, t.k->task,
                                       "/home/alice/secret.txt", collect, &f,
                                       &stats, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(f.paths->len, ==, 1);
    g_assert_cmpstr(f.paths->pdata[0], ==, "/home/alice/secret.txt");
    g_assert_cmphex(f.dev, ==, ST_SYNTH_HOME_DEV);
    g_assert_cmpuint(f.ino, ==, ST_SYNTH_SECRET_INO);
    g_assert_cmpuint(stats.found, ==, 1);
    g_assert_false(stats.truncated);
    g_ptr_array_free(f.paths, true);

    /* globs: regular files only; negative dentries and cursors skipped */
    check(&t, "/home/alice/" "*", "/home/alice/secret.txt /home/alice/notes");
    check(&t, "/home/" "*/secret.[t]xt", "/home/alice/secret.txt");
    check(&t, "/" "*/alice/n?tes", "/home/alice/notes");
    check(&t, "//home//alice/secret.txt", "/home/alice/secret.txt");
    check(&t, "/home/alice/gone.txt", "");
    check(&t, "/home/alice/sub", "");
    check(&t, "/home/alice/secret.txt/x", "");
    check(&t, "/home/bob/" "*", "");
    check(&t, "/home/alice/\\*", "");

    /* without the mount, /home of the root fs holds nothing */
    st_synth_w64(t.k->s, t.k->root_mnt +
                 t.k->prof->field[ST_MOUNT_MNT_MOUNTS].offset, 0);
    check(&t, "/home/alice/secret.txt", "");
    mount_child(t.k, t.k->root_mnt, t.k->home_mnt);

    /* a mount over the home fs's root, in it: the one on top is seen */
    t.bob = st_synth_mount(t.k, t.k->home_mnt, t.k->home_root,
                           t.k->root_dentry);
    mount_child(t.k, t.k->home_mnt, t.bob);
    check(&t, "/home/alice/secret.txt", "");
    st_synth_w64(t.k->s, t.k->home_mnt +
                 t.k->prof->field[ST_MOUNT_MNT_MOUNTS].offset, 0);
    check(&t, "/home/alice/secret.txt", "/home/alice/secret.txt");
    st_synth_kernel_free(t.k);
}

static void test_lookup_list_head(void)
{
    test_lookup(false);
}

static void test_lookup_hlist(void)
{
    test_lookup(true);
}

/* What the guest can break: every walk ends, and errors are reported */
static void test_hostile(void)
{
    Tree t;
    StLinuxDcacheStats stats;
    const StLinuxProfile *p;
    uint64_t link;
    g_autoptr(GError) err = NULL;
    unsigned i;
    char *got;

    tree_build(&t, false);
    p = t.k->prof;
    link = p->field[ST_DENTRY_D_CHILD].offset;

    /* a circle that never comes back to its head: bounded, truncated */
    st_synth_w64(t.k->s, t.cursor + link, t.gone + link);
    got = find(&t, "/home/alice/" "*", &stats, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(got, ==, "");
    g_assert_true(stats.truncated);
    g_assert_cmpuint(stats.visited, <=, ST_LINUX_DCACHE_MAX_VISITS);
    g_free(got);
    st_synth_w64(t.k->s, t.cursor + link, t.k->secret_dentry + link);

    /* a mount list in a circle too */
    st_synth_w64(t.k->s, t.k->home_mnt +
                 p->field[ST_MOUNT_MNT_CHILD].offset,
                 t.k->home_mnt + p->field[ST_MOUNT_MNT_CHILD].offset);
    got = find(&t, "/home/alice/secret.txt", &stats, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(got, ==, "/home/alice/secret.txt");
    g_assert_true(stats.truncated);
    g_free(got);
    mount_child(t.k, t.k->root_mnt, t.k->home_mnt);

    /* an unreadable node: an error, not a crash */
    st_synth_w64(t.k->s, t.k->user_dentry +
                 p->field[ST_DENTRY_D_SUBDIRS].offset, 0x1000);
    g_assert_null(find(&t, "/home/alice/" "*", NULL, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);

    /* mount parents in a circle above the task's root */
    st_synth_set(t.k->s, p, t.k->fs, ST_FS_STRUCT_ROOT_MNT,
                 t.k->home_mnt + p->field[ST_MOUNT_MNT].offset);
    st_synth_set(t.k->s, p, t.k->root_mnt, ST_MOUNT_MNT_PARENT,
                 t.k->home_mnt);
    g_assert_null(find(&t, "/home", NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);

    /* patterns: relative, too deep */
    g_assert_null(find(&t, "home", NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    got = g_strnfill(2 * (ST_LINUX_DCACHE_MAX_DEPTH + 1), '/');
    for (i = 1; got[i]; i += 2) {
        got[i] = 'a';
    }
    g_assert_null(find(&t, got, NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_free(got);

    /* a profile without the lists: the feature is off, said so */
    t.k->prof->field[ST_MOUNT_MNT_MOUNTS].present = false;
    g_assert_null(find(&t, "/home", NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE);
    g_assert_nonnull(strstr(err->message, "mount.mnt_mounts"));
    st_synth_kernel_free(t.k);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/dcache/list-head", test_lookup_list_head);
    g_test_add_func("/vmi/dcache/hlist", test_lookup_hlist);
    g_test_add_func("/vmi/dcache/hostile", test_hostile);
    return g_test_run();
}
